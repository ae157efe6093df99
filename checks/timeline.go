package checks

import (
	"regexp"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// TimelineEntry is a list item or table row of a timeline section that
// starts with a date or a time.
type TimelineEntry struct {
	// Time is the entry's instant. A time without a date takes the date of
	// the previous entry (the next day when the clock went back by more than
	// twelve hours: 23:50 then 00:10), else front matter started_at's date; a
	// time without a zone is read in front matter timezone, else UTC.
	Time time.Time
	// HasDate, HasTime and HasZone say what the entry wrote itself.
	HasDate, HasTime, HasZone bool
	// Dated is true when Time carries a real calendar date (written or
	// inferred); entries without one are only ordered among themselves.
	Dated bool
	// Text is the rest of the entry after the timestamp and separator.
	Text string
	// Line and Col locate the timestamp; End is the byte offset after it.
	Line, Col  int
	Offset     int
	End        int
	Section    *Section
	stampValid bool
	// group numbers the runs of entries whose days are known relative to
	// each other; undated entries are compared only within their group.
	group int
}

// scanEntry reads the timestamp at the start of raw (a list item's or a
// table cell's source) allowing emphasis or code markers around it. It
// returns the stamp, the byte offset of its first character in raw, and the
// remaining text after the separator.
func scanEntry(raw string) (st stamp, at int, rest string, ok bool) {
	i := 0
	for i < len(raw) && i < 3 && strings.IndexByte("*_`[", raw[i]) >= 0 {
		i++
	}
	st, ok = scanStamp(raw[i:])
	if !ok {
		return st, 0, "", false
	}
	at = i
	j := i + st.end
	for j < len(raw) && j < i+st.end+3 && strings.IndexByte("*_`]", raw[j]) >= 0 {
		j++
	}
	r := raw[j:]
	if r != "" {
		c := r[0]
		if !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' || c == ':' || c == '|' || c == ',' || c == ')' ||
			strings.HasPrefix(r, "—") || strings.HasPrefix(r, "–")) {
			return st, 0, "", false
		}
	}
	r = strings.TrimLeft(r, " \t")
	for _, sep := range []string{"—", "–", "-", ":", "|", ","} {
		if strings.HasPrefix(r, sep) {
			r = r[len(sep):]
			break
		}
	}
	return st, at, strings.TrimSpace(r), true
}

// timeMark is what a timeline holds, in file order: an entry, or a day
// (a date sub-heading, a date alone on a line) that dates the entries after
// it.
type timeMark struct {
	st    stamp
	entry *TimelineEntry // nil for a day
	loc   *time.Location // the zone the section gives, or nil
	// unknownDay: a day that cannot be dated ("Day 2", "### Tuesday", an
	// entry's 03/10/2021 in a timeline that never shows its order).
	unknownDay bool
}

var reDayN = regexp.MustCompile(`(?i)^(?:day\s+\d+|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b`)

func (d *Document) extractTimeline() {
	var marks []timeMark
	zones := map[*Section]*time.Location{}
	dayFirst, monthFirst := 0, 0
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionTimeline {
			continue
		}
		loc, df, mf := zoneIn(s.Text)
		if loc == nil && s.Parent != nil {
			loc = zones[s.Parent]
		}
		zones[s] = loc
		if df {
			dayFirst++
		}
		if mf {
			monthFirst++
		}
		if s.Parent != nil && s.Parent.Kind == blameless.SectionTimeline {
			d.headingMark(s, loc, &marks)
		}
		for _, b := range s.Blocks {
			switch n := b.Node.(type) {
			case *ast.List:
				d.timelineList(n, s, loc, &marks)
			case *east.Table:
				for row := n.FirstChild(); row != nil; row = row.NextSibling() {
					if _, ok := row.(*east.TableRow); ok {
						d.timelineRow(row, s, loc, &marks)
					}
				}
			case *ast.Paragraph:
				if l, _, _ := zoneIn(string(d.md[b.Start:b.End])); l != nil && loc == nil && len(marks) == 0 {
					// "All times are UTC." before the entries
					loc = l
					zones[s] = l
				}
				d.timelineParagraph(n, s, loc, &marks)
			}
		}
	}
	if len(marks) == 0 {
		return
	}
	// The order of numeric dates: from the dates that show it, else from
	// the zone, else unknown.
	for _, m := range marks {
		switch m.st.order() {
		case 'd':
			dayFirst += 2
		case 'm':
			monthFirst += 2
		}
	}
	order := byte(0)
	switch {
	case dayFirst > 0 && monthFirst == 0:
		order = 'd'
	case monthFirst > 0 && dayFirst == 0:
		order = 'm'
	}
	tc := d.timelineContext()
	for i := range marks {
		m := &marks[i]
		if m.st.ambiguous {
			switch order {
			case 'd':
			case 'm':
				m.st.month, m.st.day = m.st.day, m.st.month
			default:
				// The day cannot be known: neither compared nor used.
				m.unknownDay = true
				if m.entry != nil {
					m.st.hasDate, m.st.year, m.st.month, m.st.day = false, 0, 0, 0
				}
			}
			m.st.ambiguous = false
		}
	}
	tc.twelve = twelveHourTimeline(marks)
	for i := range marks {
		m := &marks[i]
		if m.entry == nil {
			tc.day(m)
			continue
		}
		if m.unknownDay {
			tc.newGroup() // an entry whose day cannot be known
		}
		tc.resolve(m.st, m.loc, m.entry)
		d.Timeline = append(d.Timeline, *m.entry)
	}
}

// order says how a numeric date showed its order: 'd' day first
// (13/10/2021), 'm' month first (10/13/2021), 0 not numeric or ambiguous.
// Only scanDate's numeric branch sets numOrder.
func (st stamp) order() byte { return st.numOrder }

// twelveHourTimeline: the timeline writes times on a 12-hour clock without
// AM or PM (no hour 0 or above 12, and at least one time without AM/PM):
// "11:57" then "1:17" is an hour and twenty minutes later, not earlier.
func twelveHourTimeline(marks []timeMark) bool {
	bare := false
	for _, m := range marks {
		if m.entry == nil || !m.st.hasTime {
			continue
		}
		if m.st.ampm {
			continue
		}
		if m.st.hour == 0 || m.st.hour > 12 {
			return false
		}
		bare = true
	}
	return bare
}

// headingMark reads a timeline sub-heading: a day ("### 2023-07-20",
// "#### 03-10-2021 (All times CEST)"), an entry ("### 10:32 — paged"), or
// a day that cannot be dated ("### Day 2").
func (d *Document) headingMark(s *Section, loc *time.Location, marks *[]timeMark) {
	st, at, rest, ok := scanEntry(s.Text)
	if !ok {
		if reDayN.MatchString(s.Text) {
			*marks = append(*marks, timeMark{unknownDay: true})
		}
		return
	}
	if !st.hasTime {
		*marks = append(*marks, timeMark{st: st, loc: loc})
		return
	}
	line := d.Line(s.Line)
	col := strings.Index(line, s.Text)
	off := s.Offset
	if col >= 0 {
		off = d.Offset(s.Line, 1) + col + at
	}
	e := &TimelineEntry{Text: rest, Offset: off, End: off + st.end, Section: s}
	e.Line, e.Col = d.Position(e.Offset)
	*marks = append(*marks, timeMark{st: st, loc: loc, entry: e})
}

func (d *Document) timelineList(list ast.Node, s *Section, loc *time.Location, marks *[]timeMark) {
	for it := list.FirstChild(); it != nil; it = it.NextSibling() {
		d.timelineItem(it, s, loc, marks)
		for c := it.FirstChild(); c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				d.timelineList(l, s, loc, marks)
			}
		}
	}
}

func (d *Document) timelineItem(item ast.Node, s *Section, loc *time.Location, marks *[]timeMark) {
	tb := item.FirstChild()
	if tb == nil {
		return
	}
	if _, isList := tb.(*ast.List); isList {
		return
	}
	lines := tb.Lines()
	if lines.Len() == 0 {
		return
	}
	seg := lines.At(0)
	start := seg.Start
	var b strings.Builder
	for i := 0; i < lines.Len(); i++ {
		l := lines.At(i)
		b.Write(d.md[l.Start:l.Stop])
	}
	raw := b.String()
	st, at, rest, ok := scanEntry(raw)
	if !ok {
		return
	}
	if !st.hasTime && strings.Trim(rest, "*_:` ") == "" {
		*marks = append(*marks, timeMark{st: st, loc: loc}) // "- **March 3**" over its entries
		return
	}
	e := &TimelineEntry{Text: strings.Join(strings.Fields(rest), " "), Offset: start + at, End: start + at + st.end, Section: s}
	e.Line, e.Col = d.Position(e.Offset)
	*marks = append(*marks, timeMark{st: st, loc: loc, entry: e})
}

// reLineBreak splits a paragraph's line at HTML line breaks.
var reLineBreak = regexp.MustCompile(`(?i)<br\s*/?>`)

// timelineParagraph reads the lines of a paragraph of a timeline: entries
// written one per line ("**10:02** paged<br>", "*10:05* rolled back\"),
// and days alone on their line ("**March 3, 2026**").
func (d *Document) timelineParagraph(p ast.Node, s *Section, loc *time.Location, marks *[]timeMark) {
	lines := p.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		text := string(d.md[seg.Start:seg.Stop])
		parts := []int{0}
		for _, m := range reLineBreak.FindAllStringIndex(text, -1) {
			parts = append(parts, m[1])
		}
		for k, from := range parts {
			to := len(text)
			if k+1 < len(parts) {
				to = parts[k+1]
			}
			part := reLineBreak.ReplaceAllString(text[from:to], "")
			lead := len(part) - len(strings.TrimLeft(part, " \t>"))
			part = strings.TrimRight(strings.TrimSpace(part), "\\ ")
			st, at, rest, ok := scanEntry(part)
			if !ok {
				continue
			}
			if !st.hasTime {
				if strings.Trim(rest, "*_:` ") == "" {
					*marks = append(*marks, timeMark{st: st, loc: loc})
				}
				continue
			}
			off := seg.Start + from + lead + at
			e := &TimelineEntry{Text: strings.Join(strings.Fields(rest), " "), Offset: off, End: off + st.end, Section: s}
			e.Line, e.Col = d.Position(e.Offset)
			*marks = append(*marks, timeMark{st: st, loc: loc, entry: e})
		}
	}
}

func (d *Document) timelineRow(row ast.Node, s *Section, loc *time.Location, marks *[]timeMark) {
	var cells []string
	var offs []int
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		t, off := d.cellText(c)
		cells = append(cells, t)
		offs = append(offs, off)
	}
	if len(cells) == 0 || offs[0] < 0 {
		return
	}
	first := 0
	if strings.Trim(cells[0], "*_` ") == "" && len(cells) > 1 && offs[1] >= 0 {
		first = 1 // the date column left empty under the row that has it
	}
	st, at, rest, ok := scanEntry(cells[first])
	if !ok {
		return
	}
	textFrom := first + 1
	if st.hasDate && !st.hasTime && rest == "" && len(cells) > first+1 {
		// Separate Date and Time columns.
		if t2, _, rest2, ok2 := scanEntry(cells[first+1]); ok2 && t2.hasTime && !t2.hasDate {
			st.hour, st.min, st.sec, st.nsec, st.hasTime, st.loc, st.ampm = t2.hour, t2.min, t2.sec, t2.nsec, true, t2.loc, t2.ampm
			rest = rest2
			textFrom = first + 2
		}
	}
	parts := []string{}
	if rest != "" {
		parts = append(parts, rest)
	}
	for _, c := range cells[textFrom:] {
		if c != "" {
			parts = append(parts, c)
		}
	}
	e := &TimelineEntry{Text: strings.Join(parts, " | "), Offset: offs[first] + at, End: offs[first] + at + st.end, Section: s}
	e.Line, e.Col = d.Position(e.Offset)
	*marks = append(*marks, timeMark{st: st, loc: loc, entry: e})
}

// timeContext carries the inference state across entries.
type timeContext struct {
	loc        *time.Location
	startedAt  time.Time
	hasStarted bool
	prev       *TimelineEntry
	// cur is the day set by the last day mark, valid until an entry.
	cur      time.Time
	hasCur   bool
	curDated bool
	group    int
	twelve   bool
}

func (d *Document) timelineContext() timeContext {
	tc := timeContext{loc: time.UTC}
	if f := d.FrontMatter.Get("timezone"); f != nil {
		if loc, err := time.LoadLocation(strings.TrimSpace(f.Raw)); err == nil && f.Raw != "" {
			tc.loc = loc
		}
	}
	if f := d.FrontMatter.Get("started_at"); f != nil {
		if t, _, ok := ParseTime(f.Raw, tc.loc); ok {
			tc.startedAt, tc.hasStarted = t, true
		}
	}
	return tc
}

// newGroup starts a run of entries not comparable with the ones before.
func (tc *timeContext) newGroup() {
	tc.group++
	tc.prev = nil
	tc.hasCur = false
}

// day applies a day mark.
func (tc *timeContext) day(m *timeMark) {
	if m.unknownDay || !m.st.hasDate {
		tc.newGroup()
		return
	}
	y := m.st.year
	dated := true
	if y == 0 {
		switch {
		case tc.prev != nil && tc.prev.Dated:
			y = tc.prev.Time.Year()
		case tc.hasCur && tc.curDated:
			y = tc.cur.Year()
		case tc.hasStarted:
			y = tc.startedAt.Year()
		default:
			y, dated = 1, false
		}
	}
	if !dated {
		tc.newGroup()
	}
	tc.cur = time.Date(y, time.Month(m.st.month), m.st.day, 0, 0, 0, 0, time.UTC)
	tc.hasCur, tc.curDated = true, dated
}

// resolve turns a stamp into an entry time using the context, and advances it.
func (tc *timeContext) resolve(st stamp, sectionLoc *time.Location, e *TimelineEntry) {
	loc := st.loc
	if loc == nil {
		loc = sectionLoc
	}
	if loc == nil {
		loc = tc.loc
	}
	e.HasDate, e.HasTime, e.HasZone = st.hasDate, st.hasTime, st.loc != nil
	var y, m, day int
	fromDay := false // dated by a day mark: no midnight inference
	switch {
	case st.hasDate && st.year != 0:
		y, m, day = st.year, st.month, st.day
		e.Dated = true
	case st.hasDate: // "Mar 1": the year of the previous entry or of started_at
		m, day = st.month, st.day
		switch {
		case tc.prev != nil && tc.prev.Dated:
			y = tc.prev.Time.Year()
			e.Dated = true
		case tc.hasCur && tc.curDated:
			y = tc.cur.Year()
			e.Dated = true
		case tc.hasStarted:
			y = tc.startedAt.In(loc).Year()
			e.Dated = true
		default:
			y = 1
		}
	case tc.hasCur:
		y, m, day = tc.cur.Year(), int(tc.cur.Month()), tc.cur.Day()
		e.Dated = tc.curDated
		fromDay = true
	case tc.prev != nil:
		pt := tc.prev.Time.In(loc)
		y, m, day = pt.Year(), int(pt.Month()), pt.Day()
		e.Dated = tc.prev.Dated
	case tc.hasStarted:
		st0 := tc.startedAt.In(loc)
		y, m, day = st0.Year(), int(st0.Month()), st0.Day()
		e.Dated = true
	default:
		y, m, day = 1, 1, 1
	}
	e.Time = time.Date(y, time.Month(m), day, st.hour, st.min, st.sec, st.nsec, loc)
	if !st.hasDate && !fromDay && tc.prev != nil && tc.prev.HasTime {
		switch {
		case tc.twelve && !st.ampm && e.Time.Before(tc.prev.Time):
			// a 12-hour clock without AM/PM: the next time the hands show it
			if e.Time.Add(12 * time.Hour).Before(tc.prev.Time) {
				e.Time = e.Time.AddDate(0, 0, 1)
			} else {
				e.Time = e.Time.Add(12 * time.Hour)
			}
		case e.Time.Before(tc.prev.Time.Add(-12 * time.Hour)):
			e.Time = e.Time.AddDate(0, 0, 1) // past midnight
		}
	}
	e.stampValid = true
	e.group = tc.group
	tc.hasCur = false
	cp := *e
	tc.prev = &cp
}
