package checks

import (
	"bytes"
	"fmt"
	"strings"
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
//     spaces: the paragraph is read as text, its links are not;
//   - inline floods: goldmark matches each emphasis closer against every
//     opener before it in its paragraph, and scans from each '`', '<' and
//     "](" for their end, so its work grows with marks × paragraph bytes
//     ("_a*" repeated took 7 s per megabyte in 16 KB paragraphs, "[a]("
//     3 s in 4 KB ones), and each mark is a node or a delimiter of ~200
//     bytes. A paragraph with more than maxParagraphMarks marks ('*', '_',
//     '~', '`', '<') has them read as spaces, like the brackets above;
//     and once the file's marks pass maxFileMarks, or their sum of marks ×
//     paragraph bytes maxFileMarkWork, the marks and brackets of every
//     paragraph after are spaces too. A megabyte of real prose has a few
//     thousand marks and a few million of that work;
//   - table floods: each table cell is a node of ~560 bytes (a megabyte
//     of "|1|2|3|4|5|6|7|8|" rows held 225 MB), so once the file's '|'
//     pass maxFilePipes, those of every paragraph after are read as '\'
//     (no table: no delimiter row; the text is kept). A real postmortem's
//     tables have a few hundred cells;
//   - line floods: goldmark's tree costs about 500 bytes per line (a list
//     item, a table row, a heading: a megabyte of "- a" held 134 MB), so
//     at most max(minMarkdownLines, len/bytesPerMarkdownLine) lines are
//     read as Markdown; the lines after are blank to the parser and not
//     checked. A real postmortem has a few hundred lines; a megabyte of
//     real prose about 40 000.
const (
	maxLineContainers    = 32
	maxContainerColumn   = 128
	maxParagraphBrackets = 2048
	maxParagraphMarks    = 2048
	maxFileMarks         = 1 << 17
	maxFileMarkWork      = 1 << 27
	minMarkdownLines     = 1 << 16
	bytesPerMarkdownLine = 16
	maxFilePipes         = 1 << 15
)

// markBytes are the emphasis, code and HTML marks the guard counts.
const markBytes = "*_~`<"

// RuleUnparsed: part of the document was read as plain text by the guard.
const RuleUnparsed = "completeness/unparsed"

// guard neutralises the shapes above in md (from offset start on, the
// front matter excluded) and records a problem for each place it did.
func (d *Document) guard(md []byte, start int) {
	if start >= len(md) {
		return
	}
	d.guardLines(md, start)
	d.guardNesting(md, start)
	d.guardFloods(md, start)
}

// guardLines blanks the lines past the line budget, line breaks too: to
// the parser they are one line of spaces (offsets, and so the lines of
// Source, unchanged), not thousands of blank lines, each a segment of an
// unclosed code fence or list item (a megabyte of lines after "```" made
// 100 MB of segments).
func (d *Document) guardLines(md []byte, start int) {
	limit := max(minMarkdownLines, len(md)/bytesPerMarkdownLine)
	if len(d.lineStarts) <= limit {
		return
	}
	cut := max(d.lineStarts[limit], start)
	for i := cut; i < len(md); i++ {
		md[i] = ' '
	}
	d.guardProblem(cut, "this file has %d lines, more than the %d read as Markdown (one per %d bytes, at least %d): from here on it is not read or checked", len(d.lineStarts), limit, bytesPerMarkdownLine, minMarkdownLines)
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

// guardFloods reads paragraphs flooded with link brackets or inline
// marks as text. A paragraph here is a run of non-blank lines outside
// fenced code (whose bytes goldmark does not parse inline), a list item or
// a heading starting a new one.
func (d *Document) guardFloods(md []byte, start int) {
	reported := 0
	say := func(at int, format string, args ...any) {
		if reported < 10 {
			d.guardProblem(at, format, args...)
		}
		reported++
	}
	blank := func(ps, pe int, set string) {
		for i := ps; i < pe; i++ {
			if strings.IndexByte(set, md[i]) >= 0 {
				md[i] = ' '
			}
		}
	}
	work, total, spent, pipes := 0, 0, false, 0
	flood := func(ps, pe int) {
		brackets, marks, bars := 0, 0, 0
		for _, c := range md[ps:pe] {
			switch c {
			case '[', ']':
				brackets++
			case '*', '_', '~', '`', '<':
				marks++
			case '|':
				bars++
			}
		}
		if pipes += bars; bars > 0 && pipes > maxFilePipes {
			for i := ps; i < pe; i++ {
				if md[i] == '|' {
					md[i] = '\\'
				}
			}
			if pipes-bars <= maxFilePipes {
				say(ps, "this file has more table cells than the parser's budget (%d '|'): from here on tables are read as plain text", maxFilePipes)
			}
		}
		if brackets > maxParagraphBrackets {
			blank(ps, pe, "[]")
			say(ps, "this paragraph has %d link brackets (more than %d): it is read as plain text, without links", brackets, maxParagraphBrackets)
			brackets = 0
		}
		if marks > maxParagraphMarks {
			blank(ps, pe, markBytes)
			say(ps, "this paragraph has %d emphasis, code and HTML marks (more than %d): it is read as plain text without them", marks, maxParagraphMarks)
			marks = 0
		}
		w := (brackets + marks) * (pe - ps)
		if w == 0 {
			return
		}
		if spent || work+w > maxFileMarkWork || total+brackets+marks > maxFileMarks {
			blank(ps, pe, "[]"+markBytes)
			if !spent {
				say(ps, "this file has more links, emphasis, code and HTML than the parser's budget (%d marks, or %d marks × paragraph bytes): from here on they are read as plain text", maxFileMarks, maxFileMarkWork)
			}
			spent = true
			return
		}
		work += w
		total += brackets + marks
	}
	ps := -1 // start of the current paragraph
	var fence []byte
	for ls := start; ls < len(md); {
		le := bytes.IndexByte(md[ls:], '\n')
		if le < 0 {
			le = len(md)
		} else {
			le += ls
		}
		line := md[ls:le]
		switch f := fenceOf(line); {
		case fence != nil:
			if f != nil && f[0] == fence[0] && len(f) >= len(fence) && len(bytes.TrimSpace(line[bytes.Index(line, f)+len(f):])) == 0 {
				fence = nil
			}
		case f != nil:
			if ps >= 0 {
				flood(ps, ls)
				ps = -1
			}
			fence = f
		case len(bytes.TrimSpace(line)) == 0:
			if ps >= 0 {
				flood(ps, ls)
				ps = -1
			}
		case ps < 0:
			ps = ls
		case startsBlock(line):
			flood(ps, ls) // a list item or heading: goldmark parses it apart
			ps = ls
		}
		ls = le + 1
	}
	if ps >= 0 {
		flood(ps, len(md))
	}
}

// startsBlock: the line opens a list item or an ATX heading after its
// indentation and quote markers.
func startsBlock(line []byte) bool {
	i := 0
	for i < len(line) && i < maxContainerColumn && (line[i] == ' ' || line[i] == '\t' || line[i] == '>') {
		i++
	}
	if i < len(line) && line[i] == '#' {
		return true
	}
	w := markerWidth(line[i:])
	return w > 0 && line[i] != '>'
}

// fenceOf is the code fence (three or more '`' or '~') a line opens or
// closes after its indentation and quote markers, or nil.
func fenceOf(line []byte) []byte {
	i := 0
	for i < len(line) && i < maxContainerColumn && (line[i] == ' ' || line[i] == '\t' || line[i] == '>') {
		i++
	}
	if i == len(line) || (line[i] != '`' && line[i] != '~') {
		return nil
	}
	j := i
	for j < len(line) && line[j] == line[i] {
		j++
	}
	if j-i < 3 || (line[i] == '`' && bytes.IndexByte(line[j:], '`') >= 0) {
		return nil
	}
	return line[i:j]
}
