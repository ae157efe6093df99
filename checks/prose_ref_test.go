package checks

import (
	"slices"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// maskBlockRef is maskBlock as it was before its copy loops were
// vectorised (blank byte by byte, copy Text bytes one at a time), kept as
// the reference maskBlock must match.
func (d *Document) maskBlockRef(n ast.Node) (string, []piece, bool) {
	lines := n.Lines()
	var buf []byte
	var pieces []piece
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		if s.Stop <= s.Start {
			continue
		}
		pieces = append(pieces, piece{text: len(buf), file: s.Start, n: s.Stop - s.Start})
		for _, c := range d.md[s.Start:s.Stop] {
			if c == '\n' {
				buf = append(buf, '\n')
			} else {
				buf = append(buf, ' ')
			}
		}
	}
	if len(pieces) == 0 {
		return "", nil, false
	}
	blank := true
	var walk func(ast.Node)
	walk = func(c ast.Node) {
		for x := c.FirstChild(); x != nil; x = x.NextSibling() {
			switch t := x.(type) {
			case *ast.CodeSpan, *ast.RawHTML, *ast.AutoLink, *east.TaskCheckBox:
				continue
			case *ast.Text:
				for o := t.Segment.Start; o < t.Segment.Stop; o++ {
					for _, pc := range pieces {
						if o >= pc.file && o < pc.file+pc.n {
							switch c := d.md[o]; c {
							case '\n', '\r', '\t', ' ':
							default:
								buf[pc.text+o-pc.file] = c
								blank = false
							}
						}
					}
				}
			default:
				walk(x)
			}
		}
	}
	walk(n)
	return string(buf), pieces, !blank
}

func checkMaskBlock(t *testing.T, src []byte) {
	t.Helper()
	d := Parse(src)
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		p, ok := d.maskBlock(n)
		text, pieces, okRef := d.maskBlockRef(n)
		if ok != okRef || ok && (p.Text != text || !slices.Equal(p.pieces, pieces)) {
			t.Fatalf("maskBlock(%T) = %q, %v; reference %q, %v (source %q)", n, p.Text, ok, text, okRef, src)
		}
		return ast.WalkContinue, nil
	})
}

func TestMaskBlockMatchesReference(t *testing.T) {
	for _, src := range fastPathDocs(t) {
		checkMaskBlock(t, src)
	}
	checkMaskBlock(t, []byte("## A\n\ta\tb\r\n  c\r\n\n| x\t| `y` |\n|---|---|\n| <b>z</b> | https://example.com w |\n"))
}

func FuzzMaskBlock(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) { checkMaskBlock(t, src) })
}
