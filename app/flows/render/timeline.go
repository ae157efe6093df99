package render

import (
	"strings"
	"time"

	"github.com/postmortem-app/postmortem/checks"
)

// TimelineLine is a timeline entry as the App writes it in a postmortem:
// "- 2026-03-01 14:05 UTC — text (@login)", on one line.
func TimelineLine(at time.Time, text, login string) string {
	text = strings.Join(strings.Fields(text), " ")
	text = strings.ReplaceAll(text, "<!--", "&lt;!--")
	if r := []rune(text); len(r) > 300 {
		text = string(r[:299]) + "…"
	}
	return "- " + at.UTC().Format("2006-01-02 15:04") + " UTC — " + text + " (@" + login + ")"
}

// InsertTimelineEntry puts line into the postmortem's timeline in time
// order: before the first dated entry later than at, else after the last
// entry, else first under the timeline's heading. It reports false when
// there is no timeline list to put it in (none, or a table).
func InsertTimelineEntry(src []byte, line string, at time.Time) ([]byte, bool) {
	d := checks.Parse(src)
	lines := strings.Split(string(src), "\n")
	at = at.UTC()
	insert, last := -1, -1
	for _, e := range d.Timeline {
		i := e.Line - 1
		if i < 0 || i >= len(lines) {
			continue
		}
		if t := strings.TrimSpace(lines[i]); !strings.HasPrefix(t, "-") && !strings.HasPrefix(t, "*") {
			return src, false // a table or paragraphs: people arrange those
		}
		if e.Dated && e.Time.After(at) {
			insert = i
			break
		}
		last = i
	}
	if insert < 0 && last >= 0 {
		insert = itemEnd(lines, last)
	}
	if insert < 0 {
		for _, s := range d.AllSections() {
			if strings.Contains(strings.ToLower(s.Text), "timeline") && s.Line > 0 && s.Line <= len(lines) {
				insert = s.Line // right under the heading, after a blank line
				lines = append(lines[:insert], append([]string{""}, lines[insert:]...)...)
				insert++
				break
			}
		}
	}
	if insert < 0 {
		return src, false
	}
	lines = append(lines[:insert], append([]string{line}, lines[insert:]...)...)
	return []byte(strings.Join(lines, "\n")), true
}

// itemEnd is the index after the list item starting at lines[i] (its
// continuation lines included).
func itemEnd(lines []string, i int) int {
	j := i + 1
	for j < len(lines) {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "#") || t == "-" {
			break
		}
		j++
	}
	return j
}
