package conformance

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkLoadAPI measures decoding the embedded description and building
// the router (what the first NewTransport in a process pays).
func BenchmarkLoadAPI(b *testing.B) {
	b.ReportAllocs()
	var api *API
	for i := 0; i < b.N; i++ {
		var err error
		api, err = loadAPI()
		if err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heapMB")
	runtime.KeepAlive(api)
}

type staticRT struct {
	status int
	body   []byte
}

func (s staticRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return &http.Response{StatusCode: s.status, Header: h, Body: io.NopCloser(strings.NewReader(string(s.body))), Request: r}, nil
}

func benchExchange(b *testing.B, method, url, body string, status int, respBody []byte) {
	tr := NewTransport(b, staticRT{status, respBody})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, url, rd)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.StopTimer()
	if len(tr.Violations()) != 0 {
		b.Fatal(tr.Violations())
	}
}

// A large response: GET /repos/{owner}/{repo} with a full-repository body
// (~25 KB, including parent and source repositories).
func BenchmarkGetRepository(b *testing.B) {
	benchExchange(b, "GET", "http://x/repos/o/r", "", 200, readTestdata(b, "full-repository.json"))
}

// A small multi-segment exchange: GET /repos/{owner}/{repo}/git/ref/{ref}.
func BenchmarkGetRef(b *testing.B) {
	benchExchange(b, "GET", "http://x/api/v3/repos/o/r/git/ref/heads/postmortem/1-x", "", 200, readTestdata(b, "git-ref.json"))
}

// A request body and a list response: POST labels (object form).
func BenchmarkAddLabels(b *testing.B) {
	benchExchange(b, "POST", "http://x/repos/o/r/issues/1/labels", `{"labels":["postmortem"]}`, 200, readTestdata(b, "label-items.json"))
}

// The transport without validation, for comparison.
func BenchmarkBaselineNoValidation(b *testing.B) {
	rt := staticRT{200, readTestdata(b, "full-repository.json")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", "http://x/repos/o/r", nil)
		resp, _ := rt.RoundTrip(req)
		io.Copy(io.Discard, resp.Body)
	}
}

func BenchmarkRouterMatch(b *testing.B) {
	api, err := LoadAPI()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := api.Router.Match("/repos/o/r/contents/docs/postmortems/2024/outage.md"); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkValidateWebhook(b *testing.B) {
	ex := findExample(b, "api.github.com", "pull_request", "opened")
	b.ReportAllocs()
	b.SetBytes(int64(len(ex.Payload)))
	for i := 0; i < b.N; i++ {
		if err := ValidateWebhook(ex.Event, ex.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePathItem measures the first use of an operation: decoding
// /repos/{owner}/{repo} and the components it references.
func BenchmarkDecodePathItem(b *testing.B) {
	api, err := LoadAPI()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := api.decodePath("/repos/{owner}/{repo}"); err != nil {
			b.Fatal(err)
		}
	}
}
