package githubsim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestETagRateLimitAndPagination(t *testing.T) {
	srv, err := New(Options{Seed: testSeed(t), RateLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	tok := srv.UserToken("alice")
	get := func(path, inm string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL()+path, nil)
		req.Header.Set("Authorization", "token "+tok)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	r1 := get("/repos/acme/services", "")
	etag := r1.Header.Get("ETag")
	if r1.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) || r1.Header.Get("X-RateLimit-Remaining") != "4" ||
		r1.Header.Get("Content-Type") != "application/json; charset=utf-8" || r1.Header.Get("X-GitHub-Request-Id") == "" || r1.Header.Get("Last-Modified") == "" {
		t.Fatalf("first: %d %v", r1.StatusCode, r1.Header)
	}
	r2 := get("/repos/acme/services", etag)
	if r2.StatusCode != 304 || r2.Header.Get("X-RateLimit-Remaining") != "4" {
		t.Fatalf("conditional: %d remaining %s", r2.StatusCode, r2.Header.Get("X-RateLimit-Remaining"))
	}
	for i := 0; i < 4; i++ {
		get("/repos/acme/services", "")
	}
	r3 := get("/repos/acme/services", "")
	if r3.StatusCode != 403 || r3.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("exhausted: %d %s", r3.StatusCode, r3.Header.Get("X-RateLimit-Remaining"))
	}
	calls := srv.Calls()
	if calls[1].CacheHit != true || calls[1].Route != "GET /repos/{owner}/{repo}" || calls[0].TokenKind != "user" || calls[0].Login != "alice" {
		t.Fatalf("calls = %+v", calls[:2])
	}
	// go-github sees the rate limit error type
	c := github.NewClient(&http.Client{Transport: &tokenTransport{token: tok, base: http.DefaultTransport}})
	c.BaseURL, _ = c.BaseURL.Parse(srv.URL() + "/")
	_, _, err = c.Repositories.Get(bg, "acme", "services")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("want RateLimitError, got %T %v", err, err)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		must[*github.Issue](t)(e.inst.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String(fmt.Sprint("i", i))}))
	}
	var seen []int
	opt := &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 3}, Direction: "asc"}
	for pages := 0; ; pages++ {
		list, resp, err := e.inst.Issues.ListByRepo(bg, "acme", "services", opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range list {
			seen = append(seen, is.GetNumber())
		}
		if pages == 0 && resp.LastPage != 3 {
			t.Fatalf("last page = %d", resp.LastPage)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5 6 7]" {
		t.Fatalf("seen = %v", seen)
	}
}

func TestFaults(t *testing.T) {
	e := newEnv(t)
	alice := e.rawClient(e.srv.UserToken("alice"))
	pattern := func(seed int64) string {
		e.srv.Faults().Clear()
		e.srv.Faults().Add(Fault{Route: "GET /repos/{owner}/{repo}", Kind: Status5xx, Probability: 0.5, Seed: seed})
		var b strings.Builder
		for i := 0; i < 20; i++ {
			_, resp, _ := alice.Repositories.Get(bg, "acme", "services")
			fmt.Fprint(&b, resp.StatusCode/100)
		}
		return b.String()
	}
	p1, p2, p3 := pattern(7), pattern(7), pattern(8)
	if p1 != p2 || p1 == p3 || !strings.Contains(p1, "5") || !strings.Contains(p1, "2") {
		t.Fatalf("patterns %s %s %s", p1, p2, p3)
	}
	e.srv.Faults().Clear()
	e.srv.Faults().Add(Fault{Route: "POST /repos/{owner}/{repo}/issues", Kind: SecondaryRateLimit, Count: 1})
	_, resp, err := alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x")})
	var arl *github.AbuseRateLimitError
	if !errors.As(err, &arl) || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("secondary: %T %v", err, err)
	}
	alice = e.rawClient(e.srv.UserToken("alice")) // go-github refuses to call again before Retry-After
	must[*github.Issue](t)(alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x")}))
	e.srv.Faults().Add(Fault{Route: "*", Kind: Drop, Count: 1})
	// a POST (net/http silently retries an idempotent GET on a reused connection)
	if _, _, err := alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("dropped")}); err == nil {
		t.Fatal("dropped request succeeded")
	}
	// A dropped request did nothing; a lost answer did its work.
	titles := func() (n map[string]int) {
		n = map[string]int{}
		for _, is := range e.srv.Issues("acme/services") {
			n[is.Title]++
		}
		return n
	}
	if titles()["dropped"] != 0 {
		t.Fatal("a dropped request created its issue")
	}
	e.srv.Faults().Add(Fault{Route: "POST /repos/{owner}/{repo}/issues", Kind: LostAnswer, Count: 1})
	if _, _, err := alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("lost")}); err == nil {
		t.Fatal("a request whose answer was lost succeeded")
	}
	if titles()["lost"] != 1 {
		t.Fatalf("the request whose answer was lost did not create its issue once: %v", titles())
	}
	if c := e.srv.Calls(); c[len(c)-1].Fault != "lost_answer" || c[len(c)-1].Status != http.StatusCreated {
		t.Fatalf("recorded as %+v, want the 201 GitHub made, marked lost_answer", c[len(c)-1])
	}
	// A fault aimed at installation tokens leaves a user's request alone.
	e.srv.Faults().Clear()
	e.srv.Faults().Add(Fault{Route: "POST /repos/{owner}/{repo}/issues", Kind: Status5xx, Count: 1, TokenKind: "installation"})
	must[*github.Issue](t)(alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("user")}))
	if hits := e.srv.Faults().Hits(); hits[0] != 0 {
		t.Fatalf("an installation-token fault hit a user's request (%d)", hits[0])
	}
	e.srv.Faults().Add(Fault{Route: "*", Kind: PrimaryExhausted, Count: 1, Status: 429})
	_, resp, err = alice.Repositories.Get(bg, "acme", "services")
	if resp == nil || resp.StatusCode != 429 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("primary: %v", err)
	}
	alice = e.rawClient(e.srv.UserToken("alice")) // go-github remembers the exhausted limit
	e.srv.Faults().Add(Fault{Route: "*", Kind: Latency, Latency: 30 * time.Millisecond, Count: 1})
	start := time.Now()
	must[*github.Repository](t)(alice.Repositories.Get(bg, "acme", "services"))
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("latency fault not applied")
	}
}

func TestWebhookDeliveriesAndFaults(t *testing.T) {
	e := newEnv(t)
	e.srv.Faults().AddHook(HookFault{Event: "issues.opened", Kind: HookFail, Count: 1})
	e.srv.Faults().AddHook(HookFault{Event: "issue_comment", Kind: HookDuplicate, N: 2, Count: 1})
	alice := e.srv.As("alice")
	n, err := alice.OpenIssue(testRepo, "outage", "body")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Comment(testRepo, n, "hi"); err != nil {
		t.Fatal(err)
	}
	e.srv.WaitIdle()
	names := e.hooks.names()
	if strings.Join(names, " ") != "issue_comment.created issue_comment.created issue_comment.created" {
		t.Fatalf("received %v", names)
	}
	got := e.hooks.all()
	if got[0].guid != got[1].guid || got[0].header.Get("X-GitHub-Hook-Installation-Target-ID") != fmt.Sprint(testAppID) ||
		!strings.HasPrefix(got[0].header.Get("User-Agent"), "GitHub-Hookshot/") || got[0].header.Get("X-Hub-Signature") == "" {
		t.Fatalf("headers %v", got[0].header)
	}
	// the deliveries API shows the failure; redelivery brings it back with the same GUID
	var failed *github.HookDelivery
	opts := &github.ListCursorOptions{PerPage: 2}
	var all []*github.HookDelivery
	for {
		ds, resp, err := e.app.Apps.ListHookDeliveries(bg, opts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	for _, d := range all {
		if d.GetEvent() == "issues" && d.GetStatusCode() != 200 {
			failed = d
		}
	}
	if len(all) != 4 || failed == nil {
		t.Fatalf("deliveries = %d, failed %v", len(all), failed)
	}
	full := must[*github.HookDelivery](t)(e.app.Apps.GetHookDelivery(bg, failed.GetID()))
	if full.Request == nil || full.GetInstallationID() != testInstID {
		t.Fatalf("delivery = %+v", full)
	}
	_, resp, err := e.app.Apps.RedeliverHookDelivery(bg, failed.GetID())
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) || resp.StatusCode != 202 {
		t.Fatalf("redeliver: %v", err)
	}
	e.srv.WaitIdle()
	last := e.hooks.all()[3]
	if last.event != "issues" || last.action != "opened" || last.guid != failed.GetGUID() {
		t.Fatalf("redelivered %s.%s %s", last.event, last.action, last.guid)
	}
	ds := e.srv.Deliveries()
	if !ds[len(ds)-1].Redelivery || !ds[len(ds)-1].OK() {
		t.Fatalf("last delivery = %+v", ds[len(ds)-1])
	}
	// a failing endpoint is recorded, never retried
	e.hooks.mu.Lock()
	e.hooks.status = 500
	e.hooks.mu.Unlock()
	before := len(e.srv.Deliveries())
	alice.Comment(testRepo, n, "again")
	e.srv.Flush()
	ds = e.srv.Deliveries()
	if len(ds) != before+1 || ds[len(ds)-1].StatusCode != 500 {
		t.Fatalf("deliveries after failure: %d → %d", before, len(ds))
	}
}

func TestReorderedDeliveries(t *testing.T) {
	e := newEnv(t)
	e.srv.Faults().AddHook(HookFault{Event: "issues.opened", Kind: HookReorder, Count: 1})
	alice := e.srv.As("alice")
	n, _ := alice.OpenIssue(testRepo, "outage", "")
	alice.Comment(testRepo, n, "first comment")
	e.srv.Flush()
	if got := strings.Join(e.hooks.names(), " "); got != "issue_comment.created issues.opened" {
		t.Fatalf("order = %s", got)
	}
}
