package checks

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

// astDepth is the depth of the deepest node of a goldmark tree.
func astDepth(n ast.Node) int {
	best := 0
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		best = max(best, astDepth(c))
	}
	return best + 1
}

// Issue 13: nested quotes and lists on one line (35 s for 320 KB of '>'),
// and across lines by indentation, are cut at the guard's depth and said
// (completeness/unparsed) instead of nesting once per marker. The depth of
// the tree is the work goldmark does per line, so it is what is asserted.
func TestGuardNesting(t *testing.T) {
	for _, name := range []string{"quote-nest-line", "quote-nest-spaced", "list-nest-line", "list-ordered-nest", "list-quote-mix", "list-nest-stair"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 24<<10)
			d := Parse(src)
			if depth := astDepth(d.root); depth > 2*maxContainerColumn+8 {
				t.Errorf("tree %d deep", depth)
			}
			if !hasRule(Lint(src, Options{}), RuleUnparsed) {
				t.Errorf("no %s finding", RuleUnparsed)
			}
		})
	}
}

// Issue 13: a paragraph of "[a](" (over 60 s for 1 MB) or of '[' (607 MB)
// is read as text past the guard's count of brackets, said with
// completeness/unparsed; its text is still judged.
func TestGuardFloods(t *testing.T) {
	for _, name := range []string{"link-open-paren", "brackets-open", "image-open", "link-ref-open", "nul-bytes"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 64<<10)
			if !hasRule(Lint(src, Options{}), RuleUnparsed) {
				t.Errorf("no %s finding", RuleUnparsed)
			}
		})
	}
	src := []byte("## Summary\n\n" + strings.Repeat("[a](", 4000) + " Bob was careless.\n")
	if fs := Lint(src, Options{}); !hasRule(fs, RuleUnparsed) || !hasCheck(fs, CheckBlameless) {
		t.Errorf("findings %v: want the guard's and the blameless one", fs)
	}
}

// The guard leaves real postmortems alone: nothing is rewritten and no
// finding is added in the corpus, the templates and the test documents.
func TestGuardLeavesRealDocuments(t *testing.T) {
	files, _ := filepath.Glob("testdata/postmortems/*.md")
	files = append(files, "testdata/complete.md", "testdata/blameful.md")
	docs := map[string][]byte{"default template": DefaultTemplate()}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = b
	}
	// Legitimate deep nesting and many links stay under the limits.
	docs["deep lists"] = []byte(strings.Repeat("  ", 0) + "- a\n  - b\n    - c\n      > d\n      > > e\n      > > - f\n")
	docs["many links"] = []byte("## Summary\n\n" + strings.Repeat("[link](https://example.com/x) and <b>tag</b> ", 300) + "\n")
	for name, src := range docs {
		d := Parse(src) // the guard records a problem for every place it rewrites
		for _, p := range d.Problems {
			if p.Rule == RuleUnparsed {
				t.Errorf("%s: %v", name, p)
			}
		}
	}
}

func constructNamed(t *testing.T, name string) hostileConstruct {
	for _, c := range hostileConstructs {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no construct %q", name)
	return hostileConstruct{}
}

func hasRule(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func hasCheck(fs []Finding, c Check) bool {
	for _, f := range fs {
		if f.Check == c {
			return true
		}
	}
	return false
}

// Every crafted construct allocates in proportion to its size, within
// FuzzLint's per-byte limit: allocation at 64 KB is at most 6 times that
// at 16 KB (4 is linear). Counted, not timed: a regression guard on
// memory (goldmark's quadratic cases were CPU, caught by TestGuardNesting's
// tree depth and TestGuardFloods' findings; their times are
// BenchmarkLintHostile's).
func TestHostileAllocsLinear(t *testing.T) {
	alloc := func(src []byte) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		Lint(src, Options{})
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	for _, c := range hostileConstructs {
		small, big := hostileDoc(c, 16<<10), hostileDoc(c, 64<<10)
		a, b := alloc(small), alloc(big)
		if limit := uint64(fuzzAllocBase + fuzzAllocPerByte*len(big)); b > limit {
			t.Errorf("%s: %d bytes allocated for %d bytes (limit %d)", c.name, b, len(big), limit)
		}
		if b > 6*a+(1<<20) {
			t.Errorf("%s: %d bytes allocated at 16 KB, %d at 64 KB: not linear", c.name, a, b)
		}
	}
}
