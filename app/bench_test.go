package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// benchDelivery is one signed delivery of the benchmark mixes.
type benchDelivery struct {
	event string
	body  []byte
}

// ignoredMix: every example of an event or action the App does not route,
// as an App receives it (with an installation).
func ignoredMix(b *testing.B) []benchDelivery {
	var out []benchDelivery
	for i, e := range loadExamples(b) {
		body := withInstallation(b, e.Payload, int64(i+1))
		if jobs, _, err := webhook.Route(e.Event, body, "postmortem[bot]"); err == nil && len(jobs) == 0 && e.Event != "ping" {
			out = append(out, benchDelivery{e.Event, body})
		}
	}
	return out
}

// relevantTemplates: real pull_request synchronize/opened and check_suite
// requested payloads, with placeholder installation and number that each
// iteration replaces, so every delivery is a new job.
func relevantTemplates(b *testing.B) []benchDelivery {
	var out []benchDelivery
	for _, want := range [][2]string{{"pull_request", "synchronize"}, {"pull_request", "opened"}, {"check_suite", "requested"}} {
		var m map[string]any
		json.Unmarshal(findExample(b, want[0], want[1]), &m)
		m["installation"] = map[string]any{"id": 777000111}
		if pr, ok := m["pull_request"].(map[string]any); ok {
			pr["number"] = 888000222
		}
		if cs, ok := m["check_suite"].(map[string]any); ok {
			cs["pull_requests"] = []any{map[string]any{"number": 888000222}}
		}
		body, _ := json.Marshal(m)
		out = append(out, benchDelivery{want[0], body})
	}
	return out
}

func (d benchDelivery) instance(i int) []byte {
	body := bytes.Replace(d.body, []byte("777000111"), strconv.AppendInt(nil, int64(1+i/1000), 10), 1)
	return bytes.Replace(body, []byte("888000222"), strconv.AppendInt(nil, int64(1+i%1000), 10), -1)
}

func signedRequest(event string, body []byte) *http.Request {
	req := httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
	return req
}

// reportCPU reports the process's CPU time (user+system, all goroutines:
// River's and the database driver's included) per iteration as cpu-µs/op:
// wall time on a shared machine swings with the disk's fsync latency and
// with other processes, CPU time much less. Call as defer reportCPU(b)().
func reportCPU(b *testing.B) func() {
	cpu0 := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-cpu0)/1e3/float64(b.N), "cpu-µs/op")
		}
	}
}

// BenchmarkWebhookIngest: the handler end to end (verify, decode, route,
// commit), in process. "ignored" never touches the database; "relevant"
// commits one new job per delivery.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, dialect := range dialects {
		b.Run(dialect, func(b *testing.B) {
			db := newTestDB(b, dialect)
			q := db.open(b, nil)
			h := &webhook.Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]"}
			b.Run("ignored", func(b *testing.B) {
				mix := ignoredMix(b)
				b.ReportAllocs()
				defer reportCPU(b)()
				for i := 0; b.Loop(); i++ {
					d := mix[i%len(mix)]
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, signedRequest(d.event, d.body))
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", d.event, rec.Code, rec.Body)
					}
				}
			})
			b.Run("relevant", func(b *testing.B) {
				tmpl := relevantTemplates(b)
				b.ReportAllocs()
				defer reportCPU(b)()
				for i := 0; b.Loop(); i++ {
					d := tmpl[i%len(tmpl)]
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, signedRequest(d.event, d.instance(i)))
					if rec.Code != 202 {
						b.Fatalf("%s: %d %s", d.event, rec.Code, rec.Body)
					}
				}
			})
		})
	}
}

// BenchmarkBareBaseline: what go-github's own path costs on the same
// deliveries — ValidatePayload and ParseWebHook — without any queue.
func BenchmarkBareBaseline(b *testing.B) {
	secret := []byte(testSecret)
	run := func(b *testing.B, next func(i int) (string, []byte)) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for i := 0; b.Loop(); i++ {
			event, body := next(i)
			req := signedRequest(event, body)
			payload, err := github.ValidatePayload(req, secret)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := github.ParseWebHook(github.WebHookType(req), payload); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("ignored", func(b *testing.B) {
		var mix []benchDelivery
		for _, d := range ignoredMix(b) {
			if _, err := github.ParseWebHook(d.event, d.body); err == nil { // go-github knows the event
				mix = append(mix, d)
			}
		}
		run(b, func(i int) (string, []byte) { d := mix[i%len(mix)]; return d.event, d.body })
	})
	b.Run("relevant", func(b *testing.B) {
		tmpl := relevantTemplates(b)
		run(b, func(i int) (string, []byte) { d := tmpl[i%len(tmpl)]; return d.event, d.instance(i) })
	})
}
