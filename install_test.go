package postmortem_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLicense: the repository is Apache-2.0, the license's full text.
func TestLicense(t *testing.T) {
	b, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"9. Accepting Warranty or Additional Liability.", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(s, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
	if len(b) < 11000 {
		t.Errorf("LICENSE is %d bytes: not the full text", len(b))
	}
}

// secrets are files that must never be committed nor sent to an image build: the App's
// credentials and local databases, wherever they are.
var secrets = []string{"postmortem-app.env", "deploy/postmortem-app.env", "prod.env", "postmortem.db", "postmortem.db-wal",
	"postmortem.db-shm", "postmortem.db-migrate.lock", "data/queue.db", "app.pem"}

// TestGitignore asks git itself which paths it would ignore.
func TestGitignore(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	for _, p := range append(secrets, "bin/postmortem", "dist/SHA256SUMS") {
		if err := exec.Command(git, "check-ignore", "-q", "--no-index", p).Run(); err != nil {
			t.Errorf("git does not ignore %s: %v", p, err)
		}
	}
	for _, p := range []string{"app/githubsim/testdata/app-key.pem", "cmd/postmortem/main.go", "go.sum", "deploy/Dockerfile"} {
		if err := exec.Command(git, "check-ignore", "-q", "--no-index", p).Run(); err == nil {
			t.Errorf("git ignores %s", p)
		}
	}
}

// TestDockerignore: the build context (COPY . .) leaves out the git history, the credentials,
// local databases and local builds.
func TestDockerignore(t *testing.T) {
	f, err := os.Open(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	have := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			have[l] = true
		}
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "!") {
			t.Errorf("an exception %q: keep the context simple", sc.Text())
		}
	}
	for _, want := range []string{".git", "postmortem-app.env", "**/*.env", "**/postmortem.db*", "**/*.db", "bin/", "dist/"} {
		if !have[want] {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
}

// TestMakeRelease runs `make release` for the host platform only (the four platforms differ only
// in GOOS/GOARCH; `make -n` shows they are all built): a static, -trimpath binary with the version
// and commit stamped, and SHA256SUMS that match.
func TestMakeRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make not installed")
	}
	plan, err := exec.Command(mk, "-n", "release", "DIST="+t.TempDir()).CombinedOutput()
	if err != nil {
		t.Fatalf("make -n release: %v\n%s", err, plan)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"} {
		if !strings.Contains(string(plan), p) {
			t.Errorf("make release does not build %s:\n%s", p, plan)
		}
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	commit := strings.TrimSpace(string(head))
	dist := t.TempDir()
	host := runtime.GOOS + "/" + runtime.GOARCH
	out, err := exec.Command(mk, "-s", "release", "PLATFORMS="+host, "DIST="+dist, "VERSION=v1.2.3-test").CombinedOutput()
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
	name := "postmortem-v1.2.3-test-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dist, name)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatalf("%v (make said %s)", err, out)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x  %s\n", sha256.Sum256(b), name); string(sums) != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", sums, want)
	}
	v, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "postmortem v1.2.3-test (commit " + commit; !strings.HasPrefix(string(v), want) {
		t.Errorf("version %q, want %q…", v, want)
	}
	m, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-trimpath=true", "CGO_ENABLED=0"} {
		if !strings.Contains(string(m), want) {
			t.Errorf("built without %s:\n%s", want, m)
		}
	}
	if wd, _ := os.Getwd(); bytes.Contains(b, []byte(wd)) {
		t.Errorf("the binary holds the checkout's path %s (-trimpath)", wd)
	}
	t.Logf("%s: %.1f MB", name, float64(len(b))/1e6)
}
