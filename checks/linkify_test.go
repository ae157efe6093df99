package checks

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// docView is everything the checks read from a parsed document, without the
// goldmark nodes themselves: the two parses must agree on all of it.
func docView(d *Document) string {
	var b strings.Builder
	head := func(h Heading) {
		fmt.Fprintf(&b, "heading %q %d %d:%d @%d\n", h.Text, h.Level, h.Line, h.Col, h.Offset)
	}
	blocks := func(bs []Block) {
		for _, x := range bs {
			fmt.Fprintf(&b, "block %s %d:%d-%d [%d,%d) content=%v body=%q\n", x.Kind, x.Line, x.Col, x.EndLine, x.Start, x.End,
				d.blockHasContent(x), d.bodyText([]Block{x}))
			var ph []placeholderSpan
			d.placeholdersIn(x.Node, &ph)
			fmt.Fprintf(&b, "placeholders %v\n", ph)
		}
	}
	if d.Title != nil {
		head(*d.Title)
	}
	blocks(d.Preamble)
	for _, s := range d.AllSections() {
		head(s.Heading)
		fmt.Fprintf(&b, "kind %d body %d-%d content=%v\n", s.Kind, s.BodyStartLine, s.BodyEndLine, d.sectionHasContent(s))
		blocks(s.Blocks)
	}
	for _, p := range d.Prose() {
		fmt.Fprintf(&b, "prose %q %d %v %v %v\n", p.Text, p.Start, p.Section, p.Quoted, p.pieces)
	}
	for _, e := range d.Timeline {
		e.Section = nil
		fmt.Fprintf(&b, "timeline %+v\n", e)
	}
	for _, a := range d.ActionItems {
		a.Section = nil
		fmt.Fprintf(&b, "action %+v\n", a)
	}
	fmt.Fprintf(&b, "problems %+v\ndirectives %+v\n", d.Problems, d.directives)
	// cells and raw text of every table cell and leaf block
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *east.TableCell:
			t, off := d.cellText(n)
			fmt.Fprintf(&b, "cell %q %d\n", t, off)
		}
		switch n.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell, *ast.HTMLBlock:
			if p, ok := d.rawText(n); ok {
				fmt.Fprintf(&b, "raw %q %v\n", p.Text, p.pieces)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, opts := range []Options{{}, {RequireDueDates: true, Schema: DefaultSchema()}} {
		for _, f := range LintDocument(d, opts) {
			fmt.Fprintf(&b, "finding %+v\n", f)
		}
	}
	return b.String()
}

// usesNoLinkify reports whether Parse keeps the tree parsed without linkify.
func usesNoLinkify(src []byte) bool {
	md := parse(src, markdownNoLinkify).md
	cues := linkifyCues(md)
	return len(cues) == 0 || !textCovers(markdownNoLinkify.Parser().Parse(text.NewReader(md)), cues)
}

// checkNoLinkifyParse: Parse reads every document exactly as the GFM parse
// does; it reports whether Parse kept the tree parsed without linkify.
func checkNoLinkifyParse(t *testing.T, src []byte) bool {
	t.Helper()
	want := docView(parse(src, markdown))
	got := docView(Parse(src))
	if got != want {
		wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
		for i := range min(len(wl), len(gl)) {
			if wl[i] != gl[i] {
				t.Fatalf("Parse differs from the GFM parse for %q:\nGFM:   %s\nParse: %s", src, wl[i], gl[i])
			}
		}
		t.Fatalf("Parse differs from the GFM parse for %q in length", src)
	}
	return usesNoLinkify(src)
}

func TestNoLinkifyParseSame(t *testing.T) {
	n := 0
	for _, src := range append(fastPathDocs(t), linkifyEdgeCases...) {
		if checkNoLinkifyParse(t, src) {
			n++
		}
		// the same document with its links, addresses and CRs taken out
		plain := src
		for _, cue := range [][]byte{[]byte("http"), []byte("ftp:"), []byte("www."), []byte("@"), []byte("\r")} {
			plain = bytes.ReplaceAll(plain, cue, []byte(" "))
		}
		if checkNoLinkifyParse(t, plain) {
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d documents without links compared", n)
	}
}

var linkifyEdgeCases = [][]byte{
	[]byte("## Summary\nfoo bar \nbaz\t \n(qux) *a* _b_ ~c~ ~~d~~ `e` [f](g) <h> \\( \\  x\n"),
	[]byte("## a\r(b\n## c\r d\n## e (f\n## g\t\n## h \\\n"),
	[]byte("# T\n\n## Timeline\n- 14:02 (UTC) — a b  \n  c (d)\n| 14:03 | x (y) |\n|---|---|\n| 1 | 2 |\n"),
	[]byte("## Follow-ups\n- [ ] fix (owner: @alice, due: 2026-04-01, P1) #x\n- [x] (@bob) y\n"),
	[]byte("## Impact\n> quoted (x) y \n>\n> z\n\n1. one (1)\n2. two\t(2)\n"),
	[]byte("## Lessons\n<!-- postmortem-disable-next-line -->\nThe engineer (Dave) forgot *it* .\n"),
	[]byte("## Root cause\n***bold (x)*** __y (z)__ _a (b)_\n"),
	[]byte("## Summary\nsee http://x.io/a_b_ and _www.y.io/c_ d_ or *https://z.io/`e`* (ftp://f.io/g~h~) i\n"),
	[]byte("## Summary\nmail ops@example.com, a_b@c.io or `x@y.io` and [q@r.io](s) t@u\n## a@b.io heading\n"),
	[]byte("## Summary\n[PR 1](https://x.io/1) <https://y.io> `http://z.io` [ref]\n\n[ref]: https://w.io\n"),
}

func FuzzNoLinkifyParse(f *testing.F) {
	addSeeds(f)
	for _, s := range linkifyEdgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkNoLinkifyParse(t, src) })
}

func TestLinkifyDecision(t *testing.T) {
	for src, want := range map[string]bool{
		"see https://x.io": false, "http://x": false, "ftp://x y": false, "a www.x.io": false, "mail ops@example.com": false,
		"## a\r(b": false, "*http://x.io*": false, "x.y@z.io": false, "a_b@c.io": false, "[see http://x.io](y)": false,
		"[PR](https://x.io)": true, "`http://x.io`": true, "<http://x.io>": true, "(@alice)": true, "owner: @alice": true,
		"<@bob>": true, "@team/x": true, "plain text (x) y": true, "HTTP://X.IO": true, "```\nhttp://x.io\n```\n": true,
		"[x]: http://x.io\n\n[x]\n": true, "<!-- a@b.io -->\n": true, "---\nurl: http://x.io\n---\n# T\n": true,
	} {
		if got := usesNoLinkify([]byte(src)); got != want {
			t.Errorf("%q: parsed without linkify = %v, want %v", src, got, want)
		}
	}
}

// linkifyCuesRef finds the cues by searching for each cue word (the first
// version of linkifyCues): linkifyCues must find the same ranges.
func linkifyCuesRef(md []byte) [][2]int {
	var cues [][2]int
	for _, cue := range []string{"http:", "https:", "ftp:", "www.", "\r("} {
		shift := 0
		if cue == "\r(" {
			shift = 1
		}
		for at := 0; ; {
			i := bytes.Index(md[at:], []byte(cue))
			if i < 0 {
				break
			}
			at += i
			cues = append(cues, [2]int{at + shift, at + shift + 1})
			at += len(cue)
		}
	}
	for k := bytes.IndexByte(md, '@'); k >= 0; {
		j := k
		for j > 0 && k-j < 64 && !notEmailLocal[md[j-1]] {
			j--
		}
		if j < k {
			cues = append(cues, [2]int{j, k})
		}
		next := bytes.IndexByte(md[k+1:], '@')
		if next < 0 {
			break
		}
		k += 1 + next
	}
	slices.SortFunc(cues, func(a, b [2]int) int { return a[0] - b[0] })
	return cues
}

func checkLinkifyCues(t *testing.T, md []byte) {
	t.Helper()
	sortAll := func(c [][2]int) [][2]int {
		c = slices.Clone(c)
		slices.SortFunc(c, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
		return c
	}
	if got, want := sortAll(linkifyCues(md)), sortAll(linkifyCuesRef(md)); !slices.Equal(got, want) {
		t.Fatalf("linkifyCues(%q) = %v, reference %v", md, got, want)
	}
}

func TestLinkifyCuesMatchSearch(t *testing.T) {
	for _, src := range append(fastPathDocs(t), linkifyEdgeCases...) {
		checkLinkifyCues(t, src)
	}
	checkLinkifyCues(t, []byte("http:https:ftp:www.wwww.\r(\r\r(httphttp: ftp:/ a@b x@@y @ z\x00@"))
}

func FuzzLinkifyCues(f *testing.F) {
	for _, s := range linkifyEdgeCases {
		f.Add(s)
	}
	f.Add([]byte("http:https:ftp:www.wwww.\r(\r\r(httphttp: ftp:/ a@b x@@y @ z\x00@"))
	f.Fuzz(func(t *testing.T, md []byte) { checkLinkifyCues(t, md) })
}
