package blameless

import (
	"strings"
	"testing"
)

func BenchmarkAnalyze(b *testing.B) {
	a := mustNew(b, Config{Phrases: []string{"heads will roll"}})
	var segs []Segment
	var n int
	for _, l := range loadJSONL(b, "testdata/dev.jsonl") {
		segs = append(segs, Segment{Text: l.Text})
		n += len(l.Text)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range segs {
			a.Analyze(s)
		}
	}
}

// BenchmarkAnalyzeParagraph measures one long, mostly clean paragraph, the
// common case in a real postmortem.
func BenchmarkAnalyzeParagraph(b *testing.B) {
	a := mustNew(b, Config{})
	text := strings.Repeat("At 14:02 the deploy pipeline rolled out v3.8.1 to 5% of hosts; the health check failed to detect the hung worker, so traffic kept flowing for 14 minutes. ", 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Analyze(Segment{Text: text, Section: SectionTimeline})
	}
}
