// Package githubsim is an in-memory GitHub served over real HTTP: REST API
// (at / and at /api/v3/), GitHub App authentication, real git object ids,
// issues, pull requests, check runs and signed webhook deliveries, with call
// accounting and fault injection for tests and the playground.
package githubsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options configure a Server.
type Options struct {
	// Seed is the initial state; nil means an empty GitHub.
	Seed *Seed
	// Clock is GitHub's clock: every timestamp the API shows (issues,
	// comments, commits, events). Default time.Now.
	Clock func() time.Time
	// AuthClock judges credentials and rate limits: JWT iat/exp, the expiry
	// of installation tokens, rate-limit windows. Default Clock. A test that
	// moves Clock ahead by weeks leaves this on time.Now: the App's token
	// library (ghinstallation) and its pacer measure real elapsed time, as
	// GitHub's do.
	AuthClock func() time.Time
	// Logger receives one line per request and delivery. Default: discard.
	Logger *slog.Logger
	// RateLimit is the hourly request budget per token (default 5000; anonymous 60).
	RateLimit int
	// RateLimitStatus is the status of an exhausted primary rate limit: 403 (default) or 429.
	RateLimitStatus int
	// BaseURL overrides the URL advertised in bodies (default: the listener's URL).
	BaseURL string
}

// Server is a simulated GitHub.
type Server struct {
	opts      Options
	clock     func() time.Time
	authClock func() time.Time
	log       *slog.Logger

	mu        sync.Mutex
	baseURL   string
	nextID    int64
	accounts  map[string]*account // lower login
	repos     map[string]*repo    // lower full name
	reposByID map[int64]*repo
	apps      map[int64]*app
	insts     map[int64]*installation
	tokens    map[string]*token
	rate      map[string]*rateBucket
	calls     []Call
	reqSeq    int64
	tokSeq    int64

	faults *Faults
	hooks  *hookSystem

	manifests map[string]*pendingManifest // App manifest flow codes (manifest.go)

	table  []*route
	hs     *httptest.Server
	closed bool
}

type rateBucket struct {
	limit int
	used  int
	reset time.Time
}

// New builds a Server from options; call Start (or serve Handler) next.
func New(opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.AuthClock == nil {
		opts.AuthClock = opts.Clock
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	if opts.RateLimitStatus == 0 {
		opts.RateLimitStatus = http.StatusForbidden
	}
	s := &Server{
		opts:      opts,
		clock:     func() time.Time { return opts.Clock().UTC().Truncate(time.Second) },
		authClock: func() time.Time { return opts.AuthClock().UTC().Truncate(time.Second) },
		log:       opts.Logger,
		nextID:    1000,
		accounts:  map[string]*account{},
		repos:     map[string]*repo{},
		reposByID: map[int64]*repo{},
		apps:      map[int64]*app{},
		insts:     map[int64]*installation{},
		tokens:    map[string]*token{},
		rate:      map[string]*rateBucket{},
		baseURL:   strings.TrimRight(opts.BaseURL, "/"),
	}
	s.faults = newFaults()
	s.hooks = newHookSystem(s)
	s.routes()
	if opts.Seed != nil {
		if err := s.applySeed(opts.Seed); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// MustStart is New + Start, panicking on a bad seed (for tests).
func MustStart(opts Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	s.Start()
	return s
}

// Start serves on 127.0.0.1 on a free port.
func (s *Server) Start() {
	s.hs = httptest.NewUnstartedServer(s.Handler())
	s.hs.Start()
	s.mu.Lock()
	if s.baseURL == "" {
		s.baseURL = s.hs.URL
	}
	s.mu.Unlock()
}

// Serve serves on a given listener until it fails (for the standalone command).
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.baseURL == "" {
		s.baseURL = "http://" + l.Addr().String()
	}
	s.mu.Unlock()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(l)
}

// SetBaseURL sets the URL advertised in bodies (when serving Handler yourself).
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// URL is the API root, without trailing slash (also served under /api/v3).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Close stops the listener and the webhook workers.
func (s *Server) Close() {
	s.hooks.close()
	if s.hs != nil {
		s.hs.CloseClientConnections()
		s.hs.Close()
	}
}

// Faults gives access to fault injection.
func (s *Server) Faults() *Faults { return s.faults }

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// ---------------------------------------------------------------------------
// seed

func (s *Server) applySeed(seed *Seed) error {
	now := s.clock()
	for _, u := range seed.GitHub.Users {
		if u.Login == "" {
			return errors.New("githubsim: seed user without login")
		}
		s.addAccount(&account{Login: u.Login, Type: "User", Name: u.Name, Email: u.Email, SiteAdmin: u.SiteAdmin, CreatedAt: now})
	}
	for _, o := range seed.GitHub.Orgs {
		a := &account{Login: o.Login, Type: "Organization", Name: o.Name, Email: o.Email, Members: map[string]string{}, CreatedAt: now}
		s.addAccount(a)
		for _, m := range o.Members {
			if s.accounts[strings.ToLower(m.Login)] == nil {
				s.addAccount(&account{Login: m.Login, Type: "User", CreatedAt: now})
			}
			role := m.Role
			if role == "" {
				role = "member"
			}
			a.Members[strings.ToLower(m.Login)] = role
		}
	}
	for _, r := range seed.GitHub.Repos {
		owner := s.accounts[strings.ToLower(r.Owner)]
		if owner == nil {
			owner = s.addAccount(&account{Login: r.Owner, Type: "User", CreatedAt: now})
		}
		autoInit := r.AutoInit == nil || *r.AutoInit
		rp := s.createRepo(owner, r.Name, r.Description, r.Private, r.DefaultBranch, autoInit, r.Files)
		rp.Language = r.Language
		rp.Topics = r.Topics
		for _, c := range r.Collaborators {
			rp.Collaborators[strings.ToLower(c)] = true
		}
	}
	for _, sa := range seed.GitHub.Apps {
		if sa.AppID == 0 || sa.Slug == "" {
			return errors.New("githubsim: seed app needs app_id and slug")
		}
		a := &app{ID: sa.AppID, Slug: sa.Slug, Name: sa.Name, Description: sa.Description, Permissions: map[string]string{},
			Events: sa.Events, WebhookURL: sa.WebhookURL, WebhookSecret: sa.WebhookSecret, CreatedAt: now, HookID: s.newID()}
		if a.Name == "" {
			a.Name = a.Slug
		}
		for k, v := range sa.Permissions {
			a.Permissions[k] = v
		}
		if _, ok := a.Permissions["metadata"]; !ok {
			a.Permissions["metadata"] = "read"
		}
		if sa.PrivateKey != "" {
			key, err := parseRSAKey([]byte(sa.PrivateKey))
			if err != nil {
				return fmt.Errorf("githubsim: app %s: %w", sa.Slug, err)
			}
			a.Key, a.KeyPEM = key, []byte(sa.PrivateKey)
		} else {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return err
			}
			a.Key = key
			a.KeyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
		}
		if sa.Owner != "" {
			a.Owner = s.accounts[strings.ToLower(sa.Owner)]
		}
		if a.Owner == nil && len(sa.Installations) > 0 {
			a.Owner = s.accounts[strings.ToLower(sa.Installations[0].Account)]
		}
		if a.Owner == nil {
			a.Owner = s.addAccount(&account{Login: sa.Slug + "-owner", Type: "User", CreatedAt: now})
		}
		a.Bot = s.addAccount(&account{Login: sa.Slug + "[bot]", Type: "Bot", CreatedAt: now})
		s.apps[a.ID] = a
		for _, si := range sa.Installations {
			acct := s.accounts[strings.ToLower(si.Account)]
			if acct == nil {
				return fmt.Errorf("githubsim: installation %d: unknown account %q", si.InstallationID, si.Account)
			}
			in := &installation{ID: si.InstallationID, App: a, Account: acct, Selection: si.RepositorySelection,
				RepoIDs: map[int64]bool{}, Permissions: a.Permissions, Events: a.Events, CreatedAt: now}
			if in.ID == 0 {
				in.ID = s.newID()
			}
			if in.Selection == "" {
				in.Selection = "all"
				if len(si.Repositories) > 0 {
					in.Selection = "selected"
				}
			}
			if si.Permissions != nil {
				in.Permissions = si.Permissions
			}
			if si.Events != nil {
				in.Events = si.Events
			}
			for _, rn := range si.Repositories {
				if !strings.Contains(rn, "/") {
					rn = acct.Login + "/" + rn
				}
				rp := s.repos[strings.ToLower(rn)]
				if rp == nil {
					return fmt.Errorf("githubsim: installation %d: unknown repository %q", in.ID, rn)
				}
				in.RepoIDs[rp.ID] = true
			}
			s.insts[in.ID] = in
		}
	}
	for tok, t := range seed.Tokens {
		u := s.accounts[strings.ToLower(t.Login)]
		if u == nil {
			return fmt.Errorf("githubsim: token for unknown user %q", t.Login)
		}
		s.tokens[tok] = &token{Value: tok, Kind: "user", User: u, Scopes: t.Scopes}
	}
	return nil
}

func parseRSAKey(p []byte) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode(p)
	if b == nil {
		return nil, errors.New("private_key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private_key is not RSA")
	}
	return rk, nil
}

func (s *Server) addAccount(a *account) *account {
	if old := s.accounts[strings.ToLower(a.Login)]; old != nil {
		return old
	}
	a.ID = s.newID()
	s.accounts[strings.ToLower(a.Login)] = a
	return a
}

func (s *Server) createRepo(owner *account, name, desc string, private bool, defBranch string, autoInit bool, files map[string]string) *repo {
	now := s.clock()
	if defBranch == "" {
		defBranch = "main"
	}
	r := &repo{ID: s.newID(), Owner: owner, Name: name, Description: desc, Private: private, DefaultBranch: defBranch,
		CreatedAt: now, UpdatedAt: now, objects: objectStore{}, refs: map[string]string{}, issues: map[int]*issue{},
		Collaborators: map[string]bool{}}
	s.repos[strings.ToLower(r.fullName())] = r
	s.reposByID[r.ID] = r
	for _, l := range []struct{ n, c, d string }{
		{"bug", "d73a4a", "Something isn't working"},
		{"documentation", "0075ca", "Improvements or additions to documentation"},
		{"enhancement", "a2eeef", "New feature or request"},
	} {
		r.labels = append(r.labels, &label{ID: s.newID(), Name: l.n, Color: l.c, Description: l.d, Default: true})
	}
	if autoInit {
		flat := map[string]flatEntry{}
		readme := "# " + name + "\n"
		if desc != "" {
			readme += "\n" + desc + "\n"
		}
		flat["README.md"] = flatEntry{Mode: "100644", Type: "blob", SHA: r.objects.put("blob", []byte(readme))}
		for p, c := range files {
			flat[strings.Trim(p, "/")] = flatEntry{Mode: "100644", Type: "blob", SHA: r.objects.put("blob", []byte(c))}
		}
		tree := r.objects.writeFlat(flat)
		sig := signature{Name: owner.Login, Email: owner.Login + "@users.noreply.github.com", When: now}
		c := r.objects.put("commit", encodeCommit(commitObj{Tree: tree, Author: sig, Committer: sig, Message: "Initial commit"}))
		r.refs["refs/heads/"+defBranch] = c
		r.PushedAt = &now
	}
	return r
}

// AppPrivateKey returns the PEM private key of a seeded app (generated when
// the seed has none), for ghinstallation.
func (s *Server) AppPrivateKey(appID int64) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[appID]; a != nil {
		return append([]byte(nil), a.KeyPEM...)
	}
	return nil
}

// SetWebhook points an app's webhook at url with secret (the App under test
// usually starts after the simulator).
func (s *Server) SetWebhook(appID int64, url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[appID]; a != nil {
		a.WebhookURL, a.WebhookSecret = url, secret
	}
}

// ---------------------------------------------------------------------------
// HTTP plumbing

type apiError struct {
	Status  int
	Message string
	Errors  []map[string]any
	// Strings are the errors of an answer whose errors are plain strings
	// (validation-error-simple: a review's, say); used when Errors is empty.
	Strings []string
	Doc     string
	Header  http.Header
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

func errf(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

func notFound() *apiError { return errf(404, "Not Found") }

func validationFailed(resource, field, code string) *apiError {
	return &apiError{Status: 422, Message: "Validation Failed", Errors: []map[string]any{{"resource": resource, "field": field, "code": code}}}
}

func unprocessable(msg string) *apiError { return errf(422, "%s", msg) }

// MaxBodyChars is GitHub's limit on the body of an issue, pull request,
// issue comment, review or review comment: 65 536 characters (Unicode code
// points); a longer one is a 422 and nothing is written.
const MaxBodyChars = 65536

// MaxCheckOutputChars is GitHub's limit on a check run's output summary and
// text: 65 535 characters.
const MaxCheckOutputChars = 65535

// bodyTooLong is GitHub's 422 for a body past MaxBodyChars, nil for one
// within it. GitHub answers an issue or pull request with a custom error on
// the body field, an issue comment with one on "data":
//
//	{"message":"Validation Failed","errors":[{"resource":"Issue","code":"custom","field":"body",
//	  "message":"body is too long (maximum is 65536 characters)"}]}
//	{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"unprocessable","field":"data",
//	  "message":"Body is too long (maximum is 65536 characters)"}]}
func bodyTooLong(resource string, body *string) *apiError {
	if body == nil || len(*body) <= MaxBodyChars || utf8.RuneCountInString(*body) <= MaxBodyChars {
		return nil
	}
	e := map[string]any{"resource": resource, "code": "custom", "field": "body", "message": "body is too long (maximum is 65536 characters)"}
	if resource == "IssueComment" {
		e = map[string]any{"resource": resource, "code": "unprocessable", "field": "data", "message": "Body is too long (maximum is 65536 characters)"}
	}
	return &apiError{Status: 422, Message: "Validation Failed", Errors: []map[string]any{e}}
}

// reviewTooLong is bodyTooLong for a review and the comments it makes:
// their 422 lists its errors as strings (validation-error-simple).
func reviewTooLong(bodies ...string) *apiError {
	for _, b := range bodies {
		if bodyTooLong("PullRequestReview", &b) != nil {
			return &apiError{Status: 422, Message: "Unprocessable Entity", Strings: []string{"Body is too long (maximum is 65536 characters)"}}
		}
	}
	return nil
}

// checkOutputTooLong is GitHub's 422 for a check run summary or text past
// MaxCheckOutputChars ("Invalid request.\n\nOnly 65535 characters are
// allowed; 70000 were supplied.").
func checkOutputTooLong(texts ...*string) *apiError {
	for _, t := range texts {
		if t == nil || len(*t) <= MaxCheckOutputChars {
			continue
		}
		if n := utf8.RuneCountInString(*t); n > MaxCheckOutputChars {
			return unprocessable(fmt.Sprintf("Invalid request.\n\nOnly %d characters are allowed; %d were supplied.", MaxCheckOutputChars, n))
		}
	}
	return nil
}

type apiBaseKey struct{}

// Handler serves the API at / and at /api/v3/.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.serveWeb(w, r) { // HTML pages of the App manifest flow (manifest.go)
			return
		}
		api := ""
		if p := r.URL.Path; p == "/api/v3" || strings.HasPrefix(p, "/api/v3/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimPrefix(p, "/api/v3")
			if r2.URL.Path == "" {
				r2.URL.Path = "/"
			}
			if r.URL.RawPath != "" {
				r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, "/api/v3")
			}
			r, api = r2, "/api/v3"
		}
		r = r.WithContext(context.WithValue(r.Context(), apiBaseKey{}, api))
		rt := s.match(r)
		if rt == nil {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`)
			return
		}
		s.serve(w, r, rt.pattern, rt.acc, rt.h)
	})
}

type route struct {
	pattern string
	method  string
	segs    []string
	acc     access
	h       func(c *ctx) (any, error)
}

// match finds the most specific route for r and sets its path values.
func (s *Server) match(r *http.Request) *route {
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			u = p
		}
		segs[i] = u
	}
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var best *route
	var bestScore []int
	for _, rt := range s.table {
		if rt.method != method {
			continue
		}
		score, ok := rt.score(segs)
		if !ok {
			continue
		}
		if best == nil || better(score, bestScore) {
			best, bestScore = rt, score
		}
	}
	if best != nil {
		for i, sg := range best.segs {
			if !strings.HasPrefix(sg, "{") {
				continue
			}
			name := strings.Trim(sg, "{}")
			if n, ok := strings.CutSuffix(name, "..."); ok {
				r.SetPathValue(n, strings.Join(segs[i:], "/"))
			} else {
				r.SetPathValue(name, segs[i])
			}
		}
	}
	return best
}

// score: 2 per literal, 1 per single param, 0 for a rest param.
func (rt *route) score(segs []string) ([]int, bool) {
	var sc []int
	for i, p := range rt.segs {
		if strings.HasSuffix(p, "...}") {
			if i >= len(segs) {
				return nil, false
			}
			return append(sc, 0), true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(p, "{") {
			sc = append(sc, 1)
			continue
		}
		if p != segs[i] {
			return nil, false
		}
		sc = append(sc, 2)
	}
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	return sc, true
}

func better(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// access describes who may call a route.
type access struct {
	kind  int    // accRepo, accApp, accInstallation, accUser, accAny
	perm  string // installation permission needed (repo routes)
	write bool
	// resource is the rate limit the route counts against: "" is core (the
	// hourly budget), "search" is search's own (SearchPerMinute a minute).
	resource string
}

const (
	accRepo = iota
	accApp
	accInstallation
	accAuthed
	accPublic
)

func repoRead(perm string) access  { return access{kind: accRepo, perm: perm} }
func repoWrite(perm string) access { return access{kind: accRepo, perm: perm, write: true} }

type ctx struct {
	view
	r            *http.Request
	route        string
	header       http.Header
	status       int
	auth         *principal
	repo         *repo
	body         []byte
	lastModified time.Time
}

type principal struct {
	kind string // app, installation, user, anonymous
	app  *app
	tok  *token
	user *account // acting user (bot for installations)
	key  string   // rate-limit bucket
}

func (c *ctx) param(name string) string { return c.r.PathValue(name) }

func (c *ctx) decode(v any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errf(400, "Problems parsing JSON")
	}
	return nil
}

func (c *ctx) query(name string) string { return c.r.URL.Query().Get(name) }

func (s *Server) handle(pattern string, acc access, h func(c *ctx) (any, error)) {
	method, path, _ := strings.Cut(pattern, " ")
	s.table = append(s.table, &route{pattern: pattern, method: method, segs: strings.Split(strings.Trim(path, "/"), "/"), acc: acc, h: h})
}

// Call is one recorded API request.
type Call struct {
	Time           time.Time
	Method         string
	Route          string // e.g. "POST /repos/{owner}/{repo}/git/refs"
	Path           string
	Status         int
	TokenKind      string // app, installation, user, anonymous
	InstallationID int64
	Login          string
	CacheHit       bool // answered 304 Not Modified
	Fault          string
	RequestID      string
}

// Calls returns every API request recorded since the start or ResetCalls.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls forgets recorded calls.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern string, acc access, h func(c *ctx) (any, error)) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.mu.Lock()
	s.reqSeq++
	reqID := fmt.Sprintf("%04X:%04X:%06X:%06X:%08X", s.reqSeq%0xFFFF, (s.reqSeq*7)%0xFFFF, s.reqSeq*13, s.reqSeq*31, s.reqSeq)
	base := s.baseURL
	s.mu.Unlock()
	api, _ := r.Context().Value(apiBaseKey{}).(string)
	c := &ctx{view: view{s: s, api: base + api, web: base}, r: r, route: pattern, header: http.Header{}, body: body}
	c.header.Set("X-GitHub-Request-Id", reqID)
	c.header.Set("X-GitHub-Media-Type", "github.v3; format=json")
	call := Call{Method: r.Method, Route: pattern, Path: r.URL.Path, RequestID: reqID}

	// faults first: they stand for GitHub's own trouble
	lost := false
	if f := s.faults.match(pattern, s.tokenKind(r)); f != nil {
		call.Fault = f.Kind.String()
		if f.Kind == LostAnswer {
			lost = true
		} else if s.applyFault(w, r, c, f, &call) {
			return
		}
	}

	s.mu.Lock()
	call.Time = s.clock()
	status, out, hdr := s.run(c, acc, h, &call)
	s.mu.Unlock()
	if lost {
		hangUp(w) // done, and the answer never arrives
		return
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
	s.log.Debug("githubsim", "method", r.Method, "path", r.URL.Path, "status", status)
}

func (s *Server) run(c *ctx, acc access, h func(c *ctx) (any, error), call *Call) (int, []byte, http.Header) {
	finish := func(status int, out []byte) (int, []byte, http.Header) {
		call.Status = status
		s.calls = append(s.calls, *call)
		return status, out, c.header
	}
	writeErr := func(e *apiError) (int, []byte, http.Header) {
		for k, v := range e.Header {
			c.header[k] = v
		}
		doc := e.Doc
		if doc == "" {
			doc = "https://docs.github.com/rest"
		}
		m := map[string]any{"message": e.Message, "documentation_url": doc, "status": strconv.Itoa(e.Status)}
		if len(e.Errors) > 0 {
			m["errors"] = e.Errors
		} else if len(e.Strings) > 0 {
			m["errors"] = e.Strings
		}
		b, _ := json.Marshal(m)
		c.header.Set("Content-Type", "application/json; charset=utf-8")
		return finish(e.Status, b)
	}
	p, aerr := s.authenticate(c)
	if aerr != nil {
		return writeErr(aerr)
	}
	c.auth = p
	call.TokenKind = p.kind
	if p.tok != nil && p.tok.Inst != nil {
		call.InstallationID = p.tok.Inst.ID
	}
	if p.user != nil {
		call.Login = p.user.Login
	}
	// primary rate limit (app JWT requests have their own bucket)
	b, resource := s.bucket(p), "core"
	if acc.resource == "search" {
		b, resource = s.searchBucket(p), "search"
	}
	c.header.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	c.header.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	c.header.Set("X-RateLimit-Resource", resource)
	setRemaining := func() {
		c.header.Set("X-RateLimit-Remaining", strconv.Itoa(max(b.limit-b.used, 0)))
		c.header.Set("X-RateLimit-Used", strconv.Itoa(b.used))
	}
	if b.used >= b.limit {
		setRemaining()
		msg := "API rate limit exceeded"
		if p.tok != nil && p.tok.Inst != nil {
			msg = fmt.Sprintf("API rate limit exceeded for installation ID %d.", p.tok.Inst.ID)
		} else if p.user != nil {
			msg = fmt.Sprintf("API rate limit exceeded for user ID %d.", p.user.ID)
		}
		e := errf(s.opts.RateLimitStatus, "%s", msg)
		e.Doc = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
		return writeErr(e)
	}
	if err := s.authorize(c, acc); err != nil {
		b.used++
		setRemaining()
		return writeErr(err)
	}
	res, err := safeCall(h, c)
	if err != nil {
		b.used++
		setRemaining()
		var ae *apiError
		if errors.As(err, &ae) {
			return writeErr(ae)
		}
		return writeErr(errf(500, "%v", err))
	}
	status := c.status
	if status == 0 {
		status = 200
		if c.r.Method == http.MethodPost {
			status = 201
		}
	}
	if res == nil && status == 204 {
		b.used++
		setRemaining()
		return finish(204, nil)
	}
	out, _ := json.Marshal(res)
	c.header.Set("Content-Type", "application/json; charset=utf-8")
	if c.r.Method == http.MethodGet && status == 200 {
		sum := sha256.Sum256(out)
		etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
		c.header.Set("ETag", etag)
		c.header.Set("Cache-Control", "private, max-age=60, s-maxage=60")
		c.header.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
		if !c.lastModified.IsZero() {
			c.header.Set("Last-Modified", c.lastModified.UTC().Format(http.TimeFormat))
		}
		if inm := c.r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
			call.CacheHit = true
			setRemaining()
			c.header.Del("Content-Type")
			return finish(304, nil)
		}
	}
	b.used++
	setRemaining()
	return finish(status, out)
}

func etagMatch(header, etag string) bool {
	norm := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, part := range strings.Split(header, ",") {
		if strings.TrimSpace(part) == "*" || norm(part) == norm(etag) {
			return true
		}
	}
	return false
}

func (s *Server) bucket(p *principal) *rateBucket {
	now := s.authClock()
	b := s.rate[p.key]
	if b == nil || !now.Before(b.reset) {
		limit := s.opts.RateLimit
		if p.kind == "anonymous" {
			limit = min(60, limit)
		}
		b = &rateBucket{limit: limit, reset: now.Add(time.Hour)}
		s.rate[p.key] = b
	}
	return b
}

// searchBucket is p's search rate limit: SearchPerMinute requests a minute
// (10 anonymous), counted apart from the core budget.
func (s *Server) searchBucket(p *principal) *rateBucket {
	now := s.authClock()
	key := "search:" + p.key
	b := s.rate[key]
	if b == nil || !now.Before(b.reset) {
		limit := SearchPerMinute
		if p.kind == "anonymous" {
			limit = 10
		}
		b = &rateBucket{limit: limit, reset: now.Add(time.Minute)}
		s.rate[key] = b
	}
	return b
}

// ExhaustRateLimit uses up the budget of a token (user or installation
// token value, or "app:<id>" for an app's JWTs).
func (s *Server) ExhaustRateLimit(tokenKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[tokenKey]; t != nil {
		tokenKey = "token:" + t.Value
	}
	b := s.rate[tokenKey]
	if b == nil {
		b = &rateBucket{limit: s.opts.RateLimit, reset: s.authClock().Add(time.Hour)}
		s.rate[tokenKey] = b
	}
	b.used = b.limit
}

// ---------------------------------------------------------------------------
// helpers used by handlers

func (c *ctx) ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func strPtr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func sp(s string) *string { return &s }

// paginate slices items per page/per_page and sets the Link header.
func paginate[T any](c *ctx, items []T) []T {
	perPage := 30
	if v, err := strconv.Atoi(c.query("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(c.query("page")); err == nil && v > 0 {
		page = v
	}
	last := max((len(items)+perPage-1)/perPage, 1)
	link := func(p int, rel string) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, c.api, c.r.URL.Path, q.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		c.header.Set("Link", strings.Join(links, ", "))
	}
	start := (page - 1) * perPage
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+perPage, len(items))]
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func pathEscape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "%2F", "/")
}

// safeCall turns a handler panic into a 500 so the server lock is released.
func safeCall(h func(c *ctx) (any, error), c *ctx) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.s.log.Error("githubsim: handler panic", "route", c.route, "panic", p)
			res, err = nil, errf(500, "githubsim internal error: %v", p)
		}
	}()
	return h(c)
}
