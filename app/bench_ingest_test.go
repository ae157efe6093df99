package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// ingestItem is one delivery of the realistic mix.
type ingestItem struct {
	event  string
	body   []byte
	sig    string
	unique bool // a new job each time: installation and number vary per send
}

// ingestMix is what an installed App receives, per 20 deliveries: mostly
// events it does not use (8 pushes, 3 issue comments, 1 status, 1 completed
// check run, 1 labelled pull request, 1 unlabelled new issue) and 5 it
// enqueues (4 pull request synchronizes — most of them outside the
// postmortem directory, which only the job can tell — and 1 labelled
// issue). Real payloads from @octokit/webhooks-examples.
func ingestMix(tb testing.TB) []ingestItem {
	tb.Helper()
	mk := func(event, action string, edit func(m map[string]any), unique bool) ingestItem {
		raw := findExample(tb, event, action)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			tb.Fatal(err)
		}
		m["installation"] = map[string]any{"id": 777000111}
		if edit != nil {
			edit(m)
		}
		body, _ := json.Marshal(m)
		return ingestItem{event: event, body: body, sig: sign(body, testSecret), unique: unique}
	}
	push := mk("push", "", nil, false)
	comment := mk("issue_comment", "created", nil, false)
	status := mk("status", "", nil, false)
	checkRun := mk("check_run", "completed", nil, false)
	prLabeled := mk("pull_request", "labeled", nil, false)
	issueNoLabel := mk("issues", "opened", func(m map[string]any) { m["issue"].(map[string]any)["labels"] = []any{} }, false)
	sync := mk("pull_request", "synchronize", func(m map[string]any) { m["pull_request"].(map[string]any)["number"] = 888000222 }, true)
	labeled := mk("issues", "labeled", func(m map[string]any) {
		is := m["issue"].(map[string]any)
		is["number"] = 888000222
		is["labels"] = []any{map[string]any{"name": "incident"}}
		delete(is, "pull_request")
	}, true)
	mix := []ingestItem{push, sync, comment, push, checkRun, sync, push, comment, status, push,
		sync, labeled, push, prLabeled, comment, push, sync, issueNoLabel, push, push}
	return mix
}

// at is the i-th send of the item: a unique one gets its own installation
// and number (so a new job) and a fresh signature.
func (it ingestItem) at(i int) ([]byte, string) {
	if !it.unique {
		return it.body, it.sig
	}
	body := bytes.Replace(it.body, []byte("777000111"), strconv.AppendInt(nil, int64(1+i/1000), 10), 1)
	body = bytes.Replace(body, []byte("888000222"), strconv.AppendInt(nil, int64(1+i%1000), 10), -1)
	return body, sign(body, testSecret)
}

// bareHandler is the baseline: go-github's ValidatePayload and ParseWebHook
// on the same deliveries, answering 200, nothing stored.
type bareHandler struct{ secret []byte }

func (h bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	payload, err := github.ValidatePayload(r, h.secret)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if _, err := github.ParseWebHook(github.WebHookType(r), payload); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// ingestTarget is a loopback server: the App's handler on a queue, or the bare
// baseline.
type ingestTarget struct {
	name string
	url  string
	q    *timedEnqueuer // nil for the baseline
}

// timedEnqueuer measures the wall time the handler spends in Enqueue.
type timedEnqueuer struct {
	*queue.Queue
	n, total atomic.Int64
}

func (t *timedEnqueuer) Enqueue(ctx context.Context, js ...jobs.Args) (jobs.EnqueueResult, error) {
	start := time.Now()
	r, err := t.Queue.Enqueue(ctx, js...)
	t.total.Add(int64(time.Since(start)))
	t.n.Add(1)
	return r, err
}

func ingestTargets(b *testing.B) []ingestTarget {
	var out []ingestTarget
	for _, dialect := range dialects {
		db := newTestDB(b, dialect)
		q := &timedEnqueuer{Queue: db.open(b, nil)}
		srv := httptest.NewServer(&webhook.Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]"})
		b.Cleanup(srv.Close)
		out = append(out, ingestTarget{"full-" + dialect, srv.URL, q})
	}
	srv := httptest.NewServer(bareHandler{secret: []byte(testSecret)})
	b.Cleanup(srv.Close)
	return append(out, ingestTarget{"bare-go-github", srv.URL, nil})
}

var ingestClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512}}

// send posts delivery i of the mix and returns its latency.
func send(tb testing.TB, url string, mix []ingestItem, i int) time.Duration {
	it := mix[i%len(mix)]
	body, sig := it.at(i)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", it.event)
	req.Header.Set("X-Hub-Signature-256", sig)
	start := time.Now()
	resp, err := ingestClient.Do(req)
	if err != nil {
		tb.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 && resp.StatusCode != 202 {
		tb.Errorf("%s: %d", it.event, resp.StatusCode)
	}
	return d
}

// cpuTime is the process's user+system CPU time (sender and server alike:
// the sender's share is the same for every target).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
}

// BenchmarkIngestMix: POST /webhook over loopback with the realistic mix,
// closed loop, at 1 and 16 concurrent senders; the App's full ingest
// (verify, route, durable enqueue) on SQLite and PostgreSQL, and the bare
// go-github baseline on the same deliveries. ns/op is per delivery; the
// ratio baseline/full is the figure in docs/BENCHMARKS.md.
func BenchmarkIngestMix(b *testing.B) {
	mix := ingestMix(b)
	for _, tg := range ingestTargets(b) {
		for _, senders := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/senders=%d", tg.name, senders), func(b *testing.B) {
				var next atomic.Int64
				lats := make([][]time.Duration, senders)
				// Latency sums by class: deliveries the App enqueues and the
				// ones it ignores (the baseline treats both alike).
				var enqSum, ignSum, enqN, ignN atomic.Int64
				var wg sync.WaitGroup
				var commits0, held0 int
				var enqN0, enqT0 int64
				if tg.q != nil {
					commits0, held0 = tg.q.GroupCommits()
					enqN0, enqT0 = tg.q.n.Load(), tg.q.total.Load()
				}
				b.ResetTimer()
				cpu0 := cpuTime()
				start := time.Now()
				for s := range senders {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							d := send(b, tg.url, mix, i)
							lats[s] = append(lats[s], d)
							if mix[i%len(mix)].unique {
								enqSum.Add(int64(d))
								enqN.Add(1)
							} else {
								ignSum.Add(int64(d))
								ignN.Add(1)
							}
						}
					}()
				}
				wg.Wait()
				el := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
				b.ReportMetric(float64(cpuTime()-cpu0)/1e3/float64(b.N), "cpu-µs/event")
				if tg.q != nil {
					// Enqueued deliveries per commit (group commit at work).
					commits, held := tg.q.GroupCommits()
					if commits > commits0 {
						b.ReportMetric(float64(held-held0)/float64(commits-commits0), "deliveries/commit")
					}
					// Of an enqueued delivery's latency, the time in Enqueue.
					if n := tg.q.n.Load() - enqN0; n > 0 {
						b.ReportMetric(float64(tg.q.total.Load()-enqT0)/1e3/float64(n), "in-enqueue-µs")
					}
				}
				if enqN.Load() > 0 && ignN.Load() > 0 {
					b.ReportMetric(float64(enqSum.Load())/1e3/float64(enqN.Load()), "enqueued-µs")
					b.ReportMetric(float64(ignSum.Load())/1e3/float64(ignN.Load()), "ignored-µs")
				}
				reportLatency(b, slices.Concat(lats...))
			})
		}
	}
}

// BenchmarkIngestPaced500: the mix sent open loop at 500 events/s (one every
// 2 ms, whatever the answers' speed), latency counted from each delivery's
// scheduled time, so queueing behind a slow answer shows. Run it long
// enough to mean something: -benchtime=5000x is 10 s per target.
func BenchmarkIngestPaced500(b *testing.B) {
	mix := ingestMix(b)
	const interval = 2 * time.Millisecond
	for _, tg := range ingestTargets(b) {
		b.Run(tg.name, func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			var wg sync.WaitGroup
			start := time.Now()
			for i := range b.N {
				at := start.Add(time.Duration(i) * interval)
				time.Sleep(time.Until(at))
				wg.Add(1)
				go func() {
					defer wg.Done()
					send(b, tg.url, mix, i)
					lat[i] = time.Since(at) // from the scheduled time, not from when it got out
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			reportLatency(b, lat)
		})
	}
}
