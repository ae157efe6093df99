package checks

import (
	"regexp"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// ActionItem is a follow-up: a task-list item ("- [ ] ...") in a follow-ups
// section, or a row of a follow-ups table with an Owner or Due column.
type ActionItem struct {
	// Title is the free text with owner, due date, priority and labels removed.
	Title string
	Done  bool
	// Owner is the first "@user" or "@org/team" mentioned; Owners all of them.
	Owner  string
	Owners []string
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
}

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

func (d *Document) extractActionItems() {
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionFollowUps {
			continue
		}
		for _, b := range s.Blocks {
			switch n := b.Node.(type) {
			case *ast.List:
				d.actionList(n, s)
			case *east.Table:
				d.actionTable(n, s)
			}
		}
	}
}

func (d *Document) actionList(list ast.Node, s *Section) {
	for it := list.FirstChild(); it != nil; it = it.NextSibling() {
		tb := it.FirstChild()
		if tb != nil {
			if cb, ok := tb.FirstChild().(*east.TaskCheckBox); ok {
				a := ActionItem{Done: cb.IsChecked, Section: s}
				if p, ok := d.maskBlock(tb); ok {
					parseActionText(p.Text, &a)
				}
				lines := tb.Lines()
				if lines.Len() > 0 {
					first := lines.At(0)
					a.Offset = first.Start
					var raw strings.Builder
					for i := 0; i < lines.Len(); i++ {
						l := lines.At(i)
						raw.Write(d.md[l.Start:l.Stop])
					}
					a.Raw = strings.Join(strings.Fields(raw.String()), " ")
				} else {
					a.Offset = cb.Pos()
				}
				a.Line, a.Col = d.Position(a.Offset)
				d.ActionItems = append(d.ActionItems, a)
			}
		}
		for c := it.FirstChild(); c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				d.actionList(l, s)
			}
		}
	}
}

// actionTable reads a follow-ups table that has an Owner or Due column.
func (d *Document) actionTable(t *east.Table, s *Section) {
	header, ok := t.FirstChild().(*east.TableHeader)
	if !ok {
		return
	}
	col := map[string]int{}
	i := 0
	for c := header.FirstChild(); c != nil; c = c.NextSibling() {
		name := normalizeHeading(strings.Join(strings.Fields(func() string { x, _ := d.cellText(c); return x }()), " "))
		switch {
		case name == "owner" || name == "owners" || name == "assignee" || name == "who":
			col["owner"] = i
		case strings.HasPrefix(name, "due") || name == "deadline" || name == "eta":
			col["due"] = i
		case name == "priority" || name == "prio":
			col["priority"] = i
		case name == "status" || name == "done" || name == "state":
			col["status"] = i
		case name == "labels" || name == "label" || name == "tags":
			col["labels"] = i
		case name == "action" || name == "action item" || name == "item" || name == "title" || name == "task" || name == "description" || name == "what":
			if _, seen := col["title"]; !seen {
				col["title"] = i
			}
		}
		i++
	}
	_, hasOwner := col["owner"]
	_, hasDue := col["due"]
	if !hasOwner && !hasDue {
		return
	}
	titleCol, ok := col["title"]
	if !ok {
		titleCol = 0
	}
	for row := header.NextSibling(); row != nil; row = row.NextSibling() {
		var cells []string
		var offs []int
		var nodes []ast.Node
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			x, off := d.cellText(c)
			cells = append(cells, x)
			offs = append(offs, off)
			nodes = append(nodes, c)
		}
		get := func(k string) (string, bool) {
			j, ok := col[k]
			if !ok || j >= len(cells) {
				return "", false
			}
			return cells[j], true
		}
		a := ActionItem{FromTable: true, Section: s, Raw: strings.Join(cells, " | ")}
		if titleCol < len(nodes) {
			if p, ok := d.maskBlock(nodes[titleCol]); ok {
				parseActionText(p.Text, &a)
			}
		}
		if v, ok := get("owner"); ok {
			var o ActionItem
			parseActionText(v, &o)
			if len(o.Owners) > 0 {
				a.Owners = append(o.Owners, a.Owners...)
				a.Owner = a.Owners[0]
			}
		}
		if v, ok := get("due"); ok {
			v = strings.Trim(v, "*_` ")
			if v != "" {
				if m := reISODate.FindString(v); m != "" {
					a.DueRaw = m
					if t, err := time.Parse("2006-01-02", m); err == nil {
						a.Due, a.HasDue = t, true
					}
				} else if !isPlaceholderText(v) && v != "-" && v != "—" {
					a.DueRaw = v
				}
			}
		}
		if v, ok := get("priority"); ok {
			if m := rePriorityCell.FindString(v); m != "" {
				a.Priority = strings.ToUpper(m)
			}
		}
		if v, ok := get("status"); ok {
			lv := strings.ToLower(v)
			a.Done = strings.Contains(lv, "done") || strings.Contains(lv, "[x]") || strings.Contains(v, "✅") ||
				strings.Contains(lv, "closed") || strings.Contains(lv, "complete") || strings.Contains(lv, "fixed")
		}
		if v, ok := get("labels"); ok {
			for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				if l = strings.TrimPrefix(l, "#"); l != "" {
					a.Labels = append(a.Labels, l)
				}
			}
		}
		if len(offs) == 0 || offs[0] < 0 {
			continue
		}
		a.Offset = offs[0]
		a.Line, a.Col = d.Position(a.Offset)
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		d.ActionItems = append(d.ActionItems, a)
	}
}
