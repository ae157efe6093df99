package flows

import (
	"strings"
	"testing"
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
