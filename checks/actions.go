package checks

import (
	"regexp"
	"strings"
	"time"
)

// ActionForm is how an action item is written.
type ActionForm string

const (
	// FormTask is a task-list item: "- [ ] Add an alert (owner: @alice)".
	FormTask ActionForm = "task"
	// FormBullet is a plain bullet of a follow-ups section: "- Add an alert",
	// "- **Add an alert**: on queue depth".
	FormBullet ActionForm = "bullet"
	// FormNumbered is a numbered item of a follow-ups section: "1. Add an alert".
	FormNumbered ActionForm = "numbered"
	// FormTable is a row of a follow-ups table with an action column and an
	// owner, due, priority or status column (any order, common names).
	FormTable ActionForm = "table"
	// FormParagraph is a paragraph of a follow-ups section that has no
	// list or table: one action per paragraph.
	FormParagraph ActionForm = "paragraph"
)

// ActionItem is a follow-up of a postmortem, in any of the forms teams
// write them (ActionForm).
type ActionItem struct {
	// Form is how the item is written.
	Form ActionForm
	// Title is the free text with owner, due date, priority and labels
	// removed; for a bullet that opens with a bold phrase, that phrase; for
	// a long bullet, its first sentence (at most 120 bytes).
	Title string
	// Detail is the item's whole text when Title is only part of it ("" when
	// the title says it all).
	Detail string
	// Done: the checkbox is checked, the Status column says done (or
	// dropped: "won't fix", "cancelled"), or a bullet is struck through or
	// marked DONE.
	Done bool
	// Status is the state as written (a Status cell, a DONE/TODO marker),
	// "" when none was.
	Status string
	// Owner is the first "@user" or "@org/team" mentioned; Owners all of them.
	Owner  string
	Owners []string
	// OwnerNames are owners named without a GitHub handle: an Owner column's
	// "olivier, charles", or "Owner: Jane Doe" in the text.
	OwnerNames []string
	// Due is the due date (midnight UTC); HasDue says one was written and
	// valid. DueRaw is the date as written, also when it is not a valid date.
	Due    time.Time
	HasDue bool
	DueRaw string
	// Priority is "P0".."P3" or empty.
	Priority string
	// Labels are the "#label" words, without "#".
	Labels []string
	// Line and Col locate the item's text (the checkbox for task items).
	Line, Col int
	Offset    int
	// Raw is the item's source text.
	Raw       string
	FromTable bool
	Section   *Section
	// legacy: a task-list item or a row of a table with an Owner or Due
	// column, the forms Document.ActionItems has always held.
	legacy bool
	// wider: a table row read with a column the first version did not
	// know (its title, due date or status may differ from that reading).
	wider bool
	// label is the bold label heading the item's list ("- **Review
	// actions**:") when it is outside a follow-ups section.
	label *Label
	// past: the text reports something done (pastList decides).
	past bool
}

// HasOwner reports whether the item names an owner, by handle or name.
func (a *ActionItem) HasOwner() bool { return len(a.Owners)+len(a.OwnerNames) > 0 }

// rePriorityCell finds the priority in a table cell. The metadata of an
// action item's text is found by the scanners of actionscan.go.
var rePriorityCell = regexp.MustCompile(`(?i)\bP[0-3]\b`)

// parseActionText reads the metadata of an action item from its prose text
// (code, HTML and URLs already blanked) and returns the title left over.
func parseActionText(text string, a *ActionItem) {
	cut := []byte(text)
	blank := func(s, e int) {
		for i := s; i < e; i++ {
			if cut[i] != '\n' {
				cut[i] = ' '
			}
		}
	}
	for _, m := range findOwners(text) {
		// Not an e-mail-like or a word continuing after the handle.
		if m[5] < len(text) && (text[m[5]] == '@' || isWordByte(text[m[5]])) {
			continue
		}
		owner := text[m[4]:m[5]]
		a.Owners = append(a.Owners, owner)
		s := m[4]
		if m[2] >= 0 {
			s = m[2]
		}
		blank(s, m[5])
	}
	if len(a.Owners) > 0 {
		a.Owner = a.Owners[0]
	}
	if m := findDue(text); m != nil {
		a.DueRaw = text[m[4]:m[5]]
		if t, err := time.Parse("2006-1-2", a.DueRaw); err == nil {
			a.Due, a.HasDue = t, true
		}
		blank(m[0], m[1])
	}
	if m := findPriority(string(cut)); m != nil {
		a.Priority = strings.ToUpper(string(cut[m[4]:m[5]]))
		blank(m[2], m[3])
	}
	for _, m := range findLabels(string(cut)) {
		a.Labels = append(a.Labels, string(cut[m[4]:m[5]]))
		blank(m[2], m[3])
	}
	a.Title = cleanTitle(string(cut))
}

// cleanTitle collapses white space and trims separators and empty brackets
// left behind by removed metadata.
func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		before := s
		s = removeEmptyGroups(s)
		s = strings.Join(strings.Fields(s), " ")
		s = strings.Trim(s, " -–—,;:|/")
		if s == before {
			return s
		}
	}
}
