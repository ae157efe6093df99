package render

import (
	"regexp"
	"strings"
	"unicode"
)

// wordJoiner breaks a mention or a reference without showing anything.
const wordJoiner = "\u2060"

// Echo makes text a stranger wrote safe to show in what the App writes
// (comments, issue and pull request bodies, check-run summaries): one line
// of at most max runes without control or bidirectional characters,
// Markdown punctuation backslash-escaped, "<" and ">" written as entities
// (so that no "<!--", hence no hidden marker, survives even in the raw
// text the App searches for its markers), and @mentions and #references
// broken by an invisible word joiner, so that echoing a reason or a title
// never pings anyone, links an issue, hides text or formats anything.
//
// Why a word joiner (U+2060) after "@" rather than backticks: GitHub links
// a mention only where "@" is directly followed by the login, so the joiner
// stops it while the text reads and wraps exactly as written; a code span
// would stop it too but changes how the text looks, and must be fenced
// around the backticks a title may hold. The joiner is invisible, takes no
// width and is not a space, so nothing wraps or reads differently.
func Echo(s string, max int) string {
	rs := []rune(oneLine(s, max))
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case '_':
			// Inside a word ("follow_ups") it never emphasises: kept as
			// written.
			if i > 0 && i+1 < len(rs) && alnum(rs[i-1]) && alnum(rs[i+1]) {
				b.WriteRune(r)
				continue
			}
			b.WriteString(`\_`)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '[', ']', '|', '~', '!', '{', '}', '(', ')', '&':
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

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// oneLine is s on one line (runs of spaces, line breaks and control
// characters made one space), without the characters that reorder or hide
// text (bidirectional embeddings, overrides, isolates and marks), cut to at
// most max runes (0: no limit) with an ellipsis.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	s = strings.Map(func(r rune) rune {
		if bidi(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); max > 0 && len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// Plain makes text a stranger wrote fit a title the App sets (an issue's, a
// pull request's), which GitHub shows as plain text: one line, without
// control or bidirectional characters (an override shows "exe.fdp" as
// "pdf.exe"), at most max runes.
func Plain(s string, max int) string { return oneLine(s, max) }

// bidi is a character that changes the direction text is shown in:
// U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069.
func bidi(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// Code shows text a stranger wrote verbatim in an inline code span (a
// command as it was typed, a file name): one line, at most max runes,
// fenced by more backticks than it holds in a row. Inside a code span
// nothing is a mention, a reference, a link or HTML.
func Code(s string, max int) string {
	s = oneLine(s, max)
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

// CommitLine makes text a stranger wrote (an incident's title, a timeline
// entry) safe in a commit message: one line (so it can never become a
// trailer such as "Co-authored-by:" or "Signed-off-by:", whose lines
// follow a blank line), without control or bidirectional characters, at
// most max runes, with square brackets made round so no "[skip ci]",
// "[ci skip]", "[no ci]", "[skip actions]"… token skips the workflows of
// the commit, and "***NO_CI***" defused likewise. Put it on the subject
// line.
func CommitLine(s string, max int) string {
	s = strings.NewReplacer("[", "(", "]", ")").Replace(oneLine(s, max))
	return reNoCI.ReplaceAllString(s, "(no ci)")
}

var reNoCI = regexp.MustCompile(`(?i)\*+\s*no_ci\s*\*+`)
