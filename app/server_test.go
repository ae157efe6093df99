package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/webhook"
	"github.com/riverqueue/river"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The whole server: webhook in, job worked, health/readiness/metrics, then
// a graceful shutdown that lets the running job finish.
func TestServerRunAndGracefulShutdown(t *testing.T) {
	db := newTestDB(t, "sqlite")
	w := queue.NewWorkers()
	release := make(chan struct{})
	finished := make(chan jobs.PullRequestArgs, 1)
	started := make(chan struct{}, 1)
	queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.PullRequestArgs]) ([]jobs.Args, error) {
		started <- struct{}{}
		<-release // not ctx: a job that finishes within the grace period
		finished <- job.Args
		return nil, nil
	})
	m := NewMetrics()
	q, sdb := db.openWithDB(t, w)
	srv := &Server{Webhook: &webhook.Handler{Secret: []byte(testSecret), Queue: q, Observer: m}, Queue: q, DB: sdb, Metrics: m, ShutdownGrace: 10 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()

	if code, body := httpGet(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	if code, _ := httpGet(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	if code, body := post(t, base+"/webhook", "pull_request", prPayload("opened", 1, 2, "s")); code != 202 {
		t.Fatalf("webhook %d %s", code, body)
	}
	waitFor(t, started, "job start")
	code, body := httpGet(t, base+"/metrics")
	if code != 200 || !strings.Contains(body, `postmortem_webhooks_total{event="pull_request",outcome="enqueued"} 1`) {
		t.Fatalf("metrics %d: %s", code, body)
	}

	cancel() // SIGTERM
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while a job was running within the grace period", err)
	default:
	}
	close(release)
	if got := waitFor(t, finished, "job to finish"); got.Number != 2 {
		t.Fatalf("job %+v", got)
	}
	if err := waitFor(t, done, "Run to return"); err != nil {
		t.Fatal(err)
	}
	if n := db.countJobs(t, "state = 'completed'"); n != 1 {
		t.Fatalf("completed jobs %d, want 1", n)
	}
}

// A job still running when the grace period ends is cancelled (its context
// is done) and left to be retried, and Run returns.
func TestServerShutdownCancelsAfterGrace(t *testing.T) {
	db := newTestDB(t, "sqlite")
	w := queue.NewWorkers()
	started := make(chan struct{}, 1)
	cancelled := make(chan struct{}, 1)
	queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.IncidentArgs]) ([]jobs.Args, error) {
		started <- struct{}{}
		<-ctx.Done()
		cancelled <- struct{}{}
		return nil, ctx.Err()
	})
	q, sdb := db.openWithDB(t, w)
	srv := &Server{Webhook: &webhook.Handler{Secret: []byte(testSecret), Queue: q}, Queue: q, DB: sdb, ShutdownGrace: 200 * time.Millisecond}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	if _, err := q.Enqueue(context.Background(), jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, started, "job start")
	cancel()
	select {
	case <-cancelled:
		t.Fatal("the job was cancelled at once, without a grace period")
	case <-time.After(100 * time.Millisecond):
	}
	waitFor(t, cancelled, "job cancellation")
	if err := waitFor(t, done, "Run to return"); err != nil {
		t.Fatal(err)
	}
	if n := db.countJobs(t, "state IN ('retryable','available')"); n != 1 {
		t.Fatalf("cancelled job not left for retry: %d", n)
	}
}

func TestReadyzWhenDatabaseDown(t *testing.T) {
	db := newTestDB(t, "sqlite")
	sdb := db.db().Open(t)
	h := NewMux(http.NotFoundHandler(), sdb, nil)
	s := &http.Server{Handler: h}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.Serve(ln)
	defer s.Close()
	base := "http://" + ln.Addr().String()
	if code, _ := httpGet(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	sdb.Close()
	if code, body := httpGet(t, base+"/readyz"); code != 503 || !strings.Contains(body, "database: unreachable") {
		t.Fatalf("readyz with the database closed: %d %q, want 503 naming the database", code, body)
	}
	if code, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
}
