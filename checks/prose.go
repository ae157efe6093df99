package checks

import (
	"bytes"
	"sort"
	"strings"
	"unsafe"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Prose is one paragraph, list item paragraph, heading or table cell, ready
// for the blameless analyzer. Code spans, raw HTML, autolinks, link
// destinations and Markdown punctuation are blanked with spaces of the same
// byte length, so every offset in Text maps back to the file.
type Prose struct {
	blameless.Segment
	// Start is the byte offset in the source of Text[0].
	Start  int
	pieces []piece
	doc    *Document
}

// piece maps Text[text:text+n] to Source[file:file+n].
type piece struct{ text, file, n int }

// FileOffset maps a byte offset in Text to a byte offset in the source.
func (p *Prose) FileOffset(i int) int {
	if len(p.pieces) == 0 {
		return p.Start
	}
	k := sort.Search(len(p.pieces), func(k int) bool { return p.pieces[k].text > i }) - 1
	if k < 0 {
		k = 0
	}
	pc := p.pieces[k]
	off := i - pc.text
	if off > pc.n {
		off = pc.n
	}
	return pc.file + off
}

// Position maps a byte offset in Text to a line and column in the file.
func (p *Prose) Position(i int) (line, col int) {
	return p.doc.Position(p.FileOffset(i))
}

// Prose returns every piece of prose in the document with the kind of the
// section it sits in, in document order.
func (d *Document) Prose() []Prose {
	var out []Prose
	d.eachProse(func(p *Prose) { out = append(out, *p) })
	return out
}

// eachProse calls fn with every piece of prose, in document order, without
// collecting them (p is only valid during the call).
func (d *Document) eachProse(fn func(p *Prose)) {
	scratch := new(Prose) // one Prose for all calls: fn's argument escapes
	emit := func(n ast.Node, kind blameless.Section) {
		d.proseOf(n, kind, false, scratch, fn)
	}
	// The text before the first heading sums a postmortem up; in a
	// document without headings nothing says what any of it is.
	top := blameless.SectionSummary
	if len(d.Sections) == 0 {
		top = blameless.SectionUnknown
	}
	if d.Title != nil {
		emit(d.Title.node, top)
	}
	for _, b := range d.Preamble {
		emit(b.Node, top)
	}
	for _, s := range d.AllSections() {
		emit(s.node, s.Kind)
		for _, b := range s.Blocks {
			emit(b.Node, s.Kind)
		}
	}
}

func (d *Document) proseOf(n ast.Node, kind blameless.Section, quoted bool, scratch *Prose, fn func(*Prose)) {
	switch n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock, *ast.ThematicBreak:
		return
	case *ast.Blockquote:
		quoted = true
	case *east.TableRow:
		if vague(kind) && d.timeLedRow(n) {
			kind = blameless.SectionTimeline
		}
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell:
		if _, heading := n.(*ast.Heading); !heading && vague(kind) && d.timeLed(n) {
			kind = blameless.SectionTimeline
		}
		if p, ok := d.maskBlock(n); ok {
			p.Section = kind
			p.Quoted = quoted
			*scratch = p
			fn(scratch)
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		d.proseOf(c, kind, quoted, scratch, fn)
	}
}

// vague reports whether kind says nothing of what its text is: no heading
// above it, or a heading of no known kind.
func vague(kind blameless.Section) bool {
	return kind == blameless.SectionUnknown || kind == blameless.SectionOther
}

// timeLed reports whether the block n opens with a clock time
// (opensWithClock), as a timeline's entries do: in a vague section, such an
// entry is read as the timeline's ("14:02 @alice rolled back the deploy"
// says what happened when, not whose fault it was).
func (d *Document) timeLed(n ast.Node) bool {
	lines := n.Lines()
	if lines.Len() == 0 {
		return false
	}
	l := lines.At(0)
	return opensWithClock(string(d.md[l.Start:min(l.Stop, l.Start+maxStampScan)]))
}

// timeLedRow reports whether a table row's first cell is a clock time.
func (d *Document) timeLedRow(row ast.Node) bool {
	c := row.FirstChild()
	if c == nil {
		return false
	}
	text, off := d.cellText(c)
	return off >= 0 && opensWithClock(text)
}

// opensWithClock reports whether s opens with a timeline entry's stamp that
// has a clock time ("14:02", "**2026-03-01 14:02 UTC** —", "2pm:"); a date
// alone does not count ("March 3, 2026: …"). Only its first maxStampScan
// bytes are read.
func opensWithClock(s string) bool {
	st, _, _, ok := scanEntry(s[:min(len(s), maxStampScan)])
	return ok && st.hasTime
}

// maxStampScan bounds the bytes of a block read for its opening time.
const maxStampScan = 80

// maskBlock builds the prose text of a leaf block: its source lines, with
// only the bytes of Text nodes (outside code spans) kept. ok is false when
// nothing but blanks remains.
func (d *Document) maskBlock(n ast.Node) (Prose, bool) {
	p := Prose{doc: d}
	lines := n.Lines()
	if lines.Len() == 0 {
		return p, false
	}
	size, count := 0, 0
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		if s.Stop > s.Start {
			size += s.Stop - s.Start
			count++
		}
	}
	if count == 0 {
		return p, false
	}
	// buf starts blank (new lines kept); the bytes of Text nodes are then
	// copied in, tabs and carriage returns as spaces.
	buf := make([]byte, size)
	p.pieces = make([]piece, 0, count)
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		if s.Stop <= s.Start {
			continue
		}
		off := 0
		if len(p.pieces) > 0 {
			last := p.pieces[len(p.pieces)-1]
			off = last.text + last.n
		}
		p.pieces = append(p.pieces, piece{text: off, file: s.Start, n: s.Stop - s.Start})
		dst := buf[off : off+s.Stop-s.Start]
		for k := 0; k < len(dst); k += copy(dst[k:], blanks) {
		}
		src := d.md[s.Start:s.Stop]
		for k := bytes.IndexByte(src, '\n'); k >= 0; {
			dst[k] = '\n'
			next := bytes.IndexByte(src[k+1:], '\n')
			if next < 0 {
				break
			}
			k += 1 + next
		}
	}
	p.Start = p.pieces[0].file
	m := masker{d: d, pieces: p.pieces, buf: buf, blank: true}
	m.walk(n)
	if m.blank {
		return p, false
	}
	// buf is not written after this: the string shares its bytes instead
	// of copying them (as strings.Builder does).
	p.Text = unsafe.String(&buf[0], len(buf))
	return p, true
}

// blanks is a run of spaces copied over buffers to blank them.
var blanks = bytes.Repeat([]byte{' '}, 256)

// maskByte maps a byte of a Text node to its byte in masked prose (tabs and
// carriage returns become spaces); inkByte is 1 for bytes that are not white
// space (' ', '\t', '\r', '\n').
var maskByte, inkByte = func() (m, ink [256]byte) {
	for c := range m {
		m[c] = byte(c)
		ink[c] = 1
	}
	m['\t'], m['\r'] = ' ', ' '
	for _, c := range []byte(" \t\r\n") {
		ink[c] = 0
	}
	return
}()

// masker copies the bytes of a block's Text nodes into its blank buffer.
type masker struct {
	d      *Document
	pieces []piece
	buf    []byte
	blank  bool
}

func (m *masker) pieceAt(off int) int {
	return sort.Search(len(m.pieces), func(k int) bool { return m.pieces[k].file > off }) - 1
}

func (m *masker) walk(c ast.Node) {
	for x := c.FirstChild(); x != nil; x = x.NextSibling() {
		switch t := x.(type) {
		case *ast.CodeSpan, *ast.RawHTML, *ast.AutoLink, *east.TaskCheckBox:
			continue
		case *ast.Text:
			for off := t.Segment.Start; off < t.Segment.Stop; {
				k := m.pieceAt(off)
				if k < 0 || off >= m.pieces[k].file+m.pieces[k].n {
					off++
					continue
				}
				pc := m.pieces[k]
				end := min(t.Segment.Stop, pc.file+pc.n)
				src := m.d.md[off:end]
				dst := m.buf[pc.text+off-pc.file:][:len(src)]
				var ink byte
				for i, c := range src {
					dst[i] = maskByte[c]
					ink |= inkByte[c]
				}
				if ink != 0 {
					m.blank = false
				}
				off = end
			}
		default:
			m.walk(x)
		}
	}
}

// cellText returns a table cell's raw source text.
func (d *Document) cellText(n ast.Node) (string, int) {
	lines := n.Lines()
	if lines.Len() == 0 {
		return "", n.Pos()
	}
	s := lines.At(0)
	return strings.TrimSpace(string(d.md[s.Start:s.Stop])), s.Start
}
