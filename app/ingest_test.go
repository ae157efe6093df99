package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/riverqueue/river"
)

// Ingest: a delivery through the webhook handler into the queue, committed
// before the answer, worked once.

func eachDialect(t *testing.T, f func(t *testing.T, db testDB)) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f(t, newTestDB(t, d))
		})
	}
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
		w := queue.NewWorkers()
		rec := newRecorder[jobs.PullRequestArgs]()
		if err := queue.Handle[jobs.PullRequestArgs](w, rec.Reconcile); err != nil {
			t.Fatal(err)
		}
		if err := queue.Handle[jobs.PullRequestArgs](w, rec.Reconcile); err == nil {
			t.Fatal("registering a kind twice succeeded")
		}
		m := NewMetrics()
		q, err := queue.Open(context.Background(), db.db().Open(t), w, queue.Config{PollInterval: 50 * time.Millisecond, Observer: m})
		if err != nil {
			t.Fatal(err)
		}
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
		db1 := db.db().Open(t)
		q1, err := queue.Open(context.Background(), db1, nil, queue.Config{})
		if err != nil {
			t.Fatal(err)
		}
		srv := webhookServer(t, q1, nil)
		if code, _ := post(t, srv.URL, "issues", withInstallation(t, findExample(t, "issues", "labeled"), 42)); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
		srv.Close()
		db1.Close() // "crash": nothing was worked

		w := queue.NewWorkers()
		rec := newRecorder[jobs.IncidentArgs]()
		queue.Handle[jobs.IncidentArgs](w, rec.Reconcile)
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

// Concurrent deliveries share commits (group commit), and the
// acknowledgement rule still holds for each: the moment a delivery's 202
// arrives, a separate connection sees ITS job committed. Deliveries for the
// same pull request inside one group are still merged into one job.
func TestGroupCommitAcknowledgesOwnJob(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q := db.open(t, nil)
		srv := webhookServer(t, q, nil)
		const senders = 16
		next := 1000
		for round := 0; ; round++ {
			var wg sync.WaitGroup
			errs := make(chan error, senders)
			for i := range senders {
				number := next + i
				if i == senders-1 {
					number = next // a second delivery for the first PR
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, body := post(t, srv.URL, "pull_request", prPayload("opened", 7, number, fmt.Sprint("sha", i)))
					if code != http.StatusAccepted {
						errs <- fmt.Errorf("PR %d: %d %q", number, code, body)
						return
					}
					where := fmt.Sprintf(`kind = 'pull_request' AND json_extract(args, '$.number') = %d`, number)
					if db.dialect == "postgres" {
						where = fmt.Sprintf(`kind = 'pull_request' AND (args->>'number')::int = %d`, number)
					}
					if n := db.countJobs(t, where); n != 1 {
						errs <- fmt.Errorf("PR %d: %d committed jobs when its 202 arrived, want 1", number, n)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			next += senders
			if n := db.countJobs(t, "kind = 'pull_request'"); n != (round+1)*(senders-1) {
				t.Fatalf("round %d: %d pull_request jobs, want %d (one per PR)", round, n, (round+1)*(senders-1))
			}
			commits, held := q.GroupCommits()
			if held != (round+1)*senders {
				t.Fatalf("round %d: commits held %d deliveries, want %d", round, held, (round+1)*senders)
			}
			if commits < held {
				t.Logf("%d deliveries in %d commits", held, commits)
				return
			}
			if round == 9 {
				t.Fatalf("%d concurrent deliveries never shared a commit (%d commits)", held, commits)
			}
		}
	})
}
