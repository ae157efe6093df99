package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/templates"
)

// runCmd runs the command in-process and returns its exit code and output.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// examplesDir is resolved before any test changes directory.
var examplesDir, _ = filepath.Abs(filepath.Join("..", "..", "examples"))

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// workdir makes a temporary directory holding the examples and changes into
// it, so that no repository configuration around the test leaks in.
func workdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"postmortem-good.md", "postmortem-draft.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), readExample(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

type jsonFinding struct {
	File, Check, Rule, Severity, Message, Suggestion string
	Line, Column                                     int
	EndLine                                          int `json:"end_line"`
	EndColumn                                        int `json:"end_column"`
}

func decodeJSON(t *testing.T, s string) []jsonFinding {
	t.Helper()
	var fs []jsonFinding
	if err := json.Unmarshal([]byte(s), &fs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return fs
}

func TestLintGoodExamplePasses(t *testing.T) {
	workdir(t)
	code, out, errOut := runCmd(t, "", "lint", "postmortem-good.md")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	if out != "no problems in 1 file\n" {
		t.Errorf("good example has findings:\n%s", out)
	}
	code, out, _ = runCmd(t, "", "lint", "--format", "json", "postmortem-good.md")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("json: exit %d, %s", code, out)
	}
	code, out, _ = runCmd(t, "", "lint", "--format", "github", "postmortem-good.md")
	if code != 0 || out != "" {
		t.Errorf("github: exit %d, %q", code, out)
	}
}

func TestLintDraftExampleAllFormats(t *testing.T) {
	workdir(t)
	code, out, errOut := runCmd(t, "", "lint", "--format", "json", "postmortem-draft.md")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	fs := decodeJSON(t, out)
	byCheck := map[string]int{}
	errors := 0
	for _, f := range fs {
		byCheck[f.Check]++
		if f.File != "postmortem-draft.md" || f.Line < 1 || f.Column < 1 || f.EndLine < f.Line || !strings.Contains(f.Rule, "/") || f.Message == "" {
			t.Errorf("malformed finding %+v", f)
		}
		if f.Severity == "error" {
			errors++
		}
	}
	if byCheck["completeness"] == 0 || byCheck["blameless"] == 0 || errors == 0 {
		t.Fatalf("want findings of both checks and an error, got %v:\n%s", byCheck, out)
	}

	// Text: one "file:line:col: severity rule: message" line per finding, then the summary.
	code, text, _ := runCmd(t, "", "lint", "postmortem-draft.md")
	if code != 1 {
		t.Errorf("text: exit %d", code)
	}
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "postmortem-draft.md:") {
			lines++
		}
	}
	if lines != len(fs) {
		t.Errorf("text has %d finding lines, json %d:\n%s", lines, len(fs), text)
	}
	if !strings.Contains(text, " in 1 file\n") || strings.Contains(text, "\x1b") {
		t.Errorf("text summary/colour:\n%s", text)
	}
	first := fs[0]
	wantFirst := "postmortem-draft.md:" + itoa(first.Line) + ":" + itoa(first.Column) + ": " + first.Severity + " " + first.Rule + ": "
	if !strings.HasPrefix(text, wantFirst) {
		t.Errorf("text starts %q, want prefix %q", text[:min(len(text), 120)], wantFirst)
	}
	if _, colored, _ := runCmd(t, "", "lint", "--color", "postmortem-draft.md"); !strings.Contains(colored, "\x1b[31merror") {
		t.Errorf("--color: no colour:\n%s", colored)
	}

	// GitHub workflow commands: one per finding.
	code, gh, _ := runCmd(t, "", "lint", "--format", "github", "postmortem-draft.md")
	ghLines := strings.Split(strings.TrimSpace(gh), "\n")
	if code != 1 || len(ghLines) != len(fs) {
		t.Fatalf("github: exit %d, %d lines for %d findings:\n%s", code, len(ghLines), len(fs), gh)
	}
	for i, l := range ghLines {
		want := "::" + fs[i].Severity + " file=postmortem-draft.md,line=" + itoa(fs[i].Line) + ",col=" + itoa(fs[i].Column) + ","
		if !strings.HasPrefix(l, want) || !strings.Contains(l, ",title="+strings.ReplaceAll(fs[i].Rule, ":", "%3A")+"::") {
			t.Errorf("github line %d = %q, want prefix %q", i, l, want)
		}
	}

	// SARIF: the same results.
	code, sarif, _ := runCmd(t, "", "lint", "--format", "sarif", "postmortem-draft.md")
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(sarif), &log); err != nil {
		t.Fatalf("sarif: %v\n%s", err, sarif)
	}
	if code != 1 || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != len(fs) {
		t.Fatalf("sarif: exit %d\n%s", code, sarif)
	}
	for i, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		if r.RuleID != fs[i].Rule || r.Level != fs[i].Severity || loc.ArtifactLocation.URI != "postmortem-draft.md" || loc.Region.StartLine != fs[i].Line {
			t.Errorf("sarif result %d = %+v, want %+v", i, r, fs[i])
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLintOnly(t *testing.T) {
	workdir(t)
	for _, check := range []string{"completeness", "blameless"} {
		code, out, errOut := runCmd(t, "", "lint", "--format", "json", "--only", check, "postmortem-draft.md")
		if code != 1 {
			t.Errorf("--only %s: exit %d %s", check, code, errOut)
		}
		fs := decodeJSON(t, out)
		if len(fs) == 0 {
			t.Errorf("--only %s: no findings", check)
		}
		for _, f := range fs {
			if f.Check != check {
				t.Errorf("--only %s: got a %s finding", check, f.Check)
			}
		}
	}
}

func TestLintDirectoriesAndStdin(t *testing.T) {
	dir := workdir(t)
	good := readExample(t, "postmortem-good.md")
	for _, p := range []string{"pm/2026/a.md", "pm/b.MD", "pm/.drafts/hidden.md", "pm/node_modules/x/readme.md", "pm/notes.txt"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, good, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "pm", "c.md"), readExample(t, "postmortem-draft.md"), 0o644)
	code, out, errOut := runCmd(t, string(good), "lint", "--format", "json", "pm", "-", "pm/c.md")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	files := map[string]bool{}
	for _, f := range decodeJSON(t, out) {
		files[f.File] = true
	}
	if len(files) != 1 || !files["pm/c.md"] {
		t.Errorf("findings in %v, want only pm/c.md", files)
	}
	code, text, _ := runCmd(t, string(good), "lint", "pm", "-")
	// pm/2026/a.md, pm/b.MD, pm/c.md and stdin: hidden, node_modules and .txt skipped, c.md once.
	if code != 1 || !strings.Contains(text, " in 1 file\n") {
		t.Errorf("text: exit %d\n%s", code, text)
	}
	code, text, _ = runCmd(t, string(good), "lint", "-")
	if code != 0 || text != "no problems in 1 file\n" {
		t.Errorf("stdin good: exit %d %q", code, text)
	}
	code, out, _ = runCmd(t, string(readExample(t, "postmortem-draft.md")), "lint", "--format", "json", "-")
	if fs := decodeJSON(t, out); code != 1 || len(fs) == 0 || fs[0].File != "<stdin>" {
		t.Errorf("stdin draft: exit %d %s", code, out)
	}
}

func TestLintUsageAndIOErrors(t *testing.T) {
	dir := workdir(t)
	os.WriteFile(filepath.Join(dir, "bad.yml"), []byte("rules: [unclosed\n"), 0o644)
	unreadable := filepath.Join(dir, "unreadable.md")
	os.WriteFile(unreadable, []byte("x"), 0o000)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lint"}, "no PATH given"},
		{[]string{"lint", "missing.md"}, "missing.md: no such file or directory"},
		{[]string{"lint", "--format", "xml", "postmortem-good.md"}, `unknown format "xml"`},
		{[]string{"lint", "--only", "style", "postmortem-good.md"}, `unknown check "style"`},
		{[]string{"lint", "--bogus", "postmortem-good.md"}, "flag provided but not defined"},
		{[]string{"lint", "--config", "nope.yml", "postmortem-good.md"}, "nope.yml"},
		{[]string{"lint", "--config", "bad.yml", "postmortem-good.md"}, "config bad.yml: "},
		{[]string{"lint", "--template", "no-such-template", "postmortem-good.md"}, `template "no-such-template": not a preset`},
	} {
		code, out, errOut := runCmd(t, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, errOut, out, tc.want)
		}
	}
	if os.Getuid() != 0 { // root reads anything
		if code, _, errOut := runCmd(t, "", "lint", unreadable); code != 2 || !strings.Contains(errOut, "permission denied") {
			t.Errorf("unreadable: exit %d %q", code, errOut)
		}
	}
}

func TestLintTemplateAndConfig(t *testing.T) {
	dir := workdir(t)
	// A team template asking for one more section than the good example has.
	src, _ := templates.Preset("default")
	custom := strings.Replace(string(src), "## Follow-ups", "## Customer communication\n\nTODO\n\n## Follow-ups", 1)
	os.WriteFile(filepath.Join(dir, "team.md"), []byte(custom), 0o644)

	code, out, errOut := runCmd(t, "", "lint", "--template", "team.md", "--format", "json", "postmortem-good.md")
	if code != 1 {
		t.Fatalf("exit %d %s %s", code, out, errOut)
	}
	fs := decodeJSON(t, out)
	if len(fs) != 1 || fs[0].Check != "completeness" || !strings.Contains(fs[0].Message, "Customer communication") {
		t.Errorf("custom template findings: %+v", fs)
	}

	// The same template chosen by the repository's .github/postmortem.yml,
	// found from a subdirectory of the repository.
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.MkdirAll(filepath.Join(dir, ".github"), 0o755)
	os.WriteFile(filepath.Join(dir, ".github", "postmortem.yml"), []byte("template: team.md\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	t.Chdir(filepath.Join(dir, "sub"))
	code, out, errOut = runCmd(t, "", "lint", "--format", "sarif", "../postmortem-good.md")
	if code != 1 || !strings.Contains(out, "Customer communication") || !strings.Contains(out, `"uri": "postmortem-good.md"`) {
		t.Errorf("config template: exit %d %s\n%s", code, errOut, out)
	}
	// new uses the repository's template too.
	if code, out, errOut := runCmd(t, "", "new", "--title", "Disk full"); code != 0 || !strings.Contains(out, "## Customer communication") || !strings.Contains(out, "# Postmortem: Disk full\n") {
		t.Errorf("new with config template: exit %d %s\n%s", code, errOut, out)
	}
	// A broken config is a usage error for both commands.
	os.WriteFile(filepath.Join(dir, ".github", "postmortem.yml"), []byte("tempalte: team.md\n"), 0o644)
	for _, cmd := range []string{"lint", "new"} {
		args := []string{cmd}
		if cmd == "lint" {
			args = append(args, "../postmortem-good.md")
		}
		if code, _, errOut := runCmd(t, "", args...); code != 2 || !strings.Contains(errOut, "postmortem.yml") || !strings.Contains(errOut, "tempalte") {
			t.Errorf("%s with a misspelt config key: exit %d %q", cmd, code, errOut)
		}
	}
	os.WriteFile(filepath.Join(dir, ".github", "postmortem.yml"), []byte("template: team.md\n"), 0o644)
	// --template wins over the config.
	code, out, errOut = runCmd(t, "", "lint", "--template", "default", "../postmortem-good.md")
	if code != 0 {
		t.Errorf("--template default over config: exit %d %s%s", code, out, errOut)
	}
}

func TestNew(t *testing.T) {
	workdir(t)
	code, out, errOut := runCmd(t, "", "new")
	src, _ := templates.Preset("default")
	want, _ := templates.Render(src, templates.Incident{})
	if code != 0 || out != string(want) {
		t.Errorf("new: exit %d %s\n%s", code, errOut, out)
	}
	code, out, _ = runCmd(t, "", "new", "--template", "google-sre", "--title", "Disk full: <b>db-1</b>\n---", "--severity", "SEV1")
	if code != 0 || !strings.Contains(out, "title: \"Disk full: <b>db-1</b>\\n---\"\n") || !strings.Contains(out, "## Where we got lucky") || !strings.Contains(out, "severity: \"SEV1\"") {
		t.Errorf("new google-sre: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "", "new", "--list")
	if code != 0 || out != strings.Join(templates.Names(), "\n")+"\n" {
		t.Errorf("new --list: %q", out)
	}
	os.WriteFile("own.md", []byte("# {{.Title}}\n"), 0o644)
	if code, out, _ = runCmd(t, "", "new", "--template", "own.md", "--title", "a_b"); code != 0 || out != "# a\\_b\n" {
		t.Errorf("own template: %d %q", code, out)
	}
	os.WriteFile("broken.md", []byte("{{.Nope}}"), 0o644)
	for _, args := range [][]string{{"new", "--template", "nope"}, {"new", "--template", "broken.md"}, {"new", "extra"}} {
		if code, _, errOut := runCmd(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
	// A blank render is itself a postmortem the linter calls incomplete.
	_, blank, _ := runCmd(t, "", "new")
	os.WriteFile("blank.md", []byte(blank), 0o644)
	if code, out, _ := runCmd(t, "", "lint", "blank.md"); code != 1 {
		t.Errorf("blank render lints clean: %s", out)
	}
}

// TestBinaryOnExamples builds the real binary and runs it on the shipped examples.
func TestBinaryOnExamples(t *testing.T) {
	bin := buildBinary(t)
	examples := examplesDir
	for _, tc := range []struct {
		file string
		code int
	}{{"postmortem-good.md", 0}, {"postmortem-draft.md", 1}} {
		cmd := exec.Command(bin, "lint", filepath.Join(examples, tc.file))
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.file, code, tc.code, out)
		}
	}
	cmd := exec.Command(bin, "lint", "--format", "sarif", examples)
	cmd.Dir = t.TempDir()
	out, _ := cmd.Output()
	if !strings.Contains(string(out), `"version": "2.1.0"`) || !strings.Contains(string(out), "postmortem-draft.md") {
		t.Errorf("sarif over the examples directory:\n%s", out)
	}
}

// Warnings alone do not fail the run; --config severities apply.
func TestLintWarningsExitZero(t *testing.T) {
	dir := workdir(t)
	good := string(readExample(t, "postmortem-good.md"))
	// Swap two timeline entries: an out-of-order timeline is a warning.
	a := "- 2026-03-01 14:15 UTC — dashboards show database connection wait time above 5 s; database CPU is normal\n"
	b := "- 2026-03-01 14:40 UTC — @bob links the pool size change to the start of the errors\n"
	if !strings.Contains(good, a+b) {
		t.Fatal("example changed; update this test")
	}
	os.WriteFile(filepath.Join(dir, "warn.md"), []byte(strings.Replace(good, a+b, b+a, 1)), 0o644)
	code, out, errOut := runCmd(t, "", "lint", "warn.md")
	if code != 0 || !strings.Contains(out, ": warning completeness/timeline-order: ") || !strings.HasSuffix(out, "0 errors, 1 warning in 1 file\n") {
		t.Errorf("exit %d %s\n%s", code, errOut, out)
	}
	// The same finding raised to an error by configuration fails the run.
	os.WriteFile(filepath.Join(dir, "strict.yml"), []byte("completeness:\n  rules:\n    timeline-order: error\n"), 0o644)
	code, out, _ = runCmd(t, "", "lint", "--config", "strict.yml", "warn.md")
	if code != 1 || !strings.Contains(out, ": error completeness/timeline-order: ") {
		t.Errorf("strict config: exit %d\n%s", code, out)
	}
}
