package githubsim

import (
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is a kind of API fault.
type FaultKind int

// API fault kinds.
const (
	// Status5xx answers Status (default 502) with a GitHub-like error body.
	Status5xx FaultKind = iota + 1
	// Latency delays the request by Latency, then serves it normally.
	Latency
	// Timeout holds the request until the client gives up (or Latency, default 30s), then 504.
	Timeout
	// Drop closes the connection without an answer.
	Drop
	// SecondaryRateLimit answers 403 with Retry-After and "You have exceeded a secondary rate limit".
	SecondaryRateLimit
	// PrimaryExhausted answers 403 (or Status 429) with x-ratelimit-remaining 0.
	PrimaryExhausted
	// LostAnswer serves the request (what it creates or changes is done,
	// its webhooks are sent), then closes the connection without the
	// answer: the client cannot tell whether the write happened.
	LostAnswer
)

func (k FaultKind) String() string {
	switch k {
	case Status5xx:
		return "status5xx"
	case Latency:
		return "latency"
	case Timeout:
		return "timeout"
	case Drop:
		return "drop"
	case SecondaryRateLimit:
		return "secondary_rate_limit"
	case PrimaryExhausted:
		return "primary_exhausted"
	case LostAnswer:
		return "lost_answer"
	}
	return "unknown"
}

// Fault is an API fault injected on matching routes.
type Fault struct {
	// Route is a route template such as "POST /repos/{owner}/{repo}/pulls", or "*".
	Route string
	// TokenKind limits the fault to requests made with one kind of
	// credential ("installation", "user", "app", "anonymous"); "" is any.
	TokenKind string
	Kind      FaultKind
	// Probability of applying to a matching request (0 means 1).
	Probability float64
	// Count limits how many requests are hit (0: unlimited).
	Count int
	// Seed makes the probability draw reproducible.
	Seed int64
	// Status for Status5xx (default 502) and PrimaryExhausted (default 403).
	Status int
	// Latency for Latency and Timeout.
	Latency time.Duration
	// RetryAfter seconds for SecondaryRateLimit (default 60).
	RetryAfter int
	// Reset for PrimaryExhausted: how far ahead x-ratelimit-reset is
	// (rounded up to the next second; default an hour), so tests can
	// inject an exhaustion that lifts a second later.
	Reset time.Duration
}

// HookFaultKind is a kind of webhook delivery fault.
type HookFaultKind int

// Webhook fault kinds.
const (
	// HookDuplicate delivers the payload N extra times (same GUID).
	HookDuplicate HookFaultKind = iota + 1
	// HookDelay delivers after Delay, out of order with later deliveries.
	HookDelay
	// HookReorder holds a delivery until the next one of the same app has gone out.
	HookReorder
	// HookFail records the delivery as failed without sending it; only a
	// redelivery brings it back, like a GitHub delivery that failed.
	HookFail
)

// HookFault is a webhook delivery fault.
type HookFault struct {
	// Event filters by event ("issues") or event.action ("issues.opened"); "" or "*" matches all.
	Event string
	Kind  HookFaultKind
	N     int
	Delay time.Duration
	// Count limits how many deliveries are hit (0: unlimited).
	Count       int
	Probability float64
	Seed        int64
}

// Faults holds active faults.
type Faults struct {
	mu    sync.Mutex
	api   []*faultState
	hooks []*hookFaultState
}

type faultState struct {
	Fault
	trigger
}

type hookFaultState struct {
	HookFault
	trigger
}

// trigger decides, for API and webhook faults alike, whether a fault hits
// this time: within its Count, and by its Probability drawn from its own
// seeded source (drawn only while Count allows, so a seed replays exactly).
type trigger struct {
	rng  *rand.Rand
	hits int
}

func (t *trigger) take(count int, probability float64) bool {
	if count > 0 && t.hits >= count {
		return false
	}
	if probability > 0 && probability < 1 && t.rng.Float64() >= probability {
		return false
	}
	t.hits++
	return true
}

func newFaults() *Faults { return &Faults{} }

// Add activates an API fault.
func (f *Faults) Add(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.api = append(f.api, &faultState{Fault: ft, trigger: trigger{rng: rand.New(rand.NewSource(ft.Seed))}})
}

// AddHook activates a webhook fault.
func (f *Faults) AddHook(h HookFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks = append(f.hooks, &hookFaultState{HookFault: h, trigger: trigger{rng: rand.New(rand.NewSource(h.Seed))}})
}

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.api, f.hooks = nil, nil
	f.mu.Unlock()
}

// Hits returns how many requests/deliveries each fault hit, in order of Add (API first, then hooks).
func (f *Faults) Hits() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, a := range f.api {
		out = append(out, a.hits)
	}
	for _, h := range f.hooks {
		out = append(out, h.hits)
	}
	return out
}

func (f *Faults) match(route, tokenKind string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, st := range f.api {
		if st.Route != "*" && st.Route != route || st.TokenKind != "" && st.TokenKind != tokenKind {
			continue
		}
		if !st.take(st.Count, st.Probability) {
			continue
		}
		ft := st.Fault
		return &ft
	}
	return nil
}

func (f *Faults) matchHook(event, action string) *HookFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, st := range f.hooks {
		if st.Event != "" && st.Event != "*" && st.Event != event && st.Event != event+"."+action {
			continue
		}
		if !st.take(st.Count, st.Probability) {
			continue
		}
		h := st.HookFault
		return &h
	}
	return nil
}

// applyFault serves a fault; it returns true when the request is finished.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, c *ctx, f *Fault, call *Call) bool {
	record := func(status int) {
		s.mu.Lock()
		call.Time = s.clock()
		call.Status = status
		s.calls = append(s.calls, *call)
		s.mu.Unlock()
	}
	writeJSON := func(status int, msg, doc string) {
		for k, v := range c.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":%q,"documentation_url":%q,"status":"%d"}`, msg, doc, status)
		record(status)
	}
	switch f.Kind {
	case Latency:
		time.Sleep(f.Latency)
		return false
	case Status5xx:
		st := f.Status
		if st == 0 {
			st = http.StatusBadGateway
		}
		writeJSON(st, map[int]string{500: "Server Error", 502: "Server Error", 503: "Service Unavailable", 504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."}[st], "https://docs.github.com/rest")
		return true
	case Timeout:
		d := f.Latency
		if d == 0 {
			d = 30 * time.Second
		}
		select {
		case <-r.Context().Done():
			record(0)
			return true
		case <-time.After(d):
		}
		writeJSON(http.StatusGatewayTimeout, "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.", "https://docs.github.com/rest")
		return true
	case Drop:
		record(0)
		hangUp(w)
		return true
	case SecondaryRateLimit:
		ra := f.RetryAfter
		if ra == 0 {
			ra = 60
		}
		c.header.Set("Retry-After", strconv.Itoa(ra))
		writeJSON(http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID "+c.header.Get("X-GitHub-Request-Id")+".",
			"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
		return true
	case PrimaryExhausted:
		st := f.Status
		if st == 0 {
			st = http.StatusForbidden
		}
		ahead := f.Reset
		if ahead <= 0 {
			ahead = time.Hour
		}
		reset := s.authClock().Add(ahead + time.Second - time.Nanosecond).Unix() // rounded up
		c.header.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
		c.header.Set("X-RateLimit-Remaining", "0")
		c.header.Set("X-RateLimit-Used", strconv.Itoa(s.opts.RateLimit))
		c.header.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
		c.header.Set("X-RateLimit-Resource", "core")
		writeJSON(st, "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID "+c.header.Get("X-GitHub-Request-Id")+".",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits")
		return true
	}
	return false
}

// hangUp closes the request's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

var _ = strings.TrimSpace
