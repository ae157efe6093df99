package queue

import (
	"context"
	"testing"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The queue's River inserts reuse one prepared statement: after the first
// delivery, more deliveries prepare nothing.
func TestQueueSQLiteStatementsCached(t *testing.T) {
	q := openQueue(t, dbtest.New(t, "sqlite"), nil)
	ctx := context.Background()
	enqueue := func(n int) {
		t.Helper()
		r, err := q.Enqueue(ctx, jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: n})
		if err != nil || r.Inserted != 1 {
			t.Fatalf("enqueue %d: %+v, %v", n, r, err)
		}
	}
	enqueue(1)
	prepares, hits := q.db.CacheStats().Prepares, q.db.CacheStats().Hits
	for n := 2; n <= 21; n++ {
		enqueue(n)
	}
	if got := q.db.CacheStats().Prepares - prepares; got != 0 {
		t.Errorf("20 more enqueues prepared %d statements, want 0", got)
	}
	if got := q.db.CacheStats().Hits - hits; got < 20 {
		t.Errorf("20 more enqueues ran %d cached statements, want ≥ 20", got)
	}
	// A duplicate is still merged (the insert's RETURNING read through the
	// cached statement).
	r, err := q.Enqueue(ctx, jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 3})
	if err != nil || r.Duplicates != 1 || r.Inserted != 0 {
		t.Fatalf("duplicate: %+v, %v", r, err)
	}
}
