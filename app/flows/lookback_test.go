package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
)

// mergeChange pushes files on a branch, opens a pull request and merges
// it: the commit that reached the default branch.
func mergeChange(t *testing.T, e *flowtest.Env, branch, title, body string, files map[string]string) (int, string) {
	t.Helper()
	_, err := e.Alice.PushFiles(flowRepo, branch, files, title)
	e.Must(err)
	n, err := e.Alice.OpenPR(flowRepo, branch, "main", title, body)
	e.Must(err)
	sha, err := e.Bob.MergePR(flowRepo, n, "squash")
	e.Must(err)
	return n, sha
}

// The story of issue 17: a pull request merged and deployed an hour before
// the incident, which names the file it changed, is in the draft's
// timeline and tops its "Changes before the incident"; then, closest
// first, the deploy workflow's run, a release, an earlier merge; a merge of
// the day before and a CI run are not there. The look-back costs four
// reads.
func TestDraftShowsChangesBeforeTheIncident(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	clk := clock.NewOffset(at("2026-02-28T06:00:00Z"))
	e := newFlowEnv(t, flowEnvOpts{clock: clk})
	g := e.env
	old, _ := mergeChange(t, g, "deps", "Bump the HTTP client", "", map[string]string{"go.sum": "x\n"})
	clk.Set(at("2026-03-01T07:00:00Z"))
	metrics, _ := mergeChange(t, g, "metrics", "Add queue metrics", "", map[string]string{"queue/metrics.go": "package queue\n"})
	clk.Set(at("2026-03-01T09:00:00Z"))
	_, err := g.Alice.Release(flowRepo, "v1.4.0", "", "1.4.0")
	e.must(err)
	e.sim.AddWorkflowRun(flowRepo, githubsim.WorkflowRun{Name: "CI", At: at("2026-03-01T10:00:00Z")})
	e.sim.AddWorkflowRun(flowRepo, githubsim.WorkflowRun{Name: "Deploy", Conclusion: "success", At: at("2026-03-01T10:58:00Z")})
	clk.Set(at("2026-03-01T11:00:00Z"))
	pool, sha := mergeChange(t, g, "pool", "Lower the checkout pool size", "Sets the pool in `checkout/pool.go` to 20.",
		map[string]string{"checkout/pool.go": "package checkout\n\nconst poolSize = 20\n"})
	_, err = g.Alice.Deploy(flowRepo, sha, "production", "success")
	e.must(err)

	clk.Set(at("2026-03-01T12:00:00Z"))
	n, err := e.alice.OpenIssue(flowRepo, "Checkout returns 502s", "The pool in `checkout/pool.go` runs dry under load.", "incident", "sev2")
	e.must(err)
	mark := e.mark()
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	calls, _ := e.appCalls(mark)
	for _, route := range []string{"GET /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/deployments",
		"GET /repos/{owner}/{repo}/releases", "GET /repos/{owner}/{repo}/actions/runs"} {
		if calls[route] != 1 {
			t.Errorf("%s: %d calls, want 1\n%s", route, calls[route], fmtCalls(calls))
		}
	}
	doc, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	section := doc[strings.Index(doc, "## Changes before the incident"):]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	t.Logf("draft's changes:\n%s", section)
	items := listItems(section)
	want := []string{
		"1. [#" + itoa(pool) + " Lower the checkout pool size](",
		"2. [workflow Deploy, run 1 (success)](",
		"3. [release v1.4.0 \\(1.4.0\\)](",
		"4. [#" + itoa(metrics) + " Add queue metrics](",
	}
	if len(items) != len(want) {
		t.Fatalf("%d changes, want %d:\n%s", len(items), len(want), section)
	}
	for i, w := range want {
		if !strings.HasPrefix(items[i], w) {
			t.Errorf("change %d = %q, want it to start %q", i+1, items[i], w)
		}
	}
	if !strings.Contains(items[0], "merged 2026-03-01 11:00 UTC, deployed to production 2026-03-01 11:00 UTC (1 h before); mentions `checkout/pool.go`, named in the incident") {
		t.Errorf("the first change: %q", items[0])
	}
	if strings.Contains(section, "Bump the HTTP client") || strings.Contains(section, "CI") || strings.Contains(section, "Not seen") {
		t.Errorf("outside the window, not a deploy, or unseen:\n%s", section)
	}
	d := checks.Parse([]byte(doc))
	var merged, deployed bool
	for _, te := range d.Timeline {
		line := d.Line(te.Line)
		merged = merged || strings.Contains(line, "2026-03-01 11:00 UTC — pull request \\#"+itoa(pool)+" merged: Lower the checkout pool size")
		deployed = deployed || strings.Contains(line, "\\#"+itoa(pool)+" deployed to production")
	}
	if !merged || !deployed {
		t.Errorf("the timeline lacks the merge (%v) or the deployment (%v):\n%s", merged, deployed, doc)
	}
	_ = old
}

// An installation that was not granted deployments or actions still gets
// its draft, which says what the App could not see.
func TestDraftSaysWhatItCouldNotSee(t *testing.T) {
	seed := flowtest.Seed(nil)
	delete(seed.GitHub.Apps[0].Permissions, "deployments")
	delete(seed.GitHub.Apps[0].Permissions, "actions")
	g := flowtest.NewSeeded(t, seed, nil)
	f := &Flows{Clients: g.Clients, Claims: g.Claims, BotLogin: flowBot, Watch: g.Watch}
	n := g.OpenIncident("Checkout outage", "incident", "sev2")
	res, err := f.Incident(g.Ctx, g.Incident(n))
	g.Must(err)
	doc, err := g.Sim.FileAt(flowRepo, res.Branch, res.Path)
	g.Must(err)
	for _, w := range []string{"No pull request merged to the default branch, deployment, release or deploy workflow run in that window.",
		"Not seen: deployments (the App has not been granted Deployments: read here); workflow runs (the App has not been granted Actions: read here, or Actions is off)."} {
		if !strings.Contains(doc, w) {
			t.Errorf("draft lacks %q:\n%s", w, doc)
		}
	}
	var _ jobs.IncidentArgs
}

// listItems are the numbered items of a section, one string each.
func listItems(section string) []string {
	var out []string
	for _, l := range strings.Split(section, "\n") {
		if len(l) > 2 && l[0] >= '1' && l[0] <= '9' && strings.Contains(l[:4], ". ") {
			out = append(out, l)
		}
	}
	return out
}

// The window ends when the incident started, when the issue says (a
// "Started at" line), and is as long as look_back says; look_back: off
// makes none of the four reads and leaves the section out.
func TestDraftLooksBackFromTheStartAsConfigured(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	clk := clock.NewOffset(at("2026-03-01T06:00:00Z"))
	e := newFlowEnv(t, flowEnvOpts{clock: clk, files: map[string]string{".github/postmortem.yml": "look_back: 3h\n"}})
	g := e.env
	early, _ := mergeChange(t, g, "early", "Tune the cache", "", map[string]string{"cache.go": "package x\n"})
	clk.Set(at("2026-03-01T08:00:00Z"))
	metrics, _ := mergeChange(t, g, "metrics", "Add queue metrics", "", map[string]string{"queue/metrics.go": "package queue\n"})
	clk.Set(at("2026-03-01T11:00:00Z"))
	late, _ := mergeChange(t, g, "late", "Raise the pool size", "", map[string]string{"pool.go": "package x\n"})
	clk.Set(at("2026-03-01T12:00:00Z"))
	n, err := e.alice.OpenIssue(flowRepo, "Queue stalls", "Started at: 2026-03-01 10:00 UTC\n\nThe queue stalls.", "incident", "sev2")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	doc, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	section := doc[strings.Index(doc, "## Changes before the incident"):]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	if !strings.Contains(section, "in the 3 h before the incident began (2026-03-01 10:00 UTC)") {
		t.Errorf("the window is not the 3 hours before the start the issue gives:\n%s", section)
	}
	items := listItems(section)
	if len(items) != 1 || !strings.Contains(items[0], "#"+itoa(metrics)+" Add queue metrics") || !strings.Contains(items[0], "(2 h before)") {
		t.Errorf("changes %q, want only #%d (#%d is before the window, #%d after the start)\n%s", items, metrics, early, late, section)
	}

	_, err = e.alice.PushFiles(flowRepo, "main", map[string]string{".github/postmortem.yml": "look_back: off\n"}, "No look-back")
	e.must(err)
	n2, err := e.alice.OpenIssue(flowRepo, "Queue stalls again", "It stalls.", "incident", "sev3")
	e.must(err)
	mark := e.mark()
	res, err = e.flows.Incident(e.ctx, e.incident(n2))
	e.must(err)
	calls, _ := e.appCalls(mark)
	for _, route := range []string{"GET /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/deployments",
		"GET /repos/{owner}/{repo}/releases", "GET /repos/{owner}/{repo}/actions/runs"} {
		if calls[route] != 0 {
			t.Errorf("look_back: off, yet %s: %d calls", route, calls[route])
		}
	}
	doc, err = e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	if strings.Contains(doc, "Changes before the incident") {
		t.Errorf("look_back: off, yet the draft has the section:\n%s", doc)
	}
}

func TestIncidentStart(t *testing.T) {
	opened := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for body, want := range map[string]string{
		"Started at: 2026-03-01 10:00 UTC":                         "2026-03-01T10:00:00Z",
		"- **Started:** 2026-03-01T09:15:00+01:00\n":               "2026-03-01T08:15:00Z",
		"started_at: 2026-03-01T11:59:00Z":                         "2026-03-01T11:59:00Z",
		"### Started at\n\n2026-03-01 07:30\n\n### Impact\n\nslow": "2026-03-01T07:30:00Z",
		"Impact started — 2026-03-01 11:00 UTC":                    "2026-03-01T11:00:00Z",
		"Nothing said.": "",
		"Started at: 2026-03-02 10:00 UTC (after it was opened)":    "",
		"Started at: 2025-03-01 10:00 UTC (a year before: a typo?)": "",
		"We started at: sometime":                                   "",
	} {
		is := &github.Issue{Body: github.String(body), CreatedAt: &github.Timestamp{Time: opened}}
		got, ok := incidentStart(is)
		switch {
		case want == "" && (ok || !got.Equal(opened)):
			t.Errorf("%q: %v, %v; want the issue's opening", body, got, ok)
		case want != "" && (!ok || got.Format(time.RFC3339) != want):
			t.Errorf("%q: %v, %v; want %s", body, got, ok, want)
		}
	}
}
