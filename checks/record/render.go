package record

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// IndexMarker opens the README the App writes, so it knows the file is its
// own (and says so to people).
const IndexMarker = "<!-- postmortem-index: written from index.json by the postmortem App; edits here are overwritten -->"

// Markdown is the index as postmortems/README.md: a summary, a table of
// every postmortem (newest first) and Mermaid charts GitHub renders:
// incidents per month by severity, time to resolve over time, follow-up
// completion.
func (ix *Index) Markdown() []byte {
	var b strings.Builder
	b.WriteString(IndexMarker + "\n\n# Postmortems\n\n")
	b.WriteString(ix.summary() + "\n\n")
	if len(ix.Postmortems) == 0 {
		return []byte(b.String())
	}
	b.WriteString("| Date | Title | Severity | Duration | Time to detect | Time to resolve | Follow-ups |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for i := range ix.Postmortems {
		e := &ix.Postmortems[i]
		date := "—"
		if d := e.Date(); !d.IsZero() {
			date = d.Format("2006-01-02")
		}
		fmt.Fprintf(&b, "| %s | [%s](%s) | %s | %s | %s | %s | %s |\n", date, escape(e.Title), link(e.Path),
			orDash(escape(e.Severity)), span(e.DurationMinutes), span(e.TimeToDetectMinutes), span(e.TimeToResolveMinutes), followUps(e.FollowUps))
	}
	ix.charts(&b)
	return []byte(b.String())
}

func (ix *Index) summary() string {
	s := &ix.Stats
	if s.Count == 0 {
		return "No postmortems yet."
	}
	var parts []string
	noun := "postmortems"
	if s.Count == 1 {
		noun = "postmortem"
	}
	head := fmt.Sprintf("%d %s", s.Count, noun)
	var first, last string
	for i := range ix.Postmortems {
		if d := ix.Postmortems[i].Date(); !d.IsZero() {
			first = d.Format("2006-01")
			if last == "" {
				last = first
			}
		}
	}
	switch {
	case first != "" && first != last:
		head += fmt.Sprintf(", %s to %s", first, last)
	case first != "":
		head += ", " + first
	}
	parts = append(parts, head)
	if s.MedianTimeToDetectMinutes != nil {
		parts = append(parts, "median time to detect "+span(s.MedianTimeToDetectMinutes))
	}
	if s.MedianTimeToResolveMinutes != nil {
		parts = append(parts, "median time to resolve "+span(s.MedianTimeToResolveMinutes))
	}
	if s.FollowUps.Total > 0 {
		parts = append(parts, fmt.Sprintf("follow-ups %d of %d done (%d%%)", s.FollowUps.Done, s.FollowUps.Total, 100*s.FollowUps.Done/s.FollowUps.Total))
	}
	return strings.Join(parts, "; ") + "."
}

// severities in the record: the usual SEVn order first, then the rest by
// name, "unknown" last.
func (ix *Index) severities() []string {
	var out []string
	for k := range ix.Stats.BySeverity {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a == "unknown") != (b == "unknown") {
			return b == "unknown"
		}
		return a < b
	})
	return out
}

// palette colours severities from the most severe: red, orange, yellow,
// green, then greys.
var palette = []string{"#d73a4a", "#f66a0a", "#e4b400", "#28a745", "#6a737d", "#959da5", "#d1d5da"}

func (ix *Index) charts(b *strings.Builder) {
	ms := ix.Stats.Months
	if len(ms) == 0 {
		return
	}
	sevs := ix.severities()
	var cats []string
	for _, m := range ms {
		cats = append(cats, fmt.Sprintf("%q", m.Month))
	}
	// Mermaid's xychart draws bar series over each other: the cumulative
	// series, tallest first, read as stacked bars.
	colors := make([]string, len(sevs))
	var legend []string
	for i, s := range sevs {
		c := colorOf(s)
		colors[len(sevs)-1-i] = palette[c]
		legend = append(legend, fmt.Sprintf("%s %s", escape(s), colorName(c)))
	}
	peak := 1
	for _, m := range ms {
		peak = max(peak, m.Count)
	}
	b.WriteString("\n## Incidents per month by severity\n\n")
	fmt.Fprintf(b, "Stacked: %s.\n\n", strings.Join(legend, ", "))
	fmt.Fprintf(b, "```mermaid\n%%%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"%s\"}}}}%%%%\nxychart-beta\n", strings.Join(colors, ", "))
	fmt.Fprintf(b, "    x-axis [%s]\n    y-axis \"Incidents\" 0 --> %d\n", strings.Join(cats, ", "), peak)
	for i := len(sevs) - 1; i >= 0; i-- {
		var vals []string
		for _, m := range ms {
			n := 0
			for _, s := range sevs[:i+1] {
				n += m.BySeverity[s]
			}
			vals = append(vals, fmt.Sprint(n))
		}
		fmt.Fprintf(b, "    bar [%s]\n", strings.Join(vals, ", "))
	}
	b.WriteString("```\n")
	ix.resolveChart(b)
	if f := ix.Stats.FollowUps; f.Total > 0 {
		fmt.Fprintf(b, "\n## Follow-up completion\n\n```mermaid\npie showData\n    \"Done\" : %d\n    \"Open\" : %d\n```\n", f.Done, f.Total-f.Done)
	}
}

// resolveChart: the median time to resolve (hours) of each month that has
// one.
func (ix *Index) resolveChart(b *strings.Builder) {
	var cats, vals []string
	for _, m := range ix.Stats.Months {
		if m.MedianTimeToResolveMinutes == nil {
			continue
		}
		cats = append(cats, fmt.Sprintf("%q", m.Month))
		vals = append(vals, fmt.Sprintf("%.1f", float64(*m.MedianTimeToResolveMinutes)/60))
	}
	if len(vals) == 0 {
		return
	}
	b.WriteString("\n## Time to resolve over time\n\nMedian hours from detection to resolution, by month.\n\n")
	fmt.Fprintf(b, "```mermaid\nxychart-beta\n    x-axis [%s]\n    y-axis \"Hours\"\n    line [%s]\n```\n", strings.Join(cats, ", "), strings.Join(vals, ", "))
}

// colorOf is a severity's colour: by its level where it names one (SEV1,
// P1, sev-1: red; 2 orange; 3 yellow; 4 green), grey otherwise.
func colorOf(sev string) int {
	for _, r := range sev {
		if r >= '0' && r <= '9' {
			if n := int(r - '0'); n <= 4 {
				return max(n-1, 0)
			}
			return 4
		}
	}
	return 5
}

func colorName(i int) string {
	return [...]string{"red", "orange", "yellow", "green", "grey", "light grey", "lighter grey"}[i]
}

// span writes minutes as "45 min", "1 h 49 min", "2 d 3 h"; "—" for nil.
func span(m *int64) string {
	if m == nil {
		return "—"
	}
	n := *m
	switch {
	case n < 60:
		return fmt.Sprintf("%d min", n)
	case n < 24*60:
		if n%60 == 0 {
			return fmt.Sprintf("%d h", n/60)
		}
		return fmt.Sprintf("%d h %d min", n/60, n%60)
	default:
		d, h := n/(24*60), (n%(24*60))/60
		if h == 0 {
			return fmt.Sprintf("%d d", d)
		}
		return fmt.Sprintf("%d d %d h", d, h)
	}
}

func followUps(f FollowUps) string {
	if f.Total == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d", f.Done, f.Total)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// escape makes text from a document inert in a table cell: Markdown
// punctuation, HTML and pipes are escaped, mentions and references broken.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '!', '~', '&':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// link is a relative link to an archive path, each segment escaped.
func link(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// Text is the index for a terminal: the summary, the months and a line per
// postmortem.
func (ix *Index) Text() []byte {
	var b strings.Builder
	b.WriteString(ix.summary() + "\n")
	if len(ix.Postmortems) == 0 {
		return []byte(b.String())
	}
	sevs := ix.severities()
	var bySev []string
	for _, s := range sevs {
		bySev = append(bySev, fmt.Sprintf("%s %d", s, ix.Stats.BySeverity[s]))
	}
	fmt.Fprintf(&b, "by severity: %s\n", strings.Join(bySev, ", "))
	if ix.Stats.MedianDurationMinutes != nil {
		fmt.Fprintf(&b, "median duration: %s\n", span(ix.Stats.MedianDurationMinutes))
	}
	b.WriteString("\n")
	for _, m := range ix.Stats.Months {
		if m.Count == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s  %3d  %s\n", m.Month, m.Count, strings.Repeat("█", min(m.Count, 60)))
	}
	b.WriteString("\n")
	for i := range ix.Postmortems {
		e := &ix.Postmortems[i]
		date := "—         "
		if d := e.Date(); !d.IsZero() {
			date = d.Format("2006-01-02")
		}
		fmt.Fprintf(&b, "%s  %-6s  %-10s  %-5s  %s  (%s)\n", date, orDash(e.Severity), span(e.TimeToResolveMinutes), followUps(e.FollowUps), e.Title, e.Path)
	}
	return []byte(b.String())
}
