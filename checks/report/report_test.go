package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/blameless"
)

const draftSrc = "---\ntitle: x\n---\n# T\n\n## Root cause\n\nBob 😀 should have checked the config.\nAlice failed to notice.\n"

func sample() []File {
	return []File{
		{Path: "docs/a.md", Source: []byte(draftSrc), Findings: []checks.Finding{
			{Check: checks.CheckBlameless, Rule: "blameless/failed-to", Severity: checks.SeverityWarning,
				Line: 9, Column: 7, EndLine: 9, EndColumn: 15, Message: "\"failed to\" frames an outcome as a personal failing",
				Suggestion: "Describe what happened: \"the alert was not noticed\"."},
			{Check: checks.CheckBlameless, Rule: "blameless/counterfactual", Severity: checks.SeverityError,
				Line: 8, Column: 10, EndLine: 8, EndColumn: 25, Message: "counterfactual \"should have\"",
				Suggestion: "Say what the system allowed.", Replacement: "could"},
			{Check: checks.CheckCompleteness, Rule: "completeness/missing-section", Severity: checks.SeverityError,
				Line: 4, Column: 1, EndLine: 4, EndColumn: 3, Message: "required section \"Impact\" is missing"},
		}},
		{Path: "docs/clean.md"},
		{Path: "docs/b, c:d.md", Findings: []checks.Finding{
			{Check: checks.CheckCompleteness, Rule: "completeness/placeholder", Severity: checks.SeverityWarning,
				Line: 2, Column: 8, EndLine: 2, EndColumn: 11, Message: "100% placeholder\nstill \"TODO\"\r\n"},
		}},
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, sample(), false); err != nil {
		t.Fatal(err)
	}
	want := `docs/a.md:4:1: error completeness/missing-section: required section "Impact" is missing
docs/a.md:8:10: error blameless/counterfactual: counterfactual "should have"
    suggestion: Say what the system allowed.
docs/a.md:9:7: warning blameless/failed-to: "failed to" frames an outcome as a personal failing
    suggestion: Describe what happened: "the alert was not noticed".

docs/b, c:d.md:2:8: warning completeness/placeholder: 100% placeholder still "TODO"  

2 errors, 2 warnings in 2 files
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteText(&b, []File{{Path: "a.md"}, {Path: "b.md"}}, false); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no problems in 2 files\n" {
		t.Errorf("clean: %q", b.String())
	}

	b.Reset()
	one := sample()[:1]
	one[0].Findings = one[0].Findings[:1]
	WriteText(&b, one, true)
	if !strings.Contains(b.String(), "\x1b[33mwarning\x1b[0m") || !strings.HasSuffix(b.String(), "0 errors, 1 warning in 1 file\x1b[0m\n") {
		t.Errorf("colour: %q", b.String())
	}
	b.Reset()
	WriteText(&b, sample(), false)
	if strings.Contains(b.String(), "\x1b") {
		t.Error("colour without asking")
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d findings: %s", len(got), b.String())
	}
	first := got[0]
	for _, k := range []string{"file", "line", "column", "end_line", "end_column", "check", "rule", "severity", "message", "suggestion"} {
		if _, ok := first[k]; !ok {
			t.Errorf("missing key %q in %v", k, first)
		}
	}
	if first["file"] != "docs/a.md" || first["line"] != 4.0 || first["rule"] != "completeness/missing-section" || first["suggestion"] != "" {
		t.Errorf("first = %v", first)
	}
	if got[1]["replacement"] != "could" || got[1]["end_column"] != 25.0 || got[1]["check"] != "blameless" {
		t.Errorf("second = %v", got[1])
	}
	if got[3]["file"] != "docs/b, c:d.md" {
		t.Errorf("last = %v", got[3])
	}

	b.Reset()
	WriteJSON(&b, []File{{Path: "a.md"}})
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("clean = %q", b.String())
	}
	b.Reset()
	WriteJSON(&b, nil)
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("nil = %q", b.String())
	}
}

func TestGitHub(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGitHub(&b, sample()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	want := []string{
		`::error file=docs/a.md,line=4,col=1,endLine=4,endColumn=3,title=completeness/missing-section::required section "Impact" is missing`,
		`::error file=docs/a.md,line=8,col=10,endLine=8,endColumn=25,title=blameless/counterfactual::counterfactual "should have"%0A%0ASuggestion: Say what the system allowed.`,
		`::warning file=docs/a.md,line=9,col=7,endLine=9,endColumn=15,title=blameless/failed-to::"failed to" frames an outcome as a personal failing%0A%0ASuggestion: Describe what happened: "the alert was not noticed".`,
		`::warning file=docs/b%2C c%3Ad.md,line=2,col=8,endLine=2,endColumn=11,title=completeness/placeholder::100%25 placeholder%0Astill "TODO"%0D%0A`,
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	if got := escapeProperty("a%b\r\n:,"); got != "a%25b%0D%0A%3A%2C" {
		t.Errorf("escapeProperty = %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "text, json, github, sarif") {
		t.Errorf("ParseFormat(xml) err = %v", err)
	}
	var b bytes.Buffer
	if err := Write(&b, "xml", nil, Options{}); err == nil {
		t.Error("Write(xml): want error")
	}
}

func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, data)
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	s := sarifSchema(t)
	// The schema must be able to say no, or this test proves nothing.
	if err := s.Validate(map[string]any{"version": "2.1.0", "runs": []any{map[string]any{"tool": map[string]any{}}}}); err == nil {
		t.Fatal("schema accepted a run without tool.driver")
	}
	abs := []File{{Path: "/abs/a.md", Findings: []checks.Finding{{Rule: "r/x", Line: 1, Column: 1, Message: "m", Replacement: "y"}}}}
	for _, files := range [][]File{sample(), nil, {{Path: "clean.md"}}, abs} {
		var b bytes.Buffer
		if err := WriteSARIF(&b, files, Options{ToolVersion: "1.2.3"}); err != nil {
			t.Fatal(err)
		}
		validate(t, s, b.Bytes())
	}
}

type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, InformationURI, Version string
				Rules                         []struct {
					ID                   string `json:"id"`
					ShortDescription     struct{ Text string }
					Help                 struct{ Text, Markdown string }
					DefaultConfiguration struct{ Level string }
				}
			}
		}
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					}
					Region struct{ StartLine, StartColumn, EndLine, EndColumn int }
				}
			}
			PartialFingerprints map[string]string
			Fixes               []struct {
				ArtifactChanges []struct {
					Replacements []struct {
						DeletedRegion   struct{ StartLine, StartColumn, EndLine, EndColumn int }
						InsertedContent struct{ Text string }
					}
				}
			}
		}
	}
}

func decodeSARIF(t *testing.T, files []File, opts Options) sarifDoc {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSARIF(&b, files, opts); err != nil {
		t.Fatal(err)
	}
	var d sarifDoc
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSARIFContent(t *testing.T) {
	rules := []Rule{{ID: "blameless/counterfactual", Short: "Counterfactuals judge in hindsight", Full: "Phrases like should have...", HelpMarkdown: "**Why**: hindsight", Level: checks.SeverityWarning}}
	d := decodeSARIF(t, sample(), Options{ToolVersion: "1.2.3", Rules: rules})
	if d.Version != "2.1.0" || d.Schema == "" || len(d.Runs) != 1 {
		t.Fatalf("header: %+v", d)
	}
	run := d.Runs[0]
	drv := run.Tool.Driver
	if drv.Name != "postmortem" || drv.Version != "1.2.3" || drv.InformationURI != InformationURI {
		t.Errorf("driver: %+v", drv)
	}
	if len(drv.Rules) != 4 || drv.Rules[0].ID != "blameless/counterfactual" || drv.Rules[0].Help.Markdown != "**Why**: hindsight" || drv.Rules[0].DefaultConfiguration.Level != "warning" {
		t.Errorf("rules: %+v", drv.Rules)
	}
	if len(run.Results) != 4 {
		t.Fatalf("%d results", len(run.Results))
	}
	for _, r := range run.Results {
		if drv.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d points at %s, not %s", r.RuleIndex, drv.Rules[r.RuleIndex].ID, r.RuleID)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("uriBaseId %q", loc.ArtifactLocation.URIBaseID)
		}
		if len(r.PartialFingerprints[fingerprintKey]) != 32 {
			t.Errorf("fingerprint %v", r.PartialFingerprints)
		}
	}
	cf := run.Results[1]
	if cf.RuleID != "blameless/counterfactual" || cf.Level != "error" || !strings.Contains(cf.Message.Text, "Suggestion: Say what") {
		t.Errorf("counterfactual result: %+v", cf)
	}
	// "Bob 😀 should have": byte column 10 is "should"; the emoji before it
	// is 4 bytes but 2 UTF-16 code units, so the SARIF column is 8; the
	// inclusive byte end 25 becomes an exclusive UTF-16 end of 24.
	reg := cf.Locations[0].PhysicalLocation.Region
	if reg.StartLine != 8 || reg.StartColumn != 8 || reg.EndLine != 8 || reg.EndColumn != 24 {
		t.Errorf("region %+v", reg)
	}
	if len(cf.Fixes) != 1 || cf.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text != "could" ||
		cf.Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion != reg {
		t.Errorf("fixes: %+v", cf.Fixes)
	}
	if run.Results[0].Fixes != nil {
		t.Error("fix without a replacement")
	}
	// Without source, byte columns stay and the end becomes exclusive.
	last := run.Results[3].Locations[0].PhysicalLocation
	if last.ArtifactLocation.URI != "docs/b%2C%20c:d.md" || last.Region.StartColumn != 8 || last.Region.EndColumn != 12 {
		t.Errorf("last location: %+v", last)
	}
}

func TestSARIFFingerprintsSurviveLineShifts(t *testing.T) {
	files := sample()
	before := decodeSARIF(t, files, Options{})
	shifted := sample()
	shifted[0].Source = append([]byte("\n\n"), shifted[0].Source...)
	for i := range shifted[0].Findings {
		shifted[0].Findings[i].Line += 2
		shifted[0].Findings[i].EndLine += 2
	}
	after := decodeSARIF(t, shifted, Options{})
	seen := map[string]bool{}
	for i, r := range before.Runs[0].Results {
		fp := r.PartialFingerprints[fingerprintKey]
		if after.Runs[0].Results[i].PartialFingerprints[fingerprintKey] != fp {
			t.Errorf("result %d: fingerprint changed when lines shifted", i)
		}
		if seen[fp] {
			t.Errorf("duplicate fingerprint %s", fp)
		}
		seen[fp] = true
	}
	// Two identical findings in one file still get distinct fingerprints.
	dup := []File{{Path: "a.md", Findings: []checks.Finding{
		{Rule: "r/x", Line: 1, Column: 1, Message: "m"}, {Rule: "r/x", Line: 5, Column: 1, Message: "m"},
	}}}
	d := decodeSARIF(t, dup, Options{})
	if d.Runs[0].Results[0].PartialFingerprints[fingerprintKey] == d.Runs[0].Results[1].PartialFingerprints[fingerprintKey] {
		t.Error("identical findings share a fingerprint")
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{
		"blameless/hindsight-bias":   "HindsightBias",
		"completeness/missing-field": "MissingField",
		"x":                          "X",
	} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSARIFAbsolutePath(t *testing.T) {
	d := decodeSARIF(t, []File{{Path: "/tmp/x y/a.md", Findings: []checks.Finding{{Rule: "r/x", Line: 1, Column: 1, Message: "m"}}}}, Options{})
	loc := d.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation
	if loc.URI != "file:///tmp/x%20y/a.md" || loc.URIBaseID != "" {
		t.Errorf("absolute path location: %+v", loc)
	}
}

func TestKnownRulesCoverEveryRule(t *testing.T) {
	rules := KnownRules()
	ids := map[string]bool{}
	for _, r := range rules {
		if ids[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		ids[r.ID] = true
		if r.Short == "" || r.Help == "" || (r.Level != checks.SeverityError && r.Level != checks.SeverityWarning && r.Level != checks.SeverityNotice) {
			t.Errorf("rule %s: incomplete metadata %+v", r.ID, r)
		}
	}
	for _, r := range checks.CompletenessRules() {
		if !ids[r.ID] {
			t.Errorf("completeness rule %s missing", r.ID)
		}
	}
	for _, r := range blameless.Rules() {
		if !ids[r.ID] {
			t.Errorf("blameless rule %s missing", r.ID)
		}
	}
	// Findings of known rules point into the described table, and the log
	// with the full table still validates.
	d := decodeSARIF(t, []File{{Path: "a.md", Findings: []checks.Finding{{Rule: checks.RulePlaceholder, Severity: checks.SeverityError, Line: 1, Column: 1, Message: "m"}}}}, Options{})
	drv := d.Runs[0].Tool.Driver
	if len(drv.Rules) != len(rules) || drv.Rules[d.Runs[0].Results[0].RuleIndex].ID != checks.RulePlaceholder {
		t.Errorf("rules table %d entries, result index %d", len(drv.Rules), d.Runs[0].Results[0].RuleIndex)
	}
	var b bytes.Buffer
	WriteSARIF(&b, sample(), Options{})
	validate(t, sarifSchema(t), b.Bytes())
}

func BenchmarkWrite(b *testing.B) {
	var files []File
	for i := 0; i < 500; i++ {
		files = append(files, sample()...)
	}
	for _, f := range Formats() {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if err := Write(io.Discard, f, files, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
