package checks

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
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

// TestChunkEndOutsideQuotes: a piece of a long paragraph starts where no
// double quote is open. Cut inside one, the analyzer read every later piece
// with its quoting inside out ("Then Bob was careless." after a megabyte of
// quoted "Bob' (caused) 'it" was taken for a quotation and skipped, the
// quoted text judged as the writer's).
func TestChunkEndOutsideQuotes(t *testing.T) {
	for _, text := range []string{
		strings.Repeat("\"Bob' (caused) 'it\" ", 2*proseChunk/20) + "Then Bob was careless.",
		strings.Repeat("“a quoted phrase” and words ", 2*proseChunk/30),
		strings.Repeat("«a quoted phrase» and words ", 2*proseChunk/30),
		strings.Repeat("\"one. two. three\" ", 2*proseChunk/19),
	} {
		for from := 0; from < len(text); {
			to := chunkEnd(text, from)
			open := false
			for i := 0; i < to; i++ {
				open = quoteAt(text, i, open)
			}
			if open {
				t.Fatalf("cut at %d inside a quotation: %q", to, text[max(to-20, 0):to])
			}
			from = to
		}
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

// nodes counts the nodes of a goldmark tree.
func nodes(n ast.Node) int {
	k := 1
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		k += nodes(c)
	}
	return k
}

// Issue 13: goldmark's tree costs about 500 bytes per line, so a megabyte
// of "- a" (262 000 items) held 134 MB and a megabyte of table rows 158 MB.
// At most max(65 536, bytes/16) lines are read as Markdown, said with
// completeness/unparsed where the rest starts; a long document of real
// prose (5 MB, 200 000 lines: TestLintHugeInputs) is read whole.
func TestGuardLines(t *testing.T) {
	for _, name := range []string{"list-flat", "table-tall", "setext", "crlf", "headings"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 1<<20)
			d := Parse(src)
			if n := nodes(d.root); n > 6*max(minMarkdownLines, len(src)/bytesPerMarkdownLine) {
				t.Errorf("%d nodes for %d lines", n, d.LineCount())
			}
			var at int
			for _, p := range d.Problems {
				if p.Rule == RuleUnparsed && strings.Contains(p.Message, "lines") {
					at = p.Line
				}
			}
			if want := max(minMarkdownLines, len(src)/bytesPerMarkdownLine) + 1; at != want {
				t.Errorf("no finding at line %d: %v", want, d.Problems)
			}
		})
	}
}

// Issue 13: a paragraph flooded with emphasis, code or HTML marks ("*_"
// repeated: 3 s and 430 MB for a megabyte), or a file whose paragraphs
// each stay under that but together pass the file's budget ("_a*" in
// paragraphs of 2 040 marks), is read as text without them, said with
// completeness/unparsed; the marks of a fenced code block are left alone,
// and so are paragraphs of real prose.
func TestGuardInlineFloods(t *testing.T) {
	for _, name := range []string{"emphasis-mixed", "emphasis-runs", "backtick-runs", "html-open-tags", "autolinks-open", "strike-runs", "emphasis-alternating", "strong-link-mix", "paras-emphasis-unmatched", "paras-brackets", "paras-cdata"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 1<<20)
			d := Parse(src)
			if n := nodes(d.root); n > 1<<18 {
				t.Errorf("%d nodes", n)
			}
			if !hasRule(Lint(src, Options{}), RuleUnparsed) {
				t.Errorf("no %s finding", RuleUnparsed)
			}
		})
	}
	code := "## Summary\n\n```c\n" + strings.Repeat("*p = &q; // <x>\n", 1000) + "```\n"
	if fs := Lint([]byte(code), Options{}); hasRule(fs, RuleUnparsed) {
		t.Errorf("fenced code: %v", fs)
	}
	prose := "## Summary\n\n" + strings.Repeat("The *cache* was `cold` & the <b>deploy</b> went on. ", 200) + "\n"
	if fs := Lint([]byte(prose), Options{}); hasRule(fs, RuleUnparsed) {
		t.Errorf("prose: %v", fs)
	}
}

// Issue 13: front matter of a megabyte of keys held 90 MB of YAML nodes; it
// is read up to 64 KB and said otherwise. Aliases that expand too far
// (billion laughs) are refused by yaml.v3 and said, not dropped silently.
func TestGuardFrontMatter(t *testing.T) {
	src := hostileDoc(constructNamed(t, "frontmatter-keys"), 1<<20)
	if n := allocated(func() { Parse(src) }); n > 32<<20 {
		t.Errorf("%d MB allocated", n>>20)
	}
	if fs := Lint(src, Options{}); !hasRuleMessage(fs, RuleFrontMatter, "more than the 64 KB") {
		t.Errorf("no finding for the size: %v", fs)
	}
	laughs := []byte("---\n" + yamlLaughs(9, 9) + "---\n# T\n")
	if fs := Lint(laughs, Options{}); !hasRuleMessage(fs, RuleFrontMatter, "excessive aliasing") {
		t.Errorf("no finding for the aliases: %v", fs)
	}
}

func hasRuleMessage(fs []Finding, rule, text string) bool {
	for _, f := range fs {
		if f.Rule == rule && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

// Issue 13: a flood of one placeholder made a finding each (210 000 for a
// megabyte, 170 MB). At most MaxFindingsPerRule of a rule are listed; one
// more finding, spanning the rest, says how many are not.
func TestFindingsPerRuleCapped(t *testing.T) {
	src := hostileDoc(constructNamed(t, "placeholders"), 1<<20)
	var fs []Finding
	if n := allocated(func() { fs = Lint(src, Options{}) }); n > 256<<20 { // 584 MB before
		t.Errorf("%d MB allocated", n>>20)
	}
	listed := 0
	for _, f := range fs {
		if f.Rule == RulePlaceholder {
			listed++
		}
	}
	if listed != MaxFindingsPerRule+1 {
		t.Errorf("%d placeholder findings listed, want %d and a summary", listed, MaxFindingsPerRule+1)
	}
	if n, want := countFindings(fs, RulePlaceholder), strings.Count(string(src), "TODO"); n != want {
		t.Errorf("%d placeholders counted, want %d", n, want)
	}
	last := fs[len(fs)-1]
	if !strings.Contains(last.Message, "are not listed") || last.EndColumn < len(src)-40 {
		t.Errorf("summary %+v", last)
	}
}

// Issue 13: HTML comments were removed one at a time, each removal copying
// the rest of the text, so a paragraph of comments was quadratic (a
// megabyte of postmortem-disable lines, read as one paragraph once the
// guard blanks their '<', allocated 9.3 GB in 4 s of CPU). One pass now.
func TestStripCommentsLinear(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("<!-- postmortem-disable-next-line blameless/judgmental -->\n", 1<<14),
		strings.Repeat("a<!--b-->", 1<<16) + "<!-- unterminated",
	} {
		if n := allocated(func() { stripComments(s) }); n > uint64(2*len(s)+4096) {
			t.Errorf("%d bytes allocated for %d", n, len(s))
		}
	}
	for in, want := range map[string]string{
		"a<!--b-->c":             "a c",
		"a<!--b-->c<!--d-->":     "a c ",
		"<!--x--><!--y-->":       "  ",
		"a<!--b":                 "a",
		"a<!---->b<!--c-->d<!--": "a b d",
		"no comment":             "no comment",
		"a-->b<!--c-->":          "a-->b ",
	} {
		if got := stripComments(in); got != want {
			t.Errorf("stripComments(%q) = %q, want %q", in, got, want)
		}
	}
	src := hostileDoc(constructNamed(t, "comment-directives"), 1<<20)
	if n := allocated(func() { Lint(src, Options{}) }); n > 96<<20 {
		t.Errorf("comment-directives: %d MB allocated for 1 MB", n>>20)
	}
}

// tableCells counts the table cells goldmark made.
func tableCells(n ast.Node) int {
	cells := 0
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind().String() == "TableCell" {
			cells++
		}
		return ast.WalkContinue, nil
	})
	return cells
}

// Issue 13: each table cell is a node of ~560 bytes in goldmark's tree; a
// megabyte of "|1|2|…|8|" rows held 225 MB (table-big, 64 columns, 258
// MB). Past the guard's budget of '|' per file, the pipes of a paragraph
// are read as '\' (no table, the text kept), said with
// completeness/unparsed; real tables stay tables.
func TestGuardTableCells(t *testing.T) {
	for _, name := range []string{"table-dense", "table-big", "table-tall", "table-wide", "table-ragged"} {
		t.Run(name, func(t *testing.T) {
			src := hostileDoc(constructNamed(t, name), 1<<20)
			d := Parse(src)
			if cells := tableCells(d.root); cells > maxFilePipes+maxFilePipes/8 {
				t.Errorf("%d table cells (budget %d pipes)", cells, maxFilePipes)
			}
			if !hasRule(Lint(src, Options{}), RuleUnparsed) {
				t.Errorf("no %s finding", RuleUnparsed)
			}
		})
	}
	table := "| Action | Owner |\n|---|---|\n| a | @b |\n"
	d := Parse([]byte("## Follow-ups\n\n" + table + "\n" + strings.Repeat("x | y\n", 10) + "\n" + table))
	if cells := tableCells(d.root); cells != 8 {
		t.Errorf("real tables: %d cells, want 8", cells)
	}
}

// FuzzLint found it (testdata/fuzz/FuzzLint/e525a20d7bcdc309): a finding's
// span longer than the excerpt whose first excerptMax+8 bytes are mostly
// white space (form feeds) trimmed to under excerptMax-3 bytes indexed one
// past the excerpt's end: a panic for any file with such a line.
func TestExcerptOfAWhiteSpan(t *testing.T) {
	d := Parse([]byte("ab" + strings.Repeat("\f", 300) + "cd\n"))
	if got := d.excerpt(Finding{Line: 1, Column: 1, EndLine: 1, EndColumn: 300}); got != "ab..." {
		t.Errorf("excerpt %q, want %q", got, "ab...")
	}
}

// Issue 13: the lines past the guard's line budget were blanked to blank
// lines, each still a line goldmark's block parser keeps segments for
// (after an unclosed code fence, in a list item): a megabyte of "a" lines
// after "```" allocated 185 MB to parse, 130 MB resident for the CLI. The
// guard blanks their line breaks too, so the rest is one line of spaces to
// the parser (the lines of Source, and so positions, unchanged).
func TestGuardLinesAfterAnOpenFence(t *testing.T) {
	src := hostileDoc(constructNamed(t, "fence-unclosed"), 1<<20)
	if n := allocated(func() { Parse(src) }); n > 48<<20 {
		t.Errorf("%d MB allocated to parse 1 MB", n>>20)
	}
	d := Parse(src)
	if d.LineCount() != bytes.Count(src, []byte{'\n'})+1 || !hasRule(Lint(src, Options{}), RuleUnparsed) {
		t.Errorf("%d lines, or no %s finding", d.LineCount(), RuleUnparsed)
	}
}

// Issue 13: every action item was read, twice held (Actions and
// ActionItems, ~700 bytes each): a megabyte of "- [ ] a @b due …" lines
// made 35 000 of them, 124 MB allocated and 130 MB resident for the CLI.
// At most maxActionItems are read (the App files at most follow_ups.max ≤
// 500), and a completeness/unparsed finding says where the rest begin.
func TestActionItemsCapped(t *testing.T) {
	src := hostileDoc(constructNamed(t, "follow-ups"), 1<<20)
	d := Parse(src)
	if len(d.Actions) != maxActionItems || len(d.ActionItems) != maxActionItems {
		t.Errorf("%d actions, %d action items: want %d", len(d.Actions), len(d.ActionItems), maxActionItems)
	}
	found := false
	for _, p := range d.Problems {
		found = found || p.Rule == RuleUnparsed && strings.Contains(p.Message, "action items")
	}
	if !found {
		t.Errorf("no %s problem about action items: %v", RuleUnparsed, d.Problems)
	}
	if n := allocated(func() { Parse(src) }); n > 80<<20 {
		t.Errorf("%d MB allocated to parse 1 MB", n>>20)
	}
	// Under the cap, every item is read as before.
	small := hostileDoc(constructNamed(t, "follow-ups"), 16<<10)
	if d := Parse(small); len(d.Actions) < 400 || len(d.Actions) >= maxActionItems {
		t.Errorf("%d actions in 16 KB", len(d.Actions))
	}
}
