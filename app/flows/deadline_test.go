package flows

import (
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/checks"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour) // passes run at any time of the day
}

func TestReminderSteps(t *testing.T) {
	rc := checks.DefaultConfig().FollowUps.Reminders // 3 days before, weekly, no weekends
	due := day("2026-03-18")                         // a Wednesday
	for _, c := range []struct{ today, want string }{
		{"2026-03-13", ""},          // Friday: 5 days before
		{"2026-03-14", ""},          // Saturday, within nothing anyway
		{"2026-03-15", ""},          // Sunday: 3 days before, but a weekend
		{"2026-03-16", "soon"},      // Monday
		{"2026-03-18", "due"},       // the day
		{"2026-03-21", ""},          // Saturday
		{"2026-03-23", "due"},       // still within the first week
		{"2026-03-25", "overdue-1"}, // a week late
		{"2026-04-01", "overdue-2"},
		{"2026-04-04", ""}, // Saturday
	} {
		if got := reminderStep(day(c.today), due, rc); got != c.want {
			t.Errorf("%s (%s): step %q, want %q", c.today, day(c.today).Weekday(), got, c.want)
		}
	}
	weekends := rc
	weekends.Weekends = true
	if got := reminderStep(day("2026-03-15"), due, weekends); got != "soon" {
		t.Errorf("weekends on: %q", got)
	}
	once := rc
	once.Every = checks.Period{}
	if got := reminderStep(day("2026-05-01"), due, once); got != "due" {
		t.Errorf("every off: %q", got)
	}
	off := rc
	off.Enabled = false
	if got := reminderStep(day("2026-03-18"), due, off); got != "" {
		t.Errorf("disabled: %q", got)
	}
}

func TestEscalationAndOverdue(t *testing.T) {
	cfg := checks.DefaultConfig().FollowUps
	due := day("2026-03-18")
	if overdue(day("2026-03-18"), due) || !overdue(day("2026-03-19"), due) {
		t.Error("overdue is the day after the due date")
	}
	if escalationDue(day("2026-04-01"), due, cfg) {
		t.Error("no escalate_to: never escalated")
	}
	cfg.EscalateTo = "@acme/sre-leads"
	for _, c := range []struct {
		today string
		want  bool
	}{{"2026-03-31", false}, {"2026-04-01", true}, {"2026-04-04", false}, {"2026-04-06", true}} {
		if got := escalationDue(day(c.today), due, cfg); got != c.want {
			t.Errorf("escalation on %s: %v, want %v", c.today, got, c.want)
		}
	}
	if w := isoWeek(day("2026-03-02")); w != "2026-W10" {
		t.Errorf("week = %s", w)
	}
}
