package checks

import (
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// legacyActionItemsRef is the action-item extraction of the App's first
// version, kept verbatim as the reference Document.ActionItems must equal
// (TestLegacyActionItemsUnchanged, FuzzLegacyActionItems): the App keys
// follow-up issues by these titles, so a task item must read exactly as it
// always has.
func (d *Document) legacyActionItemsRef() []ActionItem {
	var out []ActionItem
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionFollowUps {
			continue
		}
		for _, b := range s.Blocks {
			switch n := b.Node.(type) {
			case *ast.List:
				out = d.legacyListRef(n, s, out)
			case *east.Table:
				out = d.legacyTableRef(n, s, out)
			}
		}
	}
	return out
}

func (d *Document) legacyListRef(list ast.Node, s *Section, out []ActionItem) []ActionItem {
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
				out = append(out, a)
			}
		}
		for c := it.FirstChild(); c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				out = d.legacyListRef(l, s, out)
			}
		}
	}
	return out
}

// actionTable reads a follow-ups table that has an Owner or Due column.
func (d *Document) legacyTableRef(t *east.Table, s *Section, out []ActionItem) []ActionItem {
	header, ok := t.FirstChild().(*east.TableHeader)
	if !ok {
		return out
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
		return out
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
		out = append(out, a)
	}
	return out
}
