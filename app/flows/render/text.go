// Package render makes what the flows write on GitHub from what they read,
// without calling it: the incident's data for the postmortem template,
// check-run titles, summaries and annotations, suggested rewordings, the
// follow-up issues' bodies and the tracking comment.
package render

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen bounds the slug part of branch and file names.
const MaxSlugLen = 48

// Slug turns a title into a lower-case ASCII slug safe in git ref and file
// names: letters and digits (accents stripped) joined by single dashes, at
// most MaxSlugLen bytes, cut at a word boundary when possible; never empty
// ("incident" when nothing usable is left).
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r):
			// combining accent of a decomposed letter: drop
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > MaxSlugLen {
		s = s[:MaxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i >= MaxSlugLen/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if s == "" {
		return "incident"
	}
	return s
}

var (
	reSevN     = regexp.MustCompile(`(?i)^sev(?:erity)?[\s_:/-]*([0-5])$`)
	reSevWord  = regexp.MustCompile(`(?i)^sev(?:erity)?[\s_:/-]+(critical|high|major|medium|moderate|low|minor)$`)
	rePriority = regexp.MustCompile(`(?i)^(?:priority[\s_:/-]*)?p([0-5])$`)
)

// SeverityFromLabels reads an incident's severity from its labels: "sev1",
// "SEV-2", "severity: 3", "severity:high", "P1"… as "SEV1".."SEV5"; "" when
// none says.
func SeverityFromLabels(labels []string) string {
	for _, l := range labels {
		l = strings.TrimSpace(l)
		if m := reSevN.FindStringSubmatch(l); m != nil {
			n := m[1]
			if n == "0" {
				n = "1"
			}
			return "SEV" + n
		}
		if m := reSevWord.FindStringSubmatch(l); m != nil {
			switch strings.ToLower(m[1]) {
			case "critical":
				return "SEV1"
			case "high", "major":
				return "SEV2"
			case "medium", "moderate":
				return "SEV3"
			default:
				return "SEV4"
			}
		}
	}
	for _, l := range labels {
		if m := rePriority.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			n := m[1]
			if n == "0" {
				n = "1"
			}
			return "SEV" + n
		}
	}
	return ""
}

// OneLine returns the first non-empty line of s, at most n runes.
func OneLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "<!--") {
			continue
		}
		if r := []rune(l); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return l
	}
	return ""
}

// Cell escapes text for a Markdown table cell.
func Cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return s
}

// Plural is "1 one" or "n many".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ShortSHA is a commit's abbreviated name.
func ShortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}
