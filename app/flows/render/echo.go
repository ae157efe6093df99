package render

import (
	"strings"
	"unicode"
)

// wordJoiner breaks a mention or a reference without showing anything.
const wordJoiner = "\u2060"

// Echo makes text a stranger wrote safe to show in what the App writes:
// one line of at most max runes, Markdown and HTML punctuation
// backslash-escaped, and @mentions and #references broken by an invisible
// word joiner, so that echoing a reason or a title never pings anyone,
// links an issue, or formats anything.
func Echo(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); max > 0 && len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '!', '{', '}', '(', ')', '&':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@', '#':
			b.WriteRune(r)
			b.WriteString(wordJoiner)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code shows text a stranger wrote verbatim in an inline code span (a
// command as it was typed): one line, at most max runes, fenced by more
// backticks than it holds in a row.
func Code(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); max > 0 && len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max2(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}
