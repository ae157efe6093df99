package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/checks"
)

// TestNoticesAndExcerpts: a notice is shown as one in every format and never
// counted as a problem; JSON carries each finding's excerpt.
func TestNoticesAndExcerpts(t *testing.T) {
	src := []byte("# T\n\n## Details of the fix\n\nFreed space.\n")
	files := []File{{Path: "a.md", Source: src, Findings: []checks.Finding{
		{Check: checks.CheckCompleteness, Rule: checks.RuleSectionMatch, Severity: checks.SeverityNotice,
			Line: 3, Column: 1, EndLine: 3, EndColumn: 22, Message: "taken", Excerpt: "## Details of the fix"},
	}}}
	c := Count(files)
	if c.Errors+c.Warnings != 0 || c.Notices != 1 || c.Files != 0 || c.Summary(1) != "no problems in 1 file (1 notice)" {
		t.Errorf("counts %+v %q", c, c.Summary(1))
	}
	var b bytes.Buffer
	if err := Write(&b, GitHub, files, Options{}); err != nil || !strings.HasPrefix(b.String(), "::notice file=a.md,line=3") {
		t.Errorf("github: %q %v", b.String(), err)
	}
	b.Reset()
	if err := Write(&b, JSON, files, Options{}); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b.Bytes(), &out); err != nil || out[0]["excerpt"] != "## Details of the fix" || out[0]["severity"] != "notice" {
		t.Errorf("json: %s %v", b.String(), err)
	}
	d := decodeSARIF(t, files, Options{})
	if got := d.Runs[0].Results[0].Level; got != "note" {
		t.Errorf("sarif level %q", got)
	}
}
