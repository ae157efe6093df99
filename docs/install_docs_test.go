package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
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

// TestSimulatorSeedExample: the complete example of docs/simulator.md parses strictly, names
// every key of the seed, and seeds a simulator that serves what it says.
func TestSimulatorSeedExample(t *testing.T) {
	src := block(t, "simulator.md", "### A complete example", "yaml")
	seed, err := githubsim.ParseSeed([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// every yaml key of the seed's types appears in the example
	for _, typ := range []reflect.Type{reflect.TypeOf(githubsim.Seed{}), reflect.TypeOf(githubsim.SeedGitHub{}), reflect.TypeOf(githubsim.SeedToken{}),
		reflect.TypeOf(githubsim.SeedUser{}), reflect.TypeOf(githubsim.SeedOrg{}), reflect.TypeOf(githubsim.SeedMember{}), reflect.TypeOf(githubsim.SeedRepo{}),
		reflect.TypeOf(githubsim.SeedApp{}), reflect.TypeOf(githubsim.SeedInstallation{})} {
		for i := 0; i < typ.NumField(); i++ {
			key := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
			if key != "" && !regexp.MustCompile(`(?m)^[ #-]*`+regexp.QuoteMeta(key)+`:`).MatchString(src) {
				t.Errorf("the example lacks %s.%s", typ.Name(), key)
			}
		}
	}
	sim, err := githubsim.New(githubsim.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	defer sim.Close()
	if got, _ := sim.FileAt("acme/services", "main", ".github/postmortem.yml"); got != "incident_label: incident\n" {
		t.Errorf("seeded file: %q", got)
	}
	if len(sim.Apps()) != 1 || sim.Apps()[0].Slug != "postmortem" {
		t.Errorf("apps %+v", sim.Apps())
	}
}
