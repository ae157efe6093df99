package postmortem_test

import (
	"bufio"
	"os"
	"os/exec"
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
