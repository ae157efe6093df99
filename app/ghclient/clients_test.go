package ghclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v62/github"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// fakeGitHub is a small GitHub over loopback: it mints installation tokens
// (checking the App's JWT), serves one content path per installation with
// ETags, and can be scripted to fail.
type fakeGitHub struct {
	t      *testing.T
	prefix string // "/api/v3" for GHES
	appID  int64

	mu          sync.Mutex
	tokenTTL    time.Duration
	tokens      map[int64]int    // tokens minted per installation
	tokenOwner  map[string]int64 // token → installation
	requests    []recorded       // API requests (not token mints)
	script      []func(http.ResponseWriter, *http.Request) bool
	sameETag    bool // every installation's content has ETag "same"
	writes      []time.Time
	conditional map[string]int // If-None-Match hits → 304 count per token
}

type recorded struct {
	Method, Path, Auth, IfNoneMatch string
}

func newFakeGitHub(t *testing.T, prefix string) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{t: t, prefix: prefix, appID: 42, tokenTTL: time.Hour,
		tokens: map[int64]int{}, tokenOwner: map[string]int64{}, conditional: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if !ok {
		http.Error(w, "wrong prefix "+r.URL.Path, 404)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var inst int64
	if n, err := fmt.Sscanf(path, "/app/installations/%d/access_tokens", &inst); n == 1 && err == nil && r.Method == "POST" {
		if !f.validJWT(w, r) {
			return
		}
		f.tokens[inst]++
		tok := fmt.Sprintf("ghs_%d_%d", inst, f.tokens[inst])
		f.tokenOwner[tok] = inst
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(map[string]any{"token": tok, "expires_at": time.Now().Add(f.tokenTTL).UTC().Format(time.RFC3339)})
		return
	}
	if path == "/app" {
		if !f.validJWT(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%d,"slug":"postmortem"}`, f.appID)
		return
	}
	f.requests = append(f.requests, recorded{r.Method, path, r.Header.Get("Authorization"), r.Header.Get("If-None-Match")})
	if r.Method != "GET" {
		f.writes = append(f.writes, time.Now())
	}
	if len(f.script) > 0 {
		step := f.script[0]
		f.script = f.script[1:]
		if step(w, r) {
			return
		}
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "token ")
	owner, ok := f.tokenOwner[tok]
	if !ok {
		http.Error(w, `{"message":"Bad credentials"}`, 401)
		return
	}
	etag := fmt.Sprintf(`W/"inst-%d"`, owner)
	if f.sameETag {
		etag = `W/"same"`
	}
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	h.Set("X-RateLimit-Remaining", "4999")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	if r.Header.Get("If-None-Match") == etag {
		f.conditional[tok]++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"installation":%d,"secret":"only for installation %d"}`, owner, owner)
}

func (f *fakeGitHub) validJWT(w http.ResponseWriter, r *http.Request) bool {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		claims := &jwt.RegisteredClaims{}
		_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &testKey().PublicKey, nil })
		if err == nil && claims.Issuer == strconv.FormatInt(f.appID, 10) {
			return true
		}
	}
	http.Error(w, `{"message":"A JSON web token could not be decoded"}`, 401)
	return false
}

func (f *fakeGitHub) reqs() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fakeGitHub) minted(inst int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens[inst]
}

func testClients(t *testing.T, apiURL string, mut ...func(*Config)) *Clients {
	cfg := Config{AppID: 42, PrivateKey: testKey(), APIURL: apiURL,
		Retry: RetryConfig{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 5 * time.Second},
		Pacer: PacerConfig{Interval: time.Millisecond}}
	for _, m := range mut {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get fetches the content path through the installation's client.
func get(t *testing.T, c *Clients, inst int64) (string, *github.Response, error) {
	t.Helper()
	gh, err := c.Installation(inst)
	if err != nil {
		t.Fatal(err)
	}
	req, err := gh.NewRequest("GET", "repos/o/r/contents/postmortems/x.md", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	resp, err := gh.Do(context.Background(), req, &buf)
	return buf.String(), resp, err
}

func TestClientAndTokenReused(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	c := testClients(t, srv.URL+"/")
	a, _ := c.Installation(1)
	b, _ := c.Installation(1)
	if a != b {
		t.Fatal("a second client was built for the same installation")
	}
	for range 5 {
		if _, _, err := get(t, c, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.minted(1); n != 1 {
		t.Fatalf("minted %d tokens for 5 requests, want 1", n)
	}
	for _, r := range f.reqs() {
		if r.Auth != "token ghs_1_1" {
			t.Fatalf("request authorised with %q", r.Auth)
		}
	}
}

func TestTokenRefreshedNearExpiry(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	f.tokenTTL = 30 * time.Second // inside ghinstallation's one-minute margin
	c := testClients(t, srv.URL+"/")
	for range 3 {
		if _, _, err := get(t, c, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.minted(1); n != 3 {
		t.Fatalf("minted %d tokens for 3 requests with near-expiry tokens, want 3", n)
	}
	if tok, err := c.Token(context.Background(), 1); err != nil || tok != "ghs_1_4" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
}

// GitHub says max-age=60, yet the second read revalidates (the webhook that
// woke the job announced a change); the 304 is answered from the cache with
// the full body, and the conditional request carried the installation's
// own token.
func TestConditionalRequestServedFromCache(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	m := &recordObserver{remaining: map[int64]int{}}
	c := testClients(t, srv.URL+"/", func(cfg *Config) { cfg.Observer = m })
	first, _, err := get(t, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	second, resp, err := get(t, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if second != first || !strings.Contains(second, "only for installation 1") {
		t.Fatalf("cached body %q, first %q", second, first)
	}
	if resp.Header.Get("X-From-Cache") != "1" {
		t.Fatal("second response not marked as from cache")
	}
	reqs := f.reqs()
	if len(reqs) != 2 {
		t.Fatalf("%d requests reached GitHub, want 2 (the second a revalidation)", len(reqs))
	}
	if reqs[1].IfNoneMatch != `W/"inst-1"` || reqs[1].Auth != "token ghs_1_1" {
		t.Fatalf("revalidation %+v", reqs[1])
	}
	if f.conditional["ghs_1_1"] != 1 {
		t.Fatal("no 304 was served")
	}
	if resp.Rate.Remaining != 4999 {
		t.Fatalf("rate from 304 = %+v", resp.Rate)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.requests["GET /repos/{owner}/{repo}/contents/{path} 304"]; n != 1 {
		t.Errorf("observed requests %v, want one 304 of the contents route", m.requests)
	}
	if r := m.remaining[1]; r != 4999 {
		t.Errorf("observed rate limit remaining %d, want 4999", r)
	}
}

// recordObserver records what the clients report.
type recordObserver struct {
	mu        sync.Mutex
	requests  map[string]int // "METHOD route status"
	remaining map[int64]int
}

func (o *recordObserver) GitHubRequest(method, route, status string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.requests == nil {
		o.requests = map[string]int{}
	}
	o.requests[method+" "+route+" "+status]++
}

func (o *recordObserver) RateLimitRemaining(installation int64, remaining int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.remaining[installation] = remaining
}

// The server is adversarial: one ETag for everyone, 304 to anyone who
// presents it. Installation B must still get its own body: its cache is
// its own, so it never presents A's ETag.
func TestCacheIsolatedBetweenInstallations(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	f.sameETag = true
	c := testClients(t, srv.URL+"/")
	if body, _, err := get(t, c, 1); err != nil || !strings.Contains(body, "installation 1") {
		t.Fatalf("A: %q %v", body, err)
	}
	body, _, err := get(t, c, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "only for installation 2") {
		t.Fatalf("installation 2 got %q", body)
	}
	reqs := f.reqs()
	if reqs[1].IfNoneMatch != "" || reqs[1].Auth != "token ghs_2_1" {
		t.Fatalf("B's first request %+v: it used someone else's cache", reqs[1])
	}
}

func TestSecondaryRateLimitHonoursRetryAfter(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	f.script = append(f.script, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"message":"You have exceeded a secondary rate limit."}`, http.StatusForbidden)
		return true
	})
	c := testClients(t, srv.URL+"/")
	gh, _ := c.Installation(1)
	start := time.Now()
	// A write: safe to resend after a secondary limit (it was not acted on).
	req, _ := gh.NewRequest("POST", "repos/o/r/issues", map[string]string{"title": "x"})
	_, err := gh.Do(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("resent after %s, before Retry-After: 1", waited)
	}
	if n := len(f.reqs()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}

	// A Retry-After longer than MaxWait is not slept through: typed error.
	f.script = append(f.script, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "120")
		http.Error(w, `{"message":"secondary"}`, http.StatusTooManyRequests)
		return true
	})
	start = time.Now()
	_, _, err = get(t, c, 1)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Secondary {
		t.Fatalf("err = %v, want secondary *RateLimitError", err)
	}
	if d := rl.Reset.Sub(start); d < 119*time.Second || d > 125*time.Second {
		t.Fatalf("reset in %s, want ~120s", d)
	}
}

func TestPrimaryRateLimitTypedError(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	reset := time.Now().Add(37 * time.Minute).Truncate(time.Second)
	f.script = append(f.script, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		http.Error(w, `{"message":"API rate limit exceeded for installation ID 1."}`, http.StatusForbidden)
		return true
	})
	c := testClients(t, srv.URL+"/")
	_, _, err := get(t, c, 1)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Secondary || !rl.Reset.Equal(reset) || rl.StatusCode != 403 {
		t.Fatalf("err = %v (%+v), want primary *RateLimitError resetting at %s", err, rl, reset)
	}
	if n := len(f.reqs()); n != 1 {
		t.Fatalf("%d requests: the transport must not wait out an hourly limit", n)
	}
	if d := time.Until(rl.RetryAt()); d < 36*time.Minute {
		t.Fatalf("RetryAt in %s", d)
	}
}

func TestRetryServerErrors(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	fail := func(w http.ResponseWriter, r *http.Request) bool { http.Error(w, "bad gateway", 502); return true }
	f.script = append(f.script, fail, fail)
	c := testClients(t, srv.URL+"/")
	if body, _, err := get(t, c, 1); err != nil || !strings.Contains(body, "installation 1") {
		t.Fatalf("GET after two 502s: %q %v", body, err)
	}
	if n := len(f.reqs()); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	// A POST is not idempotent: a 502 is returned, not retried.
	f.script = append(f.script, fail)
	gh, _ := c.Installation(1)
	req, _ := gh.NewRequest("POST", "repos/o/r/issues", map[string]string{"title": "x"})
	if _, err := gh.Do(context.Background(), req, nil); err == nil {
		t.Fatal("POST 502 succeeded")
	}
	if n := len(f.reqs()); n != 4 {
		t.Fatalf("%d requests, want 4 (POST not retried)", n)
	}
	// Bounded: a GET failing every time gives up after MaxAttempts.
	f.script = append(f.script, fail, fail, fail, fail, fail)
	if _, _, err := get(t, c, 1); err == nil {
		t.Fatal("GET succeeded through five 502s")
	}
	if n := len(f.reqs()); n != 8 {
		t.Fatalf("%d requests, want 8 (4 attempts)", n)
	}
}

func TestRetryConnectionErrorsOnIdempotentOnly(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	hang := func(w http.ResponseWriter, r *http.Request) bool {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // connection dropped without a response
		return true
	}
	f.script = append(f.script, hang)
	c := testClients(t, srv.URL+"/")
	if _, _, err := get(t, c, 1); err != nil {
		t.Fatalf("GET after a dropped connection: %v", err)
	}
	if n := len(f.reqs()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestWritesPaced(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	// Burst 1: a strict interval (the default burst is TestPacerBurst's).
	c := testClients(t, srv.URL+"/", func(cfg *Config) { cfg.Pacer.Interval, cfg.Pacer.Burst = 60*time.Millisecond, 1 })
	gh, _ := c.Installation(1)
	start := time.Now()
	for range 3 {
		req, _ := gh.NewRequest("PATCH", "repos/o/r/issues/1", map[string]string{"title": "x"})
		if _, err := gh.Do(context.Background(), req, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Reads are not paced.
	for range 3 {
		get(t, c, 1)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.writes) != 3 {
		t.Fatalf("%d writes", len(f.writes))
	}
	// Write i is sent no earlier than i intervals after the first was asked
	// for, so it arrives no earlier than that: a lower bound a loaded
	// machine cannot break (gaps between arrivals can shrink when the
	// first write is slow in transit).
	for i := 1; i < 3; i++ {
		if since := f.writes[i].Sub(start); since < time.Duration(i)*60*time.Millisecond {
			t.Fatalf("write %d arrived %s after the first was asked for, want ≥ %d × 60ms", i, since, i)
		}
	}
}

func TestPacerBudgets(t *testing.T) {
	p := newPacer(PacerConfig{Interval: time.Second, PerMinute: 3, PerHour: 5, MaxWait: 2 * time.Hour})
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var got []time.Duration
	for range 6 {
		at, err := p.reserve(t0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, at.Sub(t0))
	}
	want := []time.Duration{0, time.Second, 2 * time.Second, time.Minute, time.Minute + time.Second, time.Hour}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reservations %v, want %v", got, want)
		}
	}
	q := newPacer(PacerConfig{Interval: time.Second, PerMinute: 1, PerHour: 10, MaxWait: 30 * time.Second})
	q.reserve(t0)
	if _, err := q.reserve(t0); err == nil {
		t.Fatal("a write a minute away was reserved with MaxWait 30s")
	} else if rl := (*RateLimitError)(nil); !errors.As(err, &rl) || !rl.Reset.Equal(t0.Add(time.Minute)) {
		t.Fatalf("err = %v", err)
	}
	if at, err := q.reserve(t0.Add(time.Minute)); err != nil || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the minute: %s %v", at, err)
	}
}

func TestEnterpriseServerURL(t *testing.T) {
	f, srv := newFakeGitHub(t, "/api/v3")
	c := testClients(t, srv.URL+"/api/v3/")
	if body, _, err := get(t, c, 3); err != nil || !strings.Contains(body, "installation 3") {
		t.Fatalf("GHES GET: %q %v", body, err)
	}
	if f.minted(3) != 1 {
		t.Fatal("token not minted under /api/v3")
	}
	gh, _ := c.Installation(3)
	if gh.UploadURL.Path != "/api/uploads/" {
		t.Fatalf("upload URL %s", gh.UploadURL)
	}
	app, _, err := c.App().Apps.Get(context.Background(), "")
	if err != nil || app.GetSlug() != "postmortem" {
		t.Fatalf("GET /app: %+v %v", app, err)
	}
}

func TestClientsBounded(t *testing.T) {
	_, srv := newFakeGitHub(t, "")
	c := testClients(t, srv.URL+"/", func(cfg *Config) { cfg.MaxInstallations = 2 })
	a, _ := c.Installation(1)
	c.Installation(2)
	c.Installation(1) // 1 is now the most recent
	c.Installation(3) // evicts 2
	if c.Len() != 2 {
		t.Fatalf("Len = %d", c.Len())
	}
	if again, _ := c.Installation(1); again != a {
		t.Fatal("most recently used installation was evicted")
	}
	c.Forget(1)
	if again, _ := c.Installation(1); again == a {
		t.Fatal("Forget kept the client")
	}
	if _, err := c.Installation(0); err == nil {
		t.Fatal("installation 0 accepted")
	}
}

func TestLRUCacheBudget(t *testing.T) {
	c := newLRUCache(100)
	c.Set("a", make([]byte, 40))
	c.Set("b", make([]byte, 40))
	c.Get("a") // a most recent
	c.Set("c", make([]byte, 40))
	if _, ok := c.Get("b"); ok {
		t.Fatal("least recently used entry kept over budget")
	}
	if _, ok := c.Get("a"); !ok {
		t.Fatal("recently used entry evicted")
	}
	if c.Bytes() > 100 {
		t.Fatalf("%d bytes over a 100-byte budget", c.Bytes())
	}
	c.Set("huge", make([]byte, 200))
	if _, ok := c.Get("huge"); ok {
		t.Fatal("entry larger than the budget stored")
	}
	c.Delete("a")
	c.Delete("c")
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("after deletes: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

func TestRouteTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"/repos/acme/svc/pulls/12/files":                         "/repos/{owner}/{repo}/pulls/{n}/files",
		"/repos/acme/svc/contents/docs/pm/2026-1.md":             "/repos/{owner}/{repo}/contents/{path}",
		"/repos/acme/svc/git/ref/heads/pm/incident-4":            "/repos/{owner}/{repo}/git/ref/{path}",
		"/repos/acme/svc/commits/abc123/check-runs":              "/repos/{owner}/{repo}/commits/{ref}/check-runs",
		"/app/installations/77/access_tokens":                    "/app/installations/{n}/access_tokens",
		"/repos/acme/svc/issues/3/labels/sev%201":                "/repos/{owner}/{repo}/issues/{n}/labels/{ref}",
		"/repos/acme/svc/issues/3/labels/team/a":                 "/repos/{owner}/{repo}/issues/{n}/labels/{ref}",
		"/repos/acme/svc/git/matching-refs/heads/postmortem/12-": "/repos/{owner}/{repo}/git/matching-refs/{path}",
		"/repos/acme/svc/branches/postmortem/12-checkout":        "/repos/{owner}/{repo}/branches/{ref}",
		"/repos/acme/svc/git/refs":                               "/repos/{owner}/{repo}/git/refs",
		"/repos/acme/svc/git/refs/heads/pm/12":                   "/repos/{owner}/{repo}/git/refs/{path}",
		"/repos/acme/svc/collaborators/alice/permission":         "/repos/{owner}/{repo}/collaborators/{user}/permission",
		"/repos/acme/svc/git/commits/0123abc":                    "/repos/{owner}/{repo}/git/commits/{ref}",
		"/repos/acme/svc/issues/3/Weird.Segment":                 "/repos/{owner}/{repo}/issues/{n}/{x}",
		"/":                                                      "/",
		"":                                                       "/",
	} {
		if got := routeTemplate(in); got != want {
			t.Errorf("routeTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

// go-github's own rate-limit errors say when to retry as ours do.
func TestAsRateLimit(t *testing.T) {
	now := time.Now()
	plain := errors.New("boom")
	if got := AsRateLimit(plain, now); got != plain {
		t.Fatalf("a plain error became %v", got)
	}
	ours := &RateLimitError{Reset: now.Add(time.Hour)}
	if got := AsRateLimit(ours, now); got != ours {
		t.Fatalf("ours became %v", got)
	}
	reset := now.Add(10 * time.Minute)
	gh := fmt.Errorf("get issue: %w", &github.RateLimitError{Rate: github.Rate{Reset: github.Timestamp{Time: reset}}, Message: "API rate limit exceeded"})
	var rl *RateLimitError
	if !errors.As(AsRateLimit(gh, now), &rl) || !rl.RetryAt().Equal(reset) || rl.Secondary || !errors.Is(rl, gh) {
		t.Fatalf("go-github primary limit: %+v", rl)
	}
	wait := 90 * time.Second
	abuse := &github.AbuseRateLimitError{RetryAfter: &wait, Message: "secondary"}
	if !errors.As(AsRateLimit(abuse, now), &rl) || !rl.RetryAt().Equal(now.Add(wait)) || !rl.Secondary {
		t.Fatalf("go-github secondary limit: %+v", rl)
	}
	if !errors.As(AsRateLimit(&github.AbuseRateLimitError{}, now), &rl) || !rl.RetryAt().Equal(now.Add(time.Minute)) {
		t.Fatalf("secondary limit without Retry-After: %+v", rl)
	}
}

// The installations' caches together stay within CacheTotalBytes (issue
// 13: 1 024 installations × 4 MiB each could hold 4 GiB): with room for
// two responses, a third installation's response evicts the least recently
// used one, whoever's it was, and that installation's next read is a full
// GET, not a revalidation. A client dropped (MaxInstallations, Forget)
// gives its cache's bytes back.
func TestCacheTotalBudget(t *testing.T) {
	f, srv := newFakeGitHub(t, "")
	probe := testClients(t, srv.URL+"/")
	if _, _, err := get(t, probe, 9); err != nil {
		t.Fatal(err)
	}
	one := probe.CacheBytes() // one installation's cached response
	if one == 0 {
		t.Fatal("nothing cached")
	}
	total := 2*one + one/2
	c := testClients(t, srv.URL+"/", func(cfg *Config) { cfg.CacheTotalBytes = total; cfg.MaxInstallations = 3 })
	for _, id := range []int64{1, 2, 1, 3} { // 1 used again: 2 is the least recent when 3 comes
		if _, _, err := get(t, c, id); err != nil {
			t.Fatal(err)
		}
		if b := c.CacheBytes(); b > total {
			t.Fatalf("after installation %d: %d bytes cached over a %d-byte budget", id, b, total)
		}
	}
	if b := c.CacheBytes(); b < 2*one-one/10 {
		t.Fatalf("%d bytes cached, want two responses (%d each)", b, one)
	}
	mark := len(f.reqs())
	for _, id := range []int64{2, 1} {
		if _, _, err := get(t, c, id); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.reqs()[mark:]
	if len(reqs) != 2 || reqs[0].IfNoneMatch != "" {
		t.Fatalf("installation 2's response was evicted, yet its read was %+v", reqs)
	}
	if c.CacheBytes() > total {
		t.Fatalf("%d bytes over %d", c.CacheBytes(), total)
	}

	c.Forget(1)
	c.Forget(2)
	c.Forget(3)
	if b := c.CacheBytes(); b != 0 {
		t.Fatalf("%d bytes still counted after every client was forgotten", b)
	}
}
