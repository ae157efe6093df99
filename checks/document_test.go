package checks

import (
	"bytes"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseStructure(t *testing.T) {
	d := Parse(mustRead(t, "testdata/complete.md"))
	if d.Title == nil || d.Title.Text != "Postmortem: Checkout API returned 502s for EU customers" || d.Title.Line != 12 || d.Title.Col != 1 {
		t.Fatalf("title = %+v", d.Title)
	}
	var got []string
	for _, s := range d.Sections {
		got = append(got, s.Text)
	}
	want := "Summary|Impact|Timeline|Root cause|Resolution|Follow-ups|Lessons learned"
	if strings.Join(got, "|") != want {
		t.Fatalf("sections = %q", got)
	}
	rc := d.Sections[3]
	if rc.Line != 38 || rc.Col != 1 || rc.Level != 2 || rc.Kind != blameless.SectionCause {
		t.Errorf("root cause = %+v", rc.Heading)
	}
	if rc.BodyStartLine != 39 || rc.BodyEndLine != 48 {
		t.Errorf("root cause body = %d..%d, want 39..48", rc.BodyStartLine, rc.BodyEndLine)
	}
	if len(rc.Children) != 1 || rc.Children[0].Text != "Contributing factors" || rc.Children[0].Parent != rc || rc.Children[0].Kind != blameless.SectionCause {
		t.Fatalf("root cause children = %+v", rc.Children)
	}
	if len(rc.Blocks) != 1 || rc.Blocks[0].Kind != BlockParagraph || rc.Blocks[0].Line != 40 || rc.Blocks[0].EndLine != 42 {
		t.Errorf("root cause blocks = %+v", rc.Blocks)
	}
	tl := d.Sections[2]
	if tl.Kind != blameless.SectionTimeline || len(tl.Blocks) != 2 || tl.Blocks[0].Kind != BlockTable || tl.Blocks[1].Kind != BlockList {
		t.Errorf("timeline = %+v", tl)
	}
	lessons := d.Sections[6]
	if lessons.BodyEndLine != 68 {
		t.Errorf("last section body ends at %d, want 68", lessons.BodyEndLine)
	}
	if lessons.Children[0].Kind != blameless.SectionLessons || lessons.Children[1].Kind != blameless.SectionLessons {
		t.Errorf("lessons children kinds: %v %v", lessons.Children[0].Kind, lessons.Children[1].Kind)
	}
	// Front matter fields keep file positions and types.
	fm := d.FrontMatter
	if fm == nil || fm.Line != 1 || fm.EndLine != 10 || len(fm.Fields) != 8 {
		t.Fatalf("front matter = %+v", fm)
	}
	sev := fm.Get("severity")
	if sev.Raw != "SEV2" || sev.Line != 4 || sev.Col != 1 || sev.ValueLine != 4 || sev.ValueCol != 11 {
		t.Errorf("severity = %+v", sev)
	}
	if v, ok := fm.Get("detected_at").Value.(time.Time); !ok || !v.Equal(time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC)) {
		t.Errorf("detected_at typed value = %#v", fm.Get("detected_at").Value)
	}
	if v, ok := fm.Get("authors").Value.([]any); !ok || len(v) != 1 || v[0] != "alice" || fm.Get("authors").Raw != "[alice]" {
		t.Errorf("authors = %#v %q", fm.Get("authors").Value, fm.Get("authors").Raw)
	}
	if len(d.Problems) != 0 {
		t.Errorf("problems: %+v", d.Problems)
	}
}

func TestPosition(t *testing.T) {
	d := Parse([]byte("ab\ncd\r\n\nxyz"))
	for _, c := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 3, 1}, {8, 4, 1}, {10, 4, 3}, {11, 4, 4}, {99, 4, 4}, {-5, 1, 1},
	} {
		l, col := d.Position(c.off)
		if l != c.line || col != c.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
		if c.off >= 0 && c.off <= 11 && d.Offset(l, col) != c.off {
			t.Errorf("Offset(%d,%d) = %d, want %d", l, col, d.Offset(l, col), c.off)
		}
	}
	if d.Line(2) != "cd" || d.Line(4) != "xyz" || d.Line(9) != "" {
		t.Errorf("Line: %q %q", d.Line(2), d.Line(4))
	}
}

func TestParseNasty(t *testing.T) {
	crlf := strings.ReplaceAll(string(mustRead(t, "testdata/complete.md")), "\n", "\r\n")
	cases := []struct {
		name  string
		src   string
		check func(t *testing.T, d *Document)
	}{
		{"crlf", crlf, func(t *testing.T, d *Document) {
			if len(d.Sections) != 7 || d.Sections[3].Text != "Root cause" || d.Sections[3].Line != 38 {
				t.Errorf("sections: %d, %+v", len(d.Sections), d.Sections[3].Heading)
			}
			if f := d.FrontMatter.Get("severity"); f == nil || f.Raw != "SEV2" {
				t.Errorf("severity %+v", f)
			}
			if len(d.Timeline) != 6 || d.Timeline[2].Line != 33 || strings.HasSuffix(d.Timeline[2].Text, "\r") {
				t.Errorf("timeline %+v", d.Timeline)
			}
			if len(d.ActionItems) != 3 || d.ActionItems[0].Owner != "@alice" {
				t.Errorf("actions %+v", d.ActionItems)
			}
			for _, p := range d.Prose() {
				if strings.Contains(p.Text, "\r") {
					t.Fatalf("prose keeps CR: %q", p.Text)
				}
			}
		}},
		{"bom", "\xef\xbb\xbf---\nseverity: SEV1\n---\n# T\n## Summary\ntext\n", func(t *testing.T, d *Document) {
			if d.FrontMatter == nil || d.FrontMatter.Get("severity").Line != 2 {
				t.Fatalf("front matter after BOM: %+v", d.FrontMatter)
			}
			if d.Title == nil || d.Title.Line != 4 || len(d.Sections) != 1 {
				t.Errorf("title %+v sections %d", d.Title, len(d.Sections))
			}
		}},
		{"bom heading", "\xef\xbb\xbf# Title\n", func(t *testing.T, d *Document) {
			if d.Title == nil || d.Title.Text != "Title" || d.Title.Col != 4 {
				t.Errorf("title %+v", d.Title)
			}
		}},
		{"no trailing newline", "# T\n## Summary\nlast line", func(t *testing.T, d *Document) {
			s := d.Sections[0]
			if s.BodyEndLine != 3 || len(s.Blocks) != 1 || s.Blocks[0].Line != 3 {
				t.Errorf("%+v", s)
			}
		}},
		{"tabs", "# T\n\n##\tTimeline\n\n-\t14:02\t—\tpaged\n", func(t *testing.T, d *Document) {
			if len(d.Sections) != 1 || d.Sections[0].Text != "Timeline" {
				t.Fatalf("sections %+v", d.Sections)
			}
			if len(d.Timeline) != 1 || d.Timeline[0].Text != "paged" || d.Timeline[0].Col != 3 {
				t.Errorf("timeline %+v", d.Timeline)
			}
		}},
		{"headings in code", "# T\n\n```\n## Not a section\n```\n\n    ## indented code\n\n> ## quoted heading\n\n## Real\n", func(t *testing.T, d *Document) {
			if len(d.Sections) != 1 || d.Sections[0].Text != "Real" || d.Sections[0].Line != 11 {
				t.Errorf("sections %+v", d.Sections)
			}
		}},
		{"front matter only", "---\ntitle: x\n---\n", func(t *testing.T, d *Document) {
			if d.FrontMatter == nil || len(d.FrontMatter.Fields) != 1 || d.Title != nil || len(d.Sections) != 0 {
				t.Errorf("%+v", d)
			}
		}},
		{"front matter only, no newline", "---\ntitle: x\n---", func(t *testing.T, d *Document) {
			if d.FrontMatter == nil || d.FrontMatter.Get("title") == nil || len(d.Problems) != 0 {
				t.Errorf("%+v %+v", d.FrontMatter, d.Problems)
			}
		}},
		{"unterminated front matter", "---\ntitle: x\n# T\n", func(t *testing.T, d *Document) {
			if d.FrontMatter != nil || len(d.Problems) != 1 || d.Problems[0].Line != 1 {
				t.Errorf("%+v %+v", d.FrontMatter, d.Problems)
			}
		}},
		{"broken yaml", "---\ntitle: x\nseverity: [SEV1\nstatus: y\n---\n# T\n", func(t *testing.T, d *Document) {
			if len(d.Problems) != 1 || d.Problems[0].Line < 2 || d.Problems[0].Line > 4 || !strings.Contains(d.Problems[0].Message, "not valid YAML") {
				t.Errorf("%+v", d.Problems)
			}
			if d.Title == nil || d.Title.Line != 6 {
				t.Errorf("title %+v", d.Title)
			}
		}},
		{"yaml error line", "---\na: 1\nb: 2\n  c: 3\n---\n", func(t *testing.T, d *Document) {
			if len(d.Problems) != 1 || d.Problems[0].Line != 4 {
				t.Errorf("%+v", d.Problems)
			}
		}},
		{"front matter not a mapping", "---\n- a\n- b\n---\n", func(t *testing.T, d *Document) {
			if len(d.Problems) != 1 || d.Problems[0].Line != 2 {
				t.Errorf("%+v", d.Problems)
			}
		}},
		{"duplicate key", "---\na: 1\na: 2\n---\n", func(t *testing.T, d *Document) {
			if len(d.Problems) != 1 || d.Problems[0].Line != 3 || len(d.FrontMatter.Fields) != 1 {
				t.Errorf("%+v", d.Problems)
			}
		}},
		{"thematic break is not front matter later", "# T\n\n---\n\ntext\n\n---\n", func(t *testing.T, d *Document) {
			if d.FrontMatter != nil || len(d.Problems) != 0 {
				t.Errorf("%+v", d.FrontMatter)
			}
		}},
		{"empty", "", func(t *testing.T, d *Document) {
			if d.Title != nil || len(d.Sections) != 0 || d.LineCount() != 1 {
				t.Errorf("%+v", d)
			}
		}},
		{"nested sections", "# T\n## A\n### A1\n#### A1a\n### A2\n## B\n# Second H1\n## C\n", func(t *testing.T, d *Document) {
			if len(d.Sections) != 3 || len(d.Sections[0].Children) != 2 || len(d.Sections[0].Children[0].Children) != 1 {
				t.Fatalf("tree wrong: %d", len(d.Sections))
			}
			if d.Sections[2].Text != "Second H1" || len(d.Sections[2].Children) != 1 {
				t.Errorf("second h1: %+v", d.Sections[2])
			}
			if a := d.Sections[0]; a.BodyStartLine != 3 || a.BodyEndLine != 5 {
				t.Errorf("A body %d..%d", a.BodyStartLine, a.BodyEndLine)
			}
			if got := len(d.AllSections()); got != 7 {
				t.Errorf("AllSections = %d", got)
			}
		}},
		{"h1 sections", "# Summary\ntext\n# Timeline\n- 14:02 x\n", func(t *testing.T, d *Document) {
			if d.Title != nil || len(d.Sections) != 2 || d.Sections[0].Text != "Summary" || len(d.Timeline) != 1 {
				t.Errorf("%+v %+v", d.Title, d.Sections)
			}
		}},
		{"setext headings", "Title\n=====\n\nSummary\n-------\ntext\n", func(t *testing.T, d *Document) {
			if d.Title == nil || d.Title.Text != "Title" || len(d.Sections) != 1 || d.Sections[0].Line != 4 {
				t.Errorf("%+v %+v", d.Title, d.Sections)
			}
		}},
		{"heading markup", "## 1. 🔥 **Follow-ups** `x` <!-- optional -->\n", func(t *testing.T, d *Document) {
			if d.Sections[0].Text != "1. 🔥 Follow-ups x" || d.Sections[0].Kind != blameless.SectionFollowUps {
				t.Errorf("%q %v", d.Sections[0].Text, d.Sections[0].Kind)
			}
		}},
		{"binary junk", string([]byte{0, 1, 2, 0xff, 0xfe, '\n', '#', ' ', 0, '\n', '-', '-', '-', '\r', 0x80}), func(t *testing.T, d *Document) {
			_ = d.Prose()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, Parse([]byte(c.src)))
		})
	}
}

func TestParseDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("# T\n\n## Follow-ups\n\n")
	for i := 0; i < 1000; i++ {
		b.WriteString(strings.Repeat("  ", i))
		b.WriteString("- [ ] nested item @owner\n")
	}
	d := Parse([]byte(b.String()))
	if len(d.Sections) != 1 || len(d.ActionItems) == 0 {
		t.Fatalf("sections %d actions %d", len(d.Sections), len(d.ActionItems))
	}
	_ = LintDocument(d, Options{})
	// Block quotes and list markers nested 1000 deep.
	deep := strings.Repeat("> ", 1000) + "text\n" + strings.Repeat("- ", 1000) + "x\n" + strings.Repeat("[", 1000) + strings.Repeat("*", 1000)
	_ = Lint([]byte("## Summary\n"+deep), Options{})
}

// bigPostmortem builds a realistic document of at least n bytes.
func bigPostmortem(n int) []byte {
	base := mustReadNoT("testdata/complete.md")
	var b bytes.Buffer
	b.Write(base)
	r := rand.New(rand.NewSource(1))
	words := strings.Fields("the checkout service returned errors while the pool was exhausted and the on-call engineer rolled back the release after the alert fired because the database connections were limited by configuration")
	i := 0
	for b.Len() < n {
		i++
		b.WriteString("\n## Appendix ")
		b.WriteString(strings.Repeat("I", i%7+1))
		b.WriteString("\n\n")
		for p := 0; p < 5; p++ {
			for w := 0; w < 60; w++ {
				b.WriteString(words[r.Intn(len(words))])
				b.WriteByte(' ')
			}
			b.WriteString("`code span` and a [link](https://example.com/x) <!-- note -->.\n\n")
		}
		b.WriteString("- [ ] follow the runbook @alice due 2026-04-01\n- 14:02 — an event\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
	}
	return b.Bytes()
}

func mustReadNoT(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseLarge(t *testing.T) {
	src := bigPostmortem(5 << 20)
	start := time.Now()
	d := Parse(src)
	fs := Lint(src, Options{})
	if len(d.Sections) < 100 {
		t.Fatalf("sections %d", len(d.Sections))
	}
	t.Logf("5 MB: %d sections, %d findings, %v", len(d.Sections), len(fs), time.Since(start))
}

func TestLintConcurrent(t *testing.T) {
	src := mustRead(t, "testdata/blameful.md")
	want := len(Lint(src, Options{}))
	done := make(chan int)
	for i := 0; i < 8; i++ {
		go func() { done <- len(Lint(src, Options{})) }()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != want {
			t.Errorf("concurrent lint gave %d findings, want %d", got, want)
		}
	}
}
