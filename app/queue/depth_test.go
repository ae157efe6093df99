package queue

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// Depth reads River's job table on both databases: three jobs waiting are available and the
// oldest became ready when it was enqueued; worked, they are running and none waits; done, the
// queue is empty. Every state is always there (zero included) for the metrics' series.
func TestDepth(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		w := NewWorkers()
		rec := blockedRecorder[jobs.InstallationArgs](w)
		q := openQueue(t, db, w)
		want := func(what string, jobs map[string]int) Depth {
			t.Helper()
			d, err := q.Depth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			full := map[string]int{"available": 0, "pending": 0, "retryable": 0, "running": 0, "scheduled": 0}
			maps.Copy(full, jobs)
			if !maps.Equal(d.Jobs, full) {
				t.Fatalf("%s: depth %v, want %v", what, d.Jobs, full)
			}
			return d
		}
		want("empty", nil)

		before := time.Now().Add(-time.Second)
		for i := range 3 {
			if _, err := q.Enqueue(ctx, jobs.InstallationArgs{InstallationID: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		after := time.Now().Add(time.Second)
		d := want("enqueued", map[string]int{"available": 3})
		if d.OldestAvailable.Before(before) || d.OldestAvailable.After(after) {
			t.Fatalf("oldest available job ready at %v, enqueued between %v and %v", d.OldestAvailable, before, after)
		}

		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			waitFor(t, rec.started, "a job to start")
		}
		if d := want("working", map[string]int{"running": 3}); !d.OldestAvailable.IsZero() {
			t.Fatalf("no job waits, but the oldest is from %v", d.OldestAvailable)
		}
		close(rec.block)
		for range 3 {
			waitFor(t, rec.ran, "a job to finish")
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			d, err := q.Depth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d.Jobs["running"] == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond) // River completes jobs in batches
		}
		want("done", nil)
	})
}
