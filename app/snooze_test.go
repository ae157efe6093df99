package app

import (
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/riverqueue/river"
)

// Primary rate-limit exhaustion that lifts a second later (the simulator's
// Fault.Reset knob): the job is snoozed until the reset, without spending an
// attempt or failing, and then does its work.
func TestPrimaryExhaustionSnoozesUntilReset(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Quota gone", "incident")
	w := queue.NewWorkers()
	e.must(handleJobs(w, e.flows, nil, nil, nil))
	q := newTestDB(t, "sqlite").open(t, w)
	events, cancel := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobSnoozed, river.EventKindJobFailed)
	defer cancel()
	e.sim.Faults().Add(githubsim.Fault{Route: "GET /repos/{owner}/{repo}/issues/{issue_number}", Kind: githubsim.PrimaryExhausted, Reset: time.Second, Count: 1})
	e.must(q.Start(e.ctx))
	start := time.Now()
	if _, err := q.Enqueue(e.ctx, e.incident(n)); err != nil {
		t.Fatal(err)
	}
	snoozed := 0
	timeout := time.After(15 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-events:
			switch ev.Kind {
			case river.EventKindJobSnoozed:
				snoozed++
			case river.EventKindJobFailed:
				t.Fatalf("job failed (attempt %d): %v", ev.Job.Attempt, ev.Job.Errors)
			case river.EventKindJobCompleted:
				done = true
				if ev.Job.Attempt != 1 {
					t.Errorf("completed at attempt %d, want 1 (a snooze is not an attempt)", ev.Job.Attempt)
				}
			}
		case <-timeout:
			t.Fatalf("the job did not complete within 15s (snoozed %d times)", snoozed)
		}
	}
	if snoozed != 1 {
		t.Errorf("snoozed %d times, want 1", snoozed)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("completed after %s, before the rate limit's reset", took)
	}
	if len(e.sim.Pulls(flowRepo)) != 1 {
		t.Errorf("%d pull requests after the reset, want the postmortem's", len(e.sim.Pulls(flowRepo)))
	}
}
