package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
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

func (r *recorder[A]) Reconcile(ctx context.Context, job *river.Job[A]) error {
	r.started <- job.ID
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	r.got = append(r.got, job.Args)
	r.mu.Unlock()
	r.ran <- job.Args
	return r.err
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

func eachDialect(t *testing.T, f func(t *testing.T, db testDB)) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f(t, newTestDB(t, d))
		})
	}
}

// A job enqueued by a webhook is committed before the 202: a separate
// connection sees it the moment the response arrives.
func TestWebhookCommitsBeforeAck(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q := db.open(t, nil)
		srv := webhookServer(t, q, nil)
		code, body := post(t, srv.URL, "pull_request", prPayload("opened", 7, 12, "abc"))
		if code != http.StatusAccepted {
			t.Fatalf("status %d %q, want 202", code, body)
		}
		if n := db.countJobs(t, "kind = 'pull_request' AND state = 'available'"); n != 1 {
			t.Fatalf("committed pull_request jobs after 202 = %d, want 1", n)
		}
	})
}

// Ten deliveries for one pull request are one pending job; another pull
// request is another job.
func TestBurstIsOneJob(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q := db.open(t, nil)
		srv := webhookServer(t, q, nil)
		for i := range 10 {
			action := "synchronize"
			if i == 0 {
				action = "opened"
			}
			if code, body := post(t, srv.URL, "pull_request", prPayload(action, 7, 12, "sha"+string(rune('a'+i)))); code != http.StatusAccepted {
				t.Fatalf("delivery %d: %d %q", i, code, body)
			}
		}
		post(t, srv.URL, "pull_request", prPayload("opened", 7, 13, "x"))
		post(t, srv.URL, "pull_request", prPayload("opened", 8, 12, "x")) // other installation
		if n := db.countJobs(t, "kind = 'pull_request'"); n != 3 {
			t.Fatalf("pull_request jobs = %d, want 3 (one per PR)", n)
		}
	})
}

// The job runs: the registered reconciler gets the args the webhook carried.
func TestJobRuns(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		w := NewWorkers()
		rec := newRecorder[jobs.PullRequestArgs]()
		if err := Register[jobs.PullRequestArgs](w, rec); err != nil {
			t.Fatal(err)
		}
		if err := Register[jobs.PullRequestArgs](w, rec); err == nil {
			t.Fatal("registering a kind twice succeeded")
		}
		m := NewMetrics()
		q, err := OpenQueue(context.Background(), QueueConfig{DatabaseURL: db.url, Schema: db.schema, Workers: w, PollInterval: 50 * time.Millisecond, Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(context.Background())
		srv := webhookServer(t, q, nil)
		if code, _ := post(t, srv.URL, "pull_request", prPayload("opened", 7, 12, "abc")); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
		got := waitFor(t, rec.ran, "the job to run")
		want := jobs.PullRequestArgs{InstallationID: 7, Owner: "acme", Repo: "svc", Number: 12, HeadSHA: "abc"}
		if got != want {
			t.Fatalf("reconciled %+v, want %+v", got, want)
		}
		deadline := time.Now().Add(10 * time.Second)
		for db.countJobs(t, "state = 'completed'") != 1 {
			if time.Now().After(deadline) {
				t.Fatal("job never completed")
			}
			time.Sleep(20 * time.Millisecond)
		}
		rec2 := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec2, httptest.NewRequest("GET", "/metrics", nil))
		if !strings.Contains(rec2.Body.String(), `postmortem_jobs_total{kind="pull_request",outcome="ok"} 1`) {
			t.Fatal("job metric not recorded")
		}
		// Kinds without a reconciler are stored and wait, not failed.
		if _, err := q.Enqueue(context.Background(), jobs.IncidentArgs{InstallationID: 7, Owner: "acme", Repo: "svc", Number: 1}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if n := db.countJobs(t, "kind = 'incident' AND state = 'available' AND attempt = 0"); n != 1 {
			t.Fatalf("incident job without reconciler: %d available unattempted, want 1", n)
		}
	})
}

// A crash between commit and run: the process that acknowledged the
// delivery dies (its queue is closed without working anything); a new
// process on the same database runs the job.
func TestCrashBetweenCommitAndRun(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q1, err := OpenQueue(context.Background(), QueueConfig{DatabaseURL: db.url, Schema: db.schema})
		if err != nil {
			t.Fatal(err)
		}
		srv := webhookServer(t, q1, nil)
		if code, _ := post(t, srv.URL, "issues", withInstallation(t, findExample(t, "issues", "labeled"), 42)); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
		srv.Close()
		q1.Close() // "crash": nothing was worked

		w := NewWorkers()
		rec := newRecorder[jobs.IncidentArgs]()
		Register[jobs.IncidentArgs](w, rec)
		q2 := db.open(t, w)
		if err := q2.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := waitFor(t, rec.ran, "the job to run after reopening")
		if got.InstallationID == 0 || got.Number == 0 || got.Owner == "" {
			t.Fatalf("reconciled %+v", got)
		}
	})
}

// A delivery arriving while its job runs gets exactly one follow-up run;
// more deliveries during the run merge into that follow-up.
func TestDeliveryDuringRunGetsOneRerun(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		w := NewWorkers()
		rec := newRecorder[jobs.PullRequestArgs]()
		rec.block = make(chan struct{})
		Register[jobs.PullRequestArgs](w, rec)
		q := db.open(t, w)
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		args := jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 5}
		if _, err := q.Enqueue(ctx, args); err != nil {
			t.Fatal(err)
		}
		firstID := waitFor(t, rec.started, "first run to start")
		res, err := q.Enqueue(ctx, args)
		if err != nil || res.Reruns != 1 {
			t.Fatalf("enqueue during run = %+v, %v; want 1 rerun", res, err)
		}
		for range 3 {
			res, err = q.Enqueue(ctx, args)
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
	eachDialect(t, func(t *testing.T, db testDB) {
		w := NewWorkers()
		rec := newRecorder[jobs.InstallationArgs]()
		reset := time.Now().Add(time.Hour)
		rec.err = &ghclient.RateLimitError{Reset: reset, Method: "GET", URL: "https://api.github.com/x"}
		Register[jobs.InstallationArgs](w, rec)
		q := db.open(t, w)
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

func TestQueueRefusesMemoryAndBadURL(t *testing.T) {
	for _, u := range []string{":memory:", "sqlite::memory:", "mysql://x/y"} {
		if _, err := OpenQueue(context.Background(), QueueConfig{DatabaseURL: u}); err == nil {
			t.Errorf("OpenQueue(%q) succeeded", u)
		}
	}
}

// Queue.DB is usable for the App's own tables, in the queue's schema.
func TestQueueDB(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q := db.open(t, nil)
		ctx := context.Background()
		if _, err := q.DB().SQL().ExecContext(ctx, "CREATE TABLE app_probe (k TEXT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := q.DB().SQL().ExecContext(ctx, "INSERT INTO app_probe (k) VALUES ('x')"); err != nil {
			t.Fatal(err)
		}
		if db.dialect == "postgres" {
			var schema string
			if err := q.DB().SQL().QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil || schema != db.schema {
				t.Fatalf("current_schema = %q, %v; want %q", schema, err, db.schema)
			}
		}
		if n := db.countJobs(t, ""); n != 0 {
			t.Fatalf("jobs %d", n)
		}
	})
}

// Several workers share one process on the SQLite file, and several
// processes (replicas) share PostgreSQL: every job runs exactly once, and
// jobs run concurrently.
func TestWorkersAndReplicas(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		var mu sync.Mutex
		runs := map[int]int{}
		running, peak := 0, 0
		work := ReconcileFunc[jobs.IncidentArgs](func(ctx context.Context, job *river.Job[jobs.IncidentArgs]) error {
			mu.Lock()
			runs[job.Args.Number]++
			running++
			peak = max(peak, running)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		})
		replicas := 1
		if db.dialect == "postgres" {
			replicas = 2
		}
		var queues []*Queue
		for range replicas {
			w := NewWorkers()
			Register[jobs.IncidentArgs](w, work)
			q := db.open(t, w)
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
		for db.countJobs(t, "state = 'completed'") != n {
			if time.Now().After(deadline) {
				t.Fatalf("completed %d of %d", db.countJobs(t, "state = 'completed'"), n)
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
