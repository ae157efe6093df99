package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"
)

// reDueLine is the due date a follow-up issue's body states.
var reDueLine = regexp.MustCompile(`(?m)^- \*\*Due:\*\* (\d{4}-\d{2}-\d{2})`)

// Due is the due date (YYYY-MM-DD) a follow-up issue's body states.
func Due(body string) (string, bool) {
	m := reDueLine.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// Tracking is an incident's tracking comment and the counts it shows.
type Tracking struct {
	Body                string // the comment's text, without its marker
	Done, Open, Overdue int    // follow-ups closed, open, open past their due date
	AllDone             bool
}

// Unfiled are the open action items of a merged postmortem past
// follow_ups.max (Max): not filed as follow-up issues.
type Unfiled struct{ Count, Max int }

// reUnfiled is the hidden line of a tracking comment that records the
// unfiled items, so that a later edit (a follow-up closed) keeps saying it.
var reUnfiled = regexp.MustCompile(`<!-- postmortem:unfiled=(\d+) max=(\d+) -->`)

// UnfiledOf reads the unfiled items a tracking comment's body records.
func UnfiledOf(body string) Unfiled {
	m := reUnfiled.FindStringSubmatch(body)
	if m == nil {
		return Unfiled{}
	}
	count, _ := strconv.Atoi(m[1])
	max, _ := strconv.Atoi(m[2])
	return Unfiled{Count: count, Max: max}
}

// note says the unfiled items are not filed (with the hidden line that
// records them), or nothing.
func (u Unfiled) note() string {
	if u.Count <= 0 {
		return ""
	}
	return fmt.Sprintf("\n%s not filed: a merged postmortem files at most %d follow-up issues (`follow_ups.max` in `.github/postmortem.yml`). Track the rest in the postmortem, or split it.\n<!-- postmortem:unfiled=%d max=%d -->\n",
		Plural(u.Count, "more action item was", "more action items were"), u.Max, u.Count, u.Max)
}

// trackingRows is how long the tracking comment's table may grow: GitHub's
// limit with room for the marker, heading and notes.
const trackingRows = MaxBody - 4096

// TrackingComment renders the tracking comment of an incident's follow-ups
// (sorted by number), today being YYYY-MM-DD: a table of each follow-up's
// owner, due date and state (those that fit in a comment; the rest are
// counted), and how many action items were not filed.
func TrackingComment(fus []*github.Issue, today string, unfiled Unfiled) Tracking {
	var t Tracking
	for _, is := range fus {
		if is.GetState() == "closed" {
			t.Done++
		} else {
			t.Open++
			if due, ok := Due(is.GetBody()); ok && due < today {
				t.Overdue++
			}
		}
	}
	t.AllDone = t.Done == len(fus)
	var b strings.Builder
	if len(fus) == 0 {
		b.WriteString("### Postmortem follow-ups\n\nThe postmortem was merged with no open action items: nothing to follow up.\n")
		b.WriteString(unfiled.note())
		t.Body = b.String()
		return t
	}
	fmt.Fprintf(&b, "### Postmortem follow-ups: %d of %d done\n\n", t.Done, len(fus))
	b.WriteString("| | Follow-up | Owner | Due | State |\n|---|---|---|---|---|\n")
	for i, is := range fus {
		row := trackingRow(is)
		if b.Len()+len(row) > trackingRows {
			fmt.Fprintf(&b, "\n…%s not listed here (GitHub takes at most %d characters in a comment): the incident's sub-issues list them all.\n",
				Plural(len(fus)-i, "more follow-up is", "more follow-ups are"), MaxBody)
			break
		}
		b.WriteString(row)
	}
	if t.AllDone {
		b.WriteString("\nEvery follow-up is done.\n")
	}
	b.WriteString(unfiled.note())
	t.Body = b.String()
	return t
}

// trackingRow is one follow-up's row of the tracking comment's table.
func trackingRow(is *github.Issue) string {
	icon, state := "⬜", "open"
	if is.GetState() == "closed" {
		icon, state = "✅", "done"
		if is.GetStateReason() == "not_planned" {
			icon, state = "➖", "not planned"
		}
	}
	owner := "—"
	if len(is.Assignees) > 0 {
		var ls []string
		for _, u := range is.Assignees {
			ls = append(ls, "@"+u.GetLogin())
		}
		owner = strings.Join(ls, ", ")
	}
	due, ok := Due(is.GetBody())
	if !ok {
		due = "—"
	}
	return fmt.Sprintf("| %s | #%d %s | %s | %s | %s |\n", icon, is.GetNumber(), Cell(Echo(is.GetTitle(), 120)), owner, due, state)
}

// CompleteComment says the postmortem of an incident with followUps
// follow-ups is complete (without its marker).
func CompleteComment(followUps int) string {
	if followUps == 0 {
		return "**The postmortem of this incident is complete**: it is merged and has no follow-ups."
	}
	return fmt.Sprintf("**The postmortem of this incident is complete**: it is merged and all %s done. Thank you all.",
		Plural(followUps, "follow-up is", "follow-ups are"))
}
