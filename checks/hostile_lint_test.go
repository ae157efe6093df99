package checks

import (
	"strings"
	"testing"
)

// A pasted log with no sentence end in 200 000 words: the blameless check
// judges it in sentence-sized pieces (it used to look across the whole run
// from every word, minutes of CPU), so findings come from its end too.
func TestLintOneEndlessSentence(t *testing.T) {
	line := strings.Repeat("the engineer failed to check it and ", 30000)
	doc := "## Summary\n\n" + line + "\n"
	fs := LintOnly([]byte(doc), Options{}, CheckBlameless)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	last := fs[len(fs)-1] // the furthest end: a rule's summary spans the findings not listed
	for _, f := range fs {
		if f.EndLine > last.Line || f.EndLine == last.Line && f.EndColumn > last.Column {
			last.Line, last.Column = f.EndLine, f.EndColumn
		}
	}
	if last.Line != 3 || last.Column < len(line)-5000 {
		t.Errorf("last finding at %d:%d of a %d-byte line: the end was not judged", last.Line, last.Column, len(line))
	}
}

func BenchmarkLintOneEndlessSentence(b *testing.B) {
	doc := []byte("## Summary\n\n" + strings.Repeat("blame ", 200000) + "\n")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		LintOnly(doc, Options{}, CheckBlameless)
	}
}
