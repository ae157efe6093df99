package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// Resync catches what webhooks missed. GitHub does not redeliver a failed
// delivery on its own, and a replica killed mid-job leaves its job stuck
// "running" for a long while, so every so often (a River periodic job, run
// by the leader only: once across replicas) the App lists its installations
// and their repositories and, per repository, with a few cheap list calls
// (conditional requests: an unchanged list is a free 304):
//   - open issues carrying the incident label whose postmortem pull request
//     or pointer comment is missing → IncidentArgs;
//   - merged postmortem pull requests (updated in the window) whose incident
//     is still open and not labelled complete → PullRequestArgs (the merge
//     flow opens missing follow-ups and completes the tracking);
//   - open postmortem pull requests updated in the window → PullRequestArgs
//     (check runs for a head whose delivery was lost).
// A resync returns the jobs it found necessary (ResyncResult.Enqueued): the
// queue enqueues them, and every enqueue is idempotent (an equal pending job
// absorbs it, a running one gets one follow-up run).

// DefaultResyncWindow bounds how far back pull requests are looked at.
const DefaultResyncWindow = 14 * 24 * time.Hour

// Resyncer reconciles ResyncArgs and InstallationArgs: it says which
// incidents and pull requests to reconcile again.
type Resyncer struct {
	Flows *Flows
	// App is a client authenticated as the App (JWT), to list installations.
	App *github.Client
	// Window: pull requests updated longer ago are not looked at (default
	// DefaultResyncWindow).
	Window time.Duration
}

// ResyncResult counts what one repository's resync found.
type ResyncResult struct {
	Repos     int
	Incidents int         // open incidents seen
	PullsSeen int         // postmortem pull requests seen in the window
	Enqueued  []jobs.Args // the jobs the resync found necessary, for the queue
	Skipped   []string
}

// Resync reconciles one ResyncArgs: every installation (InstallationID 0),
// every repository of one installation (Owner/Repo empty, fanned out as one
// job per repository), or one repository.
func (rs *Resyncer) Resync(ctx context.Context, a jobs.ResyncArgs) (*ResyncResult, error) {
	if rs.Flows == nil {
		return nil, errors.New("resync: no flows")
	}
	if rs.Flows.Bot() == "" {
		return nil, ErrIdentityUnknown
	}
	res := &ResyncResult{}
	switch {
	case a.InstallationID == 0:
		if rs.App == nil {
			return nil, errors.New("resync: no App client")
		}
		insts, err := listAll(ctx, func(o github.ListOptions) ([]*github.Installation, *github.Response, error) {
			return rs.App.Apps.ListInstallations(ctx, &o)
		})
		if err != nil {
			return nil, fmt.Errorf("list installations: %w", err)
		}
		for _, in := range insts {
			if in.SuspendedAt != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("installation %d is suspended", in.GetID()))
				continue
			}
			res.Enqueued = append(res.Enqueued, jobs.ResyncArgs{InstallationID: in.GetID()})
		}
	case a.Owner == "" || a.Repo == "":
		gh, err := rs.Flows.Clients.Installation(a.InstallationID)
		if err != nil {
			return nil, err
		}
		var repos []*github.Repository
		opts := github.ListOptions{PerPage: 100, Page: 1}
		for {
			lr, resp, err := gh.Apps.ListRepos(ctx, &opts)
			if err != nil {
				if s := statusOf(err); s == http.StatusNotFound || s == http.StatusForbidden || s == http.StatusUnauthorized {
					// uninstalled or suspended since: nothing to resync
					res.Skipped = append(res.Skipped, fmt.Sprintf("installation %d: %v", a.InstallationID, err))
					return res, nil
				}
				return nil, fmt.Errorf("list repositories of installation %d: %w", a.InstallationID, err)
			}
			repos = append(repos, lr.Repositories...)
			if resp == nil || resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		for _, r := range repos {
			if r.GetArchived() {
				continue
			}
			res.Enqueued = append(res.Enqueued, jobs.ResyncArgs{InstallationID: a.InstallationID, Owner: r.GetOwner().GetLogin(), Repo: r.GetName()})
		}
	default:
		if err := rs.repo(ctx, a, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (rs *Resyncer) window() time.Duration {
	if rs.Window > 0 {
		return rs.Window
	}
	return DefaultResyncWindow
}

// repo resyncs one repository.
func (rs *Resyncer) repo(ctx context.Context, a jobs.ResyncArgs, res *ResyncResult) error {
	r, err := rs.Flows.newRun(a.InstallationID, a.Owner, a.Repo)
	if err != nil {
		return err
	}
	res.Repos = 1
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			res.Skipped = append(res.Skipped, r.fullName()+": configuration is broken")
			return nil // the flows report it when something happens
		}
		if s := statusOf(err); s == http.StatusNotFound {
			res.Skipped = append(res.Skipped, r.fullName()+": not found")
			return nil
		}
		return err
	}
	open, err := rs.openIncidents(ctx, r, cfg.IncidentLabel)
	if err != nil {
		return err
	}
	res.Incidents = len(open)
	pulls, err := rs.postmortemPulls(ctx, r, res)
	if err != nil {
		return err
	}
	for n, prs := range pulls {
		for _, pr := range prs {
			args := jobs.PullRequestArgs{InstallationID: a.InstallationID, Owner: a.Owner, Repo: a.Repo, Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA()}
			switch {
			case pr.GetState() == "open":
				res.Enqueued = append(res.Enqueued, args)
			case pr.MergedAt != nil:
				if is := open[n]; is != nil && !hasLabel(is.Labels, cfg.CompleteLabel) {
					res.Enqueued = append(res.Enqueued, args)
				}
			}
		}
	}
	for n, is := range open {
		if hasLabel(is.Labels, cfg.CompleteLabel) {
			continue
		}
		need := true
		for _, pr := range pulls[n] {
			if pr.GetState() == "open" || pr.MergedAt != nil {
				need = false
			}
		}
		if !need {
			// The pull request exists; the pointer comment is the incident
			// flow's commit point: look for it (usually a 304).
			comments, err := r.issueComments(ctx, n)
			if err != nil {
				return err
			}
			need = r.findComment(comments, MarkerPointer(n)) == nil
		}
		if need {
			res.Enqueued = append(res.Enqueued, jobs.IncidentArgs{InstallationID: a.InstallationID, Owner: a.Owner, Repo: a.Repo, Number: n})
		}
	}
	return nil
}

// openIncidents are the repository's open issues carrying label, by number.
func (rs *Resyncer) openIncidents(ctx context.Context, r *run, label string) (map[int]*github.Issue, error) {
	incidents, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{
			State: "open", Labels: []string{label}, Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list open incidents: %w", err)
	}
	open := map[int]*github.Issue{}
	for _, is := range incidents {
		if is.IsPullRequest() {
			continue
		}
		open[is.GetNumber()] = is
	}

	return open, nil
}

// postmortemPulls are the postmortem pull requests updated in the window,
// newest first, by incident.
func (rs *Resyncer) postmortemPulls(ctx context.Context, r *run, res *ResyncResult) (map[int][]*github.PullRequest, error) {
	pulls, seen, err := r.postmortemPulls(ctx, rs.Flows.now().Add(-rs.window()))
	res.PullsSeen += seen
	return pulls, err
}

// postmortemPulls are the repository's postmortem pull requests updated
// since, newest first, by incident, and how many there are.
func (r *run) postmortemPulls(ctx context.Context, since time.Time) (map[int][]*github.PullRequest, int, error) {
	pulls := map[int][]*github.PullRequest{} // incident → its postmortem pull requests
	seen := 0
	opts := github.PullRequestListOptions{State: "all", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100, Page: 1}}
	for {
		prs, resp, err := r.gh.PullRequests.List(ctx, r.owner, r.repo, &opts)
		if err != nil {
			return nil, seen, fmt.Errorf("list pull requests: %w", err)
		}
		old := false
		for _, pr := range prs {
			if pr.GetUpdatedAt().Time.Before(since) {
				old = true
				break
			}
			if n := incidentOfPR(pr); n != 0 && strings.HasPrefix(pr.GetHead().GetRef(), "postmortem/") {
				pulls[n] = append(pulls[n], pr)
				seen++
			}
		}
		if old || resp == nil || resp.NextPage == 0 {
			return pulls, seen, nil
		}
		opts.Page = resp.NextPage
	}
}
