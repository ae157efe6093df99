package postmortem_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/postmortem-app/postmortem"

// The house: imports flow one way.
//
//	cmd → app/playground → app, app/registration
//	    → app/webhook, app/flows, app/redeliver
//	    → app/queue, app/claims, app/ghclient
//	    → app/jobs, app/sqldb
//
// plus app/flows → checks, templates (its sub-packages render and
// repoconfig too), checks → checks/… and templates/safe (the leaf that
// runs a stranger's template in bounds), and nothing else: a package imports
// only layers below its own, never a sibling. The webhook knows the jobs
// only (the queue is a jobs.Enqueuer). The playground is the only package
// (tests aside) that imports the simulator. Packages under app/internal are
// test support: only tests import them.

// appLayers ranks the App's packages; a package may import only packages of
// a lower rank (and its own sub-packages).
var appLayers = map[string]int{
	"app/jobs": 0, "app/sqldb": 0, "app/clock": 0, "app/buildinfo": 0,
	"app/queue": 1, "app/claims": 1, "app/ghclient": 1, "app/watch": 1,
	"app/webhook": 2, "app/flows": 2, "app/redeliver": 2,
	"app": 3, "app/registration": 3,
	"app/playground": 4,
}

// appLayer is the rank of an App package: a sub-package has its parent's
// (app/flows/render is app/flows); ok is false for packages outside the
// ranked ones.
func appLayer(p string) (int, bool) {
	for q := p; q != "."; q = filepath.ToSlash(filepath.Dir(q)) {
		if r, ok := appLayers[q]; ok && (q != "app" || p == "app") {
			return r, true
		}
	}
	return 0, false
}

func top(p string) string { return strings.SplitN(p, "/", 2)[0] }

func within(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// allowed says whether the shipped (non-test) code of package from may
// import the module's package to.
func allowed(from, to string) bool {
	switch {
	case within(to, "app/internal") && !within(from, "app/internal"):
		return false // test support: tests only
	case from == to, from != "app" && strings.HasPrefix(to, from+"/"):
		return true // a package may use its own sub-packages (the rooms of app are ranked)
	case within(from, "app/internal"):
		return top(to) == "app" // test support may wire anything of the App
	case within(from, "checks/blameless/internal") && within(to, "checks/blameless/internal"):
		return true // the analyzer's generators share their helpers (vecgen → vocab)
	case within(from, "checks/blameless"):
		return false // the blameless analyzer is a leaf
	case top(from) == "checks":
		// templates/safe runs a stranger's text/template (the filename
		// pattern) in bounds; it imports nothing of the module.
		return top(to) == "checks" || to == "templates/safe"
	case from == "templates/safe":
		return false // a leaf: checks use it too
	case top(from) == "templates":
		return false
	case within(from, "app/githubsim"):
		return within(to, "app/githubsim")
	case within(to, "app/githubsim"):
		return from == "app/playground" // the serve path links no simulator
	case top(from) == "cmd":
		return true
	case top(from) == "app":
		return allowedInApp(from, to)
	}
	return top(to) == "checks" || top(to) == "templates" // e.g. examples, tools
}

func allowedInApp(from, to string) bool {
	if within(from, "app/webhook") {
		return to == "app/jobs"
	}
	if top(to) == "checks" || top(to) == "templates" {
		return within(from, "app/flows")
	}
	fr, ok1 := appLayer(from)
	tr, ok2 := appLayer(to)
	if within(from, "app/flows") && within(to, "app/flows") {
		// The flows' rooms: the flows use render and repoconfig; render
		// uses repoconfig.
		return to == "app/flows/repoconfig" || (from == "app/flows" && to == "app/flows/render")
	}
	return ok1 && ok2 && tr < fr
}

// goGitHubAllowed: go-github types stay on the GitHub side.
func goGitHubAllowed(pkg string) bool {
	return top(pkg) == "app" || top(pkg) == "cmd"
}

// importGraph is the module's packages and what their shipped code
// imports of the module; testImports what their tests import.
func importGraph(t *testing.T) (shipped, tests map[string]map[string]bool, files map[string][]string) {
	t.Helper()
	shipped, tests, files = map[string]map[string]bool{}, map[string]map[string]bool{}, map[string][]string{}
	fset := token.NewFileSet()
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
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		g := shipped
		if strings.HasSuffix(path, "_test.go") {
			g = tests
		} else {
			files[pkg] = append(files[pkg], path)
		}
		if g[pkg] == nil {
			g[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/google/go-github/") && g[pkg] != nil && !goGitHubAllowed(pkg) && !strings.HasSuffix(path, "_test.go") {
				t.Errorf("%s imports %s: go-github types stay in app/…", path, p)
			}
			if strings.HasPrefix(p, module+"/") {
				g[pkg][strings.TrimPrefix(p, module+"/")] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(shipped) == 0 {
		t.Fatal("no Go files found")
	}
	return shipped, tests, files
}

func TestImportsFlowOneWay(t *testing.T) {
	shipped, _, _ := importGraph(t)
	for from, imps := range shipped {
		for to := range imps {
			if !allowed(from, to) {
				t.Errorf("%s imports %s: imports flow cmd → app/playground → app, app/registration → app/webhook, app/flows, app/redeliver → app/queue, app/claims, app/ghclient → app/jobs, app/sqldb (app/flows → checks, templates)", from, to)
			}
		}
	}
}

// The serve path links no simulator: nothing the root app package needs,
// however indirectly, is the simulator.
func TestServeLinksNoSimulator(t *testing.T) {
	shipped, _, _ := importGraph(t)
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for q := range shipped[p] {
			visit(q)
		}
	}
	visit("app")
	if !seen["app/webhook"] || !seen["app/flows"] || !seen["app/queue"] {
		t.Fatalf("the root app package's dependencies look wrong: %v", seen)
	}
	for p := range seen {
		if within(p, "app/githubsim") {
			t.Errorf("the serve path (package app) links %s", p)
		}
	}
}

// Test support under app/internal is imported by tests only.
func TestTestSupportOnlyInTests(t *testing.T) {
	shipped, tests, _ := importGraph(t)
	for from, imps := range shipped {
		for to := range imps {
			if within(to, "app/internal") && !within(from, "app/internal") {
				t.Errorf("%s (shipped code) imports the test support %s", from, to)
			}
		}
	}
	used := false
	for _, imps := range tests {
		for to := range imps {
			used = used || within(to, "app/internal")
		}
	}
	if !used {
		t.Error("no test imports app/internal: the rule checks nothing")
	}
}

// longFunctionExemptions are functions allowed over maxFunctionLines, each
// with why; an exemption no longer needed fails the test, so the list
// only shrinks.
var longFunctionExemptions = map[string]string{}

const maxFunctionLines = 80

// No function of the App (the simulator aside) or of the command is over
// 80 lines: a long function is a room without doors.
func TestNoLongFunctions(t *testing.T) {
	_, _, files := importGraph(t)
	type fn struct {
		name  string
		lines int
	}
	var all []fn
	fset := token.NewFileSet()
	for pkg, paths := range files {
		if !(within(pkg, "app") || within(pkg, "cmd")) || within(pkg, "app/githubsim") {
			continue
		}
		for _, path := range paths {
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				all = append(all, fn{filepath.ToSlash(path) + ":" + fd.Name.Name, n})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].lines > all[j].lines })
	exempt := map[string]bool{}
	for _, f := range all {
		_, ok := longFunctionExemptions[f.name]
		switch {
		case ok && f.lines <= maxFunctionLines:
			t.Errorf("%s is %d lines now: remove its exemption", f.name, f.lines)
		case ok:
			exempt[f.name] = true
		case f.lines > maxFunctionLines:
			t.Errorf("%s is %d lines (at most %d)", f.name, f.lines, maxFunctionLines)
		}
	}
	for name := range longFunctionExemptions {
		found := false
		for _, f := range all {
			found = found || f.name == name
		}
		if !found {
			t.Errorf("exempted function %s is gone: remove its exemption", name)
		}
	}
	for i := 0; i < len(all) && i < 5; i++ {
		t.Logf("%4d lines  %s", all[i].lines, all[i].name)
	}
}

// TestLayoutRuleCatchesViolations keeps the rule itself honest.
func TestLayoutRuleCatchesViolations(t *testing.T) {
	bad := [][2]string{
		{"checks", "app"}, {"checks", "templates"}, {"templates", "checks"},
		{"app", "cmd/postmortem"}, {"app/githubsim", "app"}, {"checks/blameless", "checks"},
		{"app", "app/githubsim"}, {"app/flows", "app/githubsim"}, {"cmd/postmortem", "app/githubsim"},
		{"app/jobs", "app/queue"}, {"app/queue", "app/flows"}, {"app/queue", "app/ghclient"},
		{"app/claims", "app/queue"}, {"app/ghclient", "app/claims"}, {"app/webhook", "app/queue"},
		{"app/webhook", "app/sqldb"}, {"app/flows", "app/redeliver"}, {"app/flows", "app/webhook"},
		{"app/flows", "app"}, {"app/redeliver", "app/flows"}, {"app", "app/playground"},
		{"app", "app/registration"}, {"app/queue", "checks"}, {"app", "templates"},
		{"app/flows/render", "app/flows"}, {"app/flows/repoconfig", "app/flows/render"},
		{"app", "app/internal/flowtest"}, {"app/playground", "app/internal/dbtest"},
		{"app/clock", "app/sqldb"}, {"app/watch", "app/claims"}, {"app/webhook", "app/clock"},
	}
	for _, b := range bad {
		if allowed(b[0], b[1]) {
			t.Errorf("allowed(%q, %q) = true, want false", b[0], b[1])
		}
	}
	good := [][2]string{
		{"cmd/postmortem", "app"}, {"cmd/postmortem", "app/playground"}, {"cmd/postmortem", "app/registration"},
		{"app/playground", "app"}, {"app/playground", "app/githubsim"}, {"app", "app/webhook"},
		{"app", "app/flows"}, {"app", "app/redeliver"}, {"app", "app/queue"}, {"app", "app/sqldb"},
		{"app/webhook", "app/jobs"}, {"app/flows", "app/claims"}, {"app/flows", "app/jobs"},
		{"app/flows", "checks"}, {"app/flows", "templates"}, {"app/flows", "app/flows/render"},
		{"app/flows/render", "app/flows/repoconfig"}, {"app/flows/repoconfig", "checks"},
		{"app/redeliver", "app/sqldb"}, {"app/queue", "app/jobs"}, {"app/queue", "app/sqldb"},
		{"app/claims", "app/sqldb"}, {"app/internal/flowtest", "app/githubsim"},
		{"checks", "checks/blameless"}, {"checks/report", "checks"},
		{"app/flows", "app/clock"}, {"app/flows", "app/watch"}, {"app/watch", "app/sqldb"}, {"app", "app/clock"},
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
