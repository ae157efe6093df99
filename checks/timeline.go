package checks

import (
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

// timeContext carries the inference state across entries.
type timeContext struct {
	loc        *time.Location
	startedAt  time.Time
	hasStarted bool
	prev       *TimelineEntry
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

// resolve turns a stamp into an entry time using the context, and advances it.
func (tc *timeContext) resolve(st stamp, e *TimelineEntry) {
	loc := st.loc
	if loc == nil {
		loc = tc.loc
	}
	e.HasDate, e.HasTime, e.HasZone = st.hasDate, st.hasTime, st.loc != nil
	var y, m, day int
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
		case tc.hasStarted:
			y = tc.startedAt.In(loc).Year()
			e.Dated = true
		default:
			y = 1
		}
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
	if !st.hasDate && tc.prev != nil && tc.prev.HasTime && e.Time.Before(tc.prev.Time.Add(-12*time.Hour)) {
		e.Time = e.Time.AddDate(0, 0, 1) // past midnight
	}
	e.stampValid = true
	cp := *e
	tc.prev = &cp
}

func (d *Document) extractTimeline() {
	tc := d.timelineContext()
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionTimeline {
			continue
		}
		for _, b := range s.Blocks {
			switch n := b.Node.(type) {
			case *ast.List:
				for it := n.FirstChild(); it != nil; it = it.NextSibling() {
					d.timelineItem(it, s, &tc)
				}
			case *east.Table:
				for row := n.FirstChild(); row != nil; row = row.NextSibling() {
					if _, ok := row.(*east.TableRow); ok {
						d.timelineRow(row, s, &tc)
					}
				}
			}
		}
	}
}

func (d *Document) timelineItem(item ast.Node, s *Section, tc *timeContext) {
	tb := item.FirstChild()
	if tb == nil {
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
	e := TimelineEntry{Text: strings.Join(strings.Fields(rest), " "), Offset: start + at, End: start + at + st.end, Section: s}
	e.Line, e.Col = d.Position(e.Offset)
	tc.resolve(st, &e)
	d.Timeline = append(d.Timeline, e)
}

func (d *Document) timelineRow(row ast.Node, s *Section, tc *timeContext) {
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
	st, at, rest, ok := scanEntry(cells[0])
	if !ok {
		return
	}
	textFrom := 1
	if st.hasDate && !st.hasTime && rest == "" && len(cells) > 1 {
		// Separate Date and Time columns.
		if t2, _, rest2, ok2 := scanEntry(cells[1]); ok2 && t2.hasTime && !t2.hasDate {
			st.hour, st.min, st.sec, st.nsec, st.hasTime, st.loc = t2.hour, t2.min, t2.sec, t2.nsec, true, t2.loc
			rest = rest2
			textFrom = 2
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
	e := TimelineEntry{Text: strings.Join(parts, " | "), Offset: offs[0] + at, End: offs[0] + at + st.end, Section: s}
	e.Line, e.Col = d.Position(e.Offset)
	tc.resolve(st, &e)
	d.Timeline = append(d.Timeline, e)
}
