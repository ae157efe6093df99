package checks

import "testing"

// BenchmarkLint runs both checks over a realistic large postmortem (~64 KB:
// the complete example plus appendices of prose, code, links, task items,
// timeline entries and tables).
func BenchmarkLint(b *testing.B) {
	src := bigPostmortem(64 << 10)
	opts := Options{Schema: DefaultSchema(), RequireDueDates: true}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Lint(src, opts)
	}
}

// BenchmarkLintTypical is a postmortem of ordinary size (~2.6 KB).
func BenchmarkLintTypical(b *testing.B) {
	src := mustReadNoT("testdata/complete.md")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Lint(src, Options{})
	}
}

func BenchmarkParse(b *testing.B) {
	src := bigPostmortem(64 << 10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(src)
	}
}
