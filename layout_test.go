package postmortem_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/postmortem-app/postmortem"

// allowed says which of the module's own packages a package may import. Imports
// flow one way: cmd → app → checks, templates. The simulator is a stand-in for
// GitHub and knows nothing of the App.
func allowed(from, to string) bool {
	top := func(p string) string { return strings.SplitN(p, "/", 2)[0] }
	switch {
	case from == to, strings.HasPrefix(to, from+"/"):
		return true // a package may use its own sub-packages
	case strings.HasPrefix(from, "checks/blameless"):
		return false // the blameless analyzer is a leaf
	case top(from) == "checks":
		return top(to) == "checks"
	case top(from) == "templates":
		return false
	case strings.HasPrefix(from, "app/githubsim"):
		return strings.HasPrefix(to, "app/githubsim")
	case top(from) == "app":
		return top(to) == "app" || top(to) == "checks" || top(to) == "templates"
	case top(from) == "cmd":
		return true
	}
	return top(to) == "checks" || top(to) == "templates" // e.g. examples, tools
}

// goGitHubAllowed: go-github types stay on the GitHub side.
func goGitHubAllowed(pkg string) bool {
	return strings.HasPrefix(pkg, "app") || strings.HasPrefix(pkg, "cmd")
}

func TestImportsFlowOneWay(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		// Tests may wire packages together (a templates test runs the checks on
		// a render); the rule is about what the shipped code depends on.
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/google/go-github/") && !goGitHubAllowed(pkg) {
				t.Errorf("%s imports %s: go-github types stay in app/", path, p)
			}
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			to := strings.TrimPrefix(p, module+"/")
			if !allowed(pkg, to) {
				t.Errorf("%s imports %s: imports flow cmd → app → checks, templates", path, to)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files found")
	}
}

// TestLayoutRuleCatchesViolations keeps the rule itself honest.
func TestLayoutRuleCatchesViolations(t *testing.T) {
	bad := [][2]string{
		{"checks", "app"}, {"checks", "templates"}, {"templates", "checks"},
		{"app", "cmd/postmortem"}, {"app/githubsim", "app"}, {"checks/blameless", "checks"},
	}
	for _, b := range bad {
		if allowed(b[0], b[1]) {
			t.Errorf("allowed(%q, %q) = true, want false", b[0], b[1])
		}
	}
	good := [][2]string{
		{"cmd/postmortem", "app"}, {"app", "checks"}, {"app", "templates"},
		{"app", "app/githubsim"}, {"checks", "checks/blameless"}, {"checks/report", "checks"},
	}
	for _, g := range good {
		if !allowed(g[0], g[1]) {
			t.Errorf("allowed(%q, %q) = false, want true", g[0], g[1])
		}
	}
	if goGitHubAllowed("checks") || goGitHubAllowed("templates") {
		t.Error("go-github must not be allowed in checks or templates")
	}
}
