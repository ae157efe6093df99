package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
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
// and, per installation, finds the repositories with incident activity by
// searching (GET /search/issues, scoped to the installation's account):
//   - open issues carrying the incident label (the default, and the
//     labels the repositories' configurations were last seen to name);
//   - pull requests from a postmortem/ branch (open ones on a full sweep;
//     on the passes between, any updated since the last pass, merged ones
//     too).
//
// Between full sweeps (FullEvery) a pass asks only for what was updated
// since the previous pass began (less ResyncOverlap, for GitHub's search
// index lag); with nothing going on that is two or three searches an
// installation, whatever its size. A full sweep also visits the watched
// repositories (where the App drafted postmortems or filed follow-ups).
// Where search cannot be used (refused, incomplete, or past GitHub's
// 1 000 results) the installation falls back to visiting every repository.
//
// Each repository found is resynced on its own job, with a few cheap list
// calls (conditional requests: an unchanged list is a free 304):
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
	// FullEvery is how often an installation's pass is a full sweep
	// (default DefaultResyncFullEvery); the passes between look only at
	// what changed since the last one. Needs Flows.Watch (where the last
	// pass is remembered); without it every pass is a full sweep.
	FullEvery time.Duration

	noSearch bool // tests: every repository visited, as before searching
}

// DefaultResyncFullEvery is how often a resync sweeps everything.
const DefaultResyncFullEvery = 6 * time.Hour

// ResyncOverlap: a pass between full sweeps asks for what was updated
// since the last pass began less this, so an update GitHub's search index
// had not taken in yet is found by the next pass.
const ResyncOverlap = 5 * time.Minute

// maxSearchResults is how many results GitHub serves of one search.
const maxSearchResults = 1000

// maxSearchLabels bounds the incident labels searched beside the default.
const maxSearchLabels = 4

// ResyncResult counts what one repository's resync found.
type ResyncResult struct {
	// Searched says how an installation's repositories were found:
	// "full" or "changed" (searches), "walk" (every repository).
	Searched  string
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
		if rs.Flows.Claims != nil {
			// The remembered deliveries (re-runs, commands) outlive GitHub's
			// redelivery window, then go.
			if _, err := rs.Flows.Claims.PruneDeliveries(ctx); err != nil {
				rs.Flows.log().Warn("prune remembered deliveries", "err", err)
			}
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
			res.Enqueued = append(res.Enqueued, jobs.ResyncArgs{InstallationID: in.GetID(),
				Account: in.GetAccount().GetLogin(), AccountType: in.GetAccount().GetType()})
		}
	case a.Owner == "" || a.Repo == "":
		return rs.installation(ctx, a)
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
	r, err := rs.Flows.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
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
		if s := statusOf(err); s == http.StatusNotFound || s == http.StatusForbidden {
			// gone, or a public repository a search found outside the
			// installation's selection
			res.Skipped = append(res.Skipped, r.fullName()+": not found or not accessible")
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
			args := jobs.PullRequestArgs{InstallationID: a.InstallationID, Owner: a.Owner, Repo: a.Repo, RepoID: a.RepoID, Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA()}
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
			res.Enqueued = append(res.Enqueued, jobs.IncidentArgs{InstallationID: a.InstallationID, Owner: a.Owner, Repo: a.Repo, RepoID: a.RepoID, Number: n})
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
			if n := r.incidentOfPR(pr); n != 0 && strings.HasPrefix(pr.GetHead().GetRef(), "postmortem/") {
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

func (rs *Resyncer) fullEvery() time.Duration {
	if rs.FullEvery > 0 {
		return rs.FullEvery
	}
	return DefaultResyncFullEvery
}

// errSearchUnusable: the installation's repositories cannot be found by
// search (refused, incomplete, too many results); walk them all instead.
var errSearchUnusable = errors.New("search cannot be used")

// installation resyncs one installation: the repositories its searches
// find (or, where search cannot be used, every repository), one job each.
func (rs *Resyncer) installation(ctx context.Context, a jobs.ResyncArgs) (*ResyncResult, error) {
	res := &ResyncResult{}
	gh, err := rs.Flows.Clients.Installation(a.InstallationID)
	if err != nil {
		return nil, err
	}
	if a.Account == "" && rs.App != nil {
		in, _, err := rs.App.Apps.GetInstallation(ctx, a.InstallationID)
		if err != nil {
			if s := statusOf(err); s == http.StatusNotFound || s == http.StatusForbidden || s == http.StatusUnauthorized {
				res.Skipped = append(res.Skipped, fmt.Sprintf("installation %d: %v", a.InstallationID, err))
				return res, nil
			}
			return nil, fmt.Errorf("get installation %d: %w", a.InstallationID, err)
		}
		a.Account, a.AccountType = in.GetAccount().GetLogin(), in.GetAccount().GetType()
	}
	start := rs.Flows.now()
	var searched, full time.Time
	if w := rs.Flows.Watch; w != nil {
		if searched, full, err = w.Resynced(ctx, a.InstallationID); err != nil {
			return nil, err
		}
	}
	changed := rs.Flows.Watch != nil && !searched.IsZero() && start.Sub(full) < rs.fullEvery()
	var since time.Time
	if changed {
		since = searched.Add(-ResyncOverlap)
	}
	repos := map[string]bool{}
	err = errSearchUnusable
	if a.Account != "" && !rs.noSearch {
		err = rs.search(ctx, gh, a, since, repos)
	}
	switch {
	case errors.Is(err, errSearchUnusable):
		res.Skipped = append(res.Skipped, fmt.Sprintf("installation %d: %v: every repository is visited", a.InstallationID, err))
		res.Searched = "walk"
		if err := rs.walk(ctx, gh, a, res); err != nil || res.Searched == "" {
			return res, err
		}
		changed = false
	case err != nil:
		return nil, err
	default:
		res.Searched = "full"
		if changed {
			res.Searched = "changed"
		} else if w := rs.Flows.Watch; w != nil {
			watched, err := w.Repos(ctx, a.InstallationID)
			if err != nil {
				return nil, err
			}
			for _, r := range watched {
				repos[r.Name] = true
			}
		}
		names := make([]string, 0, len(repos))
		for n := range repos {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			owner, repo, _ := strings.Cut(n, "/")
			res.Enqueued = append(res.Enqueued, jobs.ResyncArgs{InstallationID: a.InstallationID, Owner: owner, Repo: repo})
		}
	}
	if w := rs.Flows.Watch; w != nil {
		if !changed {
			full = start
		}
		if err := w.SetResynced(ctx, a.InstallationID, start, full); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// search adds to repos the repositories ("owner/name") of the
// installation's account with an open incident or a postmortem pull
// request (updated since, when since is not zero).
func (rs *Resyncer) search(ctx context.Context, gh *github.Client, a jobs.ResyncArgs, since time.Time, repos map[string]bool) error {
	scope := "user:" + a.Account
	if a.AccountType == "Organization" {
		scope = "org:" + a.Account
	}
	changed := ""
	if !since.IsZero() {
		changed = " updated:>=" + since.UTC().Format(time.RFC3339)
	}
	var queries []string
	for _, l := range rs.Flows.incidentLabels(a.InstallationID, maxSearchLabels) {
		queries = append(queries, fmt.Sprintf("is:issue is:open label:%q archived:false %s%s", l, scope, changed))
	}
	prs := "is:pr head:postmortem/ archived:false " + scope
	if changed == "" {
		prs += " is:open" // a merged one's incident is found open by the issue search
	} else {
		prs += changed // merged ones too
	}
	queries = append(queries, prs)
	for _, q := range queries {
		if err := rs.searchRepos(ctx, gh, q, repos); err != nil {
			return err
		}
	}
	return nil
}

// searchRepos adds the repositories of q's results to repos.
func (rs *Resyncer) searchRepos(ctx context.Context, gh *github.Client, q string, repos map[string]bool) error {
	opts := &github.SearchOptions{ListOptions: github.ListOptions{PerPage: 100, Page: 1}}
	for {
		found, resp, err := gh.Search.Issues(ctx, q, opts)
		if err != nil {
			var rle *github.RateLimitError
			var are *github.AbuseRateLimitError
			if errors.As(err, &rle) || errors.As(err, &are) {
				return err // the job snoozes until the limit resets
			}
			switch statusOf(err) {
			case http.StatusUnprocessableEntity, http.StatusNotFound, http.StatusForbidden, http.StatusNotImplemented:
				// refused, not there (GitHub Enterprise Server without
				// search), not allowed: walk instead. A 5xx is retried.
				return fmt.Errorf("%w: %q: %v", errSearchUnusable, q, err)
			}
			return fmt.Errorf("search %q: %w", q, err)
		}
		if found.GetIncompleteResults() {
			return fmt.Errorf("%w: %q: incomplete results", errSearchUnusable, q)
		}
		if found.GetTotal() > maxSearchResults {
			return fmt.Errorf("%w: %q: %d results", errSearchUnusable, q, found.GetTotal())
		}
		for _, is := range found.Issues {
			if n := repoOfURL(is.GetRepositoryURL()); n != "" {
				repos[n] = true
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// repoOfURL is "owner/name" of a repository's API URL (…/repos/owner/name).
func repoOfURL(u string) string {
	i := strings.LastIndex(u, "/repos/")
	if i < 0 {
		return ""
	}
	rest := u[i+len("/repos/"):]
	if owner, name, ok := strings.Cut(rest, "/"); ok && owner != "" && name != "" && !strings.Contains(name, "/") {
		return owner + "/" + name
	}
	return ""
}

// walk fans out every repository of the installation (search could not be
// used); res.Searched is cleared when the installation is gone.
func (rs *Resyncer) walk(ctx context.Context, gh *github.Client, a jobs.ResyncArgs, res *ResyncResult) error {
	var repos []*github.Repository
	opts := github.ListOptions{PerPage: 100, Page: 1}
	for {
		lr, resp, err := gh.Apps.ListRepos(ctx, &opts)
		if err != nil {
			if s := statusOf(err); s == http.StatusNotFound || s == http.StatusForbidden || s == http.StatusUnauthorized {
				// uninstalled or suspended since: nothing to resync
				res.Skipped = append(res.Skipped, fmt.Sprintf("installation %d: %v", a.InstallationID, err))
				res.Searched = ""
				return nil
			}
			return fmt.Errorf("list repositories of installation %d: %w", a.InstallationID, err)
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
		res.Enqueued = append(res.Enqueued, jobs.ResyncArgs{InstallationID: a.InstallationID, Owner: r.GetOwner().GetLogin(), Repo: r.GetName(), RepoID: r.GetID()})
	}
	return nil
}
