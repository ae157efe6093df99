package flows

import (
	"net/http"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// The reviewers, the checks and the pointer comment go in parallel: when the
// reviewer request fails while the pointer is posted, the retry finds the
// pointer, opens nothing again and asks the reviewers; once settled, a
// redelivery stops at the pointer.
func TestFlowIncidentFinishesAfterPointer(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
		Kind: githubsim.Status5xx, Status: http.StatusForbidden})
	if _, err := e.flows.Incident(e.ctx, e.incident(n)); err == nil {
		t.Fatal("the reviewer request failed, yet the run succeeded")
	}
	if len(e.pulls()) != 1 || len(e.commentsWith(n, MarkerPointer(n))) != 1 {
		t.Fatalf("after the failed run: %d pull requests, %d pointers; want 1 and 1", len(e.pulls()), len(e.commentsWith(n, MarkerPointer(n))))
	}
	pr := e.pulls()[0].Number
	e.sim.Faults().Clear()

	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.PullRequest != pr || res.Created {
		t.Fatalf("retry = %+v, want the existing #%d", res, pr)
	}
	revs, _, err := e.alice.Client.PullRequests.ListReviewers(e.ctx, "acme", "services", pr, nil)
	e.must(err)
	if len(revs.Users) != 1 || revs.Users[0].GetLogin() != "bob" {
		t.Fatalf("requested reviewers = %+v, want bob (the incident's assignee)", revs.Users)
	}
	if len(e.pulls()) != 1 || len(e.commentsWith(n, MarkerPointer(n))) != 1 {
		t.Fatal("the retry duplicated the pull request or the pointer")
	}

	mark := e.mark()
	res, err = e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	calls, total := e.appCalls(mark)
	if res.PullRequest != pr || total > 4 {
		t.Fatalf("settled redelivery: %+v, %d calls, want ≤ 4 (issue, comments, config):\n%s", res, total, fmtCalls(calls))
	}
	if _, ok := calls["GET /repos/{owner}/{repo}/pulls/{pull_number}"]; ok {
		t.Fatal("a settled incident read its pull request again")
	}
}

// The delivery's labels are a hint: when the repository's incident label is
// another, nothing is drafted (the reads made ahead are wasted once), and
// the label is remembered so the next delivery reads nothing ahead.
func TestFlowIncidentReadAheadOnlyOnTheConfiguredLabel(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "incident_label: sev-incident\n"}})
	n := e.openIncident("Not ours", "incident")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if !strings.HasPrefix(res.Skipped, "not labelled") {
		t.Fatalf("result = %+v, want skipped", res)
	}
	n2 := e.openIncident("Still not ours", "incident")
	mark := e.mark()
	res, err = e.flows.Incident(e.ctx, e.incident(n2))
	e.must(err)
	calls, _ := e.appCalls(mark)
	for route := range calls {
		if strings.Contains(route, "timeline") || strings.Contains(route, "matching-refs") || strings.Contains(route, "branches") {
			t.Errorf("read %s ahead for an issue without the configured label", route)
		}
	}
	n3 := e.openIncident("Ours", "sev-incident")
	res, err = e.flows.Incident(e.ctx, e.incident(n3))
	e.must(err)
	if !res.Created || len(e.pulls()) != 1 {
		t.Fatalf("result = %+v, %d pull requests; want one drafted", res, len(e.pulls()))
	}
}

// A default branch named by an older delivery that no longer exists: the
// repository says which branch the draft goes on.
func TestFlowIncidentStaleDefaultBranchHint(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident")
	a := e.incident(n)
	if a.DefaultBranch != "main" || len(a.Labels) != 1 {
		t.Fatalf("the delivery's hints = %+v, want main and the incident label", a)
	}
	a.DefaultBranch = "renamed-since"
	res, err := e.flows.Incident(e.ctx, a)
	e.must(err)
	prs := e.pulls()
	if !res.Created || len(prs) != 1 || prs[0].Base != "main" {
		t.Fatalf("result = %+v, pulls = %+v; want one on main", res, prs)
	}
}
