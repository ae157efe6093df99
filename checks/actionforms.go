package checks

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Action items in every form teams write them. Task-list items and the rows
// of tables with an Owner or Due column are read exactly as they always
// were (the App keys follow-up issues by their titles); the other forms are
// new: plain, numbered and bold-lead bullets of a follow-ups section when
// its list has no task items, and tables with an action column beside an
// owner, due, priority or status column, in any order, under common names.

func (d *Document) extractActionItems() {
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionFollowUps {
			continue
		}
		structured := false
		for _, b := range s.Blocks {
			switch n := b.Node.(type) {
			case *ast.List:
				d.actionList(n, s, true)
				structured = true
			case *east.Table:
				d.actionTable(n, s)
				structured = true
			}
		}
		if !structured {
			d.actionParagraphs(s)
		}
	}
	// A follow-ups label outside a follow-ups section heads its list:
	// "- **Review actions**:" over a nested list, "**Action items:**" over
	// the list after it.
	for i := range d.Labels {
		l := &d.Labels[i]
		if l.body == nil || (l.Section != nil && l.Section.Kind == blameless.SectionFollowUps) {
			continue
		}
		if _, c := sectionKey(l.Text); c == nil || c.id != "followups" {
			continue
		}
		before := len(d.Actions)
		switch n := l.body.(type) {
		case *ast.List:
			d.actionList(n, l.Section, true)
		case *ast.ListItem:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if list, ok := c.(*ast.List); ok {
					d.actionList(list, l.Section, true)
				}
			}
		}
		for j := before; j < len(d.Actions); j++ {
			d.Actions[j].label = l
			d.Actions[j].legacy = false // the first version read follow-ups sections only
		}
	}
	sort.SliceStable(d.Actions, func(i, j int) bool { return d.Actions[i].Offset < d.Actions[j].Offset })
	for _, a := range d.Actions {
		if a.legacy {
			d.ActionItems = append(d.ActionItems, a)
		}
	}
}

// listHasTask: an item of the list (not of a nested list) is a task item.
func listHasTask(list ast.Node) bool {
	for it := list.FirstChild(); it != nil; it = it.NextSibling() {
		if tb := it.FirstChild(); tb != nil {
			if _, ok := tb.FirstChild().(*east.TaskCheckBox); ok {
				return true
			}
		}
	}
	return false
}

// actionList reads the items of a list in a follow-ups section: its task
// items at any depth, and, when top is set and the list has no task item,
// its plain items. A plain item that is only a short label over a nested
// list ("- **Short term:**") groups the items of that list instead.
func (d *Document) actionList(list ast.Node, s *Section, top bool) {
	plain := top && !listHasTask(list)
	ordered := false
	if l, ok := list.(*ast.List); ok {
		ordered = l.IsOrdered()
	}
	first := len(d.Actions)
	defer d.pastList(first)
	for it := list.FirstChild(); it != nil; it = it.NextSibling() {
		tb := it.FirstChild()
		nestedTop := false
		if tb != nil {
			if cb, ok := tb.FirstChild().(*east.TaskCheckBox); ok {
				d.taskItem(tb, cb, s)
			} else if plain {
				if d.groupLabel(it) {
					nestedTop = true
				} else {
					d.bulletItem(it, tb, s, ordered)
				}
			}
		}
		for c := it.FirstChild(); c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				d.actionList(l, s, nestedTop)
			}
		}
	}
}

// maxActionItems bounds the action items read from one document: the App
// files at most follow_ups.max (≤ 500) of them, and each is ~700 bytes
// held twice (Actions, ActionItems): a megabyte of "- [ ] a @b due …"
// lines held 35 000 (issue 13). Past it, the rest are not read and a
// completeness/unparsed finding says so.
const maxActionItems = 2000

// addAction appends a to Actions, up to maxActionItems.
func (d *Document) addAction(a ActionItem) {
	if len(d.Actions) < maxActionItems {
		d.Actions = append(d.Actions, a)
		return
	}
	if !d.actionsCapped {
		d.actionsCapped = true
		d.guardProblem(a.Offset, "this file has more than %d action items: the rest, from here on, are not read as action items", maxActionItems)
	}
}

// taskItem reads a task-list item exactly as the App always has.
func (d *Document) taskItem(tb ast.Node, cb *east.TaskCheckBox, s *Section) {
	if d.actionsCapped {
		return
	}
	a := ActionItem{Form: FormTask, legacy: true, Done: cb.IsChecked, Section: s}
	if p, ok := d.maskBlock(tb); ok {
		parseActionText(p.Text, &a)
		if len(a.Owners) == 0 {
			a.OwnerNames = ownerNames(p.Text)
		}
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
	d.addAction(a)
}

// groupLabel: the item is a short label ("Short term:", "**Process**") with
// a nested list and nothing else.
func (d *Document) groupLabel(it ast.Node) bool {
	first := it.FirstChild()
	if first == nil || first.NextSibling() == nil {
		return false
	}
	if _, ok := first.NextSibling().(*ast.List); !ok || first.NextSibling().NextSibling() != nil {
		return false
	}
	text := strings.TrimSpace(d.inlineText(first))
	if text == "" || len(strings.Fields(text)) > 5 {
		return false
	}
	if strings.HasSuffix(text, ":") {
		return true
	}
	em, ok := first.FirstChild().(*ast.Emphasis)
	return ok && em.NextSibling() == nil
}

var (
	// reStatusLead is a status marker opening a bullet: "DONE:", "[TODO]",
	// "Done -", "✅".
	reStatusLead = regexp.MustCompile(`(?i)^(?:\[\s*(done|todo|x|wip|in progress|fixed|completed?)\s*\]|\((done|todo|wip|fixed|completed?)\)|(done|todo|wip|fixed|completed?|in progress)\s*[:\-–—]|(DONE|TODO|WIP|FIXED|COMPLETED?)\b|(✅|✔️|✔|☑️|☑))\s*[:\-–—]?\s*`)
	// reStatusTail is a status marker closing a bullet: "(done)", "- DONE".
	reStatusTail = regexp.MustCompile(`(?i)\s*(?:\(\s*(done|fixed|completed?|wip|in progress|todo)\s*\)|\[\s*(done|fixed|completed?|wip|todo)\s*\]|[\-–—]\s*(DONE|FIXED|COMPLETED?)|(✅|✔️|✔))\s*\.?$`)
	// reOwnerName is "Owner: Jane Doe" without a handle.
	reOwnerName = regexp.MustCompile(`(?i)(?:^|[\s(\[,;])(?:owners?|assignee|assigned to|responsible|dri)\s*:\s*([^,;()\[\]@\n:]+?)\s*(?:[,;()\[\]\n]|$|\s(?:due|priority|eta)\b)`)
)

// ownerNames finds "Owner: name" mentions without a GitHub handle.
func ownerNames(text string) []string {
	var out []string
	for _, m := range reOwnerName.FindAllStringSubmatch(text, -1) {
		out = append(out, splitNames(m[1])...)
	}
	return out
}

// splitNames splits an owner cell or mention into names: "charles,
// olivier", "Ops & SRE", "alice and bob"; "-", "TBD", "n/a" and "?" name
// nobody.
func splitNames(v string) []string {
	v = strings.ReplaceAll(v, " and ", ",")
	var out []string
	for _, n := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '/' || r == '&' || r == ';' || r == '+' }) {
		n = strings.Trim(strings.TrimSpace(n), "*_`.")
		switch strings.ToLower(n) {
		case "", "-", "—", "–", "tbd", "tba", "n/a", "na", "none", "?", "unknown", "todo", "unassigned", "nobody", "no one":
			continue
		}
		if len(n) > 60 || isPlaceholderText(n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// statusDone classifies a status as written: done (or dropped: "won't
// fix", "cancelled", "failed") or open; ok is false when it says neither.
func statusDone(v string) (done, ok bool) {
	lv := strings.ToLower(strings.Trim(strings.TrimSpace(v), "*_`~ "))
	switch {
	case lv == "":
		return false, false
	case strings.Contains(lv, "not done"), strings.Contains(lv, "incomplete"), strings.Contains(lv, "not complete"),
		strings.Contains(lv, "not started"), strings.Contains(lv, "in progress"), strings.Contains(lv, "todo"),
		strings.Contains(lv, "to do"), strings.Contains(lv, "open"), strings.Contains(lv, "planned"),
		strings.Contains(lv, "pending"), strings.Contains(lv, "ongoing"), strings.Contains(lv, "wip"),
		strings.Contains(lv, "blocked"), strings.Contains(lv, "[ ]"):
		return false, true
	case strings.Contains(lv, "done"), strings.Contains(lv, "[x]"), strings.Contains(v, "✅"), strings.Contains(v, "✔"),
		strings.Contains(lv, "closed"), strings.Contains(lv, "complete"), strings.Contains(lv, "fixed"),
		strings.Contains(lv, "resolved"), strings.Contains(lv, "merged"), strings.Contains(lv, "shipped"),
		strings.Contains(lv, "deployed"), strings.Contains(lv, "implemented"), strings.Contains(lv, "finished"),
		strings.Contains(lv, "won't"), strings.Contains(lv, "wont"), strings.Contains(lv, "cancel"),
		strings.Contains(lv, "dropped"), strings.Contains(lv, "abandoned"), strings.Contains(lv, "failed"),
		strings.Contains(lv, "rejected"), strings.Contains(lv, "not planned"), strings.Contains(lv, "obsolete"),
		lv == "yes", lv == "n/a":
		return true, true
	}
	return false, false
}

// bulletItem reads a plain or numbered item of a follow-ups list.
func (d *Document) bulletItem(it, tb ast.Node, s *Section, ordered bool) {
	if d.actionsCapped {
		return
	}
	a := ActionItem{Form: FormBullet, Section: s}
	if ordered {
		a.Form = FormNumbered
	}
	full := strings.Join(strings.Fields(d.inlineText(tb)), " ")
	if full == "" {
		return
	}
	// The whole item struck through: done.
	if st, ok := tb.FirstChild().(*east.Strikethrough); ok && st.NextSibling() == nil {
		a.Done, a.Status = true, "struck through"
	}
	text := full
	if m := reStatusLead.FindStringSubmatchIndex(text); m != nil {
		a.Status = strings.TrimSpace(strings.Trim(text[:m[1]], ":-–—[]() "))
		text = text[m[1]:]
	} else if m := reStatusTail.FindStringSubmatchIndex(text); m != nil && m[0] > 0 {
		a.Status = strings.TrimSpace(strings.Trim(text[m[0]:], ":-–—[]().  "))
		text = text[:m[0]]
	}
	if a.Status != "" && !a.Done {
		a.Done, _ = statusDone(a.Status)
		if a.Status == "✅" || a.Status == "✔" || a.Status == "✔️" || a.Status == "☑" || a.Status == "☑️" {
			a.Done = true
		}
	}
	a.past = pastTense(text)
	parseActionText(text, &a)
	if len(a.Owners) == 0 {
		a.OwnerNames = ownerNames(text)
	}
	// A bold lead is the title: "**Alert on disk space**: the exporter ...".
	lead := ""
	if em, ok := tb.FirstChild().(*ast.Emphasis); ok && em.Level == 2 {
		lead = strings.TrimSpace(strings.TrimSuffix(strings.Join(strings.Fields(d.inlineText(em)), " "), ":"))
		if m := reStatusLead.FindStringIndex(lead + ":"); m != nil && m[1] >= len(lead) {
			lead = "" // "**DONE**: ..." is a status, not a title
		}
	}
	if lead != "" && len(lead) < len(full) {
		var l ActionItem
		parseActionText(lead, &l)
		a.Detail = full
		a.Title = l.Title
	} else if len(a.Title) > 120 {
		a.Detail = full
		a.Title = firstSentence(a.Title, 120)
	}
	a.Title = trimPeriod(a.Title)
	if a.Title == "" {
		return
	}
	a.Raw = full
	lines := tb.Lines()
	if lines.Len() > 0 {
		a.Offset = lines.At(0).Start
	} else if st, _, ok := span(tb); ok {
		a.Offset = st
	}
	a.Line, a.Col = d.Position(a.Offset)
	d.addAction(a)
}

// pastList: when at least two thirds of the plain items a list added
// (from first on), and two or more, report what was done ("All hosts were
// rebuilt", "Added rate limits"), the list records the response, not work
// to do: its items are done. One item in the past tense among plans is not
// enough ("Improved alerting" may well be a plan).
func (d *Document) pastList(first int) {
	n, past := 0, 0
	for _, a := range d.Actions[first:] {
		if a.Form == FormBullet || a.Form == FormNumbered {
			n++
			if a.past {
				past++
			}
		}
	}
	if n < 2 || 3*past < 2*n {
		return
	}
	for i := first; i < len(d.Actions); i++ {
		if a := &d.Actions[i]; (a.Form == FormBullet || a.Form == FormNumbered) && !a.Done {
			a.Done, a.Status = true, "done (the list reports what was done)"
		}
	}
}

// firstSentence cuts a long text to its first sentence, or to whole words,
// within limit bytes.
func firstSentence(s string, limit int) string {
	if i := strings.Index(s, ". "); i > 0 && i < limit {
		return s[:i]
	}
	if len(s) <= limit {
		return s
	}
	cut := limit - 3
	for cut > 0 && s[cut] != ' ' {
		cut--
	}
	if cut == 0 {
		cut = limit - 3
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:-") + "..."
}

// actionColumn is the role of a follow-ups table column.
type actionColumn int

const (
	colNone actionColumn = iota
	colTitle
	colOwner
	colDue
	colPriority
	colStatus
	colLabels
)

// columnRole reads a header cell (normalized). legacy is the role the
// App has always read (owner, due, priority, status, labels, title names).
func columnRole(name string) (role actionColumn, legacy bool) {
	switch {
	case name == "owner" || name == "owners" || name == "assignee" || name == "who":
		return colOwner, true
	case strings.HasPrefix(name, "due") || name == "deadline" || name == "eta":
		return colDue, true
	case name == "priority" || name == "prio":
		return colPriority, true
	case name == "status" || name == "done" || name == "state":
		return colStatus, true
	case name == "labels" || name == "label" || name == "tags":
		return colLabels, true
	case name == "action" || name == "action item" || name == "item" || name == "title" || name == "task" || name == "description" || name == "what":
		return colTitle, true
	}
	w := canonKey(name)
	switch w {
	case "assignees", "assignee", "assignedto", "responsible", "ownedby", "owningteam", "team", "dri", "ownerteam",
		"responsibleteam", "ownership", "lead":
		return colOwner, false
	case "targetdate", "bywhen", "when", "date", "targetcompletion", "completionby", "dueby", "target":
		return colDue, false
	case "severity", "p", "importance", "urgency":
		return colPriority, false
	case "progres", "complete", "completed", "resolution", "closed":
		return colStatus, false
	case "actionitem", "action", "followup", "followupaction", "remediation", "remediationitem", "correctiveaction",
		"improvement", "change", "todo", "step", "whattodo", "item", "task", "description", "summary", "recommendation",
		"measure", "preventiveaction", "actiontaken":
		return colTitle, false
	}
	return colNone, false
}

// actionTable reads a follow-ups table: one with an Owner or Due column (as
// the App always has), or with an action column beside an owner, due,
// priority or status column.
func (d *Document) actionTable(t *east.Table, s *Section) {
	header, ok := t.FirstChild().(*east.TableHeader)
	if !ok {
		return
	}
	col := map[actionColumn]int{}
	legacyTitle, legacyTable := -1, false
	i := 0
	for c := header.FirstChild(); c != nil; c = c.NextSibling() {
		x, _ := d.cellText(c)
		name := normalizeHeading(strings.Join(strings.Fields(x), " "))
		role, legacy := columnRole(name)
		if role == colTitle && legacy && legacyTitle < 0 {
			legacyTitle = i
		}
		if legacy && (role == colOwner || role == colDue) {
			legacyTable = true
		}
		// As the App always has: the last owner, due, priority, status or
		// labels column of its names wins; otherwise the first.
		if _, seen := col[role]; role != colNone && (!seen || (legacy && role != colTitle)) {
			col[role] = i
		}
		i++
	}
	_, hasTitle := col[colTitle]
	_, hasOwner := col[colOwner]
	_, hasDue := col[colDue]
	_, hasPrio := col[colPriority]
	_, hasStatus := col[colStatus]
	if !legacyTable && !(hasTitle && (hasOwner || hasDue || hasPrio || hasStatus)) {
		return
	}
	// The App's first reading took the title from column 0 when no column
	// had one of its title names ("Status | Assignee | Follow-up" gave
	// titles "Done", "In progress"); the title column is now the one any
	// common name marks.
	titleCol := 0
	if legacyTitle >= 0 {
		titleCol = legacyTitle
	} else if hasTitle {
		titleCol = col[colTitle]
	}
	wider := false // a column only the new names recognise
	for _, j := range col {
		if j != legacyTitle {
			x, _ := d.cellText(nthChild(header, j))
			if _, legacy := columnRole(normalizeHeading(strings.Join(strings.Fields(x), " "))); !legacy {
				wider = true
			}
		}
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
		get := func(k actionColumn) (string, bool) {
			j, ok := col[k]
			if !ok || j >= len(cells) {
				return "", false
			}
			return cells[j], true
		}
		a := ActionItem{Form: FormTable, legacy: legacyTable, wider: wider, FromTable: true, Section: s, Raw: strings.Join(cells, " | ")}
		if titleCol < len(nodes) {
			if p, ok := d.maskBlock(nodes[titleCol]); ok {
				parseActionText(p.Text, &a)
			}
		}
		if v, ok := get(colOwner); ok {
			var o ActionItem
			parseActionText(v, &o)
			if len(o.Owners) > 0 {
				a.Owners = append(o.Owners, a.Owners...)
				a.Owner = a.Owners[0]
			} else {
				a.OwnerNames = splitNames(v)
			}
		}
		if v, ok := get(colDue); ok {
			v = strings.Trim(v, "*_` ")
			if v != "" {
				if m := reISODate.FindString(v); m != "" {
					a.DueRaw = m
					if t, err := time.Parse("2006-01-02", m); err == nil {
						a.Due, a.HasDue = t, true
					}
				} else if !isPlaceholderText(v) && v != "-" && v != "—" {
					a.DueRaw = v
					if st, ok := scanStamp(v); ok && st.hasDate && st.year != 0 {
						a.Due, a.HasDue = time.Date(st.year, time.Month(st.month), st.day, 0, 0, 0, 0, time.UTC), true
					}
				}
			}
		}
		if v, ok := get(colPriority); ok {
			if m := rePriorityCell.FindString(v); m != "" {
				a.Priority = strings.ToUpper(m)
			}
		}
		if j, ok := col[colStatus]; ok && j < len(nodes) {
			if st, en, ok := span(nodes[j]); ok {
				d.statusCells = append(d.statusCells, [2]int{st, en})
			}
		}
		if v, ok := get(colStatus); ok {
			a.Status = strings.Trim(strings.TrimSpace(v), "*_`")
			a.Done, _ = statusDone(v)
		}
		if v, ok := get(colLabels); ok {
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
		if !legacyTable && strings.TrimSpace(a.Title) == "" {
			continue
		}
		d.addAction(a)
	}
}

func nthChild(n ast.Node, i int) ast.Node {
	c := n.FirstChild()
	for ; c != nil && i > 0; i-- {
		c = c.NextSibling()
	}
	return c
}

// actionParagraphs reads a follow-ups section written as paragraphs, one
// action each ("The monitoring should notify more people. (filed #133509)").
// A single paragraph is an introduction or a statement, not a list of
// actions.
func (d *Document) actionParagraphs(s *Section) {
	var paras []Block
	for _, b := range s.Blocks {
		if b.Kind == BlockParagraph && d.blockHasContent(b) {
			paras = append(paras, b)
		}
	}
	if len(paras) < 2 {
		return
	}
	for _, b := range paras {
		text := strings.Join(strings.Fields(d.inlineText(b.Node)), " ")
		if text == "" || d.isLabel(b.Node) {
			continue
		}
		a := ActionItem{Form: FormParagraph, Section: s, Raw: text}
		if m := reParaDone.FindString(text); m != "" {
			a.Done, a.Status = true, strings.Trim(m, "( ")
		}
		parseActionText(text, &a)
		if !reOwnerLabel.MatchString(text) {
			// an @mention in prose ("added an @emergency role") is no owner
			a.Owner, a.Owners = "", nil
		}
		if len(a.Owners) == 0 {
			a.OwnerNames = ownerNames(text)
		}
		a.Detail = text
		a.Title = firstSentence(a.Title, 120)
		if a.Title == "" {
			continue
		}
		a.Offset = b.Start
		a.Line, a.Col = d.Position(a.Offset)
		d.addAction(a)
	}
}

// reParaDone is a done note in a paragraph: "(fixed by adding ...)".
var reParaDone = regexp.MustCompile(`(?i)\((?:fixed|done|completed?|resolved|implemented|shipped|deployed|added)\b`)

// reOwnerLabel: a paragraph names its owner ("Owner: @alice").
var reOwnerLabel = regexp.MustCompile(`(?i)\b(?:owners?|assignee|assigned to)\s*:`)

var (
	// rePastLead: an item opening with a verb in the past tense ("Added",
	// "We rebuilt"), or whose first clause is passive in the past ("All
	// hosts were identified", "access was restricted").
	rePastLead    = regexp.MustCompile(`(?i)^(?:(?:we|they|i|the team|the \w+ team)\s+)?([a-z]+ed|built|rebuilt|made|wrote|rewrote|ran|took|sent|found|got|moved|set up|put|spun up|shut down|brought|began|kept|held)\b`)
	rePastPassive = regexp.MustCompile(`(?i)\b(?:was|were|has been|have been|had been)\s+(?:\w+ly\s+)?(?:[a-z]+ed|built|rebuilt|made|written|run|taken|sent|found|set|put|done|shut|brought|kept|held|begun)\b`)
	reFuture      = regexp.MustCompile(`(?i)\b(?:will|should|must|need to|needs to|shall|to be|going to|plan to|we'll)\b`)
	// notPast are words ending in "ed" that are no past tense.
	notPast = map[string]bool{"need": true, "seed": true, "feed": true, "speed": true, "embed": true, "bed": true,
		"red": true, "shed": true, "breed": true, "proceed": true, "exceed": true, "succeed": true, "weed": true}
)

// pastTense: the text reports something done rather than to do.
func pastTense(text string) bool {
	t := strings.TrimLeft(text, "*_`~ ")
	if m := rePastLead.FindStringSubmatch(t); m != nil && !notPast[strings.ToLower(m[1])] {
		return true
	}
	// the first sentence only, and a short one
	first := t
	if i := strings.Index(t, ". "); i > 0 {
		first = t[:i]
	}
	if len(strings.Fields(first)) > 30 {
		return false
	}
	return rePastPassive.MatchString(first) && !reFuture.MatchString(first)
}

// trimPeriod drops a sentence's final full stop from a title ("..." stays).
func trimPeriod(s string) string {
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") {
		return strings.TrimSpace(s[:len(s)-1])
	}
	return s
}
