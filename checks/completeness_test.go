package checks

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// smallSchema is the schema of a small template, used by the rule tests.
const smallTemplate = `---
incident: TODO
severity: TODO
started_at: TODO
detected_at: TODO
resolved_at: TODO
owner: TODO  # optional
---

# Postmortem: TODO

## Summary

<!-- What happened. -->

TODO

## Timeline

<!-- Oldest first. -->

## Root cause

<Describe the conditions that made this possible.>

## Follow-ups

<!-- Task list with owners. -->

TODO

## Appendix <!-- optional -->
`

func smallSchema(t testing.TB) *Schema {
	s, err := SchemaFromTemplate([]byte(smallTemplate))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// goodHead is a filled front matter and title for the small schema.
const goodHead = `---
incident: https://github.com/acme/shop/issues/7
severity: SEV2
started_at: 2026-03-01 13:55 UTC
detected_at: 2026-03-01T14:02:00Z
resolved_at: 2026-03-01 16:37 +01:00
---

# Postmortem: checkout errors
`

// goodBody is a filled body for the small schema (starts at line 10).
const goodBody = `
## Summary

Checkout failed for 42 minutes.

## Timeline

- 13:55 — errors start
- 14:02 — paged

## Root cause

A pool limit was too low.

## Follow-ups

- [ ] Validate pool sizes @alice due 2026-04-01
`

func short4(f Finding) string {
	return fmt.Sprintf("%d:%d-%d:%d %s", f.Line, f.Column, f.EndLine, f.EndColumn, f.Rule)
}

func TestCompleteDocumentHasNoFindings(t *testing.T) {
	if fs := Completeness(Parse([]byte(goodHead+goodBody)), Options{Schema: smallSchema(t)}); len(fs) != 0 {
		t.Fatalf("findings on a complete document: %+v", fs)
	}
	if fs := Completeness(Parse(mustRead(t, "testdata/complete.md")), Options{}); len(fs) != 0 {
		t.Fatalf("findings on testdata/complete.md: %+v", fs)
	}
}

func TestCompletenessRules(t *testing.T) {
	repl := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
	cases := []struct {
		name string
		src  string
		opts Options
		want []string // "line:col-endline:endcol rule"
		msg  string   // substring of the first finding's message
	}{
		{"missing section", repl(goodHead+goodBody, "## Root cause\n\nA pool limit was too low.\n\n", ""), Options{},
			[]string{"20:1-20:13 completeness/missing-section"}, `the "Root cause" section is missing`},
		{"missing last section", repl(goodHead+goodBody, "## Follow-ups\n\n- [ ] Validate pool sizes @alice due 2026-04-01\n", ""), Options{},
			[]string{"22:1-22:25 completeness/missing-section"}, `"Follow-ups"`},
		{"synonym heading satisfies", repl(goodHead+goodBody, "## Follow-ups", "## 4. Action Items ✅"), Options{}, nil, ""},
		{"empty section", repl(goodHead+goodBody, "A pool limit was too low.\n", "<!-- still thinking -->\n"), Options{},
			[]string{"20:1-20:13 completeness/empty-section"}, `the "Root cause" section is empty`},
		{"empty at end of file", repl(goodHead+goodBody, "- [ ] Validate pool sizes @alice due 2026-04-01\n", ""), Options{},
			[]string{"24:1-24:13 completeness/empty-section"}, "empty"},
		{"template text left", repl(goodHead+goodBody, "A pool limit was too low.", "<Describe the conditions that made this possible.>"), Options{},
			[]string{"22:1-22:50 completeness/placeholder"}, "template's placeholder"},
		{"todo in prose", repl(goodHead+goodBody, "for 42 minutes", "for TODO minutes (TBD)"), Options{},
			[]string{"13:21-13:24 completeness/placeholder", "13:35-13:37 completeness/placeholder"}, "placeholder TODO left"},
		{"hint in prose", repl(goodHead+goodBody, "for 42 minutes", "for <how long> minutes"), Options{},
			[]string{"13:21-13:30 completeness/placeholder"}, "hint <how long>"},
		{"placeholder in code is fine", repl(goodHead+goodBody, "for 42 minutes", "for `TODO` and <br> and <https://x.io> minutes"), Options{}, nil, ""},
		{"todo in title", repl(goodHead+goodBody, "checkout errors", "TODO"), Options{},
			[]string{"9:15-9:18 completeness/placeholder"}, "the title"},
		{"missing field", repl(goodHead+goodBody, "severity: SEV2\n", ""), Options{},
			[]string{"6:1-6:3 completeness/missing-field"}, `"severity" is missing`},
		{"empty field", repl(goodHead+goodBody, "severity: SEV2", "severity:"), Options{},
			[]string{"3:1-3:9 completeness/missing-field"}, "has no value"},
		{"placeholder field", repl(goodHead+goodBody, "severity: SEV2", "severity: <SEV1-4>"), Options{},
			[]string{"3:11-3:18 completeness/placeholder"}, "placeholder <SEV1-4>"},
		{"invalid severity", repl(goodHead+goodBody, "severity: SEV2", "severity: \"high\""), Options{},
			[]string{"3:11-3:16 completeness/invalid-field"}, `"high", which is not one of SEV1, SEV2, SEV3, SEV4`},
		{"severity case-insensitive", repl(goodHead+goodBody, "severity: SEV2", "severity: sev2"), Options{}, nil, ""},
		{"configured severities", repl(goodHead+goodBody, "severity: SEV2", "severity: P1"), Options{Severities: []string{"P1", "P2"}}, nil, ""},
		{"time without zone", repl(goodHead+goodBody, "started_at: 2026-03-01 13:55 UTC", "started_at: 2026-03-01 13:55"), Options{},
			[]string{"4:13-4:28 completeness/invalid-field"}, "has no time zone"},
		{"not a time", repl(goodHead+goodBody, "started_at: 2026-03-01 13:55 UTC", "started_at: last tuesday"), Options{},
			[]string{"4:13-4:24 completeness/invalid-field"}, "is not a time"},
		{"invalid incident", repl(goodHead+goodBody, "https://github.com/acme/shop/issues/7", "the big one"), Options{},
			[]string{"2:11-2:21 completeness/invalid-field"}, "neither an issue URL nor an issue number"},
		{"incident number", repl(goodHead+goodBody, "https://github.com/acme/shop/issues/7", "7"), Options{}, nil, ""},
		{"detected before started", repl(goodHead+goodBody, "2026-03-01T14:02:00Z", "2026-03-01T13:00:00Z"), Options{},
			[]string{"5:1-5:33 completeness/time-order"}, "detected_at (2026-03-01 13:00 UTC) is before started_at (2026-03-01 13:55 UTC)"},
		{"resolved before detected", repl(goodHead+goodBody, "16:37 +01:00", "15:00 +01:00"), Options{},
			[]string{"6:1-6:36 completeness/time-order"}, "resolved_at (2026-03-01 14:00 UTC) is before detected_at"},
		{"timeline out of order", repl(goodHead+goodBody, "- 14:02 — paged", "- 13:50 — paged"), Options{},
			[]string{"18:3-18:7 completeness/timeline-order"}, "earlier than the entry before it (line 17, 2026-03-01 13:55 UTC)"},
		{"timeline far before start", repl(goodHead+goodBody, "- 13:55 — errors start", "- 2026-02-01 13:55 — errors start"), Options{},
			[]string{"17:3-17:18 completeness/timeline-range", "18:3-18:7 completeness/timeline-range"}, "more than 7 days before started_at"},
		{"timeline within slack before start", repl(goodHead+goodBody, "- 13:55 — errors start", "- 2026-02-27 10:00 — bad config merged"), Options{}, nil, ""},
		{"timeline after resolution", repl(goodHead+goodBody, "- 14:02 — paged", "- 14:02 — paged\n- 2026-03-05 09:00 — cleanup"), Options{},
			[]string{"19:3-19:18 completeness/timeline-range"}, "more than 1 day after resolved_at"},
		{"action without owner", repl(goodHead+goodBody, "@alice ", ""), Options{},
			[]string{"26:3-26:40 completeness/action-owner"}, `action item "Validate pool sizes" has no owner`},
		{"done action without owner is fine", repl(goodHead+goodBody, "- [ ] Validate pool sizes @alice", "- [x] Validate pool sizes"), Options{}, nil, ""},
		{"action without due, not required", repl(goodHead+goodBody, " due 2026-04-01", ""), Options{}, nil, ""},
		{"action without due, required", repl(goodHead+goodBody, " due 2026-04-01", ""), Options{RequireDueDates: true},
			[]string{"26:3-26:32 completeness/action-due"}, "has no due date"},
		{"action with invalid due", repl(goodHead+goodBody, "2026-04-01", "2026-04-31"), Options{},
			[]string{"26:3-26:47 completeness/action-due"}, `invalid due date "2026-04-31"`},
		{"no action items", repl(goodHead+goodBody, "- [ ] Validate pool sizes @alice due 2026-04-01", "We will validate pool sizes."), Options{},
			[]string{"24:1-24:13 completeness/no-action-items"}, `the "Follow-ups" section has no action items`},
		{"broken front matter", strings.Replace(goodHead+goodBody, "severity: SEV2", "severity: [SEV2", 1), Options{},
			[]string{"3:1-3:15 completeness/front-matter"}, "not valid YAML"},
		{"unterminated front matter", strings.Replace(goodHead+goodBody, "---\n\n#", "\n#", 1), Options{},
			[]string{"1:1-1:3 completeness/front-matter"}, "never closed"},
		{"rule off", repl(goodHead+goodBody, "@alice ", ""), Options{Rules: map[string]Severity{RuleActionOwner: SeverityOff}}, nil, ""},
		{"every finding", repl(repl(goodHead+goodBody, "@alice ", ""), "severity: SEV2", "severity: SEV9"), Options{},
			[]string{"3:11-3:14 completeness/invalid-field", "26:3-26:40 completeness/action-owner"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Schema = smallSchema(t)
			fs := Completeness(Parse([]byte(c.src)), opts)
			var got []string
			for _, f := range fs {
				got = append(got, short4(f))
				if f.Message == "" || f.Check != CheckCompleteness || (f.Severity != SeverityError && f.Severity != SeverityWarning) {
					t.Errorf("bad finding %+v", f)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s\n%+v", strings.Join(got, "\n"), strings.Join(c.want, "\n"), fs)
			}
			if c.msg != "" && !strings.Contains(fs[0].Message, c.msg) {
				t.Errorf("message %q does not contain %q", fs[0].Message, c.msg)
			}
		})
	}
}

func TestRuleSeverityOverride(t *testing.T) {
	src := strings.Replace(goodHead+goodBody, "@alice ", "", 1)
	fs := Completeness(Parse([]byte(src)), Options{Schema: smallSchema(t), Rules: map[string]Severity{RuleActionOwner: SeverityWarning}})
	if len(fs) != 1 || fs[0].Severity != SeverityWarning {
		t.Fatalf("%+v", fs)
	}
	fs = Completeness(Parse([]byte(src)), Options{Schema: smallSchema(t), Rules: map[string]Severity{"completeness": SeverityOff}})
	if len(fs) != 0 {
		t.Fatalf("check-wide off: %+v", fs)
	}
}

// The unedited blank render of a template gives exactly one finding per
// required part: per required field, per required section, and the title.
func TestBlankTemplateOneFindingPerPart(t *testing.T) {
	templates := map[string][]byte{"small": []byte(smallTemplate), "default": DefaultTemplate()}
	// The templates package's blank renders, when present in this checkout.
	for _, name := range []string{"default", "google-sre", "pagerduty"} {
		if b, err := os.ReadFile("../templates/testdata/" + name + "-blank.md"); err == nil {
			templates["templates/"+name] = b
		}
	}
	for name, tpl := range templates {
		t.Run(name, func(t *testing.T) {
			schema, err := SchemaFromTemplate(tpl)
			if err != nil {
				t.Fatal(err)
			}
			fs := Completeness(Parse(tpl), Options{Schema: schema})
			parts := 0
			if d := Parse(tpl); d.Title != nil && isPlaceholderText(d.Title.Text) {
				parts++ // a placeholder title
			}
			for _, f := range schema.Fields {
				if f.Required && f.Example == "" {
					parts++
				}
			}
			for _, s := range schema.Sections {
				if s.Required {
					parts++
				}
			}
			if len(fs) != parts {
				for _, f := range fs {
					t.Log(short4(f), f.Message)
				}
				t.Fatalf("%d findings for %d required parts", len(fs), parts)
			}
			lines := map[int]bool{}
			for _, f := range fs {
				if lines[f.Line] {
					t.Errorf("two findings on line %d", f.Line)
				}
				lines[f.Line] = true
			}
		})
	}
}

func TestSmallTemplateBlankFindings(t *testing.T) {
	fs := Completeness(Parse([]byte(smallTemplate)), Options{Schema: smallSchema(t)})
	var got []string
	for _, f := range fs {
		got = append(got, short4(f))
	}
	want := []string{
		"2:11-2:14 completeness/placeholder",
		"3:11-3:14 completeness/placeholder",
		"4:13-4:16 completeness/placeholder",
		"5:14-5:17 completeness/placeholder",
		"6:14-6:17 completeness/placeholder",
		"10:15-10:18 completeness/placeholder",
		"16:1-16:4 completeness/placeholder",
		"18:1-18:11 completeness/empty-section",
		"24:1-24:50 completeness/placeholder",
		"30:1-30:4 completeness/placeholder",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
}

// The default schema is read from a copy of the templates package's blank
// default render (checks must not import templates); this keeps them equal.
func TestDefaultTemplateInSync(t *testing.T) {
	b, err := os.ReadFile("../templates/testdata/default-blank.md")
	if err != nil {
		t.Skip("templates/testdata/default-blank.md not present")
	}
	theirs, err := SchemaFromTemplate(b)
	if err != nil {
		t.Fatal(err)
	}
	ours := DefaultSchema()
	if fmt.Sprint(theirs) != fmt.Sprint(ours) {
		t.Fatalf("checks/default_template.md is out of date with templates/testdata/default-blank.md; copy it over")
	}
}

func TestSchemaFromTemplate(t *testing.T) {
	s := smallSchema(t)
	var got []string
	for _, f := range s.Fields {
		got = append(got, fmt.Sprintf("%s:%s:%v", f.Key, f.Kind, f.Required))
	}
	want := "incident:incident:true severity:severity:true started_at:time:true detected_at:time:true resolved_at:time:true owner:text:false"
	if strings.Join(got, " ") != want {
		t.Errorf("fields %q", got)
	}
	got = nil
	for _, sec := range s.Sections {
		got = append(got, fmt.Sprintf("%s:%d:%v:%q", sec.Heading, sec.Level, sec.Required, sec.Body))
	}
	want = `Summary:2:true:"TODO" Timeline:2:true:"" Root cause:2:true:"<Describe the conditions that made this possible.>" Follow-ups:2:true:"TODO" Appendix:2:false:""`
	if strings.Join(got, " ") != want {
		t.Errorf("sections %s", strings.Join(got, " "))
	}
	if s.Sections[0].Guidance != "What happened." || s.Section("1. Overview!") != &s.Sections[0] || s.Section("Remediation") != &s.Sections[3] {
		t.Errorf("guidance/synonyms: %+v", s.Sections[0])
	}
	// Optional on the next line, explicit alternatives, and a template that
	// names "Impact" itself keeps it from being a synonym of Summary.
	s2, err := SchemaFromTemplate([]byte("# T\n\n## Summary\n\n## Impact\n<!-- optional -->\n\n## Ideas <!-- also: Brainstorm, Open questions -->\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Sections[1].Required || !s2.Sections[0].Required || s2.Section("impact") != &s2.Sections[1] || s2.Section("open questions") != &s2.Sections[2] {
		t.Errorf("%+v", s2.Sections)
	}
	for _, bad := range []string{"", "# only a title\n", "---\ntitle: {{.Title}}\n---\n## A\n", "---\na: [\n---\n## A\n"} {
		if _, err := SchemaFromTemplate([]byte(bad)); err == nil {
			t.Errorf("SchemaFromTemplate(%q) accepted", bad)
		}
	}
}

// TestTooManyActionItems: past Options.MaxActionItems open action items
// (done ones and empty ones not counted, as the App files them) one
// warning, at the first item past the limit, says how many are not filed.
func TestTooManyActionItems(t *testing.T) {
	doc := func(open, done int) string {
		var b strings.Builder
		b.WriteString("# Outage\n\n## Follow-ups\n\n")
		for i := 0; i < done; i++ {
			fmt.Fprintf(&b, "- [x] Done item %d (owner: @alice)\n", i)
		}
		for i := 0; i < open; i++ {
			fmt.Fprintf(&b, "- [ ] Open item %d (owner: @alice)\n", i)
		}
		return b.String()
	}
	count := func(src string, max int) []Finding {
		var out []Finding
		for _, f := range Lint([]byte(src), Options{MaxActionItems: max, FrontMatter: FrontMatterOff}) {
			if f.Rule == RuleTooManyActions {
				out = append(out, f)
			}
		}
		return out
	}
	if fs := count(doc(5, 3), 5); len(fs) != 0 {
		t.Errorf("5 open items, max 5: %+v", fs)
	}
	if fs := count(doc(7, 0), 0); len(fs) != 0 {
		t.Errorf("no limit: %+v", fs)
	}
	fs := count(doc(7, 3), 5)
	if len(fs) != 1 || fs[0].Severity != SeverityWarning || fs[0].Line != 4+3+6 ||
		!strings.Contains(fs[0].Message, "7 open action items") || !strings.Contains(fs[0].Message, "the other 2") {
		t.Errorf("7 open items, max 5: %+v", fs)
	}
}
