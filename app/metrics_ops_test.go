package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/webhook"
	"github.com/riverqueue/river"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines are the JSON log records with message msg.
func (l *lockedBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// scrape reads /metrics over HTTP.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func wantMetric(t *testing.T, text, line string) {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return
		}
	}
	var near []string
	name, _, _ := strings.Cut(line, "{")
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, name) {
			near = append(near, l)
		}
	}
	t.Errorf("/metrics has no line %q; %s lines:\n%s", line, name, strings.Join(near, "\n"))
}

// TestOpsDeliveryToJobLogsAndRetries: a signed delivery over loopback is enqueued on a SQLite
// queue; its job fails once and is retried. Every log line (the webhook's and each job run's)
// carries the delivery id and installation, and /metrics counts the retry.
func TestOpsDeliveryToJobLogsAndRetries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	m := NewMetrics()
	ran := make(chan int, 4)
	w := queue.NewWorkers()
	if err := queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.IncidentArgs]) ([]jobs.Args, error) {
		ran <- job.Attempt
		if job.Attempt == 1 {
			return nil, errors.New("GitHub said 502")
		}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	q, _ := openQueueAt(t, ctx, filepath.Join(t.TempDir(), "q.db"), w, queue.Config{Observer: m, Logger: log, PollInterval: 20 * time.Millisecond})
	defer q.Stop(context.Background())
	failed, unsub := q.Subscribe(river.EventKindJobFailed)
	defer unsub()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&webhook.Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Observer: m, Logger: log})
	defer srv.Close()

	body := withInstallation(t, findExample(t, "issues", "labeled"), 4242)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	req.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// an unsigned one is refused and logged as a warning, with its delivery id
	req, _ = http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", "forged-1")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned: %v %v", resp, err)
	}

	if a := <-ran; a != 1 {
		t.Fatalf("first run attempt %d", a)
	}
	var ev *river.Event
	select {
	case ev = <-failed:
	case <-ctx.Done():
		t.Fatal("the failure was not reported")
	}
	// retry now instead of after the backoff
	if err := q.Retry(ctx, ev.Job.ID); err != nil {
		t.Fatal(err)
	}
	if a := <-ran; a != 2 {
		t.Fatalf("second run attempt %d", a)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(logs.lines(t, "job")) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}

	hooks := logs.lines(t, "webhook")
	if len(hooks) != 2 {
		t.Fatalf("webhook log lines: %v", hooks)
	}
	if h := hooks[0]; h["delivery"] != "72d3162e-cc78-11e3-81ab-4c9367dc0958" || h["installation"] != float64(4242) ||
		h["outcome"] != "enqueued" || h["level"] != "INFO" || h["event"] != "issues" {
		t.Errorf("webhook line %v", h)
	}
	if h := hooks[1]; h["delivery"] != "forged-1" || h["outcome"] != "unauthorized" || h["level"] != "WARN" {
		t.Errorf("refused webhook line %v", h)
	}
	js := logs.lines(t, "job")
	if len(js) != 2 {
		t.Fatalf("job log lines: %v", js)
	}
	for i, j := range js {
		if j["delivery"] != "72d3162e-cc78-11e3-81ab-4c9367dc0958" || j["installation"] != float64(4242) || j["kind"] != jobs.KindIncident ||
			j["attempt"] != float64(i+1) {
			t.Errorf("job line %d: %v", i, j)
		}
	}
	if js[0]["level"] != "WARN" || js[0]["outcome"] != "error" || js[0]["err"] != "GitHub said 502" || js[1]["outcome"] != "ok" {
		t.Errorf("job lines %v", js)
	}

	text := scrape(t, m)
	wantMetric(t, text, `postmortem_job_retries_total{kind="incident"} 1`)
	wantMetric(t, text, `postmortem_job_attempt_count{kind="incident",outcome="error"} 1`)
	wantMetric(t, text, `postmortem_job_attempt_sum{kind="incident",outcome="ok"} 2`)
	wantMetric(t, text, `postmortem_webhooks_total{event="issues",outcome="enqueued"} 1`)
	wantMetric(t, text, `postmortem_webhooks_total{event="unverified",outcome="unauthorized"} 1`)
}

// TestOpsCheckAndFollowUpMetrics runs the real flows through the queue against the simulator:
// a postmortem PR's check runs are counted by conclusion, and after the merge the incident's
// open and overdue follow-ups are gauges until the last one is closed. The gauges are read from
// the database: another replica that ran none of the jobs reports the same, a follow-up closed is
// gone from both, and a due date passing makes a follow-up overdue without a job.
func TestOpsCheckAndFollowUpMetrics(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	var today atomic.Pointer[time.Time]
	today.Store(ptr(time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC))) // two of three due dates passed
	e.flows.Now = func() time.Time { return *today.Load() }
	m := NewMetrics()
	w := queue.NewWorkers()
	if err := handleJobs(w, e.flows, nil, nil, m); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q, _ := openQueueAt(t, ctx, filepath.Join(t.TempDir(), "q.db"), w, queue.Config{Observer: m, PollInterval: 20 * time.Millisecond})
	defer q.Stop(context.Background())
	m.readDatabase(e.flows.Watch, q, e.flows.Now, nil)
	// another replica, on the same database, that runs none of the jobs
	other := NewMetrics()
	other.readDatabase(e.flows.Watch, q, e.flows.Now, nil)
	done, unsub := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer unsub()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runJob := func(a jobs.Args) {
		t.Helper()
		if _, err := q.Enqueue(ctx, a); err != nil {
			t.Fatal(err)
		}
		for { // the jobs this one enqueues (the record after a merge) finish too: wait for its own kind
			select {
			case ev := <-done:
				if ev.Job.Kind != a.Kind() {
					continue
				}
				if ev.Kind != river.EventKindJobCompleted {
					t.Fatalf("%s job: %v %v", ev.Job.Kind, ev.Kind, ev.Job.Errors)
				}
				return
			case <-ctx.Done():
				t.Fatal("job did not finish")
			}
		}
	}

	n := e.openIncident("Checkout outage", "incident")
	branch := "postmortem/" + strconv.Itoa(n) + "-by-hand"
	_, err := e.alice.PushFiles(flowRepo, branch, map[string]string{"postmortems/2026-03-01-checkout.md": fixedPostmortem(n, threeActions)}, "Postmortem")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, branch, "main", "Postmortem", "Postmortem of #"+strconv.Itoa(n)+"\n\n"+flows.MarkerIncidentPR(n))
	e.must(err)
	runJob(e.pr(pr))
	text := scrape(t, m)
	wantMetric(t, text, `postmortem_check_conclusions_total{check="completeness",conclusion="success"} 1`)
	wantMetric(t, text, `postmortem_check_conclusions_total{check="blameless",conclusion="success"} 1`)

	_, err = e.bob.MergePR(flowRepo, pr, "merge")
	e.must(err)
	runJob(e.pr(pr)) // merge → three follow-ups
	fus := e.followUpIssues(n)
	if len(fus) != 3 {
		t.Fatalf("%d follow-ups", len(fus))
	}
	inc := strconv.Itoa(n)
	for _, text := range []string{scrape(t, m), scrape(t, other)} { // the merge's job tracks them at once
		wantMetric(t, text, `postmortem_followups_open{incident="`+inc+`",repository="acme/services"} 3`)
		wantMetric(t, text, `postmortem_followups_overdue{incident="`+inc+`",repository="acme/services"} 2`)
	}

	// one closed (an issues.closed delivery → a follow-up job): every replica says so
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	runJob(e.trackingJob(fus[0].Number))
	for _, text := range []string{scrape(t, m), scrape(t, other)} {
		wantMetric(t, text, `postmortem_followups_open{incident="`+inc+`",repository="acme/services"} 2`)
		wantMetric(t, text, `postmortem_followups_overdue{incident="`+inc+`",repository="acme/services"} 1`)
	}
	// the last due date passes: overdue without any job running
	today.Store(ptr(time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)))
	wantMetric(t, scrape(t, other), `postmortem_followups_overdue{incident="`+inc+`",repository="acme/services"} 2`)

	// closing them all removes the incident's series, on every replica
	for _, fu := range fus[1:] {
		e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
	}
	runJob(e.trackingJob(fus[2].Number))
	for _, text := range []string{scrape(t, m), scrape(t, other)} {
		if strings.Contains(text, `postmortem_followups_`) && strings.Contains(text, `incident="`+inc+`"`) {
			t.Errorf("a finished incident still has a follow-up gauge:\n%s", text)
		}
		wantMetric(t, text, `postmortem_metrics_database_up 1`)
	}
}

func ptr[T any](v T) *T { return &v }

// TestFollowUpGaugesHealedByTheReminderPass: a follow-up closed whose delivery was lost (no
// tracking job ran) still counts until the next reminder pass over its repository, which lists
// the open follow-ups and replaces what the database knew: then the gauges say 2 open.
func TestFollowUpGaugesHealedByTheReminderPass(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	e.flows.Now = func() time.Time { return time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC) }
	m := NewMetrics()
	m.readDatabase(e.flows.Watch, nil, e.flows.Now, nil)
	n := e.openIncident("Checkout outage", "incident")
	pr := e.env.MergedPostmortem(n, threeActions)
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	fus := e.followUpIssues(n)
	if len(fus) != 3 {
		t.Fatalf("%d follow-ups", len(fus))
	}
	inc := strconv.Itoa(n)
	wantMetric(t, scrape(t, m), `postmortem_followups_open{incident="`+inc+`",repository="acme/services"} 3`)
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed")) // its delivery is lost
	wantMetric(t, scrape(t, m), `postmortem_followups_open{incident="`+inc+`",repository="acme/services"} 3`)
	_, err = e.flows.Remind(e.ctx, e.remindJob())
	e.must(err)
	text := scrape(t, m)
	wantMetric(t, text, `postmortem_followups_open{incident="`+inc+`",repository="acme/services"} 2`)
	wantMetric(t, text, `postmortem_followups_overdue{incident="`+inc+`",repository="acme/services"} 1`)
}
