package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestInstallInstructionsExist: no install instruction points at a module version, a tag or an
// action ref that does not exist (`go install …@latest` with no tag, `rev: v0.1.0`, `uses:
// …@v1`). A version named must be a tag of this repository.
func TestInstallInstructionsExist(t *testing.T) {
	out, err := exec.Command("git", "tag", "--list").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	tags := map[string]bool{}
	for _, tag := range strings.Fields(string(out)) {
		tags[tag] = true
	}
	files := []string{"../README.md", "../.pre-commit-hooks.yaml", "../action.yml"}
	for _, g := range []string{"*.md", "examples/*"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	refs := []*regexp.Regexp{
		regexp.MustCompile("go (?:install|get) github\\.com/postmortem-app/postmortem[^@\\s`]*@([^\\s`]+)"),
		regexp.MustCompile(`(?m)^[#\s]*rev:\s*(\S+)`),
		regexp.MustCompile(`uses:\s*postmortem-app/postmortem@(\S+)`),
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range refs {
			for _, m := range re.FindAllSubmatch(b, -1) {
				ref := string(m[1])
				switch {
				case tags[ref]:
				case ref == "COMMIT_SHA", regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(ref):
					// a placeholder for, or, a commit
				default:
					t.Errorf("%s: %q names %s, which is not a tag of this repository", f, m[0], ref)
				}
			}
		}
	}
}

// TestRunbookRecoveryOrder: the runbook tells operators what the App repairs by itself (start-up
// redelivery, periodic resync) before any manual step, and redelivery by hand comes last.
func TestRunbookRecoveryOrder(t *testing.T) {
	b, err := os.ReadFile("runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	var at []int
	for _, h := range []string{"## Automatic recovery\n", "## Alerts\n", "## How to resync\n", "## Redelivering a webhook by hand\n"} {
		i := strings.Index(s, h)
		if i < 0 {
			t.Fatalf("runbook has no %q", h)
		}
		at = append(at, i)
	}
	for i := 1; i < len(at); i++ {
		if at[i] < at[i-1] {
			t.Errorf("runbook sections out of order: %v", at)
		}
	}
	auto := s[at[0]:at[1]]
	for _, want := range []string{"Start-up redelivery", "--redeliver", "Periodic resync", "--resync-interval"} {
		if !strings.Contains(auto, want) {
			t.Errorf("Automatic recovery does not mention %s", want)
		}
	}
	for _, h := range regexp.MustCompile(`(?m)^## .*$`).FindAllString(s[at[3]:], -1)[1:] {
		if strings.Contains(strings.ToLower(h), "redeliver") || strings.Contains(strings.ToLower(h), "resync") {
			t.Errorf("a recovery section %q after redelivery by hand", h)
		}
	}
}
