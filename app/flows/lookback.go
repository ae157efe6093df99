package flows

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/record"
)

// DefaultLookBack is how far before an incident the draft looks for
// changes.
const DefaultLookBack = 24 * time.Hour

// Bounds of the look-back's four reads (one page each).
const (
	lookBackPulls       = 50
	lookBackDeployments = 30
	lookBackReleases    = 20
	lookBackRuns        = 50
	maxNamedFiles       = 20
)

// deployWorkflow: a workflow that ships, by its name (go-github v62 does
// not decode the run's path); runs on deployment or release events ship too.
var deployWorkflow = regexp.MustCompile(`(?i)deploy|release|rollout|ship|publish|promote|cd\b`)

// lookBackReads are the look-back's four reads, made in parallel with the
// draft's other reads.
type lookBackReads struct {
	issue   *github.Issue
	from    time.Time
	to      time.Time // when the incident started
	started bool      // to is the issue's started time (else its creation)
	off     bool      // look_back: off
	pulls   []*github.PullRequest
	deps    []*github.Deployment
	rels    []*github.RepositoryRelease
	runs    *github.WorkflowRuns
	errs    [4]error
}

// readLookBack reads what GitHub knows of the window before the incident
// started, four reads in parallel: pull requests closed (most recently
// updated first, one page), deployments, releases, and workflow runs
// created in the window. A window of 0 (look_back: off) reads nothing.
func (r *run) readLookBack(ctx context.Context, issue *github.Issue, window time.Duration) *lookBackReads {
	to, started := incidentStart(issue)
	lr := &lookBackReads{issue: issue, from: to.Add(-window), to: to, started: started, off: window <= 0}
	if lr.off {
		return lr
	}
	g := r.group()
	g.Go(func() error {
		lr.pulls, _, lr.errs[0] = r.gh.PullRequests.List(ctx, r.owner, r.repo, &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc",
			ListOptions: github.ListOptions{PerPage: lookBackPulls}})
		return nil
	})
	g.Go(func() error {
		lr.deps, _, lr.errs[1] = r.gh.Repositories.ListDeployments(ctx, r.owner, r.repo, &github.DeploymentsListOptions{ListOptions: github.ListOptions{PerPage: lookBackDeployments}})
		return nil
	})
	g.Go(func() error {
		lr.rels, _, lr.errs[2] = r.gh.Repositories.ListReleases(ctx, r.owner, r.repo, &github.ListOptions{PerPage: lookBackReleases})
		return nil
	})
	g.Go(func() error {
		lr.runs, _, lr.errs[3] = r.gh.Actions.ListRepositoryWorkflowRuns(ctx, r.owner, r.repo, &github.ListWorkflowRunsOptions{
			Created: runsCreated(lr.from, to), ListOptions: github.ListOptions{PerPage: lookBackRuns}})
		return nil
	})
	_ = g.Wait()
	return lr
}

// runsCreated is the workflow runs' created filter: the window's whole
// days (UTC). The runs are filtered to the window itself afterwards; asking
// by days keeps the request the same for every incident of a day, so a
// second draft that day is a conditional 304 when no run started since,
// like the other three reads (asking to the second made it a new request
// for each incident: TestCallBudget's no-hints step counted 14 calls
// instead of 13 whenever the two incidents were opened in different
// seconds).
func runsCreated(from, to time.Time) string {
	return from.UTC().Format("2006-01-02") + ".." + to.UTC().Format("2006-01-02")
}

// maxStartBefore bounds how long before the issue was opened a started
// time it gives is believed (a typo'd year would otherwise move the window
// years back).
const maxStartBefore = 30 * 24 * time.Hour

// reStarted finds the incident's start in the issue's description: a line
// "Started at: 2026-03-01 13:55 UTC" (also started_at, start time, impact
// started, in bold or a list item), or an issue form's "### Started at"
// field with the time on the next non-empty line.
var reStarted = regexp.MustCompile(`(?im)^[ \t]*(?:[-*][ \t]+)?(?:\*\*|__)?(?:started(?:[ _]at)?|start(?:ed)?[ _]time|impact[ _](?:started|began|start)(?:[ _]at)?|incident[ _]start(?:ed)?(?:[ _]at)?)(?:\*\*|__)?[ \t]*(?::|：|-|—)?(?:\*\*|__)?[ \t]*([^\n]{6,60})$|^#{1,6}[ \t]+(?:started(?:[ _]at)?|start(?:ed)?[ _]time|impact[ _](?:started|began|start)(?:[ _]at)?|when did (?:it|the incident|impact) start\??)[ \t]*\n+[ \t]*([^\n#][^\n]{5,60})$`)

// incidentStart is when the incident started: the issue's started time
// when it gives one (UTC unless it names a zone; not after the issue was
// opened, and at most 30 days before), else when the issue was opened.
func incidentStart(issue *github.Issue) (time.Time, bool) {
	opened := issue.GetCreatedAt().Time.UTC()
	body := issue.GetBody()
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	for _, m := range reStarted.FindAllStringSubmatch(body, 4) {
		v := strings.TrimSpace(strings.Trim(m[1]+m[2], "*_` "))
		t, _, ok := checks.ParseTime(v, time.UTC)
		if !ok {
			continue
		}
		t = t.UTC()
		if t.After(opened.Add(time.Minute)) || opened.Sub(t) > maxStartBefore {
			continue
		}
		if t.After(opened) {
			t = opened
		}
		return t, true
	}
	return opened, false
}

// changes are the window's changes, ranked: pull requests merged to base
// (with their deployment, when one of their merge commit is known), other
// deployments, releases, runs of deploy workflows. A read the installation
// may not make (403: deployments or actions not granted; 404: Actions off)
// is named in Unseen; any other failure fails the draft (it is retried).
func (lr *lookBackReads) changes(events []*github.Timeline, base string) (*render.LookBack, error) {
	if lr.off {
		return nil, nil
	}
	issue := lr.issue
	to := lr.to
	lb := &render.LookBack{From: lr.from, To: to, Started: lr.started}
	what := [4]string{"pull requests", "deployments (the App has not been granted Deployments: read here)",
		"releases", "workflow runs (the App has not been granted Actions: read here, or Actions is off)"}
	for i, err := range lr.errs {
		if err == nil {
			continue
		}
		if s := statusOf(err); s == http.StatusForbidden || s == http.StatusNotFound {
			lb.Unseen = append(lb.Unseen, what[i])
			continue
		}
		return nil, fmt.Errorf("look back before #%d: %w", issue.GetNumber(), err)
	}
	named := namedFiles(issue, events)
	in := func(t time.Time) bool { return !t.Before(lb.From) && !t.After(to) }
	deployedAt := deploymentsInWindow(lr.deps, in)
	for _, p := range lr.pulls {
		if p.MergedAt == nil || !in(p.GetMergedAt().Time) || (base != "" && p.GetBase().GetRef() != base) {
			continue
		}
		c := render.Change{Kind: "pull", Title: p.GetTitle(), URL: p.GetHTMLURL(), Number: p.GetNumber(),
			Merged: p.GetMergedAt().Time.UTC(), At: p.GetMergedAt().Time.UTC()}
		if d, ok := deployedAt[p.GetMergeCommitSHA()]; ok {
			c.Deployed, c.Environment, c.At = d.GetCreatedAt().Time.UTC(), d.GetEnvironment(), d.GetCreatedAt().Time.UTC()
			delete(deployedAt, p.GetMergeCommitSHA())
		}
		c.Named = mentioned(named, p.GetTitle()+"\n"+p.GetBody()+"\n"+p.GetHead().GetRef())
		lb.Changes = append(lb.Changes, c)
	}
	lr.others(lb, deployedAt, named, in)
	lb.Rank()
	return lb, nil
}

// others are the deployments of no listed pull request, the releases and
// the deploy workflows' runs of the window.
func (lr *lookBackReads) others(lb *render.LookBack, deployedAt map[string]*github.Deployment, named []string, in func(time.Time) bool) {
	repo := repoWebURL(lr.issue)
	for sha, d := range deployedAt {
		lb.Changes = append(lb.Changes, render.Change{Kind: "deployment", SHA: sha, Environment: d.GetEnvironment(),
			At: d.GetCreatedAt().Time.UTC(), URL: commitURL(repo, sha), Named: mentioned(named, d.GetDescription())})
	}
	for _, rl := range lr.rels {
		if rl.PublishedAt == nil || rl.GetDraft() || !in(rl.GetPublishedAt().Time) {
			continue
		}
		title := rl.GetTagName()
		if n := rl.GetName(); n != "" && n != title {
			title += " (" + n + ")"
		}
		lb.Changes = append(lb.Changes, render.Change{Kind: "release", Title: title, URL: rl.GetHTMLURL(), At: rl.GetPublishedAt().Time.UTC(),
			Named: mentioned(named, rl.GetBody())})
	}
	var runs []*github.WorkflowRun
	if lr.runs != nil {
		runs = lr.runs.WorkflowRuns
	}
	for _, wr := range runs {
		if !in(wr.GetCreatedAt().Time) || !(deployWorkflow.MatchString(wr.GetName()) || wr.GetEvent() == "deployment" || wr.GetEvent() == "release") {
			continue
		}
		lb.Changes = append(lb.Changes, render.Change{Kind: "run", Title: wr.GetName(), Number: wr.GetRunNumber(),
			URL: wr.GetHTMLURL(), At: wr.GetCreatedAt().Time.UTC(), SHA: wr.GetHeadSHA(), Conclusion: wr.GetConclusion()})
	}
}

// deploymentsInWindow are the window's deployments by commit: the first
// of each commit (when it first reached an environment), production first.
func deploymentsInWindow(deps []*github.Deployment, in func(time.Time) bool) map[string]*github.Deployment {
	out := map[string]*github.Deployment{}
	for _, d := range deps {
		if !in(d.GetCreatedAt().Time) {
			continue
		}
		old, ok := out[d.GetSHA()]
		if !ok || (d.GetEnvironment() == "production") != (old.GetEnvironment() == "production") && d.GetEnvironment() == "production" ||
			d.GetEnvironment() == old.GetEnvironment() && d.GetCreatedAt().Before(old.GetCreatedAt().Time) {
			out[d.GetSHA()] = d
		}
	}
	return out
}

// namedFiles are the repository paths the incident names in code spans of
// its description and comments.
func namedFiles(issue *github.Issue, events []*github.Timeline) []string {
	text := issue.GetBody()
	for _, e := range events {
		if e.GetEvent() == "commented" {
			text += "\n" + e.GetBody()
		}
	}
	return record.Paths(text, maxNamedFiles)
}

// mentioned are the named files text mentions (by path, or by file name
// when that is distinctive: it has an extension).
func mentioned(named []string, text string) []string {
	var out []string
	for _, p := range named {
		base := p[strings.LastIndex(p, "/")+1:]
		if strings.Contains(text, p) || (strings.Contains(base, ".") && len(base) > 4 && strings.Contains(text, base)) {
			out = append(out, p)
		}
	}
	return out
}

// repoWebURL is the repository's web address, from the issue's.
func repoWebURL(issue *github.Issue) string {
	u := issue.GetHTMLURL()
	if i := strings.LastIndex(u, "/issues/"); i >= 0 {
		return u[:i]
	}
	return ""
}

func commitURL(repo, sha string) string {
	if repo == "" {
		return ""
	}
	return repo + "/commit/" + sha
}
