package checks

import (
	"strings"
	"testing"
)

func rulesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func countRule(fs []Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

const bodyComplete = `# Outage

## Summary

Down for an hour.

## Impact

Everyone.

## Timeline

- 2026-03-01 10:00 UTC paged

## Root cause

A full disk.

## Resolution

Freed space.

## Follow-ups

- [ ] Alert on disk space (owner: @alice)
`

func TestFrontMatterModes(t *testing.T) {
	withFM := "---\ntitle: Outage\nseverity: loud\nstarted_at: yesterday\n---\n" + bodyComplete
	cases := []struct {
		name    string
		src     string
		mode    FrontMatterMode
		missing int // missing-field findings
		invalid int // invalid-field findings
	}{
		{"no front matter, required", bodyComplete, FrontMatterRequired, 7, 0},
		{"no front matter, default is required", bodyComplete, "", 7, 0},
		{"no front matter, optional", bodyComplete, FrontMatterOptional, 0, 0},
		{"no front matter, off", bodyComplete, FrontMatterOff, 0, 0},
		{"some fields, required", withFM, FrontMatterRequired, 4, 2},
		{"some fields, optional: present ones checked", withFM, FrontMatterOptional, 0, 2},
		{"some fields, off", withFM, FrontMatterOff, 0, 0},
		{"broken front matter, off", "---\ntitle: [\n---\n" + bodyComplete, FrontMatterOff, 0, 0},
	}
	for _, c := range cases {
		fs := Completeness(Parse([]byte(c.src)), Options{FrontMatter: c.mode})
		if got := countRule(fs, RuleMissingField); got != c.missing {
			t.Errorf("%s: %d missing-field, want %d: %v", c.name, got, c.missing, rulesOf(fs))
		}
		if got := countRule(fs, RuleInvalidField); got != c.invalid {
			t.Errorf("%s: %d invalid-field, want %d: %v", c.name, got, c.invalid, rulesOf(fs))
		}
		if c.mode == FrontMatterOff && len(fs) != 0 {
			t.Errorf("%s: %v", c.name, rulesOf(fs))
		}
	}
}

func TestTOMLFrontMatter(t *testing.T) {
	src := "+++\ntitle = \"Disk full\"  # the title\nseverity = 'SEV2'\nstarted_at = \"2026-03-01 10:00 UTC\"\nauthors = []\n\n[extra]\nseverity = \"x\"\n+++\n" + bodyComplete
	d := Parse([]byte(src))
	if len(d.Problems) > 0 {
		t.Fatal(d.Problems)
	}
	fm := d.FrontMatter
	if fm == nil || fm.Format != "toml" || len(fm.Fields) != 4 {
		t.Fatalf("front matter %+v", fm)
	}
	title := fm.Get("title")
	if title.Raw != "Disk full" || title.Line != 2 || title.ValueCol != 10 || title.Comment != "the title" {
		t.Errorf("title %+v", title)
	}
	if sev := fm.Get("severity"); sev.Raw != "SEV2" || sev.Line != 3 {
		t.Errorf("severity %+v", sev)
	}
	// The title is read from the TOML, not reported missing; the body is
	// the Markdown after the closing +++.
	fs := Completeness(d, Options{FrontMatter: FrontMatterOptional})
	if len(fs) != 0 {
		t.Errorf("findings %v", fs)
	}
	if d.Title == nil || d.Title.Text != "Outage" {
		t.Errorf("title %+v", d.Title)
	}
	bad := Parse([]byte("+++\ntitle = \"x\"\nseverity = \n+++\n# T\n"))
	if len(bad.Problems) != 1 || bad.Problems[0].Line != 3 || !strings.Contains(bad.Problems[0].Message, "TOML") {
		t.Errorf("problems %+v", bad.Problems)
	}
}

// TestYAMLErrorAtOffendingLine: a broken line is reported where it is, not
// at the closing fence or the next key.
func TestYAMLErrorAtOffendingLine(t *testing.T) {
	cases := []struct {
		src  string
		line int
	}{
		{"---\ntitle: ok\nthis line is not yaml\nseverity: SEV2\n---\n# T\n", 3},
		{"---\ntitle: ok\nseverity: SEV2\nthis line is not yaml\n---\n# T\n", 4},
		{"---\ntitle: \"unclosed\nseverity: SEV2\n---\n# T\n", 2},
		{"---\ntitle: ok\nlist: [a,\n  b]\n  bad: indent\n---\n# T\n", 5},
	}
	for _, c := range cases {
		d := Parse([]byte(c.src))
		if len(d.Problems) != 1 || d.Problems[0].Line != c.line {
			t.Errorf("%q: problems %+v, want line %d", c.src, d.Problems, c.line)
		}
	}
}
