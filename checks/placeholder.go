package checks

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

var (
	rePlaceholderWord = regexp.MustCompile(`\b(TODO|TBD|FIXME)\b`)
	reHint            = regexp.MustCompile(`<([^<>\n]{1,120})>`)
	reHintTag         = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>` + "`" + `]+))?)*\s*/?$`)
)

// htmlTags are the tags people really write in Markdown; "<owner>" or
// "<describe the impact>" are hints for the author, "<br>" and "<details>" are not.
var htmlTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "br": true, "code": true, "del": true, "details": true,
	"div": true, "em": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"hr": true, "i": true, "img": true, "ins": true, "kbd": true, "li": true, "ol": true, "p": true,
	"pre": true, "s": true, "samp": true, "small": true, "span": true, "strong": true, "sub": true,
	"summary": true, "sup": true, "table": true, "tbody": true, "td": true, "th": true, "thead": true,
	"tr": true, "u": true, "ul": true, "mark": true, "q": true, "cite": true, "dl": true, "dt": true,
	"dd": true, "figure": true, "figcaption": true, "picture": true, "source": true, "video": true,
	"audio": true, "iframe": true, "var": true, "center": true, "font": true, "blockquote": true,
}

// placeholderSpan is a placeholder token found in text: [Start, End) offsets.
type placeholderSpan struct {
	Start, End int
	Token      string
}

// findPlaceholders returns every TODO/TBD/FIXME word and <angle-bracket hint>
// in s, in order.
func findPlaceholders(s string) []placeholderSpan {
	var out []placeholderSpan
	if strings.Contains(s, "TODO") || strings.Contains(s, "TBD") || strings.Contains(s, "FIXME") {
		for _, m := range rePlaceholderWord.FindAllStringIndex(s, -1) {
			out = append(out, placeholderSpan{m[0], m[1], s[m[0]:m[1]]})
		}
	}
	if !strings.Contains(s, "<") {
		return out
	}
	for _, m := range reHint.FindAllStringSubmatchIndex(s, -1) {
		inner := s[m[2]:m[3]]
		if m[0] > 0 && s[m[0]-1] == '\\' {
			continue // "\<END OF OUTAGE>": written to show the brackets
		}
		if isHint(inner) {
			out = append(out, placeholderSpan{m[0], m[1], s[m[0]:m[1]]})
		}
	}
	if len(out) > 1 {
		sortSpans(out)
	}
	return out
}

func sortSpans(s []placeholderSpan) {
	// stable, as the insertion sort it replaces (which was quadratic on a
	// document of thousands of TODOs and <hints>)
	slices.SortStableFunc(s, func(a, b placeholderSpan) int { return a.Start - b.Start })
}

// isHint reports whether the text between < and > is an author hint rather
// than an HTML tag, comment, autolink or e-mail address.
func isHint(inner string) bool {
	t := strings.TrimSpace(inner)
	if t == "" || strings.ContainsAny(t[:1], "!/?") || strings.HasPrefix(t, "-") {
		return false
	}
	if strings.Contains(t, "://") || strings.HasPrefix(strings.ToLower(t), "mailto:") {
		return false
	}
	if !strings.ContainsAny(t, " ") && strings.Contains(t, "@") && strings.Contains(t, ".") {
		return false // an e-mail autolink
	}
	hasLetter := false
	for _, r := range t {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 {
			hasLetter = true
			break
		}
	}
	if !hasLetter {
		return false // "<3" or "< 5 >" are not hints
	}
	if m := reHintTag.FindStringSubmatch(t); m != nil && htmlTags[strings.ToLower(m[1])] {
		return false
	}
	return true
}

// isPlaceholderText reports whether s contains a placeholder token.
func isPlaceholderText(s string) bool {
	return len(findPlaceholders(s)) > 0
}

// rawText is the source text of a leaf block or HTML block with code span
// content and HTML comments blanked, and its map back to the file. It is
// read from Source, not from what the parser saw: a paragraph the guard
// read as plain text keeps its "<hint>" placeholders.
func (d *Document) rawText(n ast.Node) (Prose, bool) {
	p := Prose{doc: d}
	lines := n.Lines()
	var buf []byte
	add := func(s, e int) {
		if e <= s {
			return
		}
		p.pieces = append(p.pieces, piece{text: len(buf), file: s, n: e - s})
		buf = append(buf, d.Source[s:e]...)
	}
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		add(s.Start, s.Stop)
	}
	if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
		add(h.ClosureLine.Start, h.ClosureLine.Stop)
	}
	if len(p.pieces) == 0 {
		return p, false
	}
	p.Start = p.pieces[0].file
	blankFile := func(s, e int) {
		for _, pc := range p.pieces {
			a, b := max(s, pc.file), min(e, pc.file+pc.n)
			for o := a; o < b; o++ {
				if buf[pc.text+o-pc.file] != '\n' {
					buf[pc.text+o-pc.file] = ' '
				}
			}
		}
	}
	var walk func(ast.Node)
	walk = func(c ast.Node) {
		for x := c.FirstChild(); x != nil; x = x.NextSibling() {
			switch t := x.(type) {
			case *ast.CodeSpan:
				for y := t.FirstChild(); y != nil; y = y.NextSibling() {
					if tx, ok := y.(*ast.Text); ok {
						blankFile(tx.Segment.Start, tx.Segment.Stop)
					}
				}
			case *ast.RawHTML:
				if isCommentRaw(d, t) {
					for i := 0; i < t.Segments.Len(); i++ {
						s := t.Segments.At(i)
						blankFile(s.Start, s.Stop)
					}
				}
			default:
				walk(x)
			}
		}
	}
	walk(n)
	s := string(buf)
	if _, ok := n.(*ast.HTMLBlock); ok {
		// Blank comments in place.
		b := []byte(s)
		for i := 0; ; {
			j := strings.Index(s[i:], "<!--")
			if j < 0 {
				break
			}
			j += i
			k := strings.Index(s[j+4:], "-->")
			end := len(s)
			if k >= 0 {
				end = j + 4 + k + 3
			}
			for x := j; x < end; x++ {
				if b[x] != '\n' {
					b[x] = ' '
				}
			}
			i = end
			if i >= len(s) {
				break
			}
		}
		s = string(b)
	}
	p.Text = s
	return p, true
}

// mayHavePlaceholders reports whether rawText(n) could hold a placeholder:
// blanking code and comments only removes text, so there is none unless a
// line of the block has a '<', a TODO, TBD or FIXME, or ends in an upper-case
// letter (a token split over two lines of the concatenated text).
func (d *Document) mayHavePlaceholders(n ast.Node) bool {
	may := func(s, e int) bool {
		if e <= s {
			return false
		}
		b := d.Source[s:e]
		if last := b[len(b)-1]; 'A' <= last && last <= 'Z' {
			return true
		}
		return bytes.IndexByte(b, '<') >= 0 || bytes.Contains(b, []byte("TODO")) ||
			bytes.Contains(b, []byte("TBD")) || bytes.Contains(b, []byte("FIXME"))
	}
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		if s := lines.At(i); may(s.Start, s.Stop) {
			return true
		}
	}
	if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
		return may(h.ClosureLine.Start, h.ClosureLine.Stop)
	}
	return false
}

func isCommentRaw(d *Document, t *ast.RawHTML) bool {
	if t.Segments.Len() == 0 {
		return false
	}
	s := t.Segments.At(0)
	return strings.HasPrefix(string(d.md[s.Start:s.Stop]), "<!--")
}

// placeholdersIn finds placeholder tokens in a block, recursing into
// containers, skipping code. Offsets in the result are file offsets.
func (d *Document) placeholdersIn(n ast.Node, out *[]placeholderSpan) {
	switch n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.ThematicBreak:
		return
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell, *ast.HTMLBlock:
		if !d.mayHavePlaceholders(n) {
			return
		}
		p, ok := d.rawText(n)
		if !ok {
			return
		}
		for _, sp := range findPlaceholders(p.Text) {
			*out = append(*out, placeholderSpan{p.FileOffset(sp.Start), p.FileOffset(sp.End-1) + 1, sp.Token})
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		d.placeholdersIn(c, out)
	}
}
