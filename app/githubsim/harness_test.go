package githubsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
)

const (
	testAppID   = 4242
	testInstID  = 77
	testSecret  = "hook-secret"
	testRepo    = "acme/services"
	otherRepo   = "acme/private-notes"
	foreignRepo = "bob/sandbox"
)

func testKey(t testing.TB) []byte {
	t.Helper()
	k, err := os.ReadFile("testdata/app-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSeed(t testing.TB) *Seed {
	f := false
	return &Seed{
		Tokens: map[string]SeedToken{"alice-token": {Login: "alice"}, "bob-token": {Login: "bob"}, "carol-token": {Login: "carol"}},
		GitHub: SeedGitHub{
			Users: []SeedUser{{Login: "alice", Name: "Alice", Email: "alice@example.com"}, {Login: "bob", Name: "Bob"}, {Login: "carol"}},
			Orgs:  []SeedOrg{{Login: "acme", Members: []SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}}}},
			Repos: []SeedRepo{
				{Owner: "acme", Name: "services", Description: "Our services"},
				{Owner: "acme", Name: "private-notes", Private: true},
				{Owner: "acme", Name: "empty", AutoInit: &f},
				{Owner: "bob", Name: "sandbox"},
			},
			Apps: []SeedApp{{
				AppID: testAppID, Slug: "postmortem", Name: "Postmortem",
				Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
				Events:        []string{"issues", "issue_comment", "pull_request", "pull_request_review", "push", "check_suite", "check_run", "installation", "installation_repositories"},
				WebhookSecret: testSecret, PrivateKey: string(testKey(t)),
				Installations: []SeedInstallation{{InstallationID: testInstID, Account: "acme", RepositorySelection: "selected", Repositories: []string{"services", "empty"}}},
			}},
		},
	}
}

// hookSink is the App side of webhooks: validates and parses like an App would.
type hookSink struct {
	t      testing.TB
	mu     sync.Mutex
	events []received
	srv    *httptest.Server
	status int
}

type received struct {
	event, action, guid string
	body                []byte
	parsed              any
	header              http.Header
}

func newHookSink(t testing.TB) *hookSink {
	h := &hookSink{t: t, status: 200}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, err := github.ValidatePayload(r, []byte(testSecret))
		if err != nil {
			t.Errorf("webhook signature rejected: %v", err)
			w.WriteHeader(400)
			return
		}
		ev := github.WebHookType(r)
		parsed, err := github.ParseWebHook(ev, payload)
		if err != nil {
			t.Errorf("ParseWebHook(%s): %v", ev, err)
		}
		if err := conformance.ValidateWebhook(ev, payload); err != nil {
			t.Errorf("webhook %s violates schema: %v", ev, err)
		}
		var a struct {
			Action string `json:"action"`
		}
		json.Unmarshal(payload, &a)
		h.mu.Lock()
		h.events = append(h.events, received{ev, a.Action, github.DeliveryID(r), payload, parsed, r.Header.Clone()})
		st := h.status
		h.mu.Unlock()
		w.WriteHeader(st)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) all() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.events...)
}

func (h *hookSink) names() []string {
	var out []string
	for _, e := range h.all() {
		n := e.event
		if e.action != "" {
			n += "." + e.action
		}
		out = append(out, n)
	}
	return out
}

func (h *hookSink) reset() {
	h.mu.Lock()
	h.events = nil
	h.mu.Unlock()
}

type env struct {
	srv   *Server
	hooks *hookSink
	app   *github.Client // app JWT
	inst  *github.Client // installation token
	conf  []*conformance.Transport
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := New(Options{Seed: testSeed(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{srv: srv, hooks: newHookSink(t)}
	srv.SetWebhook(testAppID, e.hooks.srv.URL, testSecret)
	t.Cleanup(srv.Flush) // before the sink closes (cleanups run last-in first-out)

	ct := newConf(t)
	atr, err := ghinstallation.NewAppsTransport(ct, testAppID, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = srv.URL()
	e.app = client(t, srv, atr)
	ct2 := newConf(t)
	atr2, _ := ghinstallation.NewAppsTransport(ct2, testAppID, testKey(t))
	itr := ghinstallation.NewFromAppsTransport(atr2, testInstID)
	itr.BaseURL = srv.URL()
	itr.InstallationTokenOptions = &github.InstallationTokenOptions{}
	e.inst = client(t, srv, itr)
	e.conf = append(e.conf, ct, ct2)
	return e
}

func client(t testing.TB, srv *Server, tr http.RoundTripper) *github.Client {
	c, err := github.NewClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}).WithEnterpriseURLs(srv.URL()+"/", srv.URL()+"/")
	if err != nil {
		t.Fatal(err)
	}
	// WithEnterpriseURLs adds /api/v3/: keep it (served too) for the app clients
	return c
}

// user returns a go-github client acting as a seeded user, through the conformance transport.
func (e *env) user(t *testing.T, login string) *github.Client {
	ct := newConf(t)
	e.conf = append(e.conf, ct)
	hc := &http.Client{Transport: &tokenTransport{token: e.srv.UserToken(login), base: ct}}
	c := github.NewClient(hc)
	c.BaseURL, _ = c.BaseURL.Parse(e.srv.URL() + "/")
	return c
}

var bg = context.Background()

func must[T any](t testing.TB) func(v T, resp *github.Response, err error) T {
	return func(v T, resp *github.Response, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func wantStatus(t testing.TB, resp *github.Response, err error, status int) {
	t.Helper()
	if err == nil && status >= 400 {
		t.Fatalf("want HTTP %d, got success", status)
	}
	if resp == nil {
		t.Fatalf("want HTTP %d, got no response: %v", status, err)
	}
	if resp.StatusCode != status {
		t.Fatalf("want HTTP %d, got %d: %v", status, resp.StatusCode, err)
	}
}

func (e *env) tokenClient(t *testing.T, token string) *github.Client {
	ct := newConf(t)
	hc := &http.Client{Transport: &tokenTransport{token: token, base: ct}}
	c := github.NewClient(hc)
	c.BaseURL, _ = c.BaseURL.Parse(e.srv.URL() + "/")
	return c
}

func (e *env) jwtClient(t *testing.T, key []byte) *github.Client {
	atr, err := ghinstallation.NewAppsTransport(newConf(t), testAppID, key)
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = e.srv.URL()
	return client(t, e.srv, atr)
}

var (
	otherKeyOnce sync.Once
	otherKeyPEM  []byte
)

func otherKey(t testing.TB) []byte {
	otherKeyOnce.Do(func() {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		otherKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	return otherKeyPEM
}

// simAllowlist: every departure from the OpenAPI description the tests accept, with why.
var simAllowlist = []conformance.AllowEntry{
	{Kind: conformance.KindResponse, Contains: `account/slug: property "slug" is missing`,
		Reason: "installation.account is anyOf(simple-user, enterprise) in api.github.com.json; the embedded " +
			"conformance spec decodes it as allOf, which no real account can satisfy; the simulator sends a simple-user like GitHub"},
	{Kind: conformance.KindResponse, Contains: `doesn't match all schemas from "allOf"`, Route: "/app/installations",
		Reason: "same installation.account anyOf/allOf issue, older wording of the conformance package"},
	{Kind: conformance.KindResponse, Status: 409, Contains: `matches more than one schema from "oneOf"`,
		Reason: "409 bodies are oneOf(basic-error, repository-rule-violation-error); both accept GitHub's {message, documentation_url}, so any real 409 matches two"},
	{Kind: conformance.KindResponse, Status: 401, Contains: "status 401 is not declared",
		Reason: "GitHub answers 401 to a bad, expired or missing JWT / wrong token kind on every endpoint; most operations don't declare it"},
	{Kind: conformance.KindResponse, Status: 403, Contains: "status 403 is not declared",
		Reason: "GitHub answers 403 'Resource not accessible by integration' and rate-limit 403s on every endpoint; many operations don't declare it"},
}

func newConf(t *testing.T) *conformance.Transport {
	return conformance.NewTransport(t, nil, conformance.WithAllowlist(simAllowlist...))
}

func ok(t testing.TB) func(resp *github.Response, err error) *github.Response {
	return func(resp *github.Response, err error) *github.Response {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return resp
	}
}

// rawClient has no conformance transport: for requests that break the schema on purpose.
func (e *env) rawClient(token string) *github.Client {
	c := github.NewClient(&http.Client{Transport: &tokenTransport{token: token, base: http.DefaultTransport}})
	c.BaseURL, _ = c.BaseURL.Parse(e.srv.URL() + "/")
	return c
}
