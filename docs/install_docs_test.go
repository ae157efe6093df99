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
