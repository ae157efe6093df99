package app

import (
	"bytes"
	"container/list"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// RateLimitError says GitHub will not take more requests from this
// installation until Reset: the primary rate limit is spent, or a secondary
// limit (or our own write budget) asks for a longer wait than is worth
// sleeping through. A job that gets it snoozes until Reset (see SnoozeFor).
type RateLimitError struct {
	Reset      time.Time
	Secondary  bool // a secondary (abuse) limit or the write pacer, not the hourly quota
	Method     string
	URL        string
	StatusCode int // 0 when the pacer refused before sending
}

func (e *RateLimitError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	return fmt.Sprintf("github %s rate limit on %s %s: retry after %s", kind, e.Method, e.URL, e.Reset.UTC().Format(time.RFC3339))
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

// ClientsConfig configures NewClients.
type ClientsConfig struct {
	AppID      int64
	PrivateKey *rsa.PrivateKey
	// APIURL is the REST API base: https://api.github.com/ (default), a
	// GitHub Enterprise Server https://HOST/api/v3/, or a simulator's URL.
	APIURL string
	// Base is the shared connection pool (default: a clone of
	// http.DefaultTransport with header timeouts).
	Base http.RoundTripper
	// CacheBytes is each installation's response cache budget (default 4 MiB).
	CacheBytes int64
	// MaxInstallations bounds the clients kept (least recently used first
	// out; default 1024).
	MaxInstallations int
	Retry            RetryConfig
	Pacer            PacerConfig
	Metrics          *Metrics
}

// Clients hands out one reused *github.Client per installation. Each has its
// own transport chain, outermost first:
//
//	ghinstallation (installation token, refreshed a minute before expiry)
//	→ httpcache with a per-installation byte-bounded LRU (conditional
//	  requests; a 304 does not count against the rate limit)
//	→ cache policy (always revalidate; Vary: Authorization dropped, the cache
//	  being per installation already, so token rotation keeps the cache)
//	→ retry (5xx/timeouts/connection errors on idempotent requests; secondary
//	  limits honour Retry-After; primary exhaustion → *RateLimitError)
//	→ write pacer (per installation) → metrics → shared http.Transport.
//
// The cache sits inside the auth transport: requests reaching it carry the
// installation's token, and nothing is shared between installations.
type Clients struct {
	cfg     ClientsConfig
	apiURL  *url.URL
	appHTTP http.RoundTripper

	mu    sync.Mutex
	order *list.List // of *installationClient, front = most recent
	byID  map[int64]*list.Element
	app   *github.Client
}

type installationClient struct {
	id     int64
	client *github.Client
	auth   *ghinstallation.Transport
	cache  *lruCache
}

// ParsePrivateKey parses a GitHub App private key (PEM, PKCS#1 or PKCS#8).
func ParsePrivateKey(pem []byte) (*rsa.PrivateKey, error) {
	k, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("parse GitHub App private key: %w", err)
	}
	return k, nil
}

// NewClients validates cfg and returns an empty client cache.
func NewClients(cfg ClientsConfig) (*Clients, error) {
	if cfg.AppID <= 0 {
		return nil, errors.New("app: GitHub App ID missing")
	}
	if cfg.PrivateKey == nil {
		return nil, errors.New("app: GitHub App private key missing")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("app: GitHub API URL %q: want https://HOST/…", cfg.APIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if cfg.Base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 30 * time.Second
		t.MaxIdleConnsPerHost = 16
		cfg.Base = t
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 4 << 20
	}
	if cfg.MaxInstallations <= 0 {
		cfg.MaxInstallations = 1024
	}
	r := &cfg.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 4
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 500 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 10 * time.Second
	}
	if r.MaxWait <= 0 {
		r.MaxWait = time.Minute
	}
	p := &cfg.Pacer
	if p.Interval <= 0 {
		p.Interval = time.Second
	}
	if p.Burst <= 0 {
		p.Burst = DefaultPacerBurst
	}
	if p.PerMinute <= 0 {
		p.PerMinute = 80
	}
	if p.PerHour <= 0 {
		p.PerHour = 500
	}
	if p.MaxWait <= 0 {
		p.MaxWait = time.Minute
	}
	c := &Clients{cfg: cfg, apiURL: u, order: list.New(), byID: map[int64]*list.Element{}}
	c.appHTTP = &retryTransport{cfg: cfg.Retry, next: &metricsTransport{installation: 0, metrics: cfg.Metrics, apiPath: u.Path, next: cfg.Base}}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(c.appHTTP, cfg.AppID, cfg.PrivateKey)
	atr.BaseURL = c.tokenBaseURL()
	c.app = c.newGitHubClient(atr)
	return c, nil
}

// tokenBaseURL is the API base without its trailing slash, as ghinstallation
// wants it.
func (c *Clients) tokenBaseURL() string { return strings.TrimRight(c.apiURL.String(), "/") }

func (c *Clients) newGitHubClient(rt http.RoundTripper) *github.Client {
	gh := github.NewClient(&http.Client{Transport: rt})
	base := *c.apiURL
	gh.BaseURL = &base
	up := *c.apiURL
	switch {
	case strings.HasSuffix(up.Path, "/api/v3/"): // GitHub Enterprise Server
		up.Path = strings.TrimSuffix(up.Path, "v3/") + "uploads/"
	case up.Host == "api.github.com":
		up.Host = "uploads.github.com"
	}
	gh.UploadURL = &up
	return gh
}

// App is the app-level client (JWT-authenticated; /app endpoints only).
func (c *Clients) App() *github.Client { return c.app }

// Installation returns the installation's client, creating it on first use.
// The same *github.Client (same token, same cache) is returned until the
// installation is evicted or forgotten.
func (c *Clients) Installation(id int64) (*github.Client, error) {
	ic, err := c.installation(id)
	if err != nil {
		return nil, err
	}
	return ic.client, nil
}

// Token returns a valid installation token (for git over HTTPS).
func (c *Clients) Token(ctx context.Context, id int64) (string, error) {
	ic, err := c.installation(id)
	if err != nil {
		return "", err
	}
	return ic.auth.Token(ctx)
}

// Forget drops an installation's client, token and cache (uninstall).
func (c *Clients) Forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.order.Remove(e)
		delete(c.byID, id)
	}
}

// Len is the number of installation clients held.
func (c *Clients) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID)
}

func (c *Clients) installation(id int64) (*installationClient, error) {
	if id <= 0 {
		return nil, fmt.Errorf("app: invalid installation ID %d", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*installationClient), nil
	}
	ic := &installationClient{id: id, cache: newLRUCache(c.cfg.CacheBytes)}
	inner := &metricsTransport{installation: id, metrics: c.cfg.Metrics, apiPath: c.apiURL.Path, next: c.cfg.Base}
	paced := &pacerTransport{p: newPacer(c.cfg.Pacer), next: inner}
	retried := &retryTransport{cfg: c.cfg.Retry, next: paced}
	cached := &httpcache.Transport{Transport: &cachePolicyTransport{next: retried}, Cache: ic.cache, MarkCachedResponses: true}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(&cacheFillTransport{next: cached}, c.cfg.AppID, c.cfg.PrivateKey)
	atr.BaseURL = c.tokenBaseURL()
	ic.auth = ghinstallation.NewFromAppsTransport(atr, id)
	ic.auth.BaseURL = c.tokenBaseURL()
	ic.auth.InstallationTokenOptions = &github.InstallationTokenOptions{}
	ic.client = c.newGitHubClient(ic.auth)
	c.byID[id] = c.order.PushFront(ic)
	for len(c.byID) > c.cfg.MaxInstallations {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byID, old.Value.(*installationClient).id)
	}
	return ic, nil
}

// cachePolicyTransport adjusts GitHub's caching headers before httpcache
// stores a response: GitHub says `max-age=60`, but a reconciler woken by a
// webhook must see the change the webhook announced, so every cached
// response is revalidated (If-None-Match → 304, free of rate limit). Vary:
// Authorization is dropped because the cache is per installation: only token
// rotation changes that header, and it must not empty the cache hourly.
type cachePolicyTransport struct{ next http.RoundTripper }

func (t *cachePolicyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
		return resp, err
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified {
		resp.Header.Set("Cache-Control", "private, no-cache")
		resp.Header.Del("Expires")
		if vary := resp.Header.Values("Vary"); len(vary) > 0 {
			var keep []string
			for _, v := range vary {
				for _, f := range strings.Split(v, ",") {
					if f = strings.TrimSpace(f); f != "" && !strings.EqualFold(f, "Authorization") {
						keep = append(keep, f)
					}
				}
			}
			resp.Header.Del("Vary")
			if len(keep) > 0 {
				resp.Header.Set("Vary", strings.Join(keep, ", "))
			}
		}
	}
	return resp, nil
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

// metricsTransport counts requests by route template and status and records
// the installation's remaining rate limit.
type metricsTransport struct {
	installation int64
	metrics      *Metrics
	apiPath      string
	next         http.RoundTripper
}

func (t *metricsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if t.metrics == nil {
		return resp, err
	}
	route := routeTemplate(strings.TrimPrefix(req.URL.Path, strings.TrimSuffix(t.apiPath, "/")))
	if err != nil {
		t.metrics.githubCall(req.Method, route, "error")
		return resp, err
	}
	t.metrics.githubCall(req.Method, route, strconv.Itoa(resp.StatusCode))
	if rem, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining")); err == nil && !isTokenRequest(req.URL.Path) {
		t.metrics.rateLimitRemaining(t.installation, rem)
	}
	return resp, nil
}

// routeTemplate maps a REST path to a low-cardinality label:
// /repos/o/r/pulls/12/files → /repos/{owner}/{repo}/pulls/{n}/files.
func routeTemplate(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return "/"
	}
	out := make([]string, 0, len(segs))
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case i == 1 && (prev == "repos" || prev == "users" || prev == "orgs"):
			out = append(out, map[string]string{"repos": "{owner}", "users": "{user}", "orgs": "{org}"}[prev])
		case i == 2 && segs[0] == "repos":
			out = append(out, "{repo}")
		case prev == "contents" || prev == "refs" || prev == "ref" || prev == "compare":
			out = append(out, "{path}")
			i = len(segs)
		case prev == "commits" || prev == "labels" || prev == "branches" || prev == "trees" || prev == "blobs":
			out = append(out, "{ref}")
		case isDigits(s):
			out = append(out, "{n}")
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
