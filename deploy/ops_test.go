package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// appMetrics are the metric names the App declares (Name: "postmortem_…" in app/*.go).
func appMetrics(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("../app/*.go")
	names := map[string]bool{}
	re := regexp.MustCompile(`Name:\s+"(postmortem_[a-z_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %v", names)
	}
	return names
}

// TestAlertsUseRealMetricsAndHaveRunbooks: every metric an alert uses exists, every alert has a
// runbook section its runbook_url points to, and the runbook documents every metric.
func TestAlertsUseRealMetricsAndHaveRunbooks(t *testing.T) {
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	b, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatal(err)
	}
	runbook, err := os.ReadFile("../docs/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	metrics := appMetrics(t)
	metricRE := regexp.MustCompile(`postmortem_[a-z_]+`)
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("incomplete rule %+v", r)
			}
			for _, m := range metricRE.FindAllString(r.Expr, -1) {
				base := m
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if !metrics[base] && strings.HasSuffix(base, suf) {
						base = strings.TrimSuffix(base, suf)
					}
				}
				if !metrics[base] {
					t.Errorf("%s uses %s, which the App does not export", r.Alert, m)
				}
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("%s: unbalanced parentheses in %q", r.Alert, r.Expr)
			}
			want := "docs/runbook.md#" + strings.ToLower(r.Alert)
			if !strings.HasSuffix(r.Annotations["runbook_url"], want) {
				t.Errorf("%s: runbook_url %q, want …%s", r.Alert, r.Annotations["runbook_url"], want)
			}
			if !bytes.Contains(runbook, []byte("\n### "+r.Alert+"\n")) {
				t.Errorf("docs/runbook.md has no section ### %s", r.Alert)
			}
		}
	}
	if n < 6 {
		t.Errorf("%d alerts", n)
	}
	var missing []string
	for m := range metrics {
		if !bytes.Contains(runbook, []byte("`"+m)) {
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/runbook.md does not document %v", missing)
	}
}

// TestCIExamples: the GitHub Actions example checks out the repository and runs this
// repository's action (action.yml, whose lint and upload steps action_test.go checks), pinned
// to a commit, with the permission the SARIF upload needs; the pre-commit hook runs the lint on
// Markdown files and is installable with `go install`.
func TestCIExamples(t *testing.T) {
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
	}
	b, err := os.ReadFile("../docs/examples/postmortem-lint.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Permissions["security-events"] != "write" {
		t.Error("the workflow cannot upload to code scanning without security-events: write")
	}
	if _, err := os.Stat("../action.yml"); err != nil {
		t.Fatal(err)
	}
	checkedOut, action := false, false
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			uses, _ := s["uses"].(string)
			switch {
			case strings.HasPrefix(uses, "actions/checkout@"):
				checkedOut = true
			case strings.HasPrefix(uses, "postmortem-app/postmortem@"):
				if !checkedOut {
					t.Error("the action runs before actions/checkout: it would lint nothing")
				}
				action = true
				if ref := strings.TrimPrefix(uses, "postmortem-app/postmortem@"); ref != "COMMIT_SHA" && !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(ref) {
					t.Errorf("the action is pinned to %q: no such tag exists; pin a commit", ref)
				}
				if with, _ := s["with"].(map[string]any); with["path"] == nil {
					t.Error("the action step does not say which path holds the postmortems")
				}
			}
		}
	}
	if !action {
		t.Error("the workflow does not use the repository's action (uses: postmortem-app/postmortem@…)")
	}

	var hooks []struct {
		ID       string   `yaml:"id"`
		Name     string   `yaml:"name"`
		Entry    string   `yaml:"entry"`
		Language string   `yaml:"language"`
		Types    []string `yaml:"types"`
		Files    string   `yaml:"files"`
	}
	b, err = os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "postmortem-lint" || hooks[0].Entry != "postmortem lint" || hooks[0].Language != "golang" {
		t.Fatalf("hooks %+v", hooks)
	}
	if _, err := regexp.Compile(hooks[0].Files); err != nil {
		t.Error(err)
	}
	// language: golang installs the repository's main packages; the binary must be "postmortem"
	if _, err := os.Stat("../cmd/postmortem/main.go"); err != nil {
		t.Error(err)
	}
}
