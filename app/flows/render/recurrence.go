package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Earlier is one earlier incident of the recurrence comment: its merged
// postmortem (from the repository's record) and what it shares with the
// new incident.
type Earlier struct {
	Incident int // the earlier incident's issue, 0 when the postmortem names none here
	Title    string
	Severity string
	Date     string // "2026-03-01", "" when undated
	URL      string // the postmortem on the default branch
	Files    []string
	Fixed    []string // of Files, those only a follow-up's fix changed (the postmortem and its suspect changes never name them)
	Labels   []string
	Words    []string
	Open     []int // its follow-ups still open, by number
}

// maxOpenListed bounds the open follow-ups named per incident and in the
// headline (the rest are counted).
const maxOpenListed = 10

// RecurrenceComment renders the comment on a new incident naming the
// earlier incidents that look like it (most similar first) and their
// follow-ups still open, out of compared postmortems of the record at
// index (the path of index.json). Everything from the record is escaped:
// titles with Echo (no Markdown, no @mention, no #reference), paths and
// labels in code spans.
func RecurrenceComment(earlier []Earlier, compared int, index string) string {
	var b strings.Builder
	b.WriteString("### This may have happened before\n\n")
	b.WriteString(recurrenceHeadline(earlier) + "\n\n")
	for _, e := range earlier {
		b.WriteString("- " + earlierLine(e) + "\n")
	}
	fmt.Fprintf(&b, "\n<sub>The postmortem App compared this incident's title, labels and the files it names with the %s of %s; "+
		"it comments once, when the incident is labelled. Follow-ups are as GitHub has them now.</sub>\n",
		Plural(compared, "merged postmortem", "merged postmortems"), Code(index, 200))
	return b.String()
}

// recurrenceHeadline: "2 earlier incidents involved `checkout/pool.go`;
// follow-ups #45 and #51 are still open." The file is the one most of them
// share; without one, they "look like this one".
func recurrenceHeadline(earlier []Earlier) string {
	count := map[string]int{}
	top, topN := "", 0
	var open []int
	for _, e := range earlier {
		for _, f := range e.Files {
			count[f]++
			if count[f] > topN {
				top, topN = f, count[f]
			}
		}
		open = append(open, e.Open...)
	}
	var s string
	if topN > 0 {
		s = fmt.Sprintf("%s involved %s", Plural(topN, "earlier incident", "earlier incidents"), Code(top, 200))
		if rest := len(earlier) - topN; rest > 0 {
			s += fmt.Sprintf(" (and %s like this one)", Plural(rest, "other looks", "others look"))
		}
	} else {
		s = fmt.Sprintf("%s %s like this one", Plural(len(earlier), "earlier incident", "earlier incidents"),
			map[bool]string{true: "looks", false: "look"}[len(earlier) == 1])
	}
	switch {
	case len(open) == 0:
		return "**" + s + ";** their follow-ups are all closed."
	case len(open) == 1:
		return "**" + s + ";** follow-up " + refs(open) + " is still open."
	default:
		return "**" + s + ";** follow-ups " + refs(open) + " are still open."
	}
}

func earlierLine(e Earlier) string {
	var b strings.Builder
	if e.Incident > 0 {
		fmt.Fprintf(&b, "#%d ", e.Incident)
	}
	title := Echo(e.Title, 120)
	if e.URL != "" {
		title = "[" + title + "](" + e.URL + ")"
	}
	b.WriteString(title)
	var meta []string
	if e.Severity != "" {
		meta = append(meta, Echo(e.Severity, 20))
	}
	if e.Date != "" {
		meta = append(meta, Echo(e.Date, 20))
	}
	if len(meta) > 0 {
		b.WriteString(" (" + strings.Join(meta, ", ") + ")")
	}
	var why, named, fixed []string
	for _, f := range e.Files {
		if slices.Contains(e.Fixed, f) {
			fixed = append(fixed, f)
		} else {
			named = append(named, f)
		}
	}
	if len(named) > 0 {
		why = append(why, "named "+codes(named, 5))
	}
	if len(fixed) > 0 {
		why = append(why, "a follow-up's fix changed "+codes(fixed, 5))
	}
	if len(e.Labels) > 0 {
		why = append(why, "labelled "+codes(e.Labels, 5))
	}
	if len(e.Words) > 0 {
		why = append(why, "title words "+codes(e.Words, 5))
	}
	if len(why) > 0 {
		b.WriteString(" — shares: " + strings.Join(why, "; "))
	}
	switch len(e.Open) {
	case 0:
		b.WriteString(". Follow-ups: all closed.")
	default:
		b.WriteString(". Still open: " + refs(e.Open) + ".")
	}
	return b.String()
}

// codes are at most n values in code spans, and how many more.
func codes(xs []string, n int) string {
	var out []string
	for i, x := range xs {
		if i == n {
			out = append(out, fmt.Sprintf("%d more", len(xs)-n))
			break
		}
		out = append(out, Code(x, 100))
	}
	return strings.Join(out, ", ")
}

// refs are issue references "#45, #51 and #60" (at most maxOpenListed, then
// how many more).
func refs(ns []int) string {
	var out []string
	for i, n := range ns {
		if i == maxOpenListed {
			out = append(out, fmt.Sprintf("%d more", len(ns)-maxOpenListed))
			break
		}
		out = append(out, "#"+strconv.Itoa(n))
	}
	if len(out) == 1 {
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}
