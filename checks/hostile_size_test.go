package checks

import (
	"fmt"
	"strings"
	"testing"
)

// hugeInputs are the shapes that used to take minutes: one 2 MB line of
// blameful sentences (one hit each: de-duplicating the hits was quadratic),
// a 2 MB line without a sentence end, a 2 MB line of quotation marks and
// brackets (quoted, so unjudged) ending in a blameful sentence, a 2 MB
// line of placeholders (removing each was quadratic), a 2 MB word, and a 5 MB document of real postmortems.
func hugeInputs(tb testing.TB) map[string]string {
	blameful := string(mustReadNoT("testdata/blameful.md"))
	return map[string]string{
		"blameful line": "## Summary\n\n" + strings.Repeat("Bob was careless. ", 2<<20/18) + "\n",
		"endless line":  "## Summary\n\n" + strings.Repeat("the engineer failed to check it and ", 2<<20/36) + "\n",
		"quotes line":   "## Summary\n\n" + strings.Repeat("\"Bob' (caused) 'it\" ", 2<<20/20) + "Then Bob was careless.\n",
		"one word":      "## Summary\n\n" + strings.Repeat("a", 2<<20) + "\n",
		"placeholders":  "## Summary\n\n" + strings.Repeat("TODO <who did what> ", 2<<20/20) + "\n",
		"5 MB document": strings.Repeat(blameful+"\n\n", 5<<20/(len(blameful)+2)),
	}
}

// TestLintHugeInputs: each huge input lints, with findings where there is
// blame, the last one near the end (the whole input was judged). The time
// each takes is BenchmarkLintHuge's.
func TestLintHugeInputs(t *testing.T) {
	for name, doc := range hugeInputs(t) {
		t.Run(name, func(t *testing.T) {
			if len(doc) < 2<<20 {
				t.Fatalf("input is %d bytes", len(doc))
			}
			fs := Lint([]byte(doc), Options{})
			var bl []Finding
			for _, f := range fs {
				if f.Check == CheckBlameless {
					bl = append(bl, f)
				}
			}
			switch name {
			case "placeholders":
				// at most MaxFindingsPerRule listed, the rest counted
				if n := countFindings(fs, RulePlaceholder); n < 2<<20/20*2 {
					t.Errorf("%d placeholder findings, want %d", n, 2<<20/20*2)
				}
				return
			case "one word":
				if len(bl) != 0 {
					t.Errorf("%d blameless findings in one long word", len(bl))
				}
				return
			}
			if len(bl) == 0 {
				t.Fatal("no blameless findings")
			}
			last := bl[len(bl)-1] // the furthest end: a rule's summary spans the findings not listed
			for _, f := range bl {
				if f.EndLine > last.Line || f.EndLine == last.Line && f.EndColumn > last.Column {
					last.Line, last.Column = f.EndLine, f.EndColumn
				}
			}
			lines := strings.Count(doc, "\n")
			if name == "5 MB document" {
				if last.Line < lines-200 {
					t.Errorf("last finding on line %d of %d", last.Line, lines)
				}
				return
			}
			if last.Line != 3 || last.Column < len(doc)-100_000 {
				t.Errorf("last finding at %d:%d of a %d-byte line", last.Line, last.Column, len(doc))
			}
			n := 0
			for _, r := range blamelessRules(bl) {
				n += countFindings(bl, r)
			}
			if name == "blameful line" && n < 2<<20/23/2 {
				t.Errorf("%d findings for %d blameful sentences", n, 2<<20/23)
			}
		})
	}
}

func BenchmarkLintHuge(b *testing.B) {
	for name, doc := range hugeInputs(b) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			src := []byte(doc)
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				Lint(src, Options{})
			}
		})
	}
}

// countFindings counts the findings of a rule, those listed and those the
// rule's summary says are not (MaxFindingsPerRule).
func countFindings(fs []Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule != rule {
			continue
		}
		var more int
		if _, err := fmt.Sscanf(f.Message, "%d more", &more); err == nil && strings.Contains(f.Message, "are not listed") {
			n += more
			continue
		}
		n++
	}
	return n
}

func blamelessRules(fs []Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			out = append(out, f.Rule)
		}
	}
	return out
}
