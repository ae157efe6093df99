package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// promtool is Prometheus's promtool: on PATH or in $HOME/go/bin (.ci/run extracts it there from
// Debian's prometheus package). Missing, the test skips loudly, and fails under CI=true.
func promtool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, "go", "bin", "promtool"); fileExists(p) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("promtool is not installed (.ci/run extracts it from Debian's prometheus package)")
	}
	t.Skip("!!! promtool not found on PATH or in $HOME/go/bin: THE ALERTING RULES ARE NOT CHECKED; " +
		"install it: apt-get install prometheus (or go install github.com/prometheus/prometheus/cmd/promtool) !!!")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestAlertingRulesWithPromtool: promtool accepts the rules, and their unit tests pass
// (prometheus/alerts_test.yml): a replica down, every pod gone (absent), the follow-ups overdue
// for a day firing and clearing once they are closed, a queue backlog.
func TestAlertingRulesWithPromtool(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = "prometheus"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestDownAlertsMatchTheScrape: the alerts for a replica down and for every replica gone select
// up{} as the Deployment is scraped: its pod annotations (prometheus.io/scrape on the metrics
// port) by the kubernetes-pods job, its pod label mapped to app_kubernetes_io_name.
func TestDownAlertsMatchTheScrape(t *testing.T) {
	var dep struct {
		Spec struct {
			Template struct {
				Metadata struct {
					Labels      map[string]string `yaml:"labels"`
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"metadata"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	b, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &dep); err != nil {
		t.Fatal(err)
	}
	md := dep.Spec.Template.Metadata
	if md.Annotations["prometheus.io/scrape"] != "true" || md.Annotations["prometheus.io/port"] != "9090" {
		t.Fatalf("the pods are not scraped on the metrics port: %v", md.Annotations)
	}
	want := `up{job="kubernetes-pods", app_kubernetes_io_name="` + md.Labels["app.kubernetes.io/name"] + `"}`
	rules, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, alert := range []string{"PostmortemDown", "PostmortemAllDown"} {
		m := regexp.MustCompile(`alert: ` + alert + `\n\s+expr: (.*)\n`).FindSubmatch(rules)
		if m == nil {
			t.Errorf("no alert %s", alert)
			continue
		}
		if !strings.Contains(string(m[1]), want) {
			t.Errorf("%s: %s does not select %s", alert, m[1], want)
		}
	}
}
