package githubsim

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// TestSearchIssues: GET /search/issues answers the qualifiers the App's
// resync uses as GitHub does, within what the caller can see, paginated,
// held to the description (the conformance transport), and with its own
// rate limit of 30 requests a minute.
func TestSearchIssues(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice")
	open := func(c *github.Client, owner, repo, title string, labels ...string) int {
		t.Helper()
		is := must[*github.Issue](t)(c.Issues.Create(bg, owner, repo, &github.IssueRequest{Title: github.String(title), Labels: &labels}))
		return is.GetNumber()
	}
	inc := open(alice, "acme", "services", "Checkout down", "incident")
	closed := open(alice, "acme", "services", "Old outage", "incident")
	must[*github.Issue](t)(alice.Issues.Edit(bg, "acme", "services", closed, &github.IssueRequest{State: github.String("closed")}))
	open(alice, "acme", "services", "A bug", "bug")
	open(alice, "acme", "private-notes", "Secret outage", "incident") // private, outside the installation
	open(e.user(t, "bob"), "bob", "sandbox", "Bob's outage", "incident")
	as := e.srv.As("alice")
	pm := func(branch string) int {
		t.Helper()
		if _, err := as.PushFiles("acme/services", branch, map[string]string{"postmortems/x.md": branch}, "x"); err != nil {
			t.Fatal(err)
		}
		n, err := as.OpenPR("acme/services", branch, "main", branch, "")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	pr := pm("postmortem/1-checkout-down")
	pm("feature/postmortem-template")

	numbers := func(c *github.Client, q string, opts *github.SearchOptions) []int {
		t.Helper()
		res := must[*github.IssuesSearchResult](t)(c.Search.Issues(bg, q, opts))
		var ns []int
		for _, is := range res.Issues {
			ns = append(ns, is.GetNumber())
		}
		sort.Ints(ns)
		if res.GetTotal() < len(ns) || res.GetIncompleteResults() {
			t.Errorf("%q: total %d for %d items, incomplete %v", q, res.GetTotal(), len(ns), res.GetIncompleteResults())
		}
		return ns
	}
	eq := func(q string, got []int, want ...int) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%q = %v, want %v", q, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q = %v, want %v", q, got, want)
				return
			}
		}
	}
	for q, want := range map[string][]int{
		`is:issue is:open label:incident org:acme`:               {inc},
		`is:issue label:"incident" org:acme`:                     {inc, closed},
		`is:issue state:closed label:incident org:acme`:          {closed},
		`is:pr is:open head:postmortem/ org:acme archived:false`: {pr},
		`is:pr is:open head:postmortem/ repo:acme/services`:      {pr},
		`is:issue is:open label:incident user:bob`:               {1},
		`is:issue is:open label:incident org:nobody`:             nil,
		`is:issue checkout org:acme`:                             {inc},
	} {
		eq(q, numbers(e.inst, q, nil), want...)
	}
	// alice sees the private repository the installation does not reach
	if got := numbers(alice, `is:issue is:open label:incident org:acme`, nil); len(got) != 2 {
		t.Errorf("alice sees %v, want two incidents", got)
	}
	// updated: with a date-time
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	eq("updated:>="+future, numbers(e.inst, `is:issue label:incident org:acme updated:>=`+future, nil))
	eq("updated:>="+past, numbers(e.inst, `is:issue is:open label:incident org:acme updated:>=`+past, nil), inc)

	// pagination: one a page, a Link to the next
	res, resp, err := e.inst.Search.Issues(bg, `is:issue org:acme`, &github.SearchOptions{ListOptions: github.ListOptions{PerPage: 1}})
	if err != nil || len(res.Issues) != 1 || res.GetTotal() != 3 || resp.NextPage != 2 {
		t.Fatalf("page 1: %v, %d items of %d, next %d", err, len(res.Issues), res.GetTotal(), resp.NextPage)
	}
	// past the first 1 000 results, and a qualifier the simulator does not know
	_, resp, err = e.inst.Search.Issues(bg, `is:issue org:acme`, &github.SearchOptions{ListOptions: github.ListOptions{PerPage: 100, Page: 11}})
	wantStatus(t, resp, err, 422)
	_, resp, err = e.inst.Search.Issues(bg, `is:issue org:acme milestone:v1`, nil)
	wantStatus(t, resp, err, 422)

	// the search rate limit: 30 a minute, its own resource. (A client on
	// GitHub Enterprise's /api/v3/ base would not do: go-github v62 tells
	// the search resource by a path that starts with /search/.)
	inst := e.tokenClient(t, e.srv.InstallationToken(testInstID))
	used := 0
	for _, c := range e.srv.Calls() {
		if c.Route == "GET /search/issues" && c.TokenKind == "installation" {
			used++
		}
	}
	for i := used; i < SearchPerMinute; i++ {
		_, resp, err := inst.Search.Issues(bg, `is:issue org:acme`, nil)
		if err != nil {
			t.Fatalf("search %d: %v", i+1, err)
		}
		if resp.Header.Get("X-RateLimit-Resource") != "search" || resp.Rate.Limit != SearchPerMinute {
			t.Fatalf("search %d: resource %q, limit %d", i+1, resp.Header.Get("X-RateLimit-Resource"), resp.Rate.Limit)
		}
	}
	_, _, err = inst.Search.Issues(bg, `is:issue org:acme`, nil)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("search %d: %v, want a rate limit error", SearchPerMinute+1, err)
	}
	if d := time.Until(rle.Rate.Reset.Time); d <= 0 || d > time.Minute {
		t.Errorf("resets in %v, want within a minute", d)
	}
	// core requests still go
	must[*github.Issue](t)(inst.Issues.Get(bg, "acme", "services", inc))
}
