package ghclient

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// PacerConfig spaces an installation's writes (POST, PATCH, PUT, DELETE) as
// GitHub asks for content-creating requests.
//
// Writes are paced by a token bucket: up to Burst writes of a quiet
// installation go at once, then one per Interval (GitHub asks for about a
// second between content-creating requests when many are made; a flow's
// handful of writes after a quiet spell is not that). PerMinute and
// PerHour cap the writes whatever the bucket holds (GitHub's secondary
// limits: 80 content-creating requests a minute, 500 an hour).
type PacerConfig struct {
	Interval time.Duration // one write's worth of bucket refills in this (default 1s)
	// Burst is how many writes may go back to back after a quiet spell
	// (default 8: every write of the incident flow, so a quiet
	// installation's postmortem pull request is not slowed; sustained
	// writes are still one per Interval). 1 is a strict interval.
	Burst     int
	PerMinute int // at most this many per rolling minute (default 80)
	PerHour   int // at most this many per rolling hour (default 500)
	// MaxWait: a write that would have to wait longer fails with a
	// *RateLimitError instead (default 60s).
	MaxWait time.Duration
}

// DefaultPacerBurst is PacerConfig.Burst's default.
const DefaultPacerBurst = 8

// pacer reserves send times for one installation's writes: a token bucket
// of Burst writes refilled one per Interval (GCRA), at most PerMinute per
// rolling minute and PerHour per hour.
type pacer struct {
	cfg  PacerConfig
	mu   sync.Mutex
	sent []time.Time // reserved send times within the last hour, ascending
	tat  time.Time   // the bucket's theoretical arrival time: full again at tat-Interval
}

func newPacer(cfg PacerConfig) *pacer { return &pacer{cfg: cfg} }

// reserve returns when the next write may go, or a *RateLimitError when
// that is more than MaxWait away (nothing is reserved then).
func (p *pacer) reserve(now time.Time) (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := 0
	for i < len(p.sent) && now.Sub(p.sent[i]) >= time.Hour {
		i++
	}
	p.sent = p.sent[i:]
	at := now
	if !p.tat.IsZero() {
		at = later(at, p.tat.Add(-time.Duration(max(p.cfg.Burst, 1)-1)*p.cfg.Interval))
	}
	if n := len(p.sent); n > 0 {
		if n >= p.cfg.PerMinute {
			at = later(at, p.sent[n-p.cfg.PerMinute].Add(time.Minute))
		}
		if n >= p.cfg.PerHour {
			at = later(at, p.sent[n-p.cfg.PerHour].Add(time.Hour))
		}
	}
	if at.Sub(now) > p.cfg.MaxWait {
		return at, &RateLimitError{Reset: at, Secondary: true}
	}
	p.sent = append(p.sent, at)
	p.tat = later(p.tat, at).Add(p.cfg.Interval)
	return at, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

type pacerTransport struct {
	p    *pacer
	next http.RoundTripper
}

func (t *pacerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if idempotentRead(req.Method) || isTokenRequest(req.URL.Path) {
		return t.next.RoundTrip(req)
	}
	now := time.Now()
	at, err := t.p.reserve(now)
	if err != nil {
		var rl *RateLimitError
		if errors.As(err, &rl) {
			rl.Method, rl.URL = req.Method, req.URL.String()
		}
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if err := sleep(req.Context(), at.Sub(now)); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

func idempotentRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// isTokenRequest: minting an installation token is not a content write.
func isTokenRequest(path string) bool {
	return strings.Contains(path, "/app/installations/") && strings.HasSuffix(path, "/access_tokens")
}
