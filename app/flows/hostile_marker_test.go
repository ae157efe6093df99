package flows

import (
	"strconv"
	"testing"
)

// Issue 13: the hidden incident marker was trusted in any merged pull
// request's body, so a pull request that adds a postmortem and hides
// "<!-- postmortem:incident=N -->" (unseen by whoever merges it) named any
// issue as the incident: follow-ups were filed and linked under it, and
// it got a tracking comment. The marker is trusted only in a pull request
// the App opened; one people open names its incident where people see it,
// in its branch (postmortem/<n>-…).
func TestMergedPRMarkerTrustedOnlyFromTheApp(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	victim, err := e.bob.OpenIssue(flowRepo, "Roadmap for Q3", "Planning.")
	e.must(err)
	_, err = e.alice.PushFiles(flowRepo, "docs-update", map[string]string{"postmortems/2026-03-01-x.md": fixedPostmortem(victim, threeActions)}, "docs")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "docs-update", "main", "Update docs", "Small docs update.\n\n"+MarkerIncidentPR(victim))
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, pr, "merge")
	e.must(err)

	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if fu := res.FollowUps; fu != nil && (fu.Incident != 0 || len(fu.Created) > 0) {
		t.Fatalf("the hidden marker named #%d the incident: %+v", victim, fu)
	}
	if got := len(e.followUpIssues(victim)); got != 0 {
		t.Fatalf("%d follow-ups filed under #%d", got, victim)
	}
	if got := len(e.commentsWith(victim, MarkerTracking(victim))); got != 0 {
		t.Fatalf("#%d got a tracking comment", victim)
	}

	// People name the incident in the branch: postmortem/<n>-….
	n := e.openIncident("Checkout outage", "incident")
	branch := "postmortem/" + strconv.Itoa(n) + "-by-hand"
	_, err = e.alice.PushFiles(flowRepo, branch, map[string]string{"postmortems/2026-03-02-y.md": fixedPostmortem(n, threeActions)}, "pm")
	e.must(err)
	pr2, err := e.alice.OpenPR(flowRepo, branch, "main", "Postmortem", "By hand.")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, pr2, "merge")
	e.must(err)
	res, err = e.flows.PullRequest(e.ctx, e.pr(pr2), false)
	e.must(err)
	if res.FollowUps == nil || res.FollowUps.Incident != n || len(res.FollowUps.Created) != 3 {
		t.Fatalf("the branch's incident #%d: %+v", n, res.FollowUps)
	}
}
