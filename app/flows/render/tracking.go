package render

import (
	"fmt"
	"regexp"
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

// TrackingComment renders the tracking comment of an incident's follow-ups
// (sorted by number), today being YYYY-MM-DD: a table of each follow-up's
// owner, due date and state.
func TrackingComment(fus []*github.Issue, today string) Tracking {
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
		t.Body = b.String()
		return t
	}
	fmt.Fprintf(&b, "### Postmortem follow-ups: %d of %d done\n\n", t.Done, len(fus))
	b.WriteString("| | Follow-up | Owner | Due | State |\n|---|---|---|---|---|\n")
	for _, is := range fus {
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
		fmt.Fprintf(&b, "| %s | #%d %s | %s | %s | %s |\n", icon, is.GetNumber(), Cell(Echo(is.GetTitle(), 120)), owner, due, state)
	}
	if t.AllDone {
		b.WriteString("\nEvery follow-up is done.\n")
	}
	t.Body = b.String()
	return t
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
