package main

import (
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app"
)

// TestServeFlagsDocumented: every flag the real binary's `serve -h` lists, and every variable
// the App's configuration reads, is documented in docs/install.md (or docs/configuration.md),
// and `serve -h` names every variable. A new flag fails here until it is documented.
func TestServeFlagsDocumented(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "serve", "-h").CombinedOutput()
	if err != nil {
		t.Fatalf("serve -h: %v\n%s", err, out)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllSubmatch(out, -1) {
		flags = append(flags, string(m[1]))
	}
	if len(flags) < 10 {
		t.Fatalf("found only %v in:\n%s", flags, out)
	}
	// the variables: whatever ConfigFromEnv asks the environment for
	asked := map[string]bool{}
	app.ConfigFromEnv(func(k string) string { asked[k] = true; return "" })
	var vars []string
	for k := range asked {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	if len(vars) < 8 {
		t.Fatalf("variables %v", vars)
	}
	var docs string
	for _, f := range []string{"../../docs/install.md", "../../docs/configuration.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs += string(b)
	}
	for _, f := range flags {
		if !strings.Contains(docs, "`--"+f+"`") {
			t.Errorf("serve's flag --%s is not documented in docs/install.md", f)
		}
	}
	for _, v := range vars {
		if !strings.Contains(docs, "`"+v+"`") {
			t.Errorf("serve's variable %s is not documented in docs/install.md", v)
		}
		if !regexp.MustCompile(`\b` + v + `\b`).Match(out) {
			t.Errorf("serve -h does not name the variable %s", v)
		}
	}
	t.Logf("%d flags, %d variables", len(flags), len(vars))
}
