package checks

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// lintCorpus is the text BenchmarkLintCorpus lints and tools/lintbench
// gives alex and write-good: the complete and the blameful example
// postmortems, then every sentence of the blameless dev and holdout sets as
// paragraphs of a "Lessons learned" section (~70 KB of real postmortem
// prose, a third of it blameful). tools/lintbench/lintbench.mjs assembles
// the same bytes.
func lintCorpus(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	for _, f := range []string{"testdata/complete.md", "testdata/blameful.md"} {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(src)
		b.WriteString("\n\n")
	}
	b.WriteString("## Lessons learned\n\n")
	for _, f := range []string{"blameless/testdata/dev.jsonl", "blameless/testdata/holdout.jsonl"} {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range bytes.Split(src, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var row struct{ Text string }
			if err := json.Unmarshal(line, &row); err != nil {
				tb.Fatal(err)
			}
			b.WriteString(row.Text)
			b.WriteString("\n\n")
		}
	}
	return b.Bytes()
}

// BenchmarkLintCorpus: both checks over lintCorpus; MB/s is the figure set
// against alex and write-good in docs/BENCHMARKS.md (make bench-lint).
func BenchmarkLintCorpus(b *testing.B) {
	src := lintCorpus(b)
	opts := Options{Schema: DefaultSchema()}
	if fs := Lint(src, opts); len(fs) == 0 {
		b.Fatal("no findings on a corpus with blameful sentences")
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Lint(src, opts)
	}
}

// BenchmarkCorpusStages splits BenchmarkLintCorpus into its stages: the
// Markdown parse alone (goldmark, as Parse calls it), Parse (goldmark and
// the document model), and each check on a parsed document.
func BenchmarkCorpusStages(b *testing.B) {
	src := lintCorpus(b)
	opts := Options{Schema: DefaultSchema()}
	md := Parse(src).md
	b.Run("goldmark", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			parseMarkdown(md)
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			Parse(src)
		}
	})
	doc := Parse(src)
	b.Run("completeness", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			Completeness(doc, opts)
		}
	})
	b.Run("blameless", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			Blameless(doc, opts)
		}
	})
}
