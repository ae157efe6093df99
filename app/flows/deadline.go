package flows

import (
	"fmt"
	"time"

	"github.com/postmortem-app/postmortem/checks"
)

// A reminder step is one of the moments a follow-up (or a postmortem owed)
// is reminded of: "soon" (reminders.before ahead of the due date), "due"
// (on the day), then "overdue-1", "overdue-2"… every reminders.every after
// it. Each step is posted once per due date: moving the date starts over.

// reminderStep is the step a pass on day today owes for due, "" when none:
// before the "soon" window, on a weekend unless reminders.weekends, with
// reminders off. A pass that missed steps (the App was down, a weekend)
// owes only the latest.
func reminderStep(today, due time.Time, rc checks.RemindersConfig) string {
	today, due = checks.Date(today), checks.Date(due)
	if !rc.Enabled || (!rc.Weekends && checks.IsWeekend(today)) {
		return ""
	}
	days := int(today.Sub(due).Hours() / 24)
	switch {
	case days < 0 && (rc.Before.IsZero() || -days > rc.Before.Days):
		return ""
	case days < 0:
		return "soon"
	case rc.Every.IsZero() || days < rc.Every.Days:
		return "due"
	}
	return fmt.Sprintf("overdue-%d", days/rc.Every.Days)
}

// overdue reports whether due has passed on day today.
func overdue(today, due time.Time) bool { return checks.Date(today).After(checks.Date(due)) }

// escalationDue reports whether a follow-up due on due, overdue on day
// today, is to be escalated: escalate_to is set and it has been overdue for
// escalate_after. Weekends wait for Monday as reminders do.
func escalationDue(today, due time.Time, cfg checks.FollowUpsConfig) bool {
	if cfg.EscalateTo == "" || !cfg.Reminders.Enabled || (!cfg.Reminders.Weekends && checks.IsWeekend(today)) {
		return false
	}
	after := cfg.EscalateAfter
	if after.IsZero() {
		return false
	}
	return !checks.Date(today).Before(after.After(due))
}

// parseDay reads a YYYY-MM-DD date (midnight UTC).
func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// isoWeek names the ISO week of t: "2026-W10".
func isoWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}
