package flows

import (
	"strconv"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The repository's digest: one issue, written by the first pass of each
// week and edited in place the next week (once, however many passes run),
// open follow-ups by owner with the overdue ones first, and what closed.
func TestRepositoryDigest(t *testing.T) {
	e, clk := remindEnv(t, "digest: repository\n")
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, due: 2026-03-04)\n"+
		"- [ ] Alert on saturation (owner: @alice, due: 2026-03-20)\n"+
		"- [ ] Document the rollback (owner: @bob, due: 2026-04-01)\n"+
		"- [ ] Review pool defaults (due: 2026-05-01)\n")
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	digests := func() []int {
		var out []int
		for _, is := range e.sim.Issues(flowRepo) {
			if strings.Contains(is.Body, MarkerDigest(flowRepo)) {
				out = append(out, is.Number)
			}
		}
		return out
	}
	res := e.pass()
	d := digests()
	if len(d) != 1 || res.Digest != d[0] {
		t.Fatalf("first pass: digest %d, issues %v", res.Digest, d)
	}
	e.pass()
	on(clk, "2026-03-04")
	if res := e.pass(); res.Digest != 0 {
		t.Fatalf("same week, written again: %+v", res)
	}
	var docs []int
	for _, f := range e.followUpIssues(n) {
		if f.Title == "Document the rollback" {
			docs = append(docs, f.Number)
		}
	}
	e.must(e.bob.CloseIssue(flowRepo, docs[0], "completed"))
	on(clk, "2026-03-09") // Monday of the next week
	mark := e.mark()
	e.pass()
	e.pass()
	calls, _ := e.appCalls(mark)
	if got := calls["PATCH /repos/{owner}/{repo}/issues/{issue_number}"]; got != 1 || len(digests()) != 1 {
		t.Fatalf("next week: %d edits, digests %v\n%s", got, digests(), fmtCalls(calls))
	}
	body := e.issue(d[0]).Body
	i1, i2 := strings.Index(body, "Validate pool sizes"), strings.Index(body, "Alert on saturation")
	for _, want := range []string{"3 open follow-ups", "1 overdue", "**alice** (2)", "5 days overdue", "nobody yet", "Closed in the last 7 days", "Document the rollback", "week 11 of 2026"} {
		if !strings.Contains(body, want) {
			t.Errorf("digest does not say %q:\n%s", want, body)
		}
	}
	if i1 < 0 || i2 < 0 || i1 > i2 || strings.Contains(body, "@alice") {
		t.Errorf("digest: overdue first, and no mentions:\n%s", body)
	}
	t.Logf("sample digest:\n%s", body)
}

// An organization's digest: one issue in its .github repository for the
// repositories whose configuration says digest: organization, found by the
// installation's pass (which fans out to the repositories and to the
// organization's digest job).
func TestOrganizationDigest(t *testing.T) {
	seed := flowSeed(map[string]string{".github/postmortem.yml": "digest: organization\n"})
	seed.GitHub.Repos = append(seed.GitHub.Repos,
		githubsim.SeedRepo{Owner: "acme", Name: "web", Files: map[string]string{".github/postmortem.yml": "digest: organization\n"}},
		githubsim.SeedRepo{Owner: "acme", Name: ".github", Files: map[string]string{"README.md": "# acme\n"}})
	clk := clock.NewOffset(monday)
	g := flowtest.NewSeeded(t, seed, clk)
	e := &flowEnv{env: g, t: t, ctx: g.Ctx, sim: g.Sim, claims: g.Claims, alice: g.Alice, bob: g.Bob,
		flows: &Flows{Clients: g.Clients, Claims: g.Claims, BotLogin: flowBot, Watch: g.Watch, Now: clk.Now}}
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, due: 2026-03-20)\n")
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	// acme/web has a follow-up too (filed the same way).
	web, err := e.alice.OpenIssue("acme/web", "Login outage", "Logins fail.", "incident")
	e.must(err)
	_, err = e.alice.PushFiles("acme/web", "postmortem/"+strconv.Itoa(web)+"-x", map[string]string{"postmortems/x.md": fixedPostmortem(web, "- [ ] Cache sessions (owner: @bob, due: 2026-03-27)\n")}, "pm")
	e.must(err)
	wpr, err := e.alice.OpenPR("acme/web", "postmortem/"+strconv.Itoa(web)+"-x", "main", "Postmortem", MarkerIncidentPR(web))
	e.must(err)
	_, err = e.bob.MergePR("acme/web", wpr, "merge")
	e.must(err)
	_, err = e.flows.PullRequest(e.ctx, jobs.PullRequestArgs{InstallationID: flowInstID, Owner: "acme", Repo: "web", Number: wpr}, false)
	e.must(err)

	pass := func() []jobs.Args {
		queue := []jobs.Args{jobs.RemindArgs{}}
		var digests []jobs.Args
		for len(queue) > 0 {
			switch a := queue[0].(type) {
			case jobs.RemindArgs:
				res, err := e.flows.Remind(e.ctx, a)
				e.must(err)
				queue = append(queue, res.Enqueued...)
			case jobs.DigestArgs:
				digests = append(digests, a)
			}
			queue = queue[1:]
		}
		return digests
	}
	// The first pass learns each repository's scope; the next writes the
	// organization's digest (the scopes are on the watch list by then).
	pass()
	digests := pass()
	if len(digests) != 1 || digests[0].(jobs.DigestArgs).Owner != "acme" {
		t.Fatalf("digest jobs %v", digests)
	}
	res, err := e.flows.Digest(e.ctx, digests[0].(jobs.DigestArgs))
	e.must(err)
	if res.Repos != 2 || res.Issue == 0 {
		t.Fatalf("digest = %+v", res)
	}
	var body string
	for _, is := range e.sim.Issues("acme/.github") {
		if is.Number == res.Issue {
			body = is.Body
		}
	}
	for _, want := range []string{MarkerDigest("acme"), "the acme organization", "acme/services#", "acme/web#", "Validate pool sizes", "Cache sessions"} {
		if !strings.Contains(body, want) {
			t.Errorf("organization digest lacks %q:\n%s", want, body)
		}
	}
	if again, err := e.flows.Digest(e.ctx, digests[0].(jobs.DigestArgs)); err != nil || again.Issue != 0 {
		t.Errorf("same week again: %+v %v", again, err)
	}
	for _, is := range e.sim.Issues(flowRepo) {
		if strings.Contains(is.Body, "postmortem:digest") {
			t.Errorf("a repository digest in %s: #%d", flowRepo, is.Number)
		}
	}
}
