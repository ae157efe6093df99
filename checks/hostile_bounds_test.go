package checks

import (
	"runtime"
	"strings"
	"testing"
)

// allocated is the bytes fn allocates (all goroutines: run it alone).
func allocated(fn func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	fn()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// Issue 13: a megabyte-long paragraph ('(' or '"' repeated, entities,
// escapes) was judged in one piece: a token per mark, 330 MB allocated and
// a 230 MB peak. It is judged in pieces of proseChunk bytes, so the tokens
// of one piece are all that is held; a blameful sentence at the very end
// is still found.
func TestBlamelessLongParagraphInPieces(t *testing.T) {
	for _, name := range []string{"paren-open", "quote-open", "entities", "escapes", "quote-paren"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 1<<20)
			if n := allocated(func() { Lint(src, Options{}) }); n > 96<<20 {
				t.Errorf("%d MB allocated for 1 MB", n>>20)
			}
		})
	}
	para := strings.Repeat("(", 1<<20) + " Bob was careless and caused the outage.\n"
	src := []byte("## Summary\n\n" + para)
	fs := LintOnly(src, Options{}, CheckBlameless)
	if len(fs) == 0 || fs[len(fs)-1].Column < len(para)-100 {
		t.Errorf("findings %v: want one at the paragraph's end", fs)
	}
}

// chunkEnd cuts at a sentence end, else a line break or a space, else a
// character boundary, always within proseChunk and past half of it.
func TestChunkEnd(t *testing.T) {
	long := strings.Repeat("word ", proseChunk/5) + "tail. Next sentence " + strings.Repeat("x", proseChunk)
	for _, text := range []string{
		long,
		strings.Repeat("é", proseChunk), // no space: a rune boundary
		strings.Repeat("a b.\nc", proseChunk/3),
		"short",
	} {
		for from := 0; from < len(text); {
			to := chunkEnd(text, from)
			if to <= from || to-from > proseChunk || (to < len(text) && to-from < proseChunk/2) {
				t.Fatalf("chunkEnd(%d) = %d", from, to)
			}
			if to < len(text) && text[to]&0xC0 == 0x80 {
				t.Fatalf("cut inside a character at %d", to)
			}
			from = to
		}
	}
	if to := chunkEnd(long, 0); !strings.HasSuffix(long[:to], "tail. ") && !strings.HasSuffix(long[:to], " ") {
		t.Errorf("cut %q", long[to-10:to])
	}
}

// Issue 13: matching a document's headings to the schema worked out each
// heading's words once per section of the schema it was tried for (and its
// cue once more): 200 000 headings took seconds. Each heading's words are
// now worked out once, so the allocations per heading stay a few.
func TestMatchSectionsOncePerHeading(t *testing.T) {
	const n = 2000
	src := []byte("# T\n\n" + strings.Repeat("## Deploy notes for the web tier\n\nx\n\n", n))
	d := Parse(src)
	sc := DefaultSchema()
	perHeading := testing.AllocsPerRun(3, func() { MatchSections(d, sc) }) / n
	if perHeading > 16 {
		t.Errorf("%.1f allocations per heading", perHeading)
	}
}
