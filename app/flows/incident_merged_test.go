package flows

import (
	"net/http"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// A run that opened the pull request but failed to post the pointer retries
// later; by then people may have merged the draft and deleted its branch
// (GitHub's "Automatically delete head branches"). The retry must find the
// pull request it opened, not draft and open a second one.
func TestFlowIncidentRetryAfterMergeAndBranchDeletion(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
		Kind: githubsim.Status5xx, Status: http.StatusBadGateway})
	if _, err := e.flows.Incident(e.ctx, e.incident(n)); err == nil {
		t.Fatal("the pointer comment failed, yet the run succeeded")
	}
	e.sim.Faults().Clear()
	prs := e.pulls()
	if len(prs) != 1 || len(e.commentsWith(n, MarkerPointer(n))) != 0 {
		t.Fatalf("after the failed run: %d pull requests, %d pointers; want 1 and 0", len(prs), len(e.commentsWith(n, MarkerPointer(n))))
	}
	pr := prs[0]
	if _, err := e.bob.MergePR(flowRepo, pr.Number, "squash"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.alice.Client.Git.DeleteRef(e.ctx, "acme", "services", "heads/"+pr.Head); err != nil {
		t.Fatal(err)
	}

	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if got := e.pulls(); len(got) != 1 {
		t.Fatalf("the retry opened another pull request: %d pull requests (%+v), want the merged #%d only", len(got), got, pr.Number)
	}
	if res.PullRequest != pr.Number || res.Created {
		t.Fatalf("retry = %+v, want the merged #%d", res, pr.Number)
	}
	if len(e.commentsWith(n, MarkerPointer(n))) != 1 {
		t.Fatal("the retry did not post the pointer to the merged pull request")
	}
}
