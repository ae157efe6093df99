package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// recorder is a trivial reconciler: it records the jobs it works and can be
// told to block or fail.
type recorder[A jobs.Args] struct {
	mu      sync.Mutex
	got     []A
	ran     chan A
	block   chan struct{} // when non-nil, Reconcile waits on it
	started chan int64
	err     error
}

func newRecorder[A jobs.Args]() *recorder[A] {
	return &recorder[A]{ran: make(chan A, 100), started: make(chan int64, 100)}
}

// blockedRecorder is a recorder whose runs wait until its block is closed,
// handling A's jobs in w.
func blockedRecorder[A jobs.Args](w *Workers) *recorder[A] {
	rec := newRecorder[A]()
	rec.block = make(chan struct{})
	Handle[A](w, rec.Reconcile)
	return rec
}

func (r *recorder[A]) Reconcile(ctx context.Context, job *river.Job[A]) ([]jobs.Args, error) {
	r.started <- job.ID
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r.mu.Lock()
	r.got = append(r.got, job.Args)
	r.mu.Unlock()
	r.ran <- job.Args
	return nil, r.err
}

func waitFor[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// rerunArgs is the job the follow-up run tests enqueue.
var rerunArgs = jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 5}

// startRunAndRerun starts q, enqueues rerunArgs, waits for its run to start
// (rec blocks it) and enqueues it again, which must add one follow-up run;
// it returns the running job's id.
func startRunAndRerun(t *testing.T, q *Queue, rec *recorder[jobs.PullRequestArgs]) int64 {
	t.Helper()
	ctx := context.Background()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, rerunArgs); err != nil {
		t.Fatal(err)
	}
	id := waitFor(t, rec.started, "first run to start")
	if res, err := q.Enqueue(ctx, rerunArgs); err != nil || res.Reruns != 1 {
		t.Fatalf("enqueue during the run = %+v, %v; want 1 rerun", res, err)
	}
	return id
}

func eachDialect(t *testing.T, f func(t *testing.T, db dbtest.DB)) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f(t, dbtest.New(t, d))
		})
	}
}

// testConfig is the tests' queue configuration: short poll and rerun delays.
var testConfig = Config{PollInterval: 50 * time.Millisecond, RerunDelay: 20 * time.Millisecond}

// openQueue opens a queue working w (nil: insert-only) on db, with
// testConfig, stopped when the test ends.
func openQueue(t testing.TB, db dbtest.DB, w *Workers) *Queue {
	t.Helper()
	return openQueueWith(t, db, w, testConfig)
}

// openQueueWith is openQueue with the configuration cfg.
func openQueueWith(t testing.TB, db dbtest.DB, w *Workers, cfg Config) *Queue {
	t.Helper()
	q, err := Open(context.Background(), db.Open(t), w, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", db.Dialect, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q
}

// A delivery arriving while its job runs gets exactly one follow-up run;
// more deliveries during the run merge into that follow-up.
func TestDeliveryDuringRunGetsOneRerun(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		w := NewWorkers()
		rec := blockedRecorder[jobs.PullRequestArgs](w)
		q := openQueue(t, db, w)
		ctx, args := context.Background(), rerunArgs
		firstID := startRunAndRerun(t, q, rec)
		for range 3 {
			res, err := q.Enqueue(ctx, args)
			if err != nil || res.Duplicates != 1 || res.Reruns != 0 {
				t.Fatalf("further enqueue during run = %+v, %v; want a duplicate", res, err)
			}
		}
		close(rec.block)
		waitFor(t, rec.ran, "first run")
		second := waitFor(t, rec.ran, "rerun")
		if second.Rerun != firstID || second.Number != 5 {
			t.Fatalf("rerun args %+v, want Rerun=%d", second, firstID)
		}
		select {
		case extra := <-rec.ran:
			t.Fatalf("a third run happened: %+v", extra)
		case <-time.After(300 * time.Millisecond):
		}
	})
}

// A reconciler hitting the rate limit snoozes the job until the reset
// instead of failing it.
func TestRateLimitSnoozes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		w := NewWorkers()
		rec := newRecorder[jobs.InstallationArgs]()
		reset := time.Now().Add(time.Hour)
		rec.err = &ghclient.RateLimitError{Reset: reset, Method: "GET", URL: "https://api.github.com/x"}
		Handle[jobs.InstallationArgs](w, rec.Reconcile)
		q := openQueue(t, db, w)
		events, cancel := q.Subscribe(river.EventKindJobSnoozed)
		defer cancel()
		q.Start(context.Background())
		if _, err := q.Enqueue(context.Background(), jobs.InstallationArgs{InstallationID: 3}); err != nil {
			t.Fatal(err)
		}
		ev := waitFor(t, events, "snooze event")
		if ev.Job.State != rivertype.JobStateScheduled {
			t.Fatalf("state %s, want scheduled", ev.Job.State)
		}
		if d := ev.Job.ScheduledAt.Sub(reset); d < 0 || d > 5*time.Second {
			t.Fatalf("scheduled at %s, want just after reset %s", ev.Job.ScheduledAt, reset)
		}
		if len(ev.Job.Errors) != 0 {
			t.Fatalf("snooze recorded errors: %+v", ev.Job.Errors)
		}
	})
}

func TestSnoozeFor(t *testing.T) {
	now := time.Now()
	if _, ok := SnoozeFor(errors.New("boom"), now); ok {
		t.Fatal("plain error snoozes")
	}
	d, ok := SnoozeFor(&ghclient.RateLimitError{Reset: now.Add(10 * time.Minute)}, now)
	if !ok || d < 10*time.Minute || d > 10*time.Minute+2*time.Second {
		t.Fatalf("SnoozeFor = %s, %v", d, ok)
	}
}

// River's tables live in the database beside the App's own, in its schema.
func TestQueueDB(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		q := openQueue(t, db, nil)
		ctx := context.Background()
		if _, err := q.db.SQL().ExecContext(ctx, "CREATE TABLE app_probe (k TEXT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := q.db.SQL().ExecContext(ctx, "INSERT INTO app_probe (k) VALUES ('x')"); err != nil {
			t.Fatal(err)
		}
		if db.Dialect == "postgres" {
			var schema string
			if err := q.db.SQL().QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil || schema != db.Schema {
				t.Fatalf("current_schema = %q, %v; want %q", schema, err, db.Schema)
			}
		}
		if n := db.CountJobs(t, ""); n != 0 {
			t.Fatalf("jobs %d", n)
		}
	})
}

// Several workers share one process on the SQLite file, and several
// processes (replicas) share PostgreSQL: every job runs exactly once, and
// jobs run concurrently.
func TestWorkersAndReplicas(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		var mu sync.Mutex
		runs := map[int]int{}
		running, peak := 0, 0
		work := Reconciler[jobs.IncidentArgs](func(ctx context.Context, job *river.Job[jobs.IncidentArgs]) ([]jobs.Args, error) {
			mu.Lock()
			runs[job.Args.Number]++
			running++
			peak = max(peak, running)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			running--
			mu.Unlock()
			return nil, nil
		})
		replicas := 1
		if db.Dialect == "postgres" {
			replicas = 2
		}
		var queues []*Queue
		for range replicas {
			w := NewWorkers()
			Handle(w, work)
			q := openQueue(t, db, w)
			queues = append(queues, q)
		}
		const n = 24
		var js []jobs.Args
		for i := 1; i <= n; i++ {
			js = append(js, jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: i})
		}
		if res, err := queues[0].Enqueue(context.Background(), js...); err != nil || res.Inserted != n {
			t.Fatalf("Enqueue = %+v, %v", res, err)
		}
		for _, q := range queues {
			if err := q.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for db.CountJobs(t, "state = 'completed'") != n {
			if time.Now().After(deadline) {
				t.Fatalf("completed %d of %d", db.CountJobs(t, "state = 'completed'"), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i <= n; i++ {
			if runs[i] != 1 {
				t.Fatalf("job %d ran %d times", i, runs[i])
			}
		}
		if peak < 2 {
			t.Fatalf("at most %d job ran at once: workers are not concurrent", peak)
		}
	})
}

func TestRetryPolicyBounded(t *testing.T) {
	var prev time.Duration
	for attempt := 1; attempt <= 30; attempt++ {
		d := time.Until(retryPolicy{}.NextRetry(&rivertype.JobRow{Attempt: attempt}))
		if d < 2*time.Second || d > 4*time.Hour+time.Second {
			t.Fatalf("attempt %d: retry in %s", attempt, d)
		}
		if attempt <= 5 && d < prev/2-time.Second {
			t.Fatalf("attempt %d: backoff shrank to %s from %s", attempt, d, prev)
		}
		prev = d
	}
}

// Config.RetryBackoff sets the first wait of the retry policy (half
// to all of it, doubling per attempt); zero keeps 5s.
func TestRetryBackoffBase(t *testing.T) {
	for _, c := range []struct {
		base    time.Duration
		attempt int
		lo, hi  time.Duration
	}{
		{0, 1, 2500 * time.Millisecond, 5 * time.Second},
		{300 * time.Millisecond, 1, 150 * time.Millisecond, 300 * time.Millisecond},
		{300 * time.Millisecond, 3, 600 * time.Millisecond, 1200 * time.Millisecond},
	} {
		for range 20 {
			now := time.Now()
			d := retryPolicy{base: c.base}.NextRetry(&rivertype.JobRow{Attempt: c.attempt}).Sub(now)
			if d < c.lo-10*time.Millisecond || d > c.hi+10*time.Millisecond {
				t.Fatalf("base %s attempt %d: retry in %s, want %s–%s", c.base, c.attempt, d, c.lo, c.hi)
			}
		}
	}
}

// The hints are not part of a job's identity: deliveries about one issue
// with other labels or another default branch are still one pending job.
func TestIncidentHintsNotInIdentity(t *testing.T) {
	q := openQueue(t, dbtest.New(t, "sqlite"), nil)
	ctx := context.Background()
	a := jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 4, Labels: []string{"incident"}, DefaultBranch: "main"}
	if r, err := q.Enqueue(ctx, a); err != nil || r.Inserted != 1 {
		t.Fatalf("first: %+v, %v", r, err)
	}
	b := a
	b.Labels, b.DefaultBranch = []string{"incident", "sev1"}, "trunk"
	if r, err := q.Enqueue(ctx, b); err != nil || r.Duplicates != 1 {
		t.Fatalf("second: %+v, %v; want a duplicate", r, err)
	}
}

// A follow-up run does not wait for River's leader: a replica whose leader
// was killed (none elected yet, for up to the leader's 15 s lease) still
// runs the follow-up of a job it finished. (Inserted "scheduled", the
// follow-up waited for the leader's scheduler.)
func TestRerunRunsWithoutLeader(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		w := NewWorkers()
		rec := blockedRecorder[jobs.PullRequestArgs](w)
		cfg := testConfig
		cfg.noLeader = true
		q := openQueueWith(t, db, w, cfg)
		ctx := context.Background()
		firstID := startRunAndRerun(t, q, rec)
		close(rec.block)
		waitFor(t, rec.ran, "first run")
		select {
		case second := <-rec.ran:
			if second.Rerun != firstID {
				t.Fatalf("rerun args %+v, want Rerun=%d", second, firstID)
			}
		case <-time.After(3 * time.Second):
			d, _ := q.Depth(ctx)
			t.Fatalf("the follow-up run did not run within 3 s without a leader (queue: %v)", d.Jobs)
		}
	})
}

// A delivery arriving while its job's follow-up run is already running
// (the job ran long, or its replica was killed and it is still "running")
// gets a follow-up run of that follow-up: the running one may have read
// GitHub before the delivery's change. (It was counted a duplicate, and
// lost.)
func TestDeliveryDuringRunningRerunGetsAnother(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		w := NewWorkers()
		rec := blockedRecorder[jobs.PullRequestArgs](w)
		q := openQueue(t, db, w)
		ctx, args := context.Background(), rerunArgs
		startRunAndRerun(t, q, rec)
		rerunID := waitFor(t, rec.started, "the follow-up run to start (beside the first)")
		res, err := q.Enqueue(ctx, args)
		if err != nil || res.Reruns != 1 || res.Duplicates != 0 {
			t.Fatalf("enqueue during the follow-up run = %+v, %v; want 1 rerun", res, err)
		}
		close(rec.block)
		var last jobs.PullRequestArgs
		for i := range 3 {
			last = waitFor(t, rec.ran, fmt.Sprintf("run %d of 3", i+1))
			if last.Rerun == rerunID {
				return
			}
		}
		t.Fatalf("no run followed the running follow-up %d (last run %+v)", rerunID, last)
	})
}
