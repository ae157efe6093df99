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

// The merge flow's tracking comment is rendered from what it read under the
// tracking lock, not before it. Two runs of one merge (a duplicate delivery):
// the first is slowed down as it posts the tracking comment; the second
// reads the follow-ups (all open) and the comments (no tracking comment yet)
// and is slowed down before the lock (its sub-issue list). Meanwhile the
// follow-ups are closed and a tracking run completes the incident. The
// second run then found the comment claimed and made it say what it had
// read: 0 of 3 done, on a closed, complete incident (TestChaos/all saw it).
func TestMergeFlowTracksWhatItReadsUnderTheLock(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	pr := e.mergedPostmortem(n, threeActions)
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
		TokenKind: "installation", Kind: githubsim.Latency, Latency: 800 * time.Millisecond, Count: 1})
	e.sim.Faults().Add(githubsim.Fault{Route: "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
		TokenKind: "installation", Kind: githubsim.Latency, Latency: 2500 * time.Millisecond, Count: 1})
	first, second := make(chan error, 1), make(chan error, 1)
	go func() { _, err := e.flows.PullRequest(e.ctx, e.pr(pr), false); first <- err }()
	flowWaitFor(t, 5*time.Second, "the first run's follow-ups", func() bool { return len(e.followUpIssues(n)) == 3 })
	time.Sleep(100 * time.Millisecond) // the first run is posting the tracking comment
	go func() { _, err := e.flows.PullRequest(e.ctx, e.pr(pr), false); second <- err }()
	e.must(<-first)
	if len(e.commentsWith(n, MarkerTracking(n))) != 1 {
		t.Fatal("the first run made no tracking comment")
	}

	for _, fu := range e.followUpIssues(n) {
		e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
	}
	for {
		_, err := e.flows.Tracking(e.ctx, e.trackingJob(e.followUpIssues(n)[0].Number))
		if !errors.Is(err, claims.ErrInProgress) {
			e.must(err)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if inc := e.issue(n); inc.State != "closed" {
		t.Fatalf("incident #%d %s after every follow-up closed", n, inc.State)
	}
	e.must(<-second)

	tc := e.commentsWith(n, MarkerTracking(n))
	if len(tc) != 1 || !strings.Contains(tc[0].Body, "3 of 3 done") {
		t.Fatalf("tracking comment after the second merge run:\n%+v", tc)
	}
}
