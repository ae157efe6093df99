package checks

import (
	"os"
	"path/filepath"
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
