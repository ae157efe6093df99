package checks

import "strings"

// Hand scanners for the metadata of an action item. Each returns what the
// regular expression in its comment returns (the same match indices, the
// same leftmost-first choices), without the regexp machinery, which made
// parseActionText about 12 us an item; actionscan_test.go compares them with
// the expressions on many inputs (TestActionScannersMatchRegexps,
// FuzzActionScanners).

// reSpace is RE2's \s: [\t\n\f\r ] (no \v).
func reSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// reWord is RE2's \w (ASCII): [0-9A-Za-z_].
func reWord(c byte) bool { return isAlnum(c) || c == '_' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// foldLit matches the literal lit (lower-case ASCII) at s[i:] as (?i) does
// and returns the end, or -1. Of the letters used, only 's' folds to a
// character outside ASCII: 'ſ' (U+017F).
func foldLit(s string, i int, lit string) int {
	for k := 0; k < len(lit); k++ {
		if i >= len(s) {
			return -1
		}
		c, l := s[i], lit[k]
		switch {
		case c == l, 'a' <= l && l <= 'z' && c == l-'a'+'A':
			i++
		case l == 's' && c == 0xc5 && i+1 < len(s) && s[i+1] == 0xbf:
			i += 2
		default:
			return -1
		}
	}
	return i
}

// skipSpace returns the end of the run of \s at s[i:].
func skipSpace(s string, i int) int {
	for i < len(s) && reSpace(s[i]) {
		i++
	}
	return i
}

// skipSpaceColon matches \s*:?\s* at s[i:] and returns its end.
func skipSpaceColon(s string, i int) int {
	i = skipSpace(s, i)
	if i < len(s) && s[i] == ':' {
		i = skipSpace(s, i+1)
	}
	return i
}

// ownerBoundary is [\s(\[,;:].
func ownerBoundary(c byte) bool {
	return reSpace(c) || c == '(' || c == '[' || c == ',' || c == ';' || c == ':'
}

// findOwners is reOwner.FindAllStringSubmatchIndex(s, -1):
//
//	(?i)(?:^|[\s(\[,;:])((?:owners?|assignee|assigned to)\s*:?\s*)?(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]|/[A-Za-z0-9])?)
func findOwners(s string) [][]int { return findAll(s, ownerBoundary, ownerAfter) }

// findAll is FindAllStringSubmatchIndex for a pattern (?:^|[boundary])X:
// at(s, start, q) matches X at s[q:] for a match starting at start (the
// boundary byte, or 0), nil when it does not. Matches do not overlap.
func findAll(s string, boundary func(byte) bool, at func(s string, start, q int) []int) [][]int {
	var out [][]int
	for p := 0; p < len(s); {
		var m []int
		if p == 0 {
			m = at(s, 0, 0)
		}
		if m == nil && boundary(s[p]) {
			m = at(s, p, p+1)
		}
		if m == nil {
			p++
			continue
		}
		out = append(out, m)
		p = m[1]
	}
	return out
}

// ownerAfter matches the part of reOwner after its boundary at s[q:]; the
// match starts at start.
func ownerAfter(s string, start, q int) []int {
	// the optional "owner:" group first (greedy), then without it
	for _, lit := range [...]string{"owners", "owner", "assignee", "assigned to"} {
		if e := foldLit(s, q, lit); e >= 0 {
			r := skipSpaceColon(s, e)
			if h := handleEnd(s, r); h >= 0 {
				return []int{start, h, q, r, r, h}
			}
		}
	}
	if h := handleEnd(s, q); h >= 0 {
		return []int{start, h, -1, -1, q, h}
	}
	return nil
}

// handleEnd matches @[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])? and the
// optional team (?:/[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]|/[A-Za-z0-9]) at
// s[i:], case-insensitively: the end, or -1.
func handleEnd(s string, i int) int {
	if i >= len(s) || s[i] != '@' {
		return -1
	}
	w := foldAlnum(s, i+1)
	if w == 0 {
		return -1
	}
	h := i + 1 + w
	for j := h; j < len(s); {
		if w := foldAlnum(s, j); w > 0 {
			j += w
			h = j
		} else if s[j] == '-' {
			j++
		} else {
			break
		}
	}
	if h < len(s) && s[h] == '/' {
		if w := foldAlnum(s, h+1); w > 0 {
			end := h + 1 + w // /[A-Za-z0-9]
			for j := end; j < len(s); {
				if w := foldAlnum(s, j); w > 0 || s[j] == '_' {
					j += max(w, 1)
					end = j
				} else if s[j] == '.' || s[j] == '-' {
					j++
				} else {
					break
				}
			}
			h = end
		}
	}
	return h
}

// foldAlnum is the width of the character at s[i] when (?i)[A-Za-z0-9]
// matches it, else 0: ASCII letters and digits, and the two characters
// that fold to ASCII letters, 'ſ' (U+017F, s) and the Kelvin sign (U+212A, k).
func foldAlnum(s string, i int) int {
	switch {
	case i >= len(s):
		return 0
	case isAlnum(s[i]):
		return 1
	case strings.HasPrefix(s[i:], "\u017f"):
		return 2
	case strings.HasPrefix(s[i:], "\u212a"):
		return 3
	}
	return 0
}

// findDue is reDue.FindStringSubmatchIndex(s):
//
//	(?i)\b(due(?:\s+(?:on|by))?\s*:?\s*(\d{4}-\d{1,2}-\d{1,2}))\b
func findDue(s string) []int {
	for p := 0; p+3 <= len(s); p++ {
		if p > 0 && reWord(s[p-1]) {
			continue // \b before "due"
		}
		e := foldLit(s, p, "due")
		if e < 0 {
			continue
		}
		// (?:\s+(?:on|by))? greedy: with it first, then without
		if sp := skipSpace(s, e); sp > e {
			for _, lit := range [...]string{"on", "by"} {
				if f := foldLit(s, sp, lit); f >= 0 {
					if ds, de := dateAt(s, skipSpaceColon(s, f)); ds >= 0 {
						return []int{p, de, p, de, ds, de}
					}
				}
			}
		}
		if ds, de := dateAt(s, skipSpaceColon(s, e)); ds >= 0 {
			return []int{p, de, p, de, ds, de}
		}
	}
	return nil
}

// dateAt matches \d{4}-\d{1,2}-\d{1,2}\b at s[i:].
func dateAt(s string, i int) (start, end int) {
	j := i
	for k := 0; k < 4; k++ {
		if j >= len(s) || !isDigitByte(s[j]) {
			return -1, -1
		}
		j++
	}
	if j >= len(s) || s[j] != '-' {
		return -1, -1
	}
	j++
	// month: two digits then '-', else one digit then '-'
	switch {
	case j+2 < len(s) && isDigitByte(s[j]) && isDigitByte(s[j+1]) && s[j+2] == '-':
		j += 3
	case j+1 < len(s) && isDigitByte(s[j]) && s[j+1] == '-':
		j += 2
	default:
		return -1, -1
	}
	// day: two digits then \b, else one digit then \b
	boundary := func(k int) bool { return k >= len(s) || !reWord(s[k]) }
	switch {
	case j+1 < len(s) && isDigitByte(s[j]) && isDigitByte(s[j+1]) && boundary(j+2):
		return i, j + 2
	case j < len(s) && isDigitByte(s[j]) && boundary(j+1):
		return i, j + 1
	}
	return -1, -1
}

// findPriority is rePriority.FindStringSubmatchIndex(s):
//
//	(?i)(?:^|[\s(\[,;:])((?:priority\s*:?\s*)?(P[0-3]))(?:$|[\s,;:.)\]])
func findPriority(s string) []int {
	for p := 0; p < len(s); p++ {
		if p == 0 {
			if m := priorityAfter(s, 0, 0); m != nil {
				return m
			}
		}
		if ownerBoundary(s[p]) { // the same class: [\s(\[,;:]
			if m := priorityAfter(s, p, p+1); m != nil {
				return m
			}
		}
	}
	return nil
}

func priorityAfter(s string, start, q int) []int {
	if e := foldLit(s, q, "priority"); e >= 0 {
		r := skipSpaceColon(s, e)
		if end, ok := priorityAt(s, r); ok {
			return []int{start, end, q, r + 2, r, r + 2}
		}
	}
	if end, ok := priorityAt(s, q); ok {
		return []int{start, end, q, q + 2, q, q + 2}
	}
	return nil
}

// priorityAt matches (?i)P[0-3] and then $ or [\s,;:.)\]]; end is where
// the whole match ends.
func priorityAt(s string, i int) (end int, ok bool) {
	if i+1 >= len(s) || s[i] != 'P' && s[i] != 'p' || s[i+1] < '0' || s[i+1] > '3' {
		return 0, false
	}
	if i+2 == len(s) {
		return i + 2, true
	}
	switch c := s[i+2]; {
	case reSpace(c), c == ',', c == ';', c == ':', c == '.', c == ')', c == ']':
		return i + 3, true
	}
	return 0, false
}

// findLabels is reLabel.FindAllStringSubmatchIndex(s, -1):
//
//	(?:^|[\s(\[,;])(#([A-Za-z][A-Za-z0-9_./-]*[A-Za-z0-9_]|[A-Za-z]))
func findLabels(s string) [][]int { return findAll(s, labelBoundary, labelAt) }

// labelBoundary is [\s(\[,;].
func labelBoundary(c byte) bool {
	return reSpace(c) || c == '(' || c == '[' || c == ',' || c == ';'
}

func labelAt(s string, start, q int) []int {
	if q+1 >= len(s) || s[q] != '#' || !isLetterByte(s[q+1]) {
		return nil
	}
	end := q + 2 // the one-letter alternative
	for j := q + 2; j < len(s) && (reWord(s[j]) || s[j] == '.' || s[j] == '/' || s[j] == '-'); j++ {
		if reWord(s[j]) {
			end = j + 1
		}
	}
	return []int{start, end, q, end, q + 1, end}
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// removeEmptyGroups is reEmptyGroup.ReplaceAllString(s, ""):
//
//	[(\[][\s,;:|/-]*[)\]]|[(\[]\s*$
func removeEmptyGroups(s string) string {
	var b []byte
	removed := false
	last := 0 // s[last:p] not yet copied
	for p := 0; p < len(s); p++ {
		if s[p] != '(' && s[p] != '[' {
			continue
		}
		q := p + 1
		for q < len(s) && (reSpace(s[q]) || s[q] == ',' || s[q] == ';' || s[q] == ':' || s[q] == '|' || s[q] == '/' || s[q] == '-') {
			q++
		}
		end := -1
		if q < len(s) && (s[q] == ')' || s[q] == ']') {
			end = q + 1
		} else if skipSpace(s, p+1) == len(s) {
			end = len(s)
		}
		if end < 0 {
			continue
		}
		b = append(b, s[last:p]...)
		removed = true
		last = end
		p = end - 1
	}
	if !removed {
		return s
	}
	return string(append(b, s[last:]...))
}
