package render

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// DigestOpen is an open follow-up in a digest.
type DigestOpen struct {
	Ref      string // "#12", or "acme/services#12" in an organization's digest
	Title    string
	Owners   []string // assignees' logins
	Due      time.Time
	HasDue   bool
	Snoozed  string // YYYY-MM-DD, "" when not snoozed
	Incident string // the incident's reference
}

// DigestClosed is a follow-up closed since the last digest.
type DigestClosed struct {
	Ref, Title string
	Owners     []string
	NotPlanned bool
}

// DigestOwed is an incident whose postmortem is owed.
type DigestOwed struct {
	Ref, Title, Severity string
	Due                  time.Time
	PR                   string // its open postmortem pull request, "" when none
}

// DigestData is what one digest shows.
type DigestData struct {
	Scope  string // "acme/services", or "the acme organization"
	Today  time.Time
	Open   []DigestOpen
	Closed []DigestClosed
	Owed   []DigestOwed
}

// maxDigestRows bounds each part of a digest (GitHub takes 65 536
// characters in a body).
const maxDigestRows = 300

// Digest is the weekly digest's body (without its markers): open
// follow-ups by owner, overdue first, then the postmortems owed, then what
// closed in the last seven days.
func Digest(d DigestData) string {
	today := d.Today.UTC().Truncate(24 * time.Hour)
	overdue := 0
	for _, o := range d.Open {
		if o.HasDue && o.Due.Before(today) {
			overdue++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Postmortem follow-ups of %s: %s\n\n", d.Scope, Weeks(d.Today))
	fmt.Fprintf(&b, "**%s** (%d overdue) · **%s** · **%s** in the last 7 days\n\n",
		Plural(len(d.Open), "open follow-up", "open follow-ups"), overdue, Plural(len(d.Owed), "postmortem owed", "postmortems owed"),
		Plural(len(d.Closed), "follow-up closed", "follow-ups closed"))
	digestOpen(&b, d.Open, today)
	if len(d.Owed) > 0 {
		b.WriteString("### Postmortems owed\n\n| Incident | Severity | Due | Draft |\n|---|---|---|---|\n")
		for i, o := range d.Owed {
			if i == maxDigestRows {
				fmt.Fprintf(&b, "\n…and %d more.\n", len(d.Owed)-i)
				break
			}
			pr := o.PR
			if pr == "" {
				pr = "none open"
			}
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", o.Ref, Cell(Echo(o.Title, 80)), o.Severity, dueCell(o.Due, true, today), pr)
		}
		b.WriteString("\n")
	}
	if len(d.Closed) > 0 {
		b.WriteString("### Closed in the last 7 days\n\n")
		for i, c := range d.Closed {
			if i == maxDigestRows {
				fmt.Fprintf(&b, "- …and %d more\n", len(d.Closed)-i)
				break
			}
			mark, how := "✅", ""
			if c.NotPlanned {
				mark, how = "➖", " (not planned)"
			}
			who := ""
			if m := Mentions(c.Owners); m != "" {
				who = " — " + strings.ReplaceAll(m, "@", "")
			}
			fmt.Fprintf(&b, "- %s %s %s%s%s\n", mark, c.Ref, Echo(c.Title, 80), how, who)
		}
		b.WriteString("\n")
	}
	b.WriteString("_This issue is edited in place once a week by the postmortem App; close the follow-ups themselves, not this issue._\n")
	return b.String()
}

// digestOpen writes the open follow-ups grouped by owner (a follow-up with
// two assignees is under each), overdue first, then by date.
func digestOpen(b *strings.Builder, open []DigestOpen, today time.Time) {
	if len(open) == 0 {
		b.WriteString("No open follow-ups. 🎉\n\n")
		return
	}
	groups := map[string][]DigestOpen{}
	for _, o := range open {
		if len(o.Owners) == 0 {
			groups[""] = append(groups[""], o)
		}
		for _, w := range o.Owners {
			groups[w] = append(groups[w], o)
		}
	}
	var owners []string
	for w := range groups {
		if w != "" {
			owners = append(owners, w)
		}
	}
	sort.Strings(owners)
	if groups[""] != nil {
		owners = append(owners, "")
	}
	b.WriteString("### Open follow-ups by owner\n\n")
	rows := 0
	for _, w := range owners {
		items := groups[w]
		sort.SliceStable(items, func(i, j int) bool { return dueKey(items[i]) < dueKey(items[j]) })
		name := "nobody yet (`/postmortem owner @login` on the follow-up)"
		if w != "" {
			name = w // not a mention: a weekly edit pings nobody
		}
		fmt.Fprintf(b, "**%s** (%d)\n\n| | Follow-up | Due | Incident |\n|---|---|---|---|\n", name, len(items))
		for _, o := range items {
			if rows++; rows > maxDigestRows {
				break
			}
			mark := ""
			if o.HasDue && o.Due.Before(today) {
				mark = "🔴"
			}
			due := dueCell(o.Due, o.HasDue, today)
			if o.Snoozed != "" {
				due += " · snoozed until " + o.Snoozed
			}
			fmt.Fprintf(b, "| %s | %s %s | %s | %s |\n", mark, o.Ref, Cell(Echo(o.Title, 80)), due, o.Incident)
		}
		b.WriteString("\n")
	}
	if rows > maxDigestRows {
		fmt.Fprintf(b, "…and more: the first %d rows are shown.\n\n", maxDigestRows)
	}
}

// dueKey orders follow-ups: dated first by date (overdue ones are the
// earliest), undated last.
func dueKey(o DigestOpen) string {
	if !o.HasDue {
		return "9999-99-99"
	}
	return o.Due.Format("2006-01-02")
}

func dueCell(due time.Time, has bool, today time.Time) string {
	if !has {
		return "—"
	}
	d := due.Format("2006-01-02")
	if late := int(today.Sub(due.UTC().Truncate(24*time.Hour)).Hours() / 24); late > 0 {
		return d + " (" + Days(late) + " overdue)"
	}
	return d
}
