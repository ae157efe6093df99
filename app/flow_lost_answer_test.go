package app

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// lostAnswerRoutes are the App's writes: for each, GitHub does the work and
// the answer never arrives (githubsim.LostAnswer), the hardest case for
// exactly-once: the App cannot tell whether the write happened.
var lostAnswerRoutes = []string{
	"POST /repos/{owner}/{repo}/git/trees",
	"POST /repos/{owner}/{repo}/git/commits",
	"POST /repos/{owner}/{repo}/git/refs",
	"POST /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
	"POST /repos/{owner}/{repo}/check-runs",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"POST /repos/{owner}/{repo}/issues",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"PATCH /repos/{owner}/{repo}/issues/{issue_number}",
}

// TestExactlyOnceWhenAnswersAreLost walks the whole story with one write's
// answer lost each time (the first call of that route), retrying each flow
// as the job runner would, and checks that everything exists exactly once.
func TestExactlyOnceWhenAnswersAreLost(t *testing.T) {
	for _, route := range lostAnswerRoutes {
		t.Run(route, func(t *testing.T) {
			e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
			e.sim.Faults().Add(githubsim.Fault{Route: route, Kind: githubsim.LostAnswer, Count: 1, TokenKind: "installation"})
			// retry runs a flow until it succeeds, as the job runner retries a
			// failed job (without its backoff).
			retry := func(what string, run func() error) {
				t.Helper()
				var err error
				for range 5 {
					if err = run(); err == nil {
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
				t.Fatalf("%s still failing after 5 runs: %v", what, err)
			}

			n := e.openIncident("Checkout outage", "incident", "sev2")
			var ires *flows.IncidentResult
			retry("incident", func() (err error) { ires, err = e.flows.Incident(e.ctx, e.incident(n)); return err })
			prs := e.pulls()
			if len(prs) != 1 {
				t.Fatalf("%d pull requests, want 1", len(prs))
			}
			pr := prs[0]
			path := ires.Path
			if path == "" {
				for _, f := range e.prFiles(pr.Number) {
					path = f
				}
			}
			blameful := strings.Replace(fixedPostmortem(n, threeActions),
				"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
			_, err := e.alice.EditFile(flowRepo, pr.Number, path, blameful, "Write the postmortem")
			e.must(err)
			var pres *flows.PullRequestResult
			retry("checks", func() (err error) { pres, err = e.flows.PullRequest(e.ctx, e.pr(pr.Number), false); return err })
			for _, j := range pres.Enqueued { // the review, when it failed after the check runs
				retry("review", func() error { _, err := e.flows.Review(e.ctx, j.(jobs.ReviewArgs)); return err })
			}
			_, err = e.alice.EditFile(flowRepo, pr.Number, path, fixedPostmortem(n, threeActions), "Blameless wording")
			e.must(err)
			retry("checks again", func() error { _, err := e.flows.PullRequest(e.ctx, e.pr(pr.Number), false); return err })
			_, err = e.bob.MergePR(flowRepo, pr.Number, "squash")
			e.must(err)
			retry("follow-ups", func() error { _, err := e.flows.PullRequest(e.ctx, e.pr(pr.Number), false); return err })
			fus := e.followUpIssues(n)
			for _, fu := range fus {
				e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
				retry("tracking", func() error { _, err := e.flows.Tracking(e.ctx, e.trackingJob(fu.Number)); return err })
			}

			if hits := e.sim.Faults().Hits(); hits[0] != 1 {
				t.Fatalf("the fault hit %d requests, want 1: the story never made that write", hits[0])
			}
			// Exactly once, everything.
			if got := len(e.pulls()); got != 1 {
				t.Errorf("%d pull requests", got)
			}
			branches := 0
			for _, b := range e.branches() {
				if strings.HasPrefix(b, "postmortem/") {
					branches++
				}
			}
			if branches != 1 {
				t.Errorf("%d postmortem branches", branches)
			}
			if got := len(e.commentsWith(n, flows.MarkerPointer(n))); got != 1 {
				t.Errorf("%d pointer comments", got)
			}
			if got := len(e.commentsWith(n, flows.MarkerTracking(n))); got != 1 {
				t.Errorf("%d tracking comments", got)
			}
			if got := len(e.commentsWith(n, flows.MarkerComplete(n))); got != 1 {
				t.Errorf("%d completion comments", got)
			}
			if len(fus) != 3 {
				t.Errorf("%d follow-up issues, want 3", len(fus))
			}
			for _, fu := range fus {
				if fu.Parent != n {
					t.Errorf("follow-up #%d not a sub-issue of #%d", fu.Number, n)
				}
			}
			if inc := e.issue(n); len(inc.SubIssues) != 3 {
				t.Errorf("incident sub-issues = %v", inc.SubIssues)
			}
			for _, p := range e.pulls() {
				for _, sha := range e.headsOf(p.Number) {
					names := map[string]int{}
					for _, cr := range e.sim.CheckRuns(flowRepo, sha) {
						names[cr.Name]++
					}
					for name, k := range names {
						if k != 1 {
							t.Errorf("head %.7s: %d check runs named %s", sha, k, name)
						}
					}
				}
				if len(p.Reviews) != 1 {
					t.Errorf("%d suggestion reviews, want 1", len(p.Reviews))
				}
			}
			if inc := e.issue(n); inc.State != "closed" {
				t.Errorf("incident is %s, want closed", inc.State)
			}
		})
	}
}

func (e *flowEnv) prFiles(n int) []string {
	e.t.Helper()
	files, _, err := e.alice.Client.PullRequests.ListFiles(e.ctx, "acme", "services", n, nil)
	e.must(err)
	var out []string
	for _, f := range files {
		out = append(out, f.GetFilename())
	}
	return out
}

func (e *flowEnv) branches() []string {
	e.t.Helper()
	refs, _, err := e.alice.Client.Git.ListMatchingRefs(e.ctx, "acme", "services", &github.ReferenceListOptions{Ref: "heads/"})
	e.must(err)
	var out []string
	for _, r := range refs {
		out = append(out, strings.TrimPrefix(r.GetRef(), "refs/heads/"))
	}
	return out
}

// headsOf lists the commits pull request n has had (each was its head once).
func (e *flowEnv) headsOf(n int) []string {
	e.t.Helper()
	cs, _, err := e.alice.Client.PullRequests.ListCommits(e.ctx, "acme", "services", n, nil)
	e.must(err)
	var out []string
	for _, c := range cs {
		out = append(out, c.GetSHA())
	}
	return out
}
