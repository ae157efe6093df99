package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/githubsim"
)

// Two tracking runs of one incident must take turns: a run that read the
// follow-ups before the others were closed, and writes after another run
// completed the incident, would put back its older count and take the
// complete label away. Here the first run's comment read is slowed down
// (after it listed the follow-ups) while the other two follow-ups are closed
// and tracked; without the per-incident lock the incident ends closed, its
// label gone and its tracking comment at 1 of 3.
func TestTrackingRunsTakeTurns(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(n, threeActions), "Write")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	_, err = e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	fus := e.followUpIssues(n)
	if len(fus) != 3 {
		t.Fatalf("%d follow-ups", len(fus))
	}

	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	e.sim.Faults().Add(githubsim.Fault{Route: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
		TokenKind: "installation", Kind: githubsim.Latency, Latency: 400 * time.Millisecond, Count: 1})
	first := make(chan error, 1)
	go func() { _, err := e.flows.Tracking(e.ctx, e.trackingJob(fus[0].Number)); first <- err }()
	time.Sleep(150 * time.Millisecond) // the first run has listed the follow-ups

	// runUntilDone retries a run the lock turned away, as the job runner's
	// snooze would.
	runUntilDone := func(number int) {
		for {
			_, err := e.flows.Tracking(e.ctx, e.trackingJob(number))
			if !errors.Is(err, claims.ErrInProgress) {
				e.must(err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, fu := range fus[1:] {
		e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
		runUntilDone(fu.Number)
	}
	e.must(<-first)

	inc := e.issue(n)
	if inc.State != "closed" || !hasAll(inc.Labels, "postmortem-complete") {
		t.Errorf("incident: %s, labels %v; want closed and postmortem-complete", inc.State, inc.Labels)
	}
	if got := e.commentsWith(n, MarkerTracking(n)); len(got) != 1 || !strings.Contains(got[0].Body, "3 of 3 done") {
		t.Errorf("tracking comment = %+v", got)
	}
}
