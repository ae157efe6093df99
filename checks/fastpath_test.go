package checks

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// fastPathDocs are the documents the fast paths are checked on: the test
// documents, examples and templates, the lint corpus, a big synthetic
// postmortem, every fuzz seed corpus file and hand-made edge cases.
func fastPathDocs(tb testing.TB) [][]byte {
	docs := [][]byte{lintCorpus(tb), bigPostmortem(64 << 10), DefaultTemplate(), []byte(smallTemplate)}
	for _, glob := range []string{"testdata/*.md", "../examples/*.md", "../templates/presets/*"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				docs = append(docs, b)
			}
		}
	}
	files, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			for _, pre := range []string{"[]byte(", "string("} {
				if q, ok := strings.CutPrefix(line, pre); ok {
					if s, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
						docs = append(docs, []byte(s))
					}
				}
			}
		}
	}
	for _, s := range fastPathEdgeCases {
		docs = append(docs, []byte(s))
	}
	return docs
}

var fastPathEdgeCases = []string{
	"## Summary\nTO\nDO\n", "## Summary\nTODO\n", "## Summary\n- TB\n  D\n", "## Summary\nFIXM\nE\n",
	"## Summary\n<describe the impact>\n", "## Summary\n<!-- x -->TODO\n", "## Summary\nx<!-- y -->\n",
	"## Summary\n- - -\n\n...\n", "## Summary\n| a |\n|---|\n| TBD |\n", "## Summary\n`TODO` TBD\n",
	"## Summary\n<div>\nTODO\n</div>\n", "## TODO\n", "# <title>\n## Impact\n[TODO]: TBD -- FIXME\n",
	"## Impact\n\u00a0TODO\u2003TBD\n", "## Impact\nTODO\u00e9\n", "## Impact\n>TODO\n\n> TBD\n",
	"## Impact\n* TODO\n  * TBD\n", "## Impact\n\tTODO\n", "## Impact\nT\\\nODO\n",
	"## Impact\n<" + strings.Repeat("a", 120) + ">\n", "## Impact\n<" + strings.Repeat("a", 121) + ">\n",
	"## Impact\n<" + strings.Repeat("é", 120) + ">\n", "## Impact\nFIXME\n", "## Impact\nFIXMEE\n",
	"## Impact\nTODO TBD FIXME <x> <y z> [TODO]: - * | .\n", "## Impact\n<a> >\n", "## Impact\n> TODO\n\n<b>\n",
	"## Impact\n<details>\nTODO\n</details>\n", "## Impact\n<hint>TODO<hint>\n\n`x`\n",
}

// checkFastPaths asserts that each fast path only answers what the slow
// computation it skips would have answered.
func checkFastPaths(t *testing.T, src []byte) {
	t.Helper()
	d := Parse(src)
	for _, s := range d.AllSections() {
		if d.notOnlyPlaceholders(s.Blocks) && onlyPlaceholders(d.bodyText(s.Blocks)) {
			t.Fatalf("notOnlyPlaceholders wrong for section %q of %q", s.Text, src)
		}
	}
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell, *ast.HTMLBlock:
			if d.mayHavePlaceholders(n) {
				break
			}
			if p, ok := d.rawText(n); ok && len(findPlaceholders(p.Text)) > 0 {
				t.Fatalf("mayHavePlaceholders wrong for %q in %q", p.Text, src)
			}
		}
		return ast.WalkContinue, nil
	})
}

func TestFastPathsAgree(t *testing.T) {
	docs := fastPathDocs(t)
	if len(docs) < 20 {
		t.Fatalf("only %d documents", len(docs))
	}
	for _, src := range docs {
		checkFastPaths(t, src)
	}
}

func FuzzFastPaths(f *testing.F) {
	addSeeds(f)
	for _, s := range fastPathEdgeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkFastPaths(t, src) })
}

// checkBlocksAndPositions: every top-level block belongs to the preamble or
// to the section of the heading before it, in order (buildSections shares
// one array between them); Position agrees with a search by sort.Search.
func checkBlocksAndPositions(t *testing.T, src []byte) {
	t.Helper()
	d := Parse(src)
	var want [][]Block // per owner, in document order: preamble, then sections
	var cur []Block
	sections := 0
	for n := d.root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && (d.Title == nil || h != d.Title.node) {
			want = append(want, cur)
			cur = nil
			sections++
			continue
		}
		if _, ok := n.(*ast.Heading); ok {
			continue // the title
		}
		if b, ok := d.makeBlock(n); ok {
			cur = append(cur, b)
		}
	}
	want = append(want, cur)
	got := [][]Block{d.Preamble}
	for _, s := range d.AllSections() {
		got = append(got, s.Blocks)
	}
	if len(got) != sections+1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("blocks of %q:\n got %v\nwant %v", src, got, want)
	}
	for off := -1; off <= len(src)+1; off++ {
		o := min(max(off, 0), len(src))
		i := sort.Search(len(d.lineStarts), func(i int) bool { return d.lineStarts[i] > o }) - 1
		line, col := d.Position(off)
		if line != i+1 || col != o-d.lineStarts[i]+1 {
			t.Fatalf("Position(%d) = %d:%d, want %d:%d in %q", off, line, col, i+1, o-d.lineStarts[i]+1, src)
		}
	}
}

func TestBlocksAndPositions(t *testing.T) {
	for _, src := range fastPathDocs(t) {
		checkBlocksAndPositions(t, src)
	}
	checkBlocksAndPositions(t, []byte("intro\n\n# Title\n\nmore intro\n\n## A\n\n## B\n\ntext\n\n### C\n\n- x\n\n# D\n"))
}

func FuzzBlocksAndPositions(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) { checkBlocksAndPositions(t, src) })
}
