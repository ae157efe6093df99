package app

import (
	"testing"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestChecksClaimNotFreshLooksFirst: the push flow skips listing the head's
// check runs only on a fresh claim. When creating a check run fails after
// the request was sent (it may exist on GitHub), the claim is abandoned, not
// released: the retry lists what exists before creating, and the head ends
// with one run of each check.
func TestChecksClaimNotFreshLooksFirst(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(n, threeActions), "Write the postmortem")
	e.must(err)
	const list = "GET /repos/{owner}/{repo}/commits/{ref}/check-runs"

	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/check-runs", Kind: githubsim.Status5xx, Count: 1})
	mark := e.mark()
	if _, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false); err == nil {
		t.Fatal("check run creation failed, yet the flow reported success")
	}
	if calls, _ := e.appCalls(mark); calls[list] != 0 {
		t.Fatalf("fresh claim listed check runs:\n%s", fmtCalls(calls))
	}
	e.sim.Faults().Clear()

	mark = e.mark()
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	if calls, _ := e.appCalls(mark); calls[list] != 1 {
		t.Fatalf("retry after a failed creation did not look for existing runs first:\n%s", fmtCalls(calls))
	}
	if res.Completeness.ID == 0 || res.Blameless.ID == 0 {
		t.Fatalf("retry: %+v", res)
	}
	names := map[string]int{}
	for _, cr := range e.sim.CheckRuns(flowRepo, res.HeadSHA) {
		names[cr.Name]++
	}
	if names[flows.CheckRunCompleteness] != 1 || names[flows.CheckRunBlameless] != 1 {
		t.Fatalf("check runs on the head: %v, want one of each", names)
	}
}
