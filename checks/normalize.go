package checks

import (
	"strings"
	"unicode"
)

// normalizeHeading reduces heading text to the form sections are matched in:
// lower case, letters and digits only, single spaces, leading numbering
// ("1.", "2)", "3.1") and emoji dropped. "1. 🔥 Follow-ups!" → "follow ups".
func normalizeHeading(s string) string {
	s = stripComments(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '\'' || r == '’':
			// "what's" → "whats"
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.TrimSpace(b.String())
	// Leading numbering: runs of digits ("1", "3 1" from "3.1").
	for {
		i := 0
		for i < len(out) && out[i] >= '0' && out[i] <= '9' {
			i++
		}
		if i == 0 || (i < len(out) && out[i] != ' ') {
			break
		}
		out = strings.TrimSpace(out[i:])
	}
	return out
}
