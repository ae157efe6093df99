package flows

import (
	"strings"
	"testing"
)

// A SEV1 incident closed on Monday owes its postmortem five business days
// later: reminders on the incident and on its open postmortem pull request,
// each step once, until the postmortem merges; a SEV3 owes nothing; a
// skipped one owes nothing.
func TestPostmortemOwed(t *testing.T) {
	e, clk := remindEnv(t, "postmortem:\n  required_for: [SEV1]\n  due: 5 business days\n")
	sev1 := e.openIncident("Checkout down", "incident", "sev1")
	ires, err := e.flows.Incident(e.ctx, e.incident(sev1))
	e.must(err)
	sev3 := e.openIncident("Slow search", "incident", "sev3")
	skipped := e.openIncident("Login down", "incident", "sev1")
	for _, n := range []int{sev1, sev3, skipped} {
		e.must(e.alice.CloseIssue(flowRepo, n, "completed"))
	}
	e.must(e.alice.AddLabels(flowRepo, skipped, SkippedLabel))

	on(clk, "2026-03-05") // Thursday: due Monday 9 March, in 4 days
	if res := e.pass(); len(res.Owed) != 1 || res.Owed[0] != sev1 || len(res.OwedReminded) != 0 {
		t.Fatalf("before the window: %+v", res)
	}
	on(clk, "2026-03-06") // Friday: due soon
	e.pass()
	e.pass()
	on(clk, "2026-03-09") // the day
	e.pass()
	inc := e.markers(sev1, "<!-- postmortem:owed ")
	pr := e.markers(ires.PullRequest, "<!-- postmortem:owed ")
	if len(inc) != 2 || len(pr) != 2 || !strings.Contains(inc[0], "due=2026-03-09 step=soon") || !strings.Contains(inc[1], "step=due") {
		t.Fatalf("owed reminders: incident %v, pull request %v", inc, pr)
	}
	if len(e.markers(sev3, "<!-- postmortem:owed ")) != 0 || len(e.markers(skipped, "<!-- postmortem:owed ")) != 0 {
		t.Fatal("a SEV3 or a skipped incident was reminded")
	}
	body := e.issue(sev1).Comments[len(e.issue(sev1).Comments)-1].Body
	if !strings.Contains(body, "@bob") || !strings.Contains(body, "SEV1") || !strings.Contains(body, "/postmortem skip") {
		t.Errorf("owed reminder:\n%s", body)
	}
	// It merges: owed no more.
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(sev1, threeActions), "Write it")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	on(clk, "2026-03-16")
	if res := e.pass(); len(res.Owed) != 0 {
		t.Fatalf("merged, still owed: %+v", res)
	}
}
