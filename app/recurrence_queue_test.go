package app

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

// TestRecurrenceNeverDelaysTheDraft runs a second incident through the
// queue while GitHub refuses the recurrence comment's read of the open
// follow-ups: the incident's job completes with its postmortem pull
// request, the recurrence job it enqueued fails on its own (counted as a
// secondary write), and its retry comments once (issue 17).
func TestRecurrenceNeverDelaysTheDraft(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	written := strings.Replace(fixedPostmortem(n, threeActions), "because it had no", "because `checkout/pool.go` had no", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, written, "Write the postmortem")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	merged, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	_, err = e.flows.Record(e.ctx, merged.Enqueued[0].(jobs.RecordArgs))
	e.must(err)

	e.sim.Faults().Add(githubsim.Fault{Route: "GET /repos/{owner}/{repo}/issues", Kind: githubsim.Status5xx, Status: 422, Count: 1, TokenKind: "installation"})
	n2, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted", "Again `checkout/pool.go`.", "incident", "sev2")
	e.must(err)
	m := NewMetrics()
	w := queue.NewWorkers()
	if err := handleJobs(w, e.flows, nil, nil, m); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q, _ := openQueueAt(t, ctx, filepath.Join(t.TempDir(), "q.db"), w, queue.Config{Observer: m, PollInterval: 20 * time.Millisecond})
	defer q.Stop(context.Background())
	events, unsub := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer unsub()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, e.incident(n2)); err != nil {
		t.Fatal(err)
	}
	drafted := func() bool {
		for _, p := range e.pulls() {
			if strings.Contains(p.Body, flows.MarkerIncidentPR(n2)) {
				return true
			}
		}
		return false
	}
	seen := map[string][]river.EventKind{}
	last := func(kind string) river.EventKind {
		if k := seen[kind]; len(k) > 0 {
			return k[len(k)-1]
		}
		return ""
	}
	for last(jobs.KindRecurrence) != river.EventKindJobCompleted {
		select {
		case ev := <-events:
			seen[ev.Job.Kind] = append(seen[ev.Job.Kind], ev.Kind)
			if ev.Job.Kind == jobs.KindRecurrence && ev.Kind == river.EventKindJobFailed {
				if !drafted() {
					t.Errorf("the recurrence job ran before the draft was done")
				}
				if err := q.Retry(ctx, ev.Job.ID); err != nil { // now, not after the backoff
					t.Fatal(err)
				}
			}
		case <-ctx.Done():
			t.Fatalf("the recurrence job never completed: %v", seen)
		}
	}
	if got := seen[jobs.KindIncident]; len(got) == 0 || got[0] != river.EventKindJobCompleted {
		t.Errorf("incident job: %v, want completed", got)
	}
	if got := seen[jobs.KindRecurrence]; len(got) != 2 || got[0] != river.EventKindJobFailed {
		t.Errorf("recurrence job: %v, want failed then completed", got)
	}
	cs := e.commentsWith(n2, flows.MarkerRecurrence(n2))
	if !drafted() || len(cs) != 1 || !strings.Contains(cs[0].Body, "#"+strconv.Itoa(n)) {
		t.Fatalf("draft %v, %d recurrence comments", drafted(), len(cs))
	}
	wantMetric(t, scrape(t, m), `postmortem_secondary_writes_failed_total{write="recurrence"} 1`)
}
