package checks

import (
	"bytes"
	"fmt"
)

// The Markdown parser (goldmark) is super-linear on some crafted shapes,
// whoever sends them: a line of 300 000 '>' opens as many nested quotes and
// measures each one's offset from the line's start (35 s for 320 KB), and a
// paragraph of "[a](" tries a link destination to the paragraph's end from
// every "](" (over a minute for 1 MB). No real postmortem needs either, so
// guard neutralises them before parsing, in place (every offset stays the
// same), and says so with a completeness/unparsed finding:
//
//   - block nesting: a line opens at most maxLineContainers quotes and list
//     items, and no container marker is honoured past column
//     maxContainerColumn (depth d needs column ≥ d, so nesting stays under
//     it across lines too); the first marker beyond is replaced by '\', so
//     the rest of the line is text;
//   - link floods: in a paragraph (a run of non-blank lines) with more
//     than maxParagraphBrackets '[' and ']' together, those bytes become
//     spaces: the paragraph is read as text, its links are not ('<' is
//     left alone: tags and autolinks cost goldmark linear time, and
//     "<hint>" placeholders are found by it).
const (
	maxLineContainers    = 32
	maxContainerColumn   = 128
	maxParagraphBrackets = 2048
)

// RuleUnparsed: part of the document was read as plain text by the guard.
const RuleUnparsed = "completeness/unparsed"

// guard neutralises the shapes above in md (from offset start on, the
// front matter excluded) and records a problem for each place it did.
func (d *Document) guard(md []byte, start int) {
	if start >= len(md) {
		return
	}
	d.guardNesting(md, start)
	d.guardFloods(md, start)
}

func (d *Document) guardProblem(offset int, format string, args ...any) {
	line, col := d.Position(offset)
	d.Problems = append(d.Problems, Problem{Line: line, Col: col, Rule: RuleUnparsed, Message: fmt.Sprintf(format, args...)})
}

// guardNesting caps the container markers each line opens.
func (d *Document) guardNesting(md []byte, start int) {
	reported := 0
	for ls := start; ls < len(md); {
		le := bytes.IndexByte(md[ls:], '\n')
		if le < 0 {
			le = len(md)
		} else {
			le += ls
		}
		if at := containerOverflow(md[ls:le]); at >= 0 {
			md[ls+at] = '\\'
			if reported < 10 {
				d.guardProblem(ls+at, "quotes and lists nest too deeply here (more than %d on a line, or past column %d): the rest of the line is read as text", maxLineContainers, maxContainerColumn)
			}
			reported++
		}
		ls = le + 1
	}
}

// containerOverflow returns the offset in line of the first container
// marker past the limits, or -1.
func containerOverflow(line []byte) int {
	n := 0
	for i := 0; i < len(line); {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		w := markerWidth(line[i:])
		if w == 0 {
			return -1
		}
		if n >= maxLineContainers || i >= maxContainerColumn {
			return i
		}
		n++
		i += w
	}
	return -1
}

// markerWidth is the length of a container marker at the start of b: '>',
// a bullet ("-", "*", "+") or an ordered marker ("1.", "12)") followed by
// white space or the end of the line; 0 when there is none.
func markerWidth(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	end := func(i int) int {
		if i == len(b) || b[i] == ' ' || b[i] == '\t' || b[i] == '\r' {
			return i
		}
		return 0
	}
	switch c := b[0]; {
	case c == '>':
		return 1
	case c == '-' || c == '*' || c == '+':
		return end(1)
	case c >= '0' && c <= '9':
		i := 0
		for i < len(b) && i < 9 && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i < len(b) && (b[i] == '.' || b[i] == ')') {
			return end(i + 1)
		}
	}
	return 0
}

// guardFloods reads paragraphs flooded with link brackets as text.
func (d *Document) guardFloods(md []byte, start int) {
	reported := 0
	for ps := start; ps < len(md); {
		pe := paragraphEnd(md, ps)
		n := 0
		for _, c := range md[ps:pe] {
			if c == '[' || c == ']' {
				n++
			}
		}
		if n > maxParagraphBrackets {
			for i := ps; i < pe; i++ {
				if c := md[i]; c == '[' || c == ']' {
					md[i] = ' '
				}
			}
			if reported < 10 {
				d.guardProblem(ps, "this paragraph has %d link brackets (more than %d): it is read as plain text, without links", n, maxParagraphBrackets)
			}
			reported++
		}
		ps = pe
	}
}

// paragraphEnd is the offset after the run of non-blank lines at ps (and
// the blank lines after it).
func paragraphEnd(md []byte, ps int) int {
	i := ps
	for i < len(md) {
		le := bytes.IndexByte(md[i:], '\n')
		if le < 0 {
			return len(md)
		}
		line := md[i : i+le]
		i += le + 1
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
	}
	for i < len(md) && (md[i] == '\n' || md[i] == '\r' || md[i] == ' ' || md[i] == '\t') {
		if md[i] == '\n' {
			i++
			continue
		}
		j := i
		for j < len(md) && (md[j] == ' ' || md[j] == '\t' || md[j] == '\r') {
			j++
		}
		if j < len(md) && md[j] != '\n' {
			break
		}
		i = j
	}
	return i
}
