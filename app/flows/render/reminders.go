package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day shows a date: "Monday 30 March 2026 (2026-03-30)".
func Day(t time.Time) string {
	return t.UTC().Format("Monday 2 January 2006") + " (" + t.UTC().Format("2006-01-02") + ")"
}

// Mentions are logins as mentions: "@alice, @bob" ("" for none).
func Mentions(logins []string) string {
	var ms []string
	for _, l := range logins {
		if l = strings.TrimPrefix(strings.TrimSpace(l), "@"); l != "" {
			ms = append(ms, "@"+l)
		}
	}
	return strings.Join(ms, ", ")
}

// Days says a number of days, in weeks when whole: "3 days", "2 weeks".
func Days(n int) string {
	if n > 0 && n%7 == 0 {
		return Plural(n/7, "week", "weeks")
	}
	return Plural(n, "day", "days")
}

func daysBetween(from, to time.Time) int {
	return int(to.UTC().Truncate(24*time.Hour).Sub(from.UTC().Truncate(24*time.Hour)).Hours() / 24)
}

// Reminder is the comment on a follow-up for reminder step ("soon", "due",
// "overdue-N"), due on due, on day today, to its assignees.
func Reminder(step string, due, today time.Time, assignees []string) string {
	who := Mentions(assignees)
	if who == "" {
		who = "Nobody is assigned"
	}
	var b strings.Builder
	late := daysBetween(due, today)
	switch {
	case step == "soon":
		fmt.Fprintf(&b, "⏰ %s: this follow-up is due **in %s**, on %s.\n\n", who, Days(-late), Day(due))
	case step == "due" && late == 0:
		fmt.Fprintf(&b, "⏰ %s: this follow-up is due **today**, %s.\n\n", who, Day(due))
	case step == "due":
		fmt.Fprintf(&b, "⏰ %s: this follow-up was due on %s.\n\n", who, Day(due))
	default:
		fmt.Fprintf(&b, "⚠️ %s: this follow-up is **%s overdue**: it was due on %s.\n\n", who, Days(late), Day(due))
	}
	b.WriteString("Done? Close this issue. More time needed? Comment `/postmortem due YYYY-MM-DD` with the new date, " +
		"or `/postmortem snooze 1w <reason>`.")
	if len(assignees) == 0 {
		b.WriteString(" Nobody owns it yet: `/postmortem owner @login` assigns someone.")
	}
	b.WriteString("\n")
	return b.String()
}

// Escalation is the comment on an incident mentioning to about follow-up
// number (title) overdue since due, on day today.
func Escalation(to string, number int, title string, due, today time.Time, assignees []string) string {
	owner := "nobody is assigned"
	if m := Mentions(assignees); m != "" {
		owner = "assigned to " + m
	}
	return fmt.Sprintf("🚨 %s: follow-up #%d (%s) of this incident is **%s overdue**: it was due on %s and %s. "+
		"It has had its reminders; could you help it get done, get a new date, or be closed as not planned?\n",
		to, number, Echo(title, 120), Days(daysBetween(due, today)), Day(due), owner)
}

// Owed is the reminder, on an incident (pr 0) or on its postmortem pull
// request, that the postmortem of an incident of severity, closed on
// closed, is due on due (step as Reminder's).
func Owed(step, severity string, closed, due, today time.Time, pr int, assignees []string) string {
	who := Mentions(assignees)
	if who == "" {
		who = "Responders"
	}
	var b strings.Builder
	late := daysBetween(due, today)
	when := "is due **today**, " + Day(due)
	switch {
	case step == "soon":
		when = "is due **in " + Days(-late) + "**, on " + Day(due)
	case late > 0:
		when = "is **" + Days(late) + " overdue**: it was due on " + Day(due)
	}
	fmt.Fprintf(&b, "📝 %s: the postmortem of this %s incident %s (the incident was closed on %s).\n\n", who, severity, when, Day(closed))
	if pr != 0 {
		fmt.Fprintf(&b, "Its draft is in #%d: finish it and merge it. ", pr)
	} else {
		b.WriteString("No postmortem pull request is open: label the incident again to have one drafted. ")
	}
	b.WriteString("If there will be no postmortem, record why with `/postmortem skip <reason>` on the incident.\n")
	return b.String()
}

// Weeks is a week's name for people: "week 10 of 2026 (from Monday 2 March)".
func Weeks(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	monday := t.UTC().AddDate(0, 0, -((int(t.UTC().Weekday()) + 6) % 7))
	return "week " + strconv.Itoa(w) + " of " + strconv.Itoa(y) + " (from " + monday.Format("Monday 2 January") + ")"
}
