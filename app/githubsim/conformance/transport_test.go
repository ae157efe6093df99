package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// recorder is a Reporter that keeps what it is told instead of failing the
// test, so tests can assert on expected violations.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeGitHub serves canned responses keyed by "METHOD path" (path as the
// server sees it, escaped) and records request bodies.
type fakeGitHub struct {
	mu       sync.Mutex
	routes   map[string]cannedResponse
	requests []string
}

type cannedResponse struct {
	status      int
	body        []byte
	contentType string
}

func newFake(t *testing.T) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{routes: map[string]cannedResponse{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath()+" "+string(body))
		c, ok := f.routes[r.Method+" "+r.URL.EscapedPath()]
		f.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		if c.contentType == "" {
			c.contentType = "application/json; charset=utf-8"
		}
		if c.body != nil {
			w.Header().Set("Content-Type", c.contentType)
		}
		w.WriteHeader(c.status)
		w.Write(c.body)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) handle(method, path string, status int, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[method+" "+path] = cannedResponse{status: status, body: body}
}

func do(t *testing.T, c *http.Client, method, url string, body string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func mustOneViolation(t *testing.T, tr *Transport, rec *recorder, kind Kind, route string, contains ...string) Violation {
	t.Helper()
	vs := tr.Violations()
	if len(vs) != 1 {
		t.Fatalf("want exactly 1 violation, got %d: %v", len(vs), vs)
	}
	v := vs[0]
	if v.Kind != kind || v.Route != route {
		t.Fatalf("want %s violation on %s, got %+v", kind, route, v)
	}
	for _, c := range contains {
		if !strings.Contains(v.String(), c) {
			t.Errorf("violation %q does not mention %q", v.String(), c)
		}
	}
	if msgs := rec.all(); len(msgs) != 1 || msgs[0] != v.String() {
		t.Errorf("reporter got %q, want the violation once", msgs)
	}
	return v
}

func TestValidResponsePasses(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/octocat/Hello-World", 200, readTestdata(t, "full-repository.json"))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	resp := do(t, &http.Client{Transport: tr}, "GET", srv.URL+"/repos/octocat/Hello-World", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The body must reach the caller intact.
	var repo struct {
		FullName string `json:"full_name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&repo); err != nil || repo.FullName != "octocat/Hello-World" {
		t.Fatalf("body not passed through: %v %q", err, repo.FullName)
	}
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	if got := tr.Operations()["GET /repos/{owner}/{repo}"]; got != 1 {
		t.Fatalf("operations = %v", tr.Operations())
	}
}

func TestInvalidResponseIsReported(t *testing.T) {
	var repo map[string]any
	if err := json.Unmarshal(readTestdata(t, "full-repository.json"), &repo); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(map[string]any)
		want   []string
	}{
		{"wrong type", func(m map[string]any) { m["id"] = "1296269" }, []string{"/id", "integer"}},
		{"missing required", func(m map[string]any) { delete(m, "owner") }, []string{"owner"}},
		{"bad date-time", func(m map[string]any) { m["created_at"] = "yesterday" }, []string{"/created_at"}},
		{"nested", func(m map[string]any) { m["owner"].(map[string]any)["login"] = nil }, []string{"/owner/login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := deepCopy(t, repo)
			tc.mutate(m)
			body, _ := json.Marshal(m)
			f, srv := newFake(t)
			f.handle("GET", "/repos/octocat/Hello-World", 200, body)
			rec := &recorder{}
			tr := NewTransport(rec, nil)
			do(t, &http.Client{Transport: tr}, "GET", srv.URL+"/repos/octocat/Hello-World", "")
			v := mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}", append(tc.want, "GET", "status 200", "repos/get")...)
			if v.Status != 200 {
				t.Errorf("status = %d", v.Status)
			}
		})
	}
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUndeclaredStatusAndContentType(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/o/r", 418, []byte(`{"message":"teapot"}`)) // 418: not universal
	f.routes["GET /repos/o/text"] = cannedResponse{status: 200, body: []byte("hello"), contentType: "text/plain"}
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r", "")
	mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}", "status 418 is not declared", "404")

	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil)
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/repos/o/text", "")
	mustOneViolation(t, tr2, rec2, KindResponse, "/repos/{owner}/{repo}", "text/plain")
}

func TestDeclaredErrorResponse(t *testing.T) {
	_, srv := newFake(t) // unknown paths answer GitHub's 404 body
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	resp := do(t, &http.Client{Transport: tr}, "GET", srv.URL+"/repos/o/missing", "")
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
}

func TestBadRequestBody(t *testing.T) {
	f, srv := newFake(t)
	f.handle("POST", "/repos/o/r/issues", 422, []byte(`{"message":"Validation Failed","documentation_url":"https://docs.github.com"}`))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "POST", srv.URL+"/repos/o/r/issues", `{"body":"no title"}`)
	mustOneViolation(t, tr, rec, KindRequest, "/repos/{owner}/{repo}/issues", "request body", "title")
	// The request body still reached the server unchanged.
	f.mu.Lock()
	got := f.requests[0]
	f.mu.Unlock()
	if !strings.HasSuffix(got, `{"body":"no title"}`) {
		t.Fatalf("server saw %q", got)
	}

	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil)
	do(t, &http.Client{Transport: tr2}, "POST", srv.URL+"/repos/o/r/issues", `{"title":`)
	mustOneViolation(t, tr2, rec2, KindRequest, "/repos/{owner}/{repo}/issues", "request body")
}

func TestBadPathAndQueryParameters(t *testing.T) {
	_, srv := newFake(t)
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r/issues/abc", "")
	v := mustOneViolation(t, tr, rec, KindRequest, "/repos/{owner}/{repo}/issues/{issue_number}", "issue_number")
	if v.OperationID != "issues/get" {
		t.Errorf("operation id %q", v.OperationID)
	}

	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil)
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/repos/o/r/issues?state=bogus&per_page=10", "")
	mustOneViolation(t, tr2, rec2, KindRequest, "/repos/{owner}/{repo}/issues", `query parameter "state"`, "bogus")
}

func TestMultiSegmentPaths(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/o/r/contents/a/b/c.md", 200, readTestdata(t, "content-file.json"))
	f.handle("GET", "/repos/o/r/git/ref/heads/postmortem/1-x", 200, readTestdata(t, "git-ref.json"))
	f.handle("GET", "/repos/o/r/git/matching-refs/heads/postmortem/", 200, []byte("["+string(readTestdata(t, "git-ref.json"))+"]"))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r/contents/a/b/c.md", "")
	do(t, c, "GET", srv.URL+"/repos/o/r/git/ref/heads/postmortem/1-x", "")
	do(t, c, "GET", srv.URL+"/repos/o/r/git/matching-refs/heads/postmortem/", "")
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	want := []string{
		"GET /repos/{owner}/{repo}/contents/{path}",
		"GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
		"GET /repos/{owner}/{repo}/git/ref/{ref}",
	}
	if got := tr.OperationList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("operations %v, want %v", got, want)
	}
	// A wrong body on a multi-segment route is still caught.
	f.handle("GET", "/repos/o/r/git/ref/heads/postmortem/2-y", 200, []byte(`{"ref":"refs/heads/x"}`))
	do(t, c, "GET", srv.URL+"/repos/o/r/git/ref/heads/postmortem/2-y", "")
	mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}/git/ref/{ref}", "node_id")
}

func TestRouterMatches(t *testing.T) {
	api, err := LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, template, params string }{
		{"/repos/o/r/contents/a/b/c.md", "/repos/{owner}/{repo}/contents/{path}", "owner=o path=a/b/c.md repo=r"},
		{"/repos/o/r/contents/docs/post%20mortem.md", "/repos/{owner}/{repo}/contents/{path}", "owner=o path=docs/post mortem.md repo=r"},
		{"/repos/o/r/git/ref/heads/postmortem/1-x", "/repos/{owner}/{repo}/git/ref/{ref}", "owner=o ref=heads/postmortem/1-x repo=r"},
		{"/repos/o/r/git/refs/heads/feature/x", "/repos/{owner}/{repo}/git/refs/{ref}", "owner=o ref=heads/feature/x repo=r"},
		{"/repos/o/r/git/refs", "/repos/{owner}/{repo}/git/refs", "owner=o repo=r"},
		{"/repos/o/r/compare/main...feature/x", "/repos/{owner}/{repo}/compare/{basehead}", "basehead=main...feature/x owner=o repo=r"},
		{"/repos/o/r/compare/main...dev", "/repos/{owner}/{repo}/compare/{base}...{head}", "base=main head=dev owner=o repo=r"},
		{"/repos/o/r/branches/feat/x/protection", "/repos/{owner}/{repo}/branches/{branch}/protection", "branch=feat/x owner=o repo=r"},
		{"/repos/o/r/branches/feat%2Fx", "/repos/{owner}/{repo}/branches/{branch}", "branch=feat/x owner=o repo=r"},
		{"/repos/o/r/commits/main/check-runs", "/repos/{owner}/{repo}/commits/{ref}/check-runs", "owner=o ref=main repo=r"},
		{"/repos/o/r/commits/release/1.0/status", "/repos/{owner}/{repo}/commits/{ref}/status", "owner=o ref=release/1.0 repo=r"},
		{"/repos/o/r/issues/3/labels", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "issue_number=3 owner=o repo=r"},
		{"/repos/o/r/issues/comments/9", "/repos/{owner}/{repo}/issues/comments/{comment_id}", "comment_id=9 owner=o repo=r"},
		{"/repos/o/r/", "/repos/{owner}/{repo}", "owner=o repo=r"},
		{"/app/installations/7/access_tokens", "/app/installations/{installation_id}/access_tokens", "installation_id=7"},
		{"/", "/", ""},
	} {
		m, ok := api.Router.Match(tc.path)
		if !ok {
			t.Errorf("%s: no match", tc.path)
			continue
		}
		if m.Template != tc.template || formatParams(m.Params) != tc.params {
			t.Errorf("%s: got %s {%s}, want %s {%s}", tc.path, m.Template, formatParams(m.Params), tc.template, tc.params)
		}
	}
	for _, p := range []string{"/repos/o", "/nope", "/repos/o/r/issues/1/nope/deeper"} {
		if m, ok := api.Router.Match(p); ok {
			t.Errorf("%s: unexpected match %s", p, m.Template)
		}
	}
	if n := len(api.Router.Templates()); n != len(api.paths) || n < 800 {
		t.Errorf("router has %d templates, description %d paths", n, len(api.paths))
	}
}

func formatParams(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sortStrings(parts)
	return strings.Join(parts, " ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestGHESPrefixAndBasePath(t *testing.T) {
	var repo = readTestdata(t, "full-repository.json")
	f, srv := newFake(t)
	f.handle("GET", "/api/v3/repos/o/r", 200, repo)
	f.handle("GET", "/sim/repos/o/r", 200, repo)
	f.handle("GET", "/deep/base/repos/o/r", 200, repo)
	rec := &recorder{}
	tr := NewTransport(rec, nil, WithBasePath("/sim/"))
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/api/v3/repos/o/r", "")
	do(t, c, "GET", srv.URL+"/sim/repos/o/r", "")
	do(t, c, "GET", srv.URL+"/deep/base/repos/o/r", "") // undeclared prefix, still routed
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	if got := tr.Operations()["GET /repos/{owner}/{repo}"]; got != 3 {
		t.Fatalf("operations %v", tr.Operations())
	}
	// The prefix must not hide a bad body.
	f.handle("GET", "/api/v3/repos/o/bad", 200, []byte(`{"id":1}`))
	do(t, c, "GET", srv.URL+"/api/v3/repos/o/bad", "")
	v := mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}")
	if v.Path != "/repos/o/bad" {
		t.Errorf("path %q", v.Path)
	}
}

func TestUnknownRoute(t *testing.T) {
	_, srv := newFake(t)
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r/bogus/issues", "")
	vs := tr.Violations()
	if len(vs) != 1 || vs[0].Kind != KindRoute {
		t.Fatalf("violations %v", vs)
	}
	do(t, c, "PATCH", srv.URL+"/repos/o/r/contents/x.md", "{}")
	vs = tr.Violations()
	if len(vs) != 2 || !strings.Contains(vs[1].Message, "not for this method") {
		t.Fatalf("violations %v", vs)
	}

	// Ignored prefixes and WithUnknownRoutesAllowed pass such requests.
	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil, WithIgnoredPathPrefix("/_sim/"), WithUnknownRoutesAllowed())
	c2 := &http.Client{Transport: tr2}
	do(t, c2, "POST", srv.URL+"/_sim/reset", "{}")
	do(t, c2, "GET", srv.URL+"/repos/o/r/bogus/issues", "")
	if len(tr2.Violations()) != 0 || len(rec2.all()) != 0 {
		t.Fatalf("violations %v", tr2.Violations())
	}
}

func TestNotModified(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/o/r", 304, nil)
	f.handle("GET", "/repos/o/r/git/ref/heads/main", 304, nil) // 304 not declared there: still fine
	f.handle("GET", "/repos/o/body", 304, []byte(`{"x":1}`))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r", "")
	do(t, c, "GET", srv.URL+"/repos/o/r/git/ref/heads/main", "")
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	// net/http drops a body written with a 304, so build the exchange
	// directly against a RoundTripper that returns one.
	tr2 := NewTransport(rec, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 304, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"x":1}`)), Request: r}, nil
	}))
	req, _ := http.NewRequest("GET", "http://example.test/repos/o/body", nil)
	if _, err := tr2.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if vs := tr2.Violations(); len(vs) != 1 || !strings.Contains(vs[0].Message, "304") {
		t.Fatalf("violations %v", vs)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAllowlist(t *testing.T) {
	f, srv := newFake(t)
	f.handle("POST", "/repos/o/r/issues/1/labels", 200, readTestdata(t, "label-items.json"))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "POST", srv.URL+"/repos/o/r/issues/1/labels", `["postmortem","incident"]`)
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("allowlisted exchange reported: %v", vs)
	}
	if a := tr.Allowed(); len(a) != 1 || a[0].Kind != KindRequest {
		t.Fatalf("allowed %v", a)
	}
	// The object form is valid without any allowlisting.
	do(t, c, "POST", srv.URL+"/repos/o/r/issues/1/labels", `{"labels":["postmortem"]}`)
	if len(tr.Allowed()) != 1 || len(tr.Violations()) != 0 {
		t.Fatalf("object form: violations %v allowed %v", tr.Violations(), tr.Allowed())
	}
	// Without the default allowlist the bare array is a violation.
	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil, WithoutDefaultAllowlist())
	do(t, &http.Client{Transport: tr2}, "POST", srv.URL+"/repos/o/r/issues/1/labels", `["postmortem"]`)
	mustOneViolation(t, tr2, rec2, KindRequest, "/repos/{owner}/{repo}/issues/{issue_number}/labels")

	// Entries without a reason are refused.
	defer func() {
		if recover() == nil {
			t.Fatal("allowlist entry without reason accepted")
		}
	}()
	WithAllowlist(AllowEntry{Route: "/x"})(tr2)
}

// TestGoGitHubClient drives real go-github calls through the transport.
func TestGoGitHubClient(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/api/v3/repos/o/r", 200, readTestdata(t, "full-repository.json"))
	f.handle("POST", "/api/v3/repos/o/r/issues/1/labels", 200, readTestdata(t, "label-items.json"))
	f.handle("POST", "/api/v3/app/installations/7/access_tokens", 201, readTestdata(t, "installation-token.json"))
	f.handle("GET", "/api/v3/repos/o/r/contents/docs/postmortems/2024-01-01-outage.md", 200, readTestdata(t, "content-file.json"))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	gh, err := github.NewClient(&http.Client{Transport: tr}).WithEnterpriseURLs(srv.URL, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := gh.Repositories.Get(ctx, "o", "r"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Issues.AddLabelsToIssue(ctx, "o", "r", 1, []string{"postmortem"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := gh.Repositories.GetContents(ctx, "o", "r", "docs/postmortems/2024-01-01-outage.md", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Apps.CreateInstallationToken(ctx, 7, &github.InstallationTokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	if len(tr.Allowed()) != 1 {
		t.Fatalf("AddLabelsToIssue should hit the allowlist once: %v", tr.Allowed())
	}
	// nil options send JSON null: reported, with a hint.
	if _, _, err := gh.Apps.CreateInstallationToken(ctx, 7, nil); err != nil {
		t.Fatal(err)
	}
	v := mustOneViolation(t, tr, rec, KindRequest, "/app/installations/{installation_id}/access_tokens", "request body")
	if !strings.Contains(v.Hint, "InstallationTokenOptions{}") {
		t.Errorf("hint %q", v.Hint)
	}
	// ... unless the caller opts in.
	tr3 := NewTransport(rec, nil, WithAllowlist(AllowNullInstallationTokenBody))
	gh3, _ := github.NewClient(&http.Client{Transport: tr3}).WithEnterpriseURLs(srv.URL, srv.URL)
	if _, _, err := gh3.Apps.CreateInstallationToken(ctx, 7, nil); err != nil {
		t.Fatal(err)
	}
	if len(tr3.Violations()) != 0 || len(tr3.Allowed()) != 1 {
		t.Fatalf("violations %v allowed %v", tr3.Violations(), tr3.Allowed())
	}
}

// TestEveryPathItemDecodes decodes each of the description's path items
// (with its referenced components) the way the transport does lazily.
func TestEveryPathItemDecodes(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes all 811 path items (about a second)")
	}
	t.Parallel()
	api, err := LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	ops := 0
	for _, template := range api.Router.Templates() {
		doc, item, err := api.PathItem(template)
		if err != nil {
			t.Errorf("%s: %v", template, err)
			continue
		}
		if item == nil || doc == nil {
			t.Errorf("%s: no path item", template)
			continue
		}
		for method, op := range item.Operations() {
			ops++
			for code, r := range op.Responses.Map() {
				if r.Value == nil {
					t.Errorf("%s %s %s: unresolved response", method, template, code)
				}
			}
		}
	}
	if ops < 1000 {
		t.Errorf("only %d operations", ops)
	}
	t.Logf("%d paths, %d operations", len(api.Router.Templates()), ops)
}

// TestConcurrentUse runs exchanges from many goroutines through one
// transport (run with -race).
func TestConcurrentUse(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/o/r", 200, readTestdata(t, "full-repository.json"))
	f.handle("GET", "/repos/o/r/git/ref/heads/main", 200, readTestdata(t, "git-ref.json"))
	f.handle("GET", "/repos/o/bad", 200, []byte(`{}`))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				for _, p := range []string{"/repos/o/r", "/repos/o/r/git/ref/heads/main", "/repos/o/bad"} {
					resp, err := c.Get(srv.URL + p)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if n := len(tr.Violations()); n != 40 || len(rec.all()) != 40 {
		t.Fatalf("want 40 violations (one per bad exchange), got %d", n)
	}
	if tr.Exchanges() != 120 {
		t.Fatalf("exchanges %d", tr.Exchanges())
	}
}

// GitHub's custom media types (raw, diff, …) that the client asked for are
// not JSON and not in the description; only the status is checked.
func TestCustomMediaTypes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.Header.Get("Accept"), "vnd.github.raw"):
			w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
			io.WriteString(w, "# Postmortem\n")
		case strings.Contains(r.Header.Get("Accept"), "vnd.github.diff"):
			w.Header().Set("Content-Type", "application/vnd.github.diff; charset=utf-8")
			io.WriteString(w, "diff --git a/x b/x\n")
		default:
			w.Header().Set("Content-Type", "application/vnd.github.raw")
			io.WriteString(w, "unasked\n")
		}
	}))
	defer srv.Close()
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	get := func(path, accept string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("/repos/o/r/contents/docs/pm.md", "application/vnd.github.raw+json")
	get("/repos/o/r/pulls/1", "application/vnd.github.diff")
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	// Not asked for: a violation.
	get("/repos/o/r/contents/docs/pm.md", "application/vnd.github+json")
	mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}/contents/{path}", "application/vnd.github.raw")
}

// Errors inside allOf/oneOf are reported where they are, and several errors
// in one body are all reported.
func TestNestedAndMultipleSchemaErrors(t *testing.T) {
	inst := string(readTestdata(t, "installation-token.json"))
	var m map[string]any
	json.Unmarshal([]byte(inst), &m)
	m["expires_at"] = 7
	m["permissions"].(map[string]any)["issues"] = "admin" // enum: read, write
	body, _ := json.Marshal(m)
	f, srv := newFake(t)
	f.handle("POST", "/app/installations/1/access_tokens", 201, body)
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	do(t, &http.Client{Transport: tr}, "POST", srv.URL+"/app/installations/1/access_tokens", `{"repository_ids":["x"]}`)
	vs := tr.Violations()
	if len(vs) != 2 {
		t.Fatalf("want a request and a response violation, got %v", vs)
	}
	if !strings.Contains(vs[0].Message, "/repository_ids/0") {
		t.Errorf("request: %s", vs[0].Message)
	}
	for _, want := range []string{"/expires_at", "/permissions/issues", `"admin"`} {
		if !strings.Contains(vs[1].Message, want) {
			t.Errorf("response message %q lacks %q", vs[1].Message, want)
		}
	}

	// A nested object inside allOf: the repository's owner (simple-user
	// inside an allOf in several schemas) with a wrong field.
	var list []map[string]any
	json.Unmarshal([]byte("["+string(readTestdata(t, "git-ref.json"))+"]"), &list)
	list[0]["object"].(map[string]any)["sha"] = 12
	lb, _ := json.Marshal(list)
	f.handle("GET", "/repos/o/r/git/matching-refs/heads/x", 200, lb)
	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil)
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/repos/o/r/git/matching-refs/heads/x", "")
	mustOneViolation(t, tr2, rec2, KindResponse, "/repos/{owner}/{repo}/git/matching-refs/{ref}", "/0/object/sha", "got 12")
}

// GET /app/installations: the description's allOf bug is excused detail by
// detail; anything else wrong in the same body is still reported.
func TestDetailAllowlist(t *testing.T) {
	items := readTestdata(t, "installation-items.json")
	f, srv := newFake(t)
	f.handle("GET", "/app/installations", 200, items)
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/app/installations", "")
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	if a := tr.Allowed(); len(a) != 1 || len(a[0].Details) != 4 {
		t.Fatalf("want the 4 enterprise-only fields excused, got %v", a)
	}

	var list []map[string]any
	json.Unmarshal(items, &list)
	list[0]["account"].(map[string]any)["id"] = "1"
	b, _ := json.Marshal(list)
	f.handle("GET", "/app/installations", 200, b)
	do(t, c, "GET", srv.URL+"/app/installations", "")
	v := mustOneViolation(t, tr, rec, KindResponse, "/app/installations", "/0/account/id")
	if len(v.Details) != 1 || strings.Contains(v.Message, "slug") {
		t.Fatalf("excused details leaked into the violation: %v", v.Details)
	}

	// Without the default allowlist all five are reported.
	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil, WithoutDefaultAllowlist())
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/app/installations", "")
	if v := mustOneViolation(t, tr2, rec2, KindResponse, "/app/installations", "slug"); len(v.Details) != 5 {
		t.Fatalf("details %v", v.Details)
	}
}

// Statuses GitHub can send from any endpoint are accepted undeclared, if
// their body has GitHub's error shape.
func TestUniversalStatuses(t *testing.T) {
	f, srv := newFake(t)
	// GET /app declares only 200.
	f.handle("GET", "/app", 401, []byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`))
	f.handle("GET", "/app/installations", 502, []byte(`{"message":"Server Error"}`))
	f.handle("GET", "/repos/o/r/git/ref/heads/main", 429, []byte(`{"error":"slow down"}`))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/app", "")
	do(t, c, "GET", srv.URL+"/app/installations", "")
	if vs := tr.Violations(); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	do(t, c, "GET", srv.URL+"/repos/o/r/git/ref/heads/main", "")
	mustOneViolation(t, tr, rec, KindResponse, "/repos/{owner}/{repo}/git/ref/{ref}", "status 429", "/message")

	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil, WithStrictStatuses())
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/app", "")
	mustOneViolation(t, tr2, rec2, KindResponse, "/app", "status 401 is not declared")
}
