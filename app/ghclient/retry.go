package ghclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-github/v62/github"
)

// RateLimitError says GitHub will not take more requests from this
// installation until Reset: the primary rate limit is spent, or a secondary
// limit (or our own write budget) asks for a longer wait than is worth
// sleeping through. A job that gets it snoozes until Reset (see SnoozeFor).
type RateLimitError struct {
	Reset      time.Time
	Secondary  bool // a secondary (abuse) limit or the write pacer, not the hourly quota
	Method     string
	URL        string
	StatusCode int   // 0 when the pacer refused before sending
	Err        error // the go-github error it stands for (AsRateLimit), or nil
}

func (e *RateLimitError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	return fmt.Sprintf("github %s rate limit on %s %s: retry after %s", kind, e.Method, e.URL, e.Reset.UTC().Format(time.RFC3339))
}

// RetryAt is when GitHub takes requests again. The queue snoozes a job that
// failed with an error having this method until then, without spending an
// attempt.
func (e *RateLimitError) RetryAt() time.Time { return e.Reset }

// Unwrap is the go-github error AsRateLimit made e from (nil otherwise).
func (e *RateLimitError) Unwrap() error { return e.Err }

// AsRateLimit returns err as a *RateLimitError when it is one of go-github's
// rate-limit errors (go-github refuses a request itself while it knows the
// hourly quota is spent, and decodes the limits a response reports), so
// that every rate limit says when to retry the same way; any other error is
// returned as it is.
func AsRateLimit(err error, now time.Time) error {
	var ours *RateLimitError
	var gh *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	switch {
	case err == nil, errors.As(err, &ours):
		return err
	case errors.As(err, &gh):
		return &RateLimitError{Reset: gh.Rate.Reset.Time, Err: err}
	case errors.As(err, &abuse):
		d := time.Minute
		if abuse.RetryAfter != nil {
			d = *abuse.RetryAfter
		}
		return &RateLimitError{Reset: now.Add(d), Secondary: true, Err: err}
	}
	return err
}

// RetryConfig bounds the retry transport.
type RetryConfig struct {
	MaxAttempts int           // total tries per request (default 4)
	BaseDelay   time.Duration // first backoff (default 500ms), doubled, full jitter
	MaxDelay    time.Duration // cap of one backoff (default 10s)
	// MaxWait is the longest Retry-After (secondary limit) slept through in
	// place; longer waits return a *RateLimitError (default 60s).
	MaxWait time.Duration
}

// retryTransport retries what is safe to retry and turns rate limits into
// waits or *RateLimitError.
type retryTransport struct {
	cfg  RetryConfig
	next http.RoundTripper
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	safe := idempotent(req.Method)
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				if req.GetBody == nil {
					return nil, errors.New("app: cannot retry request without GetBody")
				}
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		last := attempt >= t.cfg.MaxAttempts
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			var rl *RateLimitError
			if ctx.Err() != nil || errors.As(err, &rl) || !safe || last || !retryableError(err) {
				return nil, err
			}
			if err := sleep(ctx, t.backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		switch code := resp.StatusCode; {
		case code == http.StatusForbidden || code == http.StatusTooManyRequests:
			now := time.Now()
			until, limited, primary := rateLimited(resp, now)
			if !limited {
				return resp, nil
			}
			drain(resp)
			wait := until.Sub(now)
			if primary || last || wait > t.cfg.MaxWait {
				return nil, &RateLimitError{Reset: until, Secondary: !primary, Method: req.Method, URL: req.URL.String(), StatusCode: code}
			}
			// A secondary limit rejected the request before acting on
			// it: safe to resend whatever the method.
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
		case code >= 500 && safe && !last:
			wait := t.backoff(attempt)
			if ra, ok := retryAfter(resp.Header, time.Now()); ok && ra <= t.cfg.MaxWait {
				wait = max(wait, ra)
			}
			drain(resp)
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
		default:
			return resp, nil
		}
	}
}

func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.cfg.BaseDelay << min(attempt-1, 20)
	d = min(d, t.cfg.MaxDelay)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func retryableError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// rateLimited classifies a 403/429: not a rate limit (permissions…), a
// secondary limit (wait = Retry-After, or a minute) or primary exhaustion
// (wait until x-ratelimit-reset).
func rateLimited(resp *http.Response, now time.Time) (until time.Time, limited, primary bool) {
	h := resp.Header
	if ra, ok := retryAfter(h, now); ok {
		return now.Add(ra), true, false
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return later(time.Unix(reset, 0), now.Add(time.Second)), true, true
		}
		return now.Add(time.Minute), true, true
	}
	// A secondary limit without Retry-After: GitHub says wait at least a
	// minute. Recognised by its message; bodies of 403s are small.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")) {
		return now.Add(time.Minute), true, false
	}
	return time.Time{}, false, false
}

// retryAfter parses Retry-After (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
