package checks

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileConstruct is one crafted shape of Markdown, repeated to size.
type hostileConstruct struct {
	name string
	gen  func(n int) string // about n bytes
}

func rep(unit string, n int) string { return strings.Repeat(unit, max(1, n/len(unit))) }

// nest builds open^k + mid + close^k to about n bytes.
func nest(open, mid, close string, n int) string {
	k := max(1, (n-len(mid))/(len(open)+len(close)))
	return strings.Repeat(open, k) + mid + strings.Repeat(close, k)
}

// lines repeats f(i) as lines to about n bytes.
func lines(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// hostileConstructs are the crafted inputs of issue 13 and their kin: each
// is about n bytes of one construct under a "## Summary" heading.
var hostileConstructs = []hostileConstruct{
	{"quote-nest-line", func(n int) string { return rep(">", n) + " a\n" }},
	{"quote-nest-spaced", func(n int) string { return rep("> ", n) + "a\n" }},
	{"quote-nest-stair", func(n int) string {
		return lines(n, func(i int) string { return strings.Repeat(">", min(i, 2000)) + " a" })
	}},
	{"link-open-paren", func(n int) string { return rep("[a](", n) }},
	{"quote-paren", func(n int) string { return rep(`"(`, n) }},
	{"brackets-open", func(n int) string { return rep("[", n) }},
	{"brackets-close", func(n int) string { return rep("]", n) }},
	{"brackets-nested", func(n int) string { return nest("[", "a", "](b)", n) }},
	{"image-open", func(n int) string { return rep("![", n) }},
	{"link-ref-open", func(n int) string { return rep("[a][", n) }},
	{"link-empty-dest", func(n int) string { return rep("[]( ", n) }},
	{"link-dest-parens", func(n int) string { return "[a](" + rep("(", n) }},
	{"link-title-open", func(n int) string { return rep(`[a](b "`, n) }},
	{"link-refdefs", func(n int) string {
		return lines(n, func(i int) string { return "[r" + strconv.Itoa(i) + "]: /u" })
	}},
	{"emphasis-runs", func(n int) string { return rep("*a**a***", n) }},
	{"emphasis-stars", func(n int) string { return rep("*", n) + "a" }},
	{"emphasis-open", func(n int) string { return rep("*a ", n) }},
	{"emphasis-under", func(n int) string { return rep("_a", n) }},
	{"emphasis-mixed", func(n int) string { return rep("*_", n) + "a" + rep("_*", n/2) }},
	{"emphasis-nested", func(n int) string { return nest("*a ", "b", " c*", n) }},
	{"strike-runs", func(n int) string { return rep("~a~~a~~~", n) }},
	{"backtick-runs", func(n int) string {
		var b strings.Builder
		for i := 1; b.Len() < n; i++ {
			b.WriteString(strings.Repeat("`", i))
			b.WriteString("a")
		}
		return b.String()
	}},
	{"backticks", func(n int) string { return rep("`", n) }},
	{"backtick-pairs", func(n int) string { return rep("`a``", n) }},
	{"html-open-tags", func(n int) string { return rep("<a ", n) }},
	{"html-comments-open", func(n int) string { return rep("<!--", n) }},
	{"html-cdata", func(n int) string { return rep("<![CDATA[", n) }},
	{"html-pi", func(n int) string { return rep("<?", n) }},
	{"html-attrs", func(n int) string { return "<a" + rep(` b="c"`, n) }},
	{"html-block-lines", func(n int) string { return lines(n, func(int) string { return "<div>" }) }},
	{"autolinks-open", func(n int) string { return rep("<http:", n) }},
	{"entities", func(n int) string { return rep("&#", n) }},
	{"escapes", func(n int) string { return rep(`\`, n) }},
	{"table-wide", func(n int) string {
		k := n / 8
		return rep("|a", k) + "|\n" + rep("|-", k) + "|\n" + rep("|b", k) + "|\n"
	}},
	{"table-tall", func(n int) string { return "|a|b|\n|-|-|\n" + lines(n, func(int) string { return "|c|d|" }) }},
	{"table-ragged", func(n int) string {
		return "|a|b|\n|-|-|\n" + lines(n, func(i int) string { return strings.Repeat("|x", i%300) })
	}},
	{"list-nest-line", func(n int) string { return rep("- ", n) + "a\n" }},
	{"list-nest-stair", func(n int) string {
		return lines(n, func(i int) string { return strings.Repeat("  ", min(i, 2000)) + "- a" })
	}},
	{"list-ordered-nest", func(n int) string { return rep("1. ", n) + "a\n" }},
	{"list-tasks", func(n int) string { return lines(n, func(int) string { return "- [ ] a" }) }},
	{"list-flat", func(n int) string { return lines(n, func(int) string { return "- a" }) }},
	{"list-quote-mix", func(n int) string { return rep("> - ", n) + "a\n" }},
	{"indent-deep", func(n int) string { return rep(" ", n) + "a\n" }},
	{"indent-stair", func(n int) string {
		return lines(n, func(i int) string { return strings.Repeat(" ", i%4000) + "a" })
	}},
	{"tabs", func(n int) string { return rep("\t", n) + "a\n" }},
	{"long-line", func(n int) string { return rep("a", n) + "\n" }},
	{"long-words", func(n int) string { return rep("word ", n) + "\n" }},
	{"headings", func(n int) string { return lines(n, func(int) string { return "## a" }) }},
	{"headings-deep", func(n int) string { return lines(n, func(i int) string { return strings.Repeat("#", 1+i%6) + " x" }) }},
	{"setext", func(n int) string { return lines(n, func(i int) string { return []string{"a", "==="}[i%2] }) }},
	{"fences-open", func(n int) string { return lines(n, func(int) string { return "```" }) }},
	{"fence-unclosed", func(n int) string { return "```\n" + lines(n, func(int) string { return "a" }) }},
	{"blank-lines", func(n int) string { return rep("\n", n) }},
	{"crlf", func(n int) string { return rep("a\r\n", n) }},
	{"quotes-blameless", func(n int) string { return rep(`"a (b) 'c`, n) }},
	{"quote-open", func(n int) string { return rep(`"`, n) }},
	{"paren-open", func(n int) string { return rep(`(`, n) }},
	{"comment-directives", func(n int) string {
		return lines(n, func(int) string { return "<!-- postmortem-disable-next-line blameless/judgmental -->" })
	}},
	{"frontmatter-huge", func(n int) string { return "title: " + rep("a: ", n) }},
	{"frontmatter-laughs", func(n int) string { return yamlLaughs(9, 9) + rep("# pad\n", n) }},
	{"frontmatter-laughs-wide", func(n int) string { return yamlLaughs(6, 64) + rep("# pad\n", n) }},
	{"frontmatter-flow", func(n int) string { return "title: [" + rep("a, ", n) + "a]" }},
	{"frontmatter-nested", func(n int) string { return "title: " + nest("[", "a", "]", n) }},
	{"frontmatter-keys", func(n int) string { return lines(n, func(i int) string { return "k" + strconv.Itoa(i) + ": v" }) }},
	{"frontmatter-error-late", func(n int) string {
		return lines(n, func(i int) string { return "k" + strconv.Itoa(i) + ": " + strings.Repeat("v", 5200) })[:n-100] + "\nbad: [\n"
	}},
	{"placeholders", func(n int) string { return rep("TODO ", n) }},
	{"timeline-entries", func(n int) string {
		return lines(n, func(i int) string { return "- 2026-03-01 14:" + strconv.Itoa(10+i%50) + " UTC — a" })
	}},
	{"unicode-spaces", func(n int) string { return rep("\u00a0*\u3000_", n) }},
	{"unicode-text", func(n int) string { return rep("Ошибка в 错误处理 🙂 café naïve Δ ", n) }},
	{"unicode-combining", func(n int) string { return rep("a\u0301\u0302\u0303 ", n) }},
	{"unicode-lines", func(n int) string { return lines(n, func(int) string { return "Сбой 🙂 — ошибка" }) }},
	{"ampersands", func(n int) string { return rep("&amp; ", n) }},
	{"lt-runs", func(n int) string { return rep("<", n) }},
	{"emphasis-alternating", func(n int) string { return rep("*_~`", n) }},
	{"emphasis-words", func(n int) string { return rep("*a* _b_ ~c~ `d` ", n) }},
	{"emphasis-link-mix", func(n int) string { return rep("*[a](b)_", n) }},
	{"strong-link-mix", func(n int) string { return rep("**[a*](b_ ", n) }},
	{"tilde-run", func(n int) string { return rep("~", n) + "a" }},
	{"underscore-run", func(n int) string { return rep("_", n) + "a" }},
	{"headings-blank", func(n int) string { return rep("# a\n\n", n) }},
	{"list-blank", func(n int) string { return rep("- a\n\n", n) }},
	{"table-dense", func(n int) string {
		return "|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n" + lines(n, func(int) string { return "|1|2|3|4|5|6|7|8|" })
	}},
	{"table-big", func(n int) string {
		return rep("|a", 64) + "|\n" + rep("|-", 64) + "|\n" + lines(n, func(int) string { return rep("|x", 64) + "|" })
	}},
	{"placeholder-mix", func(n int) string { return rep("TODO <who> TBD FIXME ", n) }},
	{"placeholder-lines", func(n int) string { return lines(n, func(int) string { return "- TODO" }) }},
	{"code-indented", func(n int) string { return lines(n, func(int) string { return "\n        code *x* <y> [z](" }) }},
	{"labels", func(n int) string { return lines(n, func(int) string { return "**Impact**: x\n" }) }},
	{"follow-ups", func(n int) string {
		return "## Follow-ups\n\n" + lines(n, func(i int) string { return "- [ ] a @b due 2026-01-01 #" + strconv.Itoa(i) })
	}},
	{"timeline-section", func(n int) string {
		return "## Timeline\n\n" + lines(n, func(i int) string { return "- 2026-03-01 14:" + strconv.Itoa(10+i%50) + " UTC — a" })
	}},
	{"sections-flood", func(n int) string {
		return lines(n, func(i int) string { return []string{"## Timeline", "- 14:00 x", "## Action items", "- [ ] a"}[i%4] })
	}},
	// paragraphs sized to hold just under the guard's marks each
	{"paras-emphasis-unmatched", func(n int) string { return paras(n, "_a*", 2040/2) }},
	{"paras-cdata", func(n int) string { return paras(n, "<![CDATA[a", 2040) }},
	{"paras-autolinks", func(n int) string { return paras(n, "<http:a", 2040) }},
	{"paras-backticks", func(n int) string { return paras(n, "`a``", 2040/3) }},
	{"paras-brackets", func(n int) string { return paras(n, "[a](", 2040/2) }},
	{"link-refdefs-used", func(n int) string {
		return lines(n/2, func(i int) string { return "[r" + strconv.Itoa(i) + "]: /u" }) + "\n" +
			lines(n/2, func(i int) string { return "[r" + strconv.Itoa(i) + "] [x][r" + strconv.Itoa(i) + "]" })
	}},
	{"nul-bytes", func(n int) string { return rep("\x00[", n) }},
}

// paras repeats unit k times per paragraph, paragraphs separated by blank
// lines, to about n bytes.
func paras(n int, unit string, k int) string {
	p := strings.Repeat(unit, k) + "\n\n"
	return strings.Repeat(p, max(1, n/len(p)))
}

// yamlLaughs is YAML's billion laughs: levels of anchors, each a list of
// width aliases of the one before (width^levels strings when expanded).
func yamlLaughs(levels, width int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 \"lol\"\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for k := 0; k < width; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// hostileDoc is about n bytes of the construct: in the front matter for
// the frontmatter-* constructs, else under "## Summary".
func hostileDoc(c hostileConstruct, n int) []byte {
	if strings.HasPrefix(c.name, "frontmatter-") {
		return []byte("---\n" + c.gen(n) + "\n---\n## Summary\n\nx\n")
	}
	return []byte("# T\n\n## Summary\n\n" + c.gen(n))
}

// BenchmarkLintHostile lints 1 MB of each crafted construct (make
// bench-hostile; docs/BENCHMARKS.md has the table). Besides ns/op it
// reports the process CPU time per op (GC included: on a shared machine
// wall time also measures the neighbours) and the peak heap in use during
// the op, sampled every millisecond (what the pod's memory limit sees).
// POSTMORTEM_HOSTILE_SIZE overrides the size in bytes.
func BenchmarkLintHostile(b *testing.B) {
	size := 1 << 20
	if s, err := strconv.Atoi(os.Getenv("POSTMORTEM_HOSTILE_SIZE")); err == nil && s > 0 {
		size = s
	}
	for _, c := range hostileConstructs {
		src := hostileDoc(c, size)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			var cpu time.Duration
			var peak uint64
			for b.Loop() {
				c0 := cpuTime()
				peak = max(peak, peakHeap(func() { Lint(src, Options{}) }))
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}

// peakHeap runs fn and returns the most heap in use (live objects and
// dead ones not yet freed) above the collected start, sampled every
// millisecond with runtime/metrics (which does not stop the world).
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	done := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	fn()
	close(stop)
	peak := <-done
	if peak < base {
		return 0
	}
	return peak - base
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestWriteHostileDocs writes each construct's 1 MB document to
// $POSTMORTEM_HOSTILE_DIR (tools/hostilerss/run.sh lints them with the
// CLI); without it, it is skipped.
func TestWriteHostileDocs(t *testing.T) {
	dir := os.Getenv("POSTMORTEM_HOSTILE_DIR")
	if dir == "" {
		t.Skip("POSTMORTEM_HOSTILE_DIR not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range hostileConstructs {
		if err := os.WriteFile(dir+"/"+c.name+".md", hostileDoc(c, 1<<20), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
