package flows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/clock"
)

// remindEnv is a repository on a calendar starting Monday 2 March 2026,
// with escalation to a team.
func remindEnv(t *testing.T, config string) (*flowEnv, *clock.Offset) {
	t.Helper()
	clk := clock.NewOffset(monday)
	e := newFlowEnv(t, flowEnvOpts{clock: clk, files: map[string]string{".github/postmortem.yml": config}})
	return e, clk
}

// on sets the calendar to 10:00 UTC of a date.
func on(clk *clock.Offset, date string) {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		panic(err)
	}
	clk.Set(d.Add(10 * time.Hour))
}

func (e *flowEnv) pass() *RemindResult {
	e.t.Helper()
	res, err := e.flows.Remind(e.ctx, e.remindJob())
	e.must(err)
	return res
}

func (e *flowEnv) markers(n int, prefix string) []string {
	var out []string
	for _, c := range e.issue(n).Comments {
		if i := strings.Index(c.Body, prefix); i >= 0 {
			out = append(out, c.Body[i:i+strings.Index(c.Body[i:], "-->")+3])
		}
	}
	return out
}

// One follow-up through its steps: due soon, due, overdue (label),
// overdue a week, escalated at two weeks; each step once, however often the
// pass runs; weekends skipped; the date moved ends the overdue state.
func TestReminderPassSteps(t *testing.T) {
	e, clk := remindEnv(t, "follow_ups:\n  escalate_to: \"@acme/sre-leads\"\n")
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, due: 2026-03-18, priority: P1)\n")
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	fu := e.followUpIssues(n)[0].Number

	steps := []struct {
		date      string
		reminders int // reminder comments on the follow-up by then
		overdue   bool
		escalated int
	}{
		{"2026-03-02", 0, false, 0},
		{"2026-03-14", 0, false, 0}, // Saturday, within the window: waits
		{"2026-03-16", 1, false, 0}, // Monday: due soon
		{"2026-03-17", 1, false, 0},
		{"2026-03-18", 2, false, 0}, // due today
		{"2026-03-19", 2, true, 0},  // overdue: the label
		{"2026-03-25", 3, true, 0},  // a week overdue
		{"2026-03-28", 3, true, 0},  // Saturday
		{"2026-04-01", 4, true, 1},  // two weeks: reminded and escalated
		{"2026-04-02", 4, true, 1},
	}
	for _, s := range steps {
		on(clk, s.date)
		for range 2 { // every pass twice: the second does nothing
			e.pass()
		}
		got := e.markers(fu, "<!-- postmortem:reminder ")
		esc := e.markers(n, "<!-- postmortem:escalation ")
		over := slices.Contains(e.issue(fu).Labels, "overdue")
		if len(got) != s.reminders || over != s.overdue || len(esc) != s.escalated {
			t.Fatalf("%s: reminders %v, overdue label %v, escalations %v; want %d, %v, %d", s.date, got, over, esc, s.reminders, s.overdue, s.escalated)
		}
	}
	want := []string{"due=2026-03-18 step=soon", "due=2026-03-18 step=due", "due=2026-03-18 step=overdue-1", "due=2026-03-18 step=overdue-2"}
	for i, m := range e.markers(fu, "<!-- postmortem:reminder ") {
		if !strings.Contains(m, want[i]) {
			t.Errorf("reminder %d is %s, want %s", i, m, want[i])
		}
	}
	body := e.issue(fu).Comments[len(e.issue(fu).Comments)-1].Body
	if !strings.Contains(body, "@alice") || !strings.Contains(body, "2 weeks overdue") {
		t.Errorf("last reminder:\n%s", body)
	}
	esc := e.issue(n).Comments[len(e.issue(n).Comments)-1].Body
	if !strings.Contains(esc, "@acme/sre-leads") || !strings.Contains(esc, fmt.Sprintf("#%d", fu)) {
		t.Errorf("escalation:\n%s", esc)
	}

	// The date moves (as /postmortem due does): the label comes off, the
	// steps start over for the new date.
	is := e.issue(fu)
	moved := strings.Replace(is.Body, "- **Due:** 2026-03-18", "- **Due:** 2026-04-20", 1)
	_, _, err = e.alice.Client.Issues.Edit(e.ctx, "acme", "services", fu, &github.IssueRequest{Body: &moved})
	e.must(err)
	res := e.pass()
	if slices.Contains(e.issue(fu).Labels, "overdue") || len(res.Unlabelled) != 1 {
		t.Fatalf("date moved: %+v, labels %v", res, e.issue(fu).Labels)
	}
	on(clk, "2026-04-17") // Friday, three days before
	if res := e.pass(); len(res.Reminded) != 1 || !strings.Contains(e.markers(fu, "<!-- postmortem:reminder ")[4], "due=2026-04-20 step=soon") {
		t.Fatalf("new date: %+v %v", res, e.markers(fu, "<!-- postmortem:reminder "))
	}
	// Closed while overdue: the tracking flow takes the label off.
	on(clk, "2026-04-22")
	e.pass()
	if !slices.Contains(e.issue(fu).Labels, "overdue") {
		t.Fatal("no overdue label after the new date")
	}
	e.must(e.alice.CloseIssue(flowRepo, fu, "completed"))
	_, err = e.flows.Tracking(e.ctx, e.trackingJob(fu))
	e.must(err)
	if slices.Contains(e.issue(fu).Labels, "overdue") {
		t.Error("closed follow-up keeps the overdue label")
	}
	if res := e.pass(); res.FollowUps != 0 || len(res.Reminded) != 0 {
		t.Errorf("after close: %+v", res)
	}
}
