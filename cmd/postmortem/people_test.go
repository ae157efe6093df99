package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// blamesMulder lints file for blameless wording alone and reports whether a
// finding puts “Mulder” at fault.
func blamesMulder(t *testing.T, args ...string) bool {
	t.Helper()
	code, out, errOut := runCmd(t, "", append([]string{"lint", "--only", "blameless", "--format", "json"}, args...)...)
	if code == 2 {
		t.Fatalf("lint %v: exit 2: %s", args, errOut)
	}
	for _, f := range decodeJSON(t, out) {
		if strings.Contains(f.Message, "“Mulder”") {
			return true
		}
	}
	return false
}

// The people a postmortem names are evidence that a word is a person: a
// surname alone is read as a thing ("Mulder deleted …" puts no one at
// fault) until --people names him, or --git-authors finds him among the
// repository's commit authors.
func TestLintPeopleAreEvidence(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	const pm = "# Outage\n\n## Root cause\n\nMulder deleted the staging bucket by mistake.\n"
	if err := os.WriteFile(filepath.Join(dir, "pm.md"), []byte(pm), 0o644); err != nil {
		t.Fatal(err)
	}
	if blamesMulder(t, "pm.md") {
		t.Fatal("Mulder is put at fault with no evidence that he is a person")
	}
	if err := os.WriteFile(filepath.Join(dir, "people.txt"), []byte("@fox Fox Mulder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !blamesMulder(t, "--people", "people.txt", "pm.md") {
		t.Error("--people names Fox Mulder, yet no finding puts Mulder at fault")
	}

	// --git-authors outside a repository is a usage error that says so
	code, _, errOut := runCmd(t, "", "lint", "--git-authors", "pm.md")
	if code != 2 || !strings.Contains(errOut, "no git repository holds the current directory") {
		t.Errorf("--git-authors outside a repository: exit %d, %q", code, errOut)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "pm.md")
	git("-c", "user.name=Fox Mulder", "-c", "user.email=fox@example.com", "commit", "-q", "-m", "Write the postmortem")
	if !blamesMulder(t, "--git-authors", "pm.md") {
		t.Error("Fox Mulder wrote a commit, yet with --git-authors no finding puts Mulder at fault")
	}
}
