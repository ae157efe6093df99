package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// archiveDir is the real postmortems of issue 14.
var archiveDir, _ = filepath.Abs(filepath.Join("..", "..", "checks", "testdata", "postmortems"))

// TestLintNoMarkdownExits2: a PATH that holds no Markdown is a usage error,
// so a CI job pointed at the wrong directory fails instead of passing.
func TestLintNoMarkdownExits2(t *testing.T) {
	dir := workdir(t)
	os.MkdirAll(filepath.Join(dir, "empty", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "empty", "sub", "notes.txt"), []byte("x"), 0o644)
	for _, args := range [][]string{{"lint", "empty"}, {"template", "infer", "empty"}} {
		code, out, errOut := runCmd(t, "", args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "empty: no Markdown files (*.md, *.markdown) in this directory or below it") {
			t.Errorf("%v: exit %d %q %q", args, code, out, errOut)
		}
	}
	os.WriteFile(filepath.Join(dir, "empty", "a.markdown"), readExample(t, "postmortem-good.md"), 0o644)
	if code, out, errOut := runCmd(t, "", "lint", "empty"); code != 0 || out != "no problems in 1 file\n" {
		t.Errorf("a .markdown file: exit %d %q %q", code, out, errOut)
	}
}

func TestLintFrontMatterFlagAndSummary(t *testing.T) {
	dir := workdir(t)
	body := "# Outage\n\n## Summary\n\nDown.\n\n## Impact\n\nAll.\n\n## Timeline\n\n- 2026-03-01 10:00 UTC paged\n\n" +
		"## Root cause\n\nDisk.\n\n## Resolution\n\nFreed.\n\n## Follow-ups\n\n- [ ] Alert on disk (owner: @a)\n"
	os.WriteFile(filepath.Join(dir, "body.md"), []byte(body), 0o644)
	code, out, _ := runCmd(t, "", "lint", "--only", "completeness", "body.md")
	if code != 1 || strings.Count(out, "completeness/missing-field") != 7 {
		t.Errorf("required: exit %d\n%s", code, out)
	}
	for _, mode := range []string{"optional", "off"} {
		if code, out, errOut := runCmd(t, "", "lint", "--only", "completeness", "--front-matter", mode, "body.md"); code != 0 || out != "no problems in 1 file\n" {
			t.Errorf("%s: exit %d %q %q", mode, code, out, errOut)
		}
	}
	if code, _, errOut := runCmd(t, "", "lint", "--front-matter", "sometimes", "body.md"); code != 2 || !strings.Contains(errOut, "not required, optional or off") {
		t.Errorf("bad mode: %d %q", code, errOut)
	}
	// The config's front_matter, overridden by the flag.
	os.WriteFile(filepath.Join(dir, "pm.yml"), []byte("front_matter: optional\n"), 0o644)
	if code, _, _ := runCmd(t, "", "lint", "--only", "completeness", "--config", "pm.yml", "body.md"); code != 0 {
		t.Errorf("config front_matter optional: exit %d", code)
	}
	if code, _, _ := runCmd(t, "", "lint", "--only", "completeness", "--config", "pm.yml", "--front-matter", "required", "body.md"); code != 1 {
		t.Errorf("flag over config: exit %d", code)
	}
	code, out, _ = runCmd(t, "", "lint", "--summary", "--only", "completeness", ".")
	if code != 1 || !strings.Contains(out, "completeness/missing-field") || !strings.Contains(out, "worst documents\n") ||
		!strings.Contains(out, "body.md  (7 errors, 0 warnings)") || !strings.Contains(out, "per document\n") {
		t.Errorf("summary: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, "", "lint", "--summary", "--format", "json", "."); code != 2 || !strings.Contains(errOut, "--summary") {
		t.Errorf("summary json: %d %q", code, errOut)
	}
	// JSON findings carry their excerpt.
	_, out, _ = runCmd(t, "", "lint", "--format", "json", "--only", "completeness", "postmortem-draft.md")
	if !strings.Contains(out, `"excerpt": `) {
		t.Errorf("no excerpt in\n%s", out)
	}
}

// TestTemplateInferOnTheArchive: the real binary infers a template from the
// real archive, and lint with it stays at most one finding per document.
func TestTemplateInferOnTheArchive(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(archiveDir, "*.md"))
	if len(files) < 30 {
		t.Skipf("%d documents", len(files))
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	infer := exec.Command(bin, "template", "infer", archiveDir)
	infer.Dir = dir
	tmpl, err := infer.Output()
	if err != nil {
		t.Fatalf("infer: %v", err)
	}
	path := filepath.Join(dir, "inferred.md")
	os.WriteFile(path, tmpl, 0o644)
	lint := exec.Command(bin, "lint", "--template", path, "--front-matter", "optional", "--only", "completeness", "--summary", archiveDir)
	lint.Dir = dir
	out, _ := lint.Output()
	last := strings.TrimSpace(string(out))
	last = last[strings.LastIndex(last, "\n")+1:]
	var per float64
	if i := strings.Index(last, "; "); i < 0 || !strings.HasSuffix(last, " per document") {
		t.Fatalf("summary line %q", last)
	} else if _, err := fmtSscan(last[i+2:], &per); err != nil {
		t.Fatalf("summary line %q: %v", last, err)
	}
	if per > 1 {
		t.Errorf("%.2f findings per document with the inferred template:\n%s", per, out)
	}
}

func fmtSscan(s string, f *float64) (int, error) { return fmt.Sscan(strings.Fields(s)[0], f) }
