package render

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxBody is GitHub's limit on the body of an issue, pull request, comment
// or review: 65 536 characters, a 422 past it. The App counts bytes, which
// bounds characters too.
const MaxBody = 65536

// MaxCheckOutput is GitHub's limit on a check run's summary and text:
// 65 535 characters.
const MaxCheckOutput = 65535

// reHiddenMarker is one of the App's hidden markers (MarkerTracking…).
var reHiddenMarker = regexp.MustCompile(`<!-- postmortem:[^>\n]{0,200}-->`)

// cutNote ends a body Bound cut.
const cutNote = "\n\n*…cut here: the rest is longer than GitHub takes in one body (65 536 characters).*\n"

// Bound is body within limit bytes: as it is when it fits, else cut at a
// line's end (never inside an HTML comment; a code fence left open is
// closed), saying so, with the App's hidden markers of the part cut
// appended, so the App still finds what it wrote. GitHub would refuse the
// whole body (a 422, retried for ever) instead.
func Bound(body string, limit int) string {
	if len(body) <= limit {
		return body
	}
	markers := reHiddenMarker.FindAllString(body, 16)
	budget := limit - len(cutNote) - len("\n```")
	for _, m := range markers {
		budget -= len(m) + 1
	}
	keep := body[:max(budget, 0)]
	for len(keep) > 0 && !utf8.RuneStart(body[len(keep)]) {
		keep = keep[:len(keep)-1] // not inside a character
	}
	if i := strings.LastIndexByte(keep, '\n'); i >= len(keep)*3/4 {
		keep = keep[:i]
	}
	if i := strings.LastIndex(keep, "<!--"); i >= 0 && !strings.Contains(keep[i:], "-->") {
		keep = keep[:i]
	}
	var b strings.Builder
	b.WriteString(keep)
	fences := 0
	for _, l := range strings.Split(keep, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fences++
		}
	}
	if fences%2 == 1 {
		b.WriteString("\n```")
	}
	b.WriteString(cutNote)
	for _, m := range markers {
		if !strings.Contains(keep, m) {
			b.WriteString(m + "\n")
		}
	}
	return b.String()
}
