package checks

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Document is a parsed postmortem. Every exported position is a 1-based line
// and a 1-based byte column in Source (the whole file, front matter included).
type Document struct {
	// Source is the file exactly as given to Parse.
	Source []byte
	// FrontMatter is nil when the file has no (terminated) front matter.
	FrontMatter *FrontMatter
	// Title is the first level-1 heading; nil when there is none.
	Title *Heading
	// Preamble holds the blocks before the first section (the title's body).
	Preamble []Block
	// Sections is the tree of headings below the title, nested by level.
	Sections []*Section
	// Timeline holds the entries of every timeline section, in file order.
	Timeline []TimelineEntry
	// Actions holds every action item of the follow-ups sections, whatever
	// its form (task list, bullet, numbered item, table row: ActionForm), in
	// file order: what the App files as follow-ups on merge.
	Actions []ActionItem
	// ActionItems holds the task-list items and the rows of tables with an
	// Owner or Due column: the part of Actions the App has filed since its
	// first version, each read exactly as before.
	//
	// Deprecated: use Actions, which holds these and every other form.
	ActionItems   []ActionItem
	actionsCapped bool // maxActionItems were read; the rest are not
	// Labels are the bold labels that name parts of the document the way
	// headings do ("**Impact**: ..."), in file order.
	Labels []Label
	// Problems are things that kept part of the file from being understood,
	// such as a broken front matter. The completeness check reports them.
	Problems []Problem

	md []byte // Source with the BOM and front matter blanked (same length)
	// statusCells are the byte ranges of the Status cells of follow-ups
	// tables: a TODO there is a status, not a placeholder.
	statusCells [][2]int
	root        ast.Node // goldmark AST over md
	lineStarts  []int    // byte offset of the start of each line
	directives  []directive
}

// Problem is a parse problem anchored to a position.
type Problem struct {
	Line, Col int
	Message   string
	// Rule is the finding's rule; empty means completeness/front-matter.
	Rule string
}

// Heading is a heading's text and position.
type Heading struct {
	Text      string
	Level     int
	Line, Col int
	Offset    int // byte offset of the heading line's first marker
	node      *ast.Heading
}

// BlockKind names the kind of a content block.
type BlockKind string

const (
	BlockParagraph BlockKind = "paragraph"
	BlockList      BlockKind = "list"
	BlockTable     BlockKind = "table"
	BlockCode      BlockKind = "code"
	BlockHTML      BlockKind = "html"
	BlockQuote     BlockKind = "blockquote"
	BlockBreak     BlockKind = "thematic-break"
	BlockOther     BlockKind = "other"
)

// Block is one top-level content block of a section.
type Block struct {
	Kind       BlockKind
	Line, Col  int
	EndLine    int
	Start, End int // byte offsets in Source, End exclusive
	// Node is the goldmark node, for callers that need the full tree.
	Node ast.Node
}

// Section is a heading and everything up to the next heading of the same or a
// higher level.
type Section struct {
	Heading
	// Kind is the blameless section kind derived from the heading text.
	Kind blameless.Section
	// BodyStartLine..BodyEndLine is the span of the section's body, children
	// included (BodyEndLine < BodyStartLine when the body is empty).
	BodyStartLine, BodyEndLine int
	// Blocks are the section's own content blocks (not its children's).
	Blocks   []Block
	Children []*Section
	Parent   *Section
}

// Walk calls fn for the section and all its descendants, depth first.
func (s *Section) Walk(fn func(*Section)) {
	fn(s)
	for _, c := range s.Children {
		c.Walk(fn)
	}
}

// AllSections returns every section of the tree in document order.
func (d *Document) AllSections() []*Section {
	var out []*Section
	for _, s := range d.Sections {
		s.Walk(func(x *Section) { out = append(out, x) })
	}
	return out
}

// Parse builds the document model of a postmortem. It never fails: a broken
// document is still a document, and problems are recorded in Problems.
func Parse(src []byte) *Document {
	return parse(src, nil)
}

// parse is Parse with the Markdown parser given (tests); nil means
// parseMarkdown.
func parse(src []byte, gm goldmark.Markdown) *Document {
	d := &Document{Source: src}
	d.lineStarts = lineStarts(src)
	md := make([]byte, len(src))
	copy(md, src)
	start := 0
	if bytes.HasPrefix(md, []byte("\xef\xbb\xbf")) {
		// Three spaces keep every offset and never change the meaning of the
		// first line (up to three spaces of indentation are insignificant).
		copy(md, "   ")
		start = 3
	}
	d.parseFrontMatter(start, md)
	d.md = md
	d.guard(md, start)
	if gm == nil {
		d.root = parseMarkdown(md)
	} else {
		d.root = gm.Parser().Parse(text.NewReader(md))
	}
	d.buildSections()
	d.collectLabels()
	d.collectDirectives()
	d.extractTimeline()
	d.extractActionItems()
	return d
}

func lineStarts(src []byte) []int {
	starts := make([]int, 1, 1+bytes.Count(src, []byte{'\n'})) // one allocation, not a doubling per growth
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Position maps a byte offset in Source to a 1-based line and byte column.
// Offsets outside the source are clamped.
func (d *Document) Position(offset int) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > len(d.Source) {
		offset = len(d.Source)
	}
	// i: the last line starting at or before offset (lineStarts[0] is 0)
	i, j := 0, len(d.lineStarts)
	for j-i > 1 {
		m := int(uint(i+j) >> 1)
		if d.lineStarts[m] <= offset {
			i = m
		} else {
			j = m
		}
	}
	return i + 1, offset - d.lineStarts[i] + 1
}

// Offset maps a 1-based line and column back to a byte offset.
func (d *Document) Offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(d.lineStarts) {
		return len(d.Source)
	}
	off := d.lineStarts[line-1] + col - 1
	if off > len(d.Source) {
		off = len(d.Source)
	}
	if off < 0 {
		off = 0
	}
	return off
}

// LineCount is the number of lines in the source.
func (d *Document) LineCount() int { return len(d.lineStarts) }

// Line returns the text of a 1-based line without its line ending.
func (d *Document) Line(n int) string {
	if n < 1 || n > len(d.lineStarts) {
		return ""
	}
	start := d.lineStarts[n-1]
	end := len(d.Source)
	if n < len(d.lineStarts) {
		end = d.lineStarts[n] - 1
	}
	return strings.TrimRight(string(d.Source[start:end]), "\r")
}

// span returns the byte range a node covers, found from its own and its
// descendants' positions and line segments. ok is false for nodes with no
// source at all.
func span(n ast.Node) (start, end int, ok bool) {
	start, end = -1, -1
	add := func(s, e int) {
		if s < 0 {
			return
		}
		if start < 0 || s < start {
			start = s
		}
		if e > end {
			end = e
		}
	}
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		if p := n.Pos(); p >= 0 {
			add(p, p+1)
		}
		switch t := n.(type) {
		case *ast.Text:
			add(t.Segment.Start, t.Segment.Stop)
		case *ast.RawHTML:
			for i := 0; i < t.Segments.Len(); i++ {
				s := t.Segments.At(i)
				add(s.Start, s.Stop)
			}
		case *ast.HTMLBlock:
			if t.HasClosure() {
				add(t.ClosureLine.Start, t.ClosureLine.Stop)
			}
		case *ast.AutoLink:
			// Its Pos covers the start; the label length covers the rest.
		}
		if n.Type() == ast.TypeBlock {
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				s := lines.At(i)
				add(s.Start, s.Stop)
			}
		}
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			walk(c)
		}
	}
	walk(n)
	return start, end, start >= 0
}

func blockKind(n ast.Node) BlockKind {
	switch n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return BlockParagraph
	case *ast.List:
		return BlockList
	case *east.Table:
		return BlockTable
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		return BlockCode
	case *ast.HTMLBlock:
		return BlockHTML
	case *ast.Blockquote:
		return BlockQuote
	case *ast.ThematicBreak:
		return BlockBreak
	}
	return BlockOther
}

func (d *Document) headingOf(h *ast.Heading) Heading {
	off := h.Pos()
	if off < 0 {
		if s, _, ok := span(h); ok {
			off = s
		} else {
			off = 0
		}
	}
	line, col := d.Position(off)
	return Heading{Text: d.headingText(h), Level: h.Level, Line: line, Col: col, Offset: off, node: h}
}

// headingText is the heading's visible text: inline markup and HTML comments
// removed, code span content kept.
func (d *Document) headingText(h *ast.Heading) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(bytes.TrimRight(d.md[t.Segment.Start:t.Segment.Stop], "\r"))
				if t.SoftLineBreak() || t.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(t.Value)
			case *ast.RawHTML:
				// comments and tags are not heading text
			case *ast.AutoLink:
				b.Write(t.Label(d.md))
			default:
				walk(c)
			}
		}
	}
	walk(h)
	return strings.Join(strings.Fields(b.String()), " ")
}

func (d *Document) makeBlock(n ast.Node) (Block, bool) {
	s, e, ok := span(n)
	if !ok {
		return Block{}, false
	}
	line, col := d.Position(s)
	endLine, _ := d.Position(max(e-1, s))
	switch n.(type) {
	case *ast.FencedCodeBlock:
		// Lines cover only the content; the closing fence follows them.
		if endLine < d.LineCount() {
			endLine++
		}
	}
	return Block{Kind: blockKind(n), Line: line, Col: col, EndLine: endLine, Start: s, End: e, Node: n}, true
}

func (d *Document) buildSections() {
	var stack []*Section
	var all []*Section
	// The blocks of the preamble and of each section follow one another:
	// they share one array, each owner taking its run when the next heading
	// starts (a 300-paragraph section no longer grows its slice 9 times).
	top := 0
	for c := d.root.FirstChild(); c != nil; c = c.NextSibling() {
		top++
	}
	blocks := make([]Block, 0, top)
	owner, from := &d.Preamble, 0
	flush := func() {
		if len(blocks) > from {
			*owner = blocks[from:len(blocks):len(blocks)]
		}
		from = len(blocks)
	}
	for n := d.root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			if h.Level == 1 && d.Title == nil && len(all) == 0 && !knownSectionName(d.headingText(h)) {
				hd := d.headingOf(h)
				d.Title = &hd
				continue
			}
			flush()
			s := &Section{Heading: d.headingOf(h)}
			s.Kind = SectionKind(s.Text)
			for len(stack) > 0 && stack[len(stack)-1].Level >= s.Level {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				d.Sections = append(d.Sections, s)
			} else {
				p := stack[len(stack)-1]
				s.Parent = p
				p.Children = append(p.Children, s)
				switch {
				case s.Kind == blameless.SectionOther,
					// The subsections of follow-ups are their parts (kinds
					// of actions: "### Mitigation", "### Detection"), and
					// so are those of lessons (what went well, what went
					// wrong) but for action items kept there. Those of a
					// timeline are its days and phases, unless they name a
					// section of their own ("### Causes" under a "##
					// Timeline" written a level too high).
					p.Kind == blameless.SectionFollowUps,
					p.Kind == blameless.SectionLessons && s.Kind != blameless.SectionFollowUps,
					// a timeline's entry as a heading: "### 4:09 PM: Follow-up"
					p.Kind == blameless.SectionTimeline && startsWithStamp(s.Text):
					s.Kind = p.Kind
				}
			}
			stack = append(stack, s)
			all = append(all, s)
			owner = &s.Blocks
			continue
		}
		if b, ok := d.makeBlock(n); ok {
			blocks = append(blocks, b)
		}
	}
	flush()
	// Body spans: from the line after the heading to the line before the next
	// heading of the same or a higher level (or the end of the file).
	last := d.LineCount()
	if last > 1 && len(d.Source) > 0 && d.Source[len(d.Source)-1] == '\n' {
		last-- // the empty "line" after a final newline
	}
	for i, s := range all {
		s.BodyStartLine = s.Line + 1
		s.BodyEndLine = last
		for _, t := range all[i+1:] {
			if t.Level <= s.Level {
				s.BodyEndLine = t.Line - 1
				break
			}
		}
	}
}

// hasContent reports whether a block carries content for an author: HTML
// comments (guidance) and blank HTML do not count.
func (d *Document) blockHasContent(b Block) bool {
	switch n := b.Node.(type) {
	case *ast.HTMLBlock:
		var buf bytes.Buffer
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			buf.Write(d.md[s.Start:s.Stop])
		}
		if n.HasClosure() {
			buf.Write(d.md[n.ClosureLine.Start:n.ClosureLine.Stop])
		}
		return strings.TrimSpace(stripComments(buf.String())) != ""
	case *ast.Paragraph, *ast.TextBlock:
		src := d.md[b.Start:b.End]
		if !bytes.Contains(src, []byte("<!--")) {
			return len(bytes.TrimSpace(src)) > 0
		}
		return strings.TrimSpace(stripComments(string(src))) != ""
	}
	return true
}

// sectionHasContent: own blocks or any descendant's blocks carry content.
func (d *Document) sectionHasContent(s *Section) bool {
	for _, b := range s.Blocks {
		if d.blockHasContent(b) {
			return true
		}
	}
	for _, c := range s.Children {
		if d.sectionHasContent(c) {
			return true
		}
	}
	return false
}

// bodyText is the section's own body as written, HTML comments removed and
// white space collapsed: the form compared against the template's body.
func (d *Document) bodyText(blocks []Block) string {
	var b strings.Builder
	size := 0
	for _, blk := range blocks {
		size += blk.End - blk.Start
	}
	b.Grow(size)
	first := true
	for _, blk := range blocks {
		if !d.blockHasContent(blk) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		src := d.Source[blk.Start:blk.End]
		if bytes.Contains(src, []byte("<!--")) {
			src = []byte(stripComments(string(src)))
		}
		writeFields(&b, src)
	}
	return b.String()
}

// writeFields writes strings.Join(strings.Fields(s), " ") without the
// intermediate slice and strings.
func writeFields(b *strings.Builder, s []byte) {
	gap := false
	start := b.Len()
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && asciiSpace[c] {
			gap = true
			i++
			continue
		}
		w := 1
		if c >= utf8.RuneSelf {
			var r rune
			r, w = utf8.DecodeRune(s[i:])
			if unicode.IsSpace(r) {
				gap = true
				i += w
				continue
			}
		}
		if gap && b.Len() > start {
			b.WriteByte(' ')
		}
		gap = false
		// the run of ASCII non-space bytes (and this rune) in one write
		j := i + w
		for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace[s[j]] {
			j++
		}
		b.Write(s[i:j])
		i = j
	}
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// stripComments removes HTML comments; an unterminated comment runs to the end.
// Each comment becomes one space. One pass: the text between comments is
// copied once (removing them one at a time copied the rest of the text
// for each, quadratic in a paragraph of comments; issue 13).
func stripComments(s string) string {
	i := strings.Index(s, "<!--")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return b.String()
		}
		b.WriteByte(' ')
		s = s[i+4+j+3:]
		i = strings.Index(s, "<!--")
	}
	b.WriteString(s)
	return b.String()
}

// SectionKind maps heading text to the kind of section it names.
func SectionKind(heading string) blameless.Section {
	if c := conceptOf(canonKey(heading)); c != nil {
		return c.kind
	}
	h := normalizeHeading(heading)
	has := func(words ...string) bool {
		for _, w := range words {
			if containsWords(h, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("timeline", "chronology", "sequence of events"):
		return blameless.SectionTimeline
	case has("follow ups", "follow up", "followups", "followup", "action items", "action item",
		"remediation", "corrective actions", "corrective action", "next steps", "preventive actions",
		"corrective and preventive", "corrective and preventative", "doing about it", "future actions"):
		return blameless.SectionFollowUps
	case has("lessons", "lesson", "learnings", "went well", "went wrong", "got lucky", "where we were lucky", "went poorly"):
		if has("what went wrong") && !has("lessons") {
			return blameless.SectionCause
		}
		return blameless.SectionLessons
	case has("root cause", "root causes", "trigger", "triggers", "contributing factors", "contributing factor", "cause", "causes",
		"how did this happen", "why it happened"):
		return blameless.SectionCause
	case has("resolution", "mitigation", "recovery", "resolved", "remediated"):
		return blameless.SectionResolution
	case has("impact", "summary", "overview", "tl dr", "tldr", "abstract"):
		return blameless.SectionSummary
	}
	return blameless.SectionOther
}

// containsWords reports whether phrase occurs in s on word boundaries (both
// already normalized: lower case, single spaces).
func containsWords(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(phrase)
		if (j == 0 || s[j-1] == ' ') && (end == len(s) || s[end] == ' ') {
			return true
		}
		i = j + 1
	}
}

// knownSectionName reports whether a heading is exactly a well-known section
// name ("Summary", "Timeline"...): such a first "#" heading starts a section
// of a document written with "#" sections, it is not the title.
func knownSectionName(heading string) bool {
	return conceptOf(canonKey(heading)) != nil
}

// startsWithStamp: the text opens with a date or a time.
func startsWithStamp(text string) bool {
	_, _, _, ok := scanEntry(text)
	return ok
}
