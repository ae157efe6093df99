package checks

import (
	"fmt"
	"strings"
	"testing"
)

// matchedHeadings lints a body-only document against the default template
// with the front matter off and returns, for each default section, the
// heading or label that was taken for it ("" when missing), plus the
// section-match notices.
func matchedHeadings(t *testing.T, body string, schema *Schema) (map[string]string, []string) {
	t.Helper()
	if schema == nil {
		schema = DefaultSchema()
	}
	d := Parse([]byte("# Outage\n\n" + body))
	got := map[string]string{}
	for i, m := range MatchSections(d, schema) {
		if m != nil {
			got[schema.Sections[i].Heading] = m.Text()
		}
	}
	var notes []string
	for _, f := range Completeness(d, Options{Schema: schema, FrontMatter: FrontMatterOff}) {
		if f.Rule == RuleSectionMatch {
			notes = append(notes, f.Message)
			if f.Severity != SeverityNotice {
				t.Errorf("section-match finding is %s, want notice", f.Severity)
			}
		}
	}
	return got, notes
}

func sectionsDoc(headings ...string) string {
	var b strings.Builder
	for _, h := range headings {
		if !strings.HasPrefix(h, "#") && !strings.HasPrefix(h, "*") && !strings.HasPrefix(h, "-") {
			h = "## " + h
		}
		fmt.Fprintf(&b, "%s\n\nSome text about it.\n\n", h)
	}
	return b.String()
}

// TestHeadingVariantFamilies: one case per family of real heading variants
// (issue 14), each against the default template.
func TestHeadingVariantFamilies(t *testing.T) {
	cases := []struct {
		family  string
		heading string
		want    string // default template section it must be taken as
	}{
		{"parenthesised qualifier", "Timeline (UTC)", "Timeline"},
		{"parenthesised qualifier", "Timeline (times in BST)", "Timeline"},
		{"parenthesised qualifier", "Timeline [all times PDT]", "Timeline"},
		{"leading filler word", "Issue Summary", "Summary"},
		{"leading filler word", "Incident Timeline", "Timeline"},
		{"leading filler word", "The Root Cause", "Root cause"},
		{"punctuation and numbering", "3. Root Cause:", "Root cause"},
		{"punctuation and numbering", "🔥 Follow-ups!", "Follow-ups"},
		{"singular and plural", "Root Causes", "Root cause"},
		{"singular and plural", "Action Item", "Follow-ups"},
		{"singular and plural", "Followup", "Follow-ups"},
		{"of the outage", "Root cause of the outage", "Root cause"},
		{"of the outage", "Impact on users", "Impact"},
		{"of the outage", "Summary of the incident", "Summary"},
		{"compound", "Severity & Impact", "Impact"},
		{"compound", "Resolution and recovery", "Resolution"},
		{"compound", "Mitigation / Recovery", "Resolution"},
		{"synonym", "Corrective and Preventative Measures", "Follow-ups"},
		{"synonym", "What was impacted", "Impact"},
		{"synonym", "What we're doing about it", "Follow-ups"},
		{"synonym", "Contributing factors", "Root cause"},
		{"synonym", "Chronology", "Timeline"},
		{"synonym", "What happened", "Summary"},
	}
	for _, c := range cases {
		got, notes := matchedHeadings(t, sectionsDoc(c.heading), nil)
		if got[c.want] != c.heading {
			t.Errorf("%s: %q taken as %v, want %q", c.family, c.heading, got, c.want)
		}
		if len(notes) > 0 {
			t.Errorf("%s: %q: a name match must be silent, got %q", c.family, c.heading, notes)
		}
	}
}

// TestHeadingSimilarAnnounced: the similarity fallback takes a heading for
// a section only with a notice that says so.
func TestHeadingSimilarAnnounced(t *testing.T) {
	cases := []struct{ heading, want, note string }{
		{"Details of the fix", "Resolution", `heading "Details of the fix" taken as the "Resolution" section (its words suggest it)`},
		{"How users were affected", "Impact", `heading "How users were affected" taken as the "Impact" section (its words suggest it)`},
		{"Timline", "Timeline", `heading "Timline" taken as the "Timeline" section (a likely misspelling)`},
		{"Root casue", "Root cause", `heading "Root casue" taken as the "Root cause" section (a likely misspelling)`},
		{"Our response", "Resolution", `heading "Our response" taken as the "Resolution" section (its words suggest it)`},
	}
	for _, c := range cases {
		got, notes := matchedHeadings(t, sectionsDoc(c.heading), nil)
		if got[c.want] != c.heading {
			t.Errorf("%q taken as %v, want %q", c.heading, got, c.want)
		}
		if len(notes) != 1 || notes[0] != c.note {
			t.Errorf("%q: notices %q, want %q", c.heading, notes, c.note)
		}
	}
}

// TestHeadingNotTaken: headings that must not be taken for a section.
func TestHeadingNotTaken(t *testing.T) {
	cases := []struct{ heading, section string }{
		{"Background", "Summary"},
		{"Customer communication", "Impact"},
		{"Appendix", "Root cause"},
		{"Use case", "Root cause"},
		{"Questions and answers", "Follow-ups"},
		// words for two sections at once: ambiguous, left alone
		{"How we fixed the root cause", "Resolution"},
	}
	for _, c := range cases {
		got, notes := matchedHeadings(t, sectionsDoc(c.heading), nil)
		if got[c.section] != "" {
			t.Errorf("%q taken as %q (notices %q)", c.heading, c.section, notes)
		}
	}
}

// TestHeadingNested: a heading nested under a section that matched another
// template section is not taken by a weaker match, and subsections' content
// counts for their parent.
func TestHeadingNested(t *testing.T) {
	body := "## Lessons learned\n\n### What went wrong\n\nAlerts were noisy.\n\n### Where we got lucky\n\nIt was a Tuesday.\n\n" +
		"## Timeline\n\n### 2023-07-20\n\n- 10:00 paged\n"
	got, _ := matchedHeadings(t, body, nil)
	if got["Root cause"] != "" {
		t.Errorf("a lessons subsection was taken as Root cause: %v", got)
	}
	d := Parse([]byte("# T\n\n" + body))
	for _, f := range Completeness(d, Options{FrontMatter: FrontMatterOff}) {
		if f.Rule == RuleEmptySection {
			t.Errorf("section with content only in subsections reported empty: %s", f.Message)
		}
	}
}

// TestHeadingAka: a template's "aka:" names are matched silently, and take
// precedence over the built-in synonyms of other sections.
func TestHeadingAka(t *testing.T) {
	tmpl := "# T\n\n## Summary\n\nTODO\n\n## Root cause <!-- aka: Cause, What went wrong, Contributing factors -->\n\nTODO\n\n" +
		"## Remediation\n<!-- aka: Things we will change -->\n\nTODO\n"
	sc, err := SchemaFromTemplate([]byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Sections[1].Aka; len(got) != 3 || got[1] != "What went wrong" {
		t.Errorf("aka = %q", got)
	}
	if sc.Sections[2].Guidance != "" {
		t.Errorf("an aka comment is not guidance: %q", sc.Sections[2].Guidance)
	}
	got, notes := matchedHeadings(t, sectionsDoc("Overview", "What went wrong", "Things we will change"), sc)
	if got["Root cause"] != "What went wrong" || got["Remediation"] != "Things we will change" || got["Summary"] != "Overview" || len(notes) > 0 {
		t.Errorf("got %v, notices %q", got, notes)
	}
}

// TestHeadingLabels: bold labels name sections the way headings do.
func TestHeadingLabels(t *testing.T) {
	body := "**Summary**: the site was down.\n\n**Impact:** every user.\n\n- **Root Causes**: a full disk.\n- **Trigger**: a log storm.\n\n" +
		"**Timeline**\n\n- 10:00 paged\n\n**Resolution**:\n\n**Follow-ups**: none yet. **Bold** words in a sentence are no label.\n"
	got, _ := matchedHeadings(t, body, nil)
	for _, s := range []string{"Summary", "Impact", "Root cause", "Timeline", "Resolution", "Follow-ups"} {
		if got[s] == "" {
			t.Errorf("%s not found among labels: %v", s, got)
		}
	}
	d := Parse([]byte("# T\n\n" + body))
	var empty []string
	for _, f := range Completeness(d, Options{FrontMatter: FrontMatterOff}) {
		if f.Rule == RuleEmptySection || f.Rule == RuleMissingSection {
			empty = append(empty, f.Message)
		}
	}
	if len(empty) != 1 || !strings.Contains(empty[0], `"Resolution" part is empty`) {
		t.Errorf("empty/missing: %q", empty)
	}
	if d2 := Parse([]byte("# T\n\nWe saw **very** high load: the disk filled.\n")); len(d2.Labels) != 0 {
		t.Errorf("emphasis inside a sentence taken as a label: %+v", d2.Labels)
	}
}

func TestCanonWords(t *testing.T) {
	cases := map[string]string{
		"Timeline (times in BST)":   "timeline",
		"Severity & Impact":         "severity and impact",
		"Issue Summary":             "summary",
		"Lessons Learned":           "lesson learned",
		"Root causes of the outage": "root cause of the outage",
		"Analysis":                  "analysis",
		"Status":                    "status",
		"Remedies":                  "remedy",
		"(UTC)":                     "utc",
		"Incident":                  "incident",
	}
	for in, want := range cases {
		if got := strings.Join(canonWords(in), " "); got != want {
			t.Errorf("canonWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{{"timeline", "timline", 1}, {"rootcause", "rootcasue", 1}, {"abc", "abc", 0}, {"summary", "overview", 3}}
	for _, c := range cases {
		if got := editDistance(c.a, c.b, 2); got != min(c.d, 3) {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
