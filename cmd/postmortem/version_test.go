package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestVersion runs the real binary: `version` and `--version` say the module version and commit
// the toolchain stamped (as `go version -m` reads them), and SARIF's tool.driver.version is the
// same version. make release's stamped version is checked by TestMakeRelease.
func TestVersion(t *testing.T) {
	bin := buildBinary(t)
	m, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	modVersion := regexp.MustCompile(`(?m)^\s+mod\s+github.com/postmortem-app/postmortem\s+(\S+)`).FindSubmatch(m)
	if modVersion == nil {
		t.Fatalf("go version -m:\n%s", m)
	}
	want := "postmortem " + string(modVersion[1]) + " ("
	if rev := regexp.MustCompile(`(?m)^\s+build\s+vcs.revision=(\S+)`).FindSubmatch(m); rev != nil {
		want += "commit " + string(rev[1])
	}
	var first string
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		line := strings.TrimSpace(string(out))
		if !strings.HasPrefix(line, want) || !strings.HasSuffix(line, " "+runtime.GOOS+"/"+runtime.GOARCH+")") {
			t.Errorf("%s: %q, want it to start with %q", arg, line, want)
		}
		if first != "" && line != first {
			t.Errorf("version %q, --version %q", first, line)
		}
		first = line
	}
	if err := exec.Command(bin, "version", "extra").Run(); err == nil {
		t.Error("version took an argument")
	}
	out, _ := exec.Command(bin, "lint", "--format", "sarif", "../../examples/postmortem-draft.md").Output()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Name, Version string }
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("sarif: %v\n%s", err, out)
	}
	if d := log.Runs[0].Tool.Driver; d.Version != string(modVersion[1]) || d.Version == "dev" {
		t.Errorf("tool.driver %+v, want version %s", d, modVersion[1])
	}
}
