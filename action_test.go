package postmortem_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// action is action.yml, read strictly (an unknown key is an error).
type action struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    map[string]string
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
}

func readAction(t *testing.T) (action, []byte) {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, b
}

// TestActionDefinition checks action.yml's inputs, outputs and steps: a composite action that
// builds postmortem from its own checkout, lints the path and uploads the SARIF.
func TestActionDefinition(t *testing.T) {
	a, raw := readAction(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" {
		t.Fatalf("name %q description %q using %q", a.Name, a.Description, a.Runs.Using)
	}
	wantInputs := map[string]string{"path": "postmortems", "config": "", "template": "", "only": "", "upload": "true",
		"category": "postmortem", "fail-on-error": "true"}
	for name, def := range wantInputs {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("no input %q", name)
			continue
		}
		if in.Description == "" || in.Required || in.Default != def {
			t.Errorf("input %s: %+v, want optional with default %q and a description", name, in, def)
		}
	}
	if len(a.Inputs) != len(wantInputs) {
		t.Errorf("inputs %v, want %v", keys(a.Inputs), wantInputs)
	}
	// every input used is declared, every declared one used
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllSubmatch(raw, -1) {
		used[string(m[1])] = true
	}
	for name := range used {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("inputs.%s is used but not declared", name)
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}

	steps := map[string]actionStep{}
	var upload, lint *actionStep
	for i, s := range a.Runs.Steps {
		if s.ID != "" {
			steps[s.ID] = s
		}
		switch {
		case s.Uses != "":
			if !regexp.MustCompile(`^[\w-]+/[\w/-]+@(v\d+|[0-9a-f]{40})$`).MatchString(s.Uses) {
				t.Errorf("step %q uses %q: not pinned to a version", s.Name, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				upload = &a.Runs.Steps[i]
			}
		case s.Run != "":
			if s.Shell == "" {
				t.Errorf("step %q: a composite action's run step needs a shell", s.Name)
			}
			// inputs and outputs reach a script through env, never spliced into it
			if strings.Contains(s.Run, "${{") {
				t.Errorf("step %q splices an expression into its script", s.Name)
			}
			if s.ID == "lint" {
				lint = &a.Runs.Steps[i]
			}
		default:
			t.Errorf("step %q neither uses nor runs", s.Name)
		}
	}
	if lint == nil || upload == nil {
		t.Fatalf("steps %+v: want a lint step (id lint) and upload-sarif", a.Runs.Steps)
	}
	if upload.With["sarif_file"] != "${{ steps.lint.outputs.sarif-file }}" || upload.With["category"] != "${{ inputs.category }}" {
		t.Errorf("upload with %v", upload.With)
	}
	if !strings.Contains(upload.If, "inputs.upload == 'true'") {
		t.Errorf("upload runs if %q: not governed by the upload input", upload.If)
	}
	if !strings.Contains(lint.Run, "lint --format sarif") {
		t.Errorf("the lint step does not write SARIF:\n%s", lint.Run)
	}
	// outputs come from steps that set them
	for name, want := range map[string]string{"sarif-file": "lint", "exit-code": "lint"} {
		o, ok := a.Outputs[name]
		if !ok || o.Description == "" {
			t.Errorf("no output %s with a description", name)
			continue
		}
		if o.Value != "${{ steps."+want+".outputs."+name+" }}" {
			t.Errorf("output %s = %q", name, o.Value)
		}
		if !strings.Contains(steps[want].Run, `echo "`+name+`=`) || !strings.Contains(steps[want].Run, `>> "$GITHUB_OUTPUT"`) {
			t.Errorf("step %s does not set output %s", want, name)
		}
	}
	if len(a.Outputs) != 2 {
		t.Errorf("outputs %v", keys(a.Outputs))
	}
}

func keys[V any](m map[string]V) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// TestActionScripts runs the action's build and lint steps' scripts with bash as a runner
// would: the environment a runner gives (RUNNER_TEMP, GITHUB_OUTPUT, the step's env with the
// inputs), github.action_path being this checkout.
func TestActionScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	a, _ := readAction(t)
	var build, lint actionStep
	for _, s := range a.Runs.Steps {
		if s.Name == "Build postmortem" {
			build = s
		}
		if s.ID == "lint" {
			lint = s
		}
	}
	if build.WorkingDirectory != "${{ github.action_path }}" {
		t.Fatalf("build step %+v: want it to build in the action's checkout", build)
	}
	runner := t.TempDir()
	root, _ := os.Getwd()
	step := func(s actionStep, dir string, inputs map[string]string) (int, map[string]string, string) {
		t.Helper()
		out := filepath.Join(runner, "output")
		os.WriteFile(out, nil, 0o644)
		script := filepath.Join(runner, "step.sh")
		os.WriteFile(script, []byte(s.Run), 0o644)
		cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script) // a runner's `shell: bash`
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+runner, "GITHUB_OUTPUT="+out)
		for k, v := range s.Env {
			if m := regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`).FindStringSubmatch(v); m != nil {
				v = inputs[m[1]]
				if v == "" {
					v = a.Inputs[m[1]].Default
				}
			}
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		code := 0
		if x, ok := err.(*exec.ExitError); ok {
			code = x.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		outputs := map[string]string{}
		b, _ := os.ReadFile(out)
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				outputs[k] = v
			}
		}
		return code, outputs, log.String()
	}
	if code, _, log := step(build, root, nil); code != 0 {
		t.Fatalf("build step: exit %d\n%s", code, log)
	}

	// a draft with error-severity findings: SARIF with results, exit-code 1, the step itself passes
	// (the upload comes first; the last step fails the job)
	code, out, log := step(lint, root, map[string]string{"path": "examples/postmortem-draft.md"})
	if code != 0 || out["exit-code"] != "1" || out["sarif-file"] != filepath.Join(runner, "postmortem.sarif") {
		t.Fatalf("draft: step exit %d, outputs %v\n%s", code, out, log)
	}
	var sarif struct {
		Version string
		Runs    []struct{ Results []json.RawMessage }
	}
	b, _ := os.ReadFile(out["sarif-file"])
	if err := json.Unmarshal(b, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Fatalf("sarif %v: %s", err, b)
	}
	if !strings.Contains(log, "::error file=examples/postmortem-draft.md,line=") {
		t.Errorf("no workflow annotations in the log:\n%s", log)
	}
	// two paths, one check
	code, out, log = step(lint, root, map[string]string{"path": "examples/postmortem-good.md examples/postmortem-draft.md", "only": "completeness"})
	if code != 0 || out["exit-code"] != "1" {
		t.Fatalf("two paths: step exit %d, outputs %v\n%s", code, out, log)
	}
	code, out, log = step(lint, root, map[string]string{"path": "examples/postmortem-good.md"})
	if code != 0 || out["exit-code"] != "0" {
		t.Fatalf("good: step exit %d, outputs %v\n%s", code, out, log)
	}
	// a path that is not there fails the step; an input is data, never shell
	code, out, _ = step(lint, root, map[string]string{"path": "$(touch PWNED) no-such-dir"})
	if code != 2 || out["exit-code"] != "2" {
		t.Errorf("missing path: step exit %d, outputs %v", code, out)
	}
	if _, err := os.Stat(filepath.Join(root, "PWNED")); err == nil {
		os.Remove(filepath.Join(root, "PWNED"))
		t.Error("an input ran as shell")
	}
}
