package templates_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

// Every preset, rendered blank, is a template the checks can read, and the
// unedited render gets exactly one completeness finding per required part:
// each required section and each required front matter field that the
// template leaves to the author (a field with a real value, like
// "status: draft", is already filled in).
func TestPresetSchemasAndBlankLint(t *testing.T) {
	for _, name := range templates.Names() {
		t.Run(name, func(t *testing.T) {
			src, _ := templates.Preset(name)
			blank, err := templates.Render(src, templates.Incident{})
			if err != nil {
				t.Fatal(err)
			}
			schema, err := checks.SchemaFromTemplate(blank)
			if err != nil {
				t.Fatalf("SchemaFromTemplate: %v", err)
			}
			doc := checks.Parse(blank)
			if len(doc.Problems) > 0 {
				t.Fatalf("blank render has parse problems: %+v", doc.Problems)
			}
			// Required parts, by the line they sit on.
			parts := map[int]string{}
			for _, f := range schema.Fields {
				if !f.Required {
					continue
				}
				fld := doc.FrontMatter.Get(f.Key)
				if fld == nil {
					t.Fatalf("field %q not in the document", f.Key)
				}
				if f.Example != "" {
					continue // filled in by the template itself
				}
				parts[fld.Line] = "field " + f.Key
			}
			required := 0
			for _, s := range schema.Sections {
				if s.Required {
					required++
				}
			}
			for _, s := range doc.AllSections() {
				if spec := schema.Section(s.Text); spec != nil && spec.Required {
					parts[s.Line] = "section " + s.Text
				}
			}
			if required < 5 || len(parts) != required+countPlaceholderFields(schema) {
				t.Fatalf("%d required sections, %d parts: %v", required, len(parts), parts)
			}

			findings := checks.LintOnly(blank, checks.Options{Schema: schema}, checks.CheckCompleteness)
			got := map[string][]string{}
			for _, f := range findings {
				part := partOf(doc, parts, f.Line)
				got[part] = append(got[part], fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.Rule, f.Message))
			}
			var bad []string
			for _, p := range parts {
				if len(got[p]) != 1 {
					bad = append(bad, fmt.Sprintf("%s: %d findings %v", p, len(got[p]), got[p]))
				}
			}
			for p, fs := range got {
				if !strings.HasPrefix(p, "field ") && !strings.HasPrefix(p, "section ") {
					bad = append(bad, fmt.Sprintf("%s: %v", p, fs))
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Errorf("blank %s render: want one completeness finding per required part:\n%s\n\n%s", name, strings.Join(bad, "\n"), blank)
			}
			// And no blameless finding: the guidance itself is blameless.
			if bl := checks.LintOnly(blank, checks.Options{Schema: schema}, checks.CheckBlameless); len(bl) > 0 {
				t.Errorf("blank %s render has blameless findings: %+v", name, bl)
			}
		})
	}
}

func countPlaceholderFields(s *checks.Schema) int {
	n := 0
	for _, f := range s.Fields {
		if f.Required && f.Example == "" {
			n++
		}
	}
	return n
}

// partOf maps a finding's line to the required part it belongs to: a field
// on its line, a section from its heading to the next heading.
func partOf(doc *checks.Document, parts map[int]string, line int) string {
	if p, ok := parts[line]; ok && strings.HasPrefix(p, "field ") {
		return p
	}
	best := 0
	for _, s := range doc.AllSections() {
		if s.Line <= line && s.Line > best {
			best = s.Line
		}
	}
	if p, ok := parts[best]; ok && strings.HasPrefix(p, "section ") {
		return p
	}
	return fmt.Sprintf("line %d (no required part)", line)
}

func fullIncident() templates.Incident {
	t0 := time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC)
	return templates.Incident{
		Title: "Checkout API returned 502s for EU customers", Number: 481,
		URL: "https://github.com/acme/shop/issues/481", Repository: "acme/shop",
		Labels: []string{"incident"}, Severity: "SEV2", CreatedAt: t0, ClosedAt: t0.Add(95 * time.Minute),
		Assignees: []string{"alice", "bob"},
		Timeline: []templates.TimelineEntry{
			{Time: t0, Text: "opened the incident", Actor: "alice"},
			{Time: t0.Add(10 * time.Minute), Text: "rolled back the deploy", Actor: "bob", URL: "https://github.com/acme/shop/pull/482"},
			{Time: t0.Add(95 * time.Minute), Text: "closed the incident", Actor: "alice"},
		},
	}
}

// A full render is valid where the incident supplied data: its fields pass,
// and its timeline entries parse as timeline entries.
func TestFullRenderFieldsAndTimelineParse(t *testing.T) {
	inc := fullIncident()
	for _, name := range templates.Names() {
		src, _ := templates.Preset(name)
		out, err := templates.Render(src, inc)
		if err != nil {
			t.Fatal(err)
		}
		blank, _ := templates.Render(src, templates.Incident{})
		schema, err := checks.SchemaFromTemplate(blank)
		if err != nil {
			t.Fatal(err)
		}
		doc := checks.Parse(out)
		if len(doc.Timeline) != len(inc.Timeline) {
			t.Errorf("%s: %d timeline entries parsed, want %d", name, len(doc.Timeline), len(inc.Timeline))
		}
		for i, e := range doc.Timeline {
			if !e.Time.Equal(inc.Timeline[i].Time) {
				t.Errorf("%s: entry %d at %v, want %v", name, i, e.Time, inc.Timeline[i].Time)
			}
		}
		for _, f := range checks.LintOnly(out, checks.Options{Schema: schema}, checks.CheckCompleteness) {
			for _, key := range []string{"title", "incident", "severity", "detected_at", "resolved_at"} {
				if fld := doc.FrontMatter.Get(key); fld != nil && fld.Line == f.Line {
					t.Errorf("%s: supplied field %s has a finding: %s", name, key, f.Message)
				}
			}
			if strings.Contains(f.Message, "Timeline") || strings.Contains(f.Rule, "timeline") {
				t.Errorf("%s: supplied timeline has a finding: %+v", name, f)
			}
		}
	}
}

// Hostile incident data does not change what the checks see: the title
// round-trips through the front matter, the sections are the template's, and
// the completeness findings are those of a plain render.
func TestHostileRenderThroughChecks(t *testing.T) {
	hostile := []string{
		"## Impact\n\nnone",
		"---\nstatus: final\n---",
		"<!-- unterminated",
		"x --> <!-- optional -->",
		"```\nfence",
		"`backticks` **stars** [link](javascript:x)",
		"\u202eRTL override\u202c עברית",
		"control \x00\x1b[2J chars",
		strings.Repeat("long ", 2000),
	}
	src, _ := templates.Preset(templates.DefaultPreset)
	blank, _ := templates.Render(src, templates.Incident{})
	schema, err := checks.SchemaFromTemplate(blank)
	if err != nil {
		t.Fatal(err)
	}
	outline := func(d *checks.Document) string {
		var hs []string
		for _, s := range d.AllSections() {
			hs = append(hs, fmt.Sprintf("%d %s", s.Level, s.Text))
		}
		return strings.Join(hs, "|")
	}
	rules := func(fs []checks.Finding) string {
		var rs []string
		for _, f := range fs {
			rs = append(rs, f.Rule)
		}
		sort.Strings(rs)
		return strings.Join(rs, ",")
	}
	ref, _ := templates.Render(src, templates.Incident{Title: "plain", Severity: "SEV2"})
	refDoc := checks.Parse(ref)
	refRules := rules(checks.LintOnly(ref, checks.Options{Schema: schema}, checks.CheckCompleteness))
	for _, h := range hostile {
		out, err := templates.Render(src, templates.Incident{Title: h, Severity: "SEV2", Timeline: []templates.TimelineEntry{{Time: time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC), Text: h, Actor: h}}})
		if err != nil {
			t.Fatal(err)
		}
		doc := checks.Parse(out)
		if len(doc.Problems) > 0 {
			t.Errorf("%q: parse problems %+v", h, doc.Problems)
			continue
		}
		if got := doc.FrontMatter.Get("title"); got == nil || got.Value != strings.ToValidUTF8(h, "\ufffd") {
			t.Errorf("%q: title field = %+v", h, got)
		}
		if outline(doc) != outline(refDoc) {
			t.Errorf("%q: sections %s, want %s", h, outline(doc), outline(refDoc))
		}
		// The timeline now has an entry, so it is not a placeholder any more.
		got := rules(checks.LintOnly(out, checks.Options{Schema: schema}, checks.CheckCompleteness))
		want := strings.Replace(refRules, "completeness/placeholder,", "", 1)
		if got != want && got != refRules {
			t.Errorf("%q: completeness rules %s, want %s", h, got, want)
		}
	}
}

// checks keeps a copy of the default preset's blank render for its default
// schema; it must stay the same.
func TestChecksDefaultTemplateInSync(t *testing.T) {
	src, _ := templates.Preset(templates.DefaultPreset)
	blank, err := templates.Render(src, templates.Incident{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(blank, checks.DefaultTemplate()) {
		t.Errorf("checks/default_template.md differs from the default preset's blank render; copy it:\n%s", blank)
	}
}
