package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

func TestProseBlanking(t *testing.T) {
	src := "---\ntitle: x\n---\n# Title\n\n## Root cause\n\n" +
		"A `code span` and [link text](https://example.com/x \"t\") and <https://auto.link> <span>html</span> <!-- c -->\n" +
		"**bold** www.example.com and ~~gone~~.\n\n" +
		"```\nfenced code\n```\n\n    indented code\n\n<div>\nhtml block\n</div>\n\n" +
		"> quoted **text**\n\n" +
		"- [ ] task item\n  - nested item\n\n" +
		"| Cell one | `x` |\n|---|---|\n| row | two |\n"
	d := Parse([]byte(src))
	ps := d.Prose()
	var texts []string
	for _, p := range ps {
		texts = append(texts, strings.Join(strings.Fields(p.Text), " "))
		if len(p.Text) != len(strings.Join(strings.Split(p.Text, ""), "")) {
			t.Fatal("length")
		}
		// Every kept byte maps back to the same byte in the source.
		for i := 0; i < len(p.Text); i++ {
			if c := p.Text[i]; c != ' ' && c != '\n' && src[p.FileOffset(i)] != c {
				t.Fatalf("%q: byte %d %q maps to %q", p.Text, i, c, src[p.FileOffset(i)])
			}
		}
	}
	want := []string{
		"Title", "Root cause",
		"A and link text and html bold and gone .",
		"quoted text",
		"task item", "nested item",
		"Cell one", "row", "two",
	}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("got  %q\nwant %q", texts, want)
	}
	kinds := []blameless.Section{blameless.SectionSummary, blameless.SectionCause, blameless.SectionCause}
	for i, k := range kinds {
		if ps[i].Section != k {
			t.Errorf("segment %d kind %v, want %v", i, ps[i].Section, k)
		}
	}
	if !ps[3].Quoted || ps[2].Quoted {
		t.Errorf("quoted flags: %v %v", ps[3].Quoted, ps[2].Quoted)
	}
	// Offsets across lines: "bold" is on line 9, column 3.
	p := ps[2]
	i := strings.Index(p.Text, "bold")
	if l, c := p.Position(i); l != 9 || c != 3 {
		t.Errorf("bold at %d:%d, want 9:3", l, c)
	}
	if l, c := p.Position(0); l != 8 || c != 1 {
		t.Errorf("start at %d:%d", l, c)
	}
}

// TestProseWithoutHeadings: in a document with no heading but its title, no
// prose has a known section (the title and the text before the first heading
// sum up a document that has sections).
func TestProseWithoutHeadings(t *testing.T) {
	for _, c := range []struct {
		src  string
		want blameless.Section
	}{
		{"The engineer deleted the volume.\n", blameless.SectionUnknown},
		{"# Outage\n\nThe engineer deleted the volume.\n", blameless.SectionUnknown},
		{"# Outage\n\nThe engineer deleted the volume.\n\n## Timeline\n\n- 10:02 paged\n", blameless.SectionSummary},
	} {
		ps := Parse([]byte(c.src)).Prose()
		if len(ps) == 0 {
			t.Fatalf("%q: no prose", c.src)
		}
		for _, p := range ps {
			if strings.Contains(p.Text, "deleted") && p.Section != c.want {
				t.Errorf("%q: section %v, want %v", c.src, p.Section, c.want)
			}
		}
	}
}

func TestSectionKind(t *testing.T) {
	for h, k := range map[string]blameless.Section{
		"Impact": blameless.SectionSummary, "Executive summary": blameless.SectionSummary,
		"Timeline (UTC)": blameless.SectionTimeline, "Root Cause": blameless.SectionCause, "Trigger": blameless.SectionCause,
		"Contributing factors": blameless.SectionCause, "What went wrong": blameless.SectionCause,
		"Resolution and recovery": blameless.SectionResolution, "Mitigation": blameless.SectionResolution,
		"Follow-ups": blameless.SectionFollowUps, "4. Action items": blameless.SectionFollowUps, "Corrective actions": blameless.SectionFollowUps,
		"Lessons learned": blameless.SectionLessons, "What went well": blameless.SectionLessons, "Where we got lucky": blameless.SectionLessons,
		"Appendix": blameless.SectionOther, "Because": blameless.SectionOther,
	} {
		if got := SectionKind(h); got != k {
			t.Errorf("SectionKind(%q) = %v, want %v", h, got, k)
		}
	}
}

func TestBlamelessGlue(t *testing.T) {
	src := "# T\n\n## Root cause\n\nBob was **careless**; `careless` and <!-- careless --> are not prose.\n\n> He said it was careless.\n"
	fs := LintOnly([]byte(src), Options{}, CheckBlameless)
	if len(fs) != 1 {
		t.Fatalf("%+v", fs)
	}
	f := fs[0]
	if f.Check != CheckBlameless || f.Rule != blameless.RuleJudgmental || f.Line != 5 || f.Column != 11 || f.EndLine != 5 || f.EndColumn != 18 || f.Message == "" {
		t.Errorf("%+v", f)
	}
	// Overrides: severity, off, and the analyzer's own config.
	fs = LintOnly([]byte(src), Options{Rules: map[string]Severity{blameless.RuleJudgmental: SeverityWarning}}, CheckBlameless)
	if len(fs) != 1 || fs[0].Severity != SeverityWarning {
		t.Errorf("warning override: %+v", fs)
	}
	if fs := LintOnly([]byte(src), Options{Rules: map[string]Severity{blameless.RuleJudgmental: SeverityOff}}, CheckBlameless); len(fs) != 0 {
		t.Errorf("off: %+v", fs)
	}
	if fs := LintOnly([]byte(src), Options{Blameless: blameless.Config{Allow: []string{"careless"}}}, CheckBlameless); len(fs) != 0 {
		t.Errorf("allow: %+v", fs)
	}
	// A custom phrase spanning a soft line break maps to both lines.
	src2 := "## Summary\n\nWe saw the big\nbad wolf today.\n"
	fs = LintOnly([]byte(src2), Options{Blameless: blameless.Config{Phrases: []string{"big bad wolf"}}}, CheckBlameless)
	if len(fs) != 1 || fs[0].Rule != blameless.RuleCustom || fs[0].Line != 3 || fs[0].Column != 12 || fs[0].EndLine != 4 || fs[0].EndColumn != 8 {
		t.Errorf("custom phrase: %+v", fs)
	}
	// Replacements are kept only when the span is plain text in the file.
	blameful := mustRead(t, "testdata/blameful.md")
	d := Parse(blameful)
	n := 0
	for _, f := range Lint(blameful, Options{}) {
		if f.Check == CheckBlameless {
			n++
		}
		if f.Replacement != "" {
			start := d.Offset(f.Line, f.Column)
			end := d.Offset(f.EndLine, f.EndColumn)
			if f.Line != f.EndLine || strings.ContainsAny(string(blameful[start:end]), "`*[<") {
				t.Errorf("replacement over markup or lines: %+v", f)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d blameless findings in testdata/blameful.md", n)
	}
}

func TestSuppression(t *testing.T) {
	body := func(lines ...string) string {
		return "## Summary\n\n" + strings.Join(lines, "\n") + "\n"
	}
	opts := Options{Schema: &Schema{}}
	cases := []struct {
		name string
		src  string
		want []int // lines with placeholder findings
	}{
		{"none", body("TODO one", "", "TODO two"), []int{3, 5}},
		{"next line", body("<!-- postmortem-disable-next-line completeness/placeholder -->", "TODO one", "", "TODO two"), []int{6}},
		{"next line skips blank", body("<!-- postmortem-disable-next-line -->", "", "TODO one", "", "TODO two"), []int{7}},
		{"same line", body("TODO one <!-- postmortem-disable-line placeholder -->", "", "TODO two"), []int{5}},
		{"other rule", body("TODO one <!-- postmortem-disable-line blameless/judgmental -->"), []int{3}},
		{"check name", body("TODO one <!-- postmortem-disable-line completeness -->"), nil},
		{"block", body("<!-- postmortem-disable completeness/placeholder, blameless/judgmental -->", "TODO one", "", "TODO two", "<!-- postmortem-enable completeness/placeholder -->", "", "TODO three"), []int{9}},
		{"block to end", body("TODO zero", "", "<!-- postmortem-disable -->", "", "TODO one"), []int{3}},
		{"enable one of all", body("<!-- postmortem-disable -->", "TODO one", "", "<!-- postmortem-enable placeholder -->", "", "TODO two"), []int{8}},
		{"in code is not a directive", body("```", "<!-- postmortem-disable -->", "```", "", "TODO one"), []int{7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []int
			for _, f := range Completeness(Parse([]byte(c.src)), opts) {
				if f.Rule == RulePlaceholder {
					got = append(got, f.Line)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("placeholder findings on lines %v, want %v", got, c.want)
			}
		})
	}
	// Blameless findings honour the same comments.
	src := "## Root cause\n\n<!-- postmortem-disable-next-line blameless/judgmental -->\nBob was careless.\n\nAlice was careless.\n"
	fs := LintOnly([]byte(src), Options{}, CheckBlameless)
	if len(fs) != 1 || fs[0].Line != 6 {
		t.Errorf("blameless suppression: %+v", fs)
	}
}

// An entry that opens with a clock time is a timeline's, wherever nothing
// else says what the text is: in a document without headings (a sentence
// linted alone) or under a heading of no known kind. A known section keeps
// its kind, and so does text whose time is not its opening.
func TestTimeLedEntriesAreTimeline(t *testing.T) {
	for _, c := range []struct {
		src  string
		want blameless.Section
	}{
		{"14:46 @alice disables the dvolk account.\n", blameless.SectionTimeline},
		{"20:07: @alice unpublished `v10.5.0` after confirmation.\n", blameless.SectionTimeline},
		{"- **14:02 UTC** @alice rolled back the deploy.\n", blameless.SectionTimeline},
		{"2026-03-01 14:02 — @alice rolled back the deploy.\n", blameless.SectionTimeline},
		{"`10:05` @alice rolled back the deploy.\n", blameless.SectionTimeline},
		{"2pm: @alice rolled back the deploy.\n", blameless.SectionTimeline},
		{"# Outage\n\n## Notes\n\n- 14:02 @alice rolled back the deploy.\n- @bob rolled back the deploy.\n", blameless.SectionTimeline},
		{"# Outage\n\n## Notes\n\n| When | What |\n|---|---|\n| 14:02 | @alice rolled back the deploy |\n", blameless.SectionTimeline},
		{"@alice rolled back the deploy at 14:02.\n", blameless.SectionUnknown},
		{"March 3, 2026: @alice rolled back the deploy.\n", blameless.SectionUnknown},
		{"# Outage\n\n## Root cause\n\n- 14:02 @alice rolled back the deploy.\n", blameless.SectionCause},
		{"# Outage\n\n## Notes\n\n@alice rolled back the deploy.\n", blameless.SectionOther},
	} {
		found := false
		for _, p := range Parse([]byte(c.src)).Prose() {
			switch {
			case strings.Contains(p.Text, "@alice"):
				found = true
				if p.Section != c.want {
					t.Errorf("%q: section %v, want %v", c.src, p.Section, c.want)
				}
			case strings.Contains(p.Text, "@bob") && p.Section != blameless.SectionOther:
				t.Errorf("%q: @bob's entry has no time: section %v, want other", c.src, p.Section)
			}
		}
		if !found {
			t.Errorf("%q: no prose names @alice", c.src)
		}
	}
}
