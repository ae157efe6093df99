package app

import (
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// A GitHub without the sub-issues API (GitHub Enterprise Server before it
// shipped; emulate@0.12.2) answers 404 to POST …/sub_issues. The follow-ups
// are still opened exactly once and tracked by the incident's comment; the
// flow does not retry forever on the link it cannot make.
func TestFlowFollowUpsWithoutSubIssuesAPI(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", Kind: githubsim.Status5xx, Status: 404})
	n := e.openIncident("Queue backlog", "incident")
	pr := e.mergedPostmortem(n, threeActions)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	if err != nil {
		t.Fatalf("follow-ups without sub-issues: %v", err)
	}
	if res.FollowUps == nil || len(res.FollowUps.Created) != 3 {
		t.Fatalf("result %+v", res.FollowUps)
	}
	if got := len(e.followUpIssues(n)); got != 3 {
		t.Fatalf("%d follow-up issues, want 3", got)
	}
	if got := len(e.commentsWith(n, markerTracking(n))); got != 1 {
		t.Fatalf("%d tracking comments, want 1", got)
	}
	if subs := e.issue(n).SubIssues; len(subs) != 0 {
		t.Fatalf("sub-issues %v despite the 404s", subs)
	}
	// Run again (a redelivery): nothing new, no error.
	again, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.FollowUps.Created) != 0 || len(e.followUpIssues(n)) != 3 {
		t.Fatalf("again: %+v", again.FollowUps)
	}
}
