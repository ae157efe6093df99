package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"sort"
	"strings"
	"sync"
	"time"

	"github.com/postmortem-app/postmortem/app/buildinfo"
	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/blameless"
	"github.com/postmortem-app/postmortem/checks/report"
	"github.com/postmortem-app/postmortem/templates"
)

const lintUsage = `Usage: postmortem lint [flags] PATH...

Checks postmortems for completeness (against a template) and blameless
wording. PATH is a file, a directory (every *.md and *.markdown below it,
skipping hidden directories and node_modules) or - for standard input.

To lint an existing archive: --front-matter optional checks front matter
fields only where a document has them; 'postmortem template infer DIR'
prints a template of the archive's house style for --template; --summary
gives per-rule counts and the documents with the most findings.

Configuration: --config FILE, else .github/postmortem.yml at the root of the
git repository holding the current directory (the file the GitHub App reads),
else the defaults. The template that defines a complete postmortem is
--template, else the config's template, else the "default" preset; it may be a
preset name (%s) or a path to a template file.

Exit status: 0 no error-severity finding, 1 at least one, 2 usage or I/O
error (a PATH holding no Markdown file is one).

Flags:
`

// lintInput is one document to lint.
type lintInput struct {
	display string // path shown to the user
	repoRel string // path relative to the repository root, for SARIF/GitHub
	path    string // file to read; "" for stdin
}

// lintFlags are the parsed flags of one lint run.
type lintFlags struct {
	format      report.Format
	only        checks.Check
	configPath  string
	template    string
	color       bool
	frontMatter checks.FrontMatterMode
	summary     bool
	people      string // file of the people the incident involves
	gitAuthors  bool   // the repository's commit authors are people too
	paths       []string
}

func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "postmortem lint: "+format+"\n", a...)
		return 2
	}
	lf, code := parseLintFlags(args, stderr)
	if code >= 0 {
		return code
	}
	cwd, err := os.Getwd()
	if err != nil {
		return fail("%v", err)
	}
	root := repoRoot(cwd)
	opts, err := lintOptions(lf, cwd, root)
	if err != nil {
		return fail("%v", err)
	}
	inputs, err := collectInputs(lf.paths, cwd, root)
	if err != nil {
		return fail("%v", err)
	}
	files, err := lintAll(inputs, stdin, opts, lf.only)
	if err != nil {
		return fail("%v", err)
	}
	if lf.format == report.GitHub || lf.format == report.SARIF {
		for i := range files {
			files[i].Path = inputs[i].repoRel
		}
	}
	if lf.summary {
		err = report.WriteSummary(stdout, files, 10)
	} else {
		err = report.Write(stdout, lf.format, files, report.Options{Color: lf.color, ToolVersion: buildinfo.Get().Version})
	}
	if err != nil {
		return fail("writing output: %v", err)
	}
	if report.Count(files).Errors > 0 {
		return 1
	}
	return 0
}

// parseLintFlags parses lint's flags; a code of 0 or more means stop with
// that exit code (help, or a usage error already reported on stderr).
func parseLintFlags(args []string, stderr io.Writer) (lintFlags, int) {
	var lf lintFlags
	fl := flag.NewFlagSet("lint", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "output `format`: text, json, github or sarif")
	only := fl.String("only", "", "run only one `check`: completeness or blameless")
	fl.StringVar(&lf.configPath, "config", "", "configuration `file` (default: .github/postmortem.yml at the repository root, if any)")
	fl.StringVar(&lf.template, "template", "", "template `NAME|PATH` defining the required sections and fields")
	fl.BoolVar(&lf.color, "color", false, "colour the text output")
	frontMatter := fl.String("front-matter", "", "check front matter fields: `required` (every field of the template), optional (fields present) or off (default: the config's front_matter, else required)")
	fl.BoolVar(&lf.summary, "summary", false, "print per-rule counts and the documents with the most findings instead of every finding (text format)")
	fl.StringVar(&lf.people, "people", "", "`file` of the people the incident involves (\"@login Display Name\" lines, `git shortlog -sne` output or a JSON array of {login, name}): evidence for the blameless check that a word names a person")
	fl.BoolVar(&lf.gitAuthors, "git-authors", false, "take the people from the commit authors of the git repository holding the current directory too (git shortlog -sne -n HEAD), as evidence like --people")
	fl.Usage = func() {
		fmt.Fprintf(stderr, lintUsage, strings.Join(templates.Names(), ", "))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return lf, 0
		}
		return lf, 2
	}
	fail := func(format string, a ...any) (lintFlags, int) {
		fmt.Fprintf(stderr, "postmortem lint: "+format+"\n", a...)
		return lf, 2
	}
	var err error
	if lf.format, err = report.ParseFormat(*format); err != nil {
		return fail("%v", err)
	}
	if lf.summary && lf.format != report.Text {
		return fail("--summary prints text: use it without --format %s", *format)
	}
	if *frontMatter != "" {
		if lf.frontMatter, err = checks.ParseFrontMatterMode(*frontMatter); err != nil {
			return fail("--front-matter: %v", err)
		}
	}
	switch *only {
	case "":
	case string(checks.CheckCompleteness), string(checks.CheckBlameless):
		lf.only = checks.Check(*only)
	default:
		return fail("unknown check %q for --only (want completeness or blameless)", *only)
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(stderr, "postmortem lint: no PATH given (use - for standard input)")
		fl.Usage()
		return lf, 2
	}
	lf.paths = fl.Args()
	return lf, -1
}

// lintOptions builds the checks' options: the configuration file, the
// template (flag, else config, else the default preset) and the flags that
// override them.
func lintOptions(lf lintFlags, cwd, root string) (checks.Options, error) {
	cfg, cfgFile, err := loadConfig(lf.configPath, root)
	if err != nil {
		return checks.Options{}, err
	}
	tmplRef, tmplBase := templateRef(lf.template, cwd, cfg, cfgFile, root)
	schema, err := schemaFor(tmplRef, tmplBase)
	if err != nil {
		return checks.Options{}, err
	}
	opts := checks.Options{Schema: schema}
	if cfg != nil {
		opts = cfg.Options(schema)
	}
	if lf.frontMatter != "" {
		opts.FrontMatter = lf.frontMatter
	}
	if lf.people != "" {
		f, err := os.Open(lf.people)
		if err != nil {
			return checks.Options{}, err
		}
		people, err := blameless.ParsePeople(f)
		f.Close()
		if err != nil {
			return checks.Options{}, fmt.Errorf("%s: %v", lf.people, err)
		}
		opts.Blameless.People = append(opts.Blameless.People, people...)
	}
	if lf.gitAuthors {
		people, err := gitAuthors(root)
		if err != nil {
			return checks.Options{}, fmt.Errorf("--git-authors: %v", err)
		}
		opts.Blameless.People = append(opts.Blameless.People, people...)
	}
	return opts, nil
}

// gitAuthorsTimeout bounds the git shortlog of --git-authors.
const gitAuthorsTimeout = 30 * time.Second

// gitAuthors are the commit authors of the repository at root, the most
// prolific first (git shortlog -sne HEAD, read as --people reads it).
func gitAuthors(root string) ([]blameless.Person, error) {
	if root == "" {
		return nil, errors.New("no git repository holds the current directory")
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitAuthorsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-C", root, "shortlog", "-sne", "-n", "HEAD", "--")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git shortlog: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return blameless.ParsePeople(bytes.NewReader(out))
}

// loadConfig reads the configuration: the given file, else
// .github/postmortem.yml at the repository root when there is one. It
// returns a nil config when there is none.
func loadConfig(path, root string) (*checks.Config, string, error) {
	if path == "" && root != "" {
		p := filepath.Join(root, ".github", "postmortem.yml")
		if _, err := os.Stat(p); err == nil {
			path = p
		}
	}
	if path == "" {
		return nil, "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("config: %v", err)
	}
	cfg, err := checks.ParseConfig(data)
	if err != nil {
		return nil, "", fmt.Errorf("config %s: %v", path, err)
	}
	return cfg, path, nil
}

// templateRef picks the template: the flag (paths relative to the current
// directory), else the config's (paths relative to the repository root, or
// to the config file's directory outside a repository), else the default.
func templateRef(flagRef, cwd string, cfg *checks.Config, cfgFile, root string) (ref, base string) {
	if flagRef != "" || cfg == nil || cfg.Template == "" {
		return flagRef, cwd
	}
	if root != "" {
		return cfg.Template, root
	}
	return cfg.Template, filepath.Dir(cfgFile)
}

// resolveTemplate returns a template's source: a preset by name, else a file
// (relative paths against base).
func resolveTemplate(ref, base string) ([]byte, error) {
	if ref == "" {
		ref = templates.DefaultPreset
	}
	if src, ok := templates.Preset(ref); ok {
		return src, nil
	}
	p := ref
	if !filepath.IsAbs(p) && base != "" {
		p = filepath.Join(base, p)
	}
	src, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("template %q: not a preset (%s) and no such file", ref, strings.Join(templates.Names(), ", "))
		}
		return nil, fmt.Errorf("template: %v", err)
	}
	return src, nil
}

// schemaFor renders a template blank and derives its completeness schema.
func schemaFor(ref, base string) (*checks.Schema, error) {
	src, err := resolveTemplate(ref, base)
	if err != nil {
		return nil, err
	}
	blank, err := templates.Render(src, templates.Incident{})
	if err != nil {
		return nil, fmt.Errorf("template %s: %v", displayRef(ref), err)
	}
	schema, err := checks.SchemaFromTemplate(blank)
	if err != nil {
		return nil, fmt.Errorf("template %s: %v", displayRef(ref), err)
	}
	return schema, nil
}

func displayRef(ref string) string {
	if ref == "" {
		return templates.DefaultPreset
	}
	return ref
}

// repoRoot returns the nearest directory at or above dir holding .git, or "".
func repoRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// collectInputs expands the PATH arguments in order; a directory's files are
// sorted. A file named twice is linted once.
func collectInputs(args []string, cwd, root string) ([]lintInput, error) {
	var out []lintInput
	seen := map[string]bool{}
	add := func(p string) {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(cwd, p)
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		// SARIF and GitHub want paths relative to the repository root;
		// outside a repository, relative to the current directory, else
		// absolute.
		rel := filepath.ToSlash(abs)
		base := root
		if base == "" {
			base = cwd
		}
		if r, err := filepath.Rel(base, abs); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			rel = filepath.ToSlash(r)
		}
		out = append(out, lintInput{display: filepath.ToSlash(filepath.Clean(p)), repoRel: rel, path: p})
	}
	stdinUsed := false
	for _, arg := range args {
		if arg == "-" {
			if stdinUsed {
				continue
			}
			stdinUsed = true
			out = append(out, lintInput{display: "<stdin>", repoRel: "stdin.md"})
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file or directory", arg)
			}
			return nil, err
		}
		if !info.IsDir() {
			add(arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if p != arg && (strings.HasPrefix(name, ".") || name == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if isMarkdown(d.Name()) && d.Type().IsRegular() {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no Markdown files (*.md, *.markdown) in this directory or below it", arg)
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}

// lintAll reads and lints the inputs on a few goroutines; results keep the
// inputs' order.
func lintAll(inputs []lintInput, stdin io.Reader, opts checks.Options, only checks.Check) ([]report.File, error) {
	files := make([]report.File, len(inputs))
	errs := make([]error, len(inputs))
	lintOne := func(i int) {
		in := inputs[i]
		var src []byte
		var err error
		if in.path == "" {
			src, err = io.ReadAll(stdin)
		} else {
			src, err = os.ReadFile(in.path)
		}
		if err != nil {
			errs[i] = fmt.Errorf("%s: %v", in.display, unwrapPathError(err))
			return
		}
		var found []checks.Finding
		if only != "" {
			found = checks.LintOnly(src, opts, only)
		} else {
			found = checks.Lint(src, opts)
		}
		files[i] = report.File{Path: in.display, Source: src, Findings: found}
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > len(inputs) {
		workers = len(inputs)
	}
	if workers <= 1 {
		for i := range inputs {
			lintOne(i)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					lintOne(i)
				}
			}()
		}
		for i := range inputs {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isMarkdown: a file name lint and template infer read in a directory.
func isMarkdown(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".md") || strings.HasSuffix(n, ".markdown")
}
