package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/postmortem-app/postmortem/templates"
)

const newUsage = `Usage: postmortem new [--template NAME|PATH] [--title T] [--severity S]

Prints a blank postmortem rendered from a template: a preset (%s)
or a template file. Redirect it to a file and fill in every TODO.

Flags:
`

func runNew(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("new", flag.ContinueOnError)
	tmpl := fl.String("template", "", "template `NAME|PATH` (default: the template of .github/postmortem.yml at the repository root, else \"default\")")
	title := fl.String("title", "", "the incident's `title`")
	severity := fl.String("severity", "", "the incident's `severity`, e.g. SEV2")
	list := fl.Bool("list", false, "list the preset templates and exit")
	if code, ok := parseFlags(fl, args, fmt.Sprintf(newUsage, strings.Join(templates.Names(), ", ")), stderr); !ok {
		return code
	}
	if *list {
		for _, n := range templates.Names() {
			fmt.Fprintln(stdout, n)
		}
		return 0
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "postmortem new: %v\n", err)
		return 2
	}
	ref, base := *tmpl, cwd
	if ref == "" {
		root := repoRoot(cwd)
		cfg, cfgFile, err := loadConfig("", root)
		if err != nil {
			fmt.Fprintf(stderr, "postmortem new: %v\n", err)
			return 2
		}
		ref, base = templateRef("", cwd, cfg, cfgFile, root)
	}
	src, err := resolveTemplate(ref, base)
	if err != nil {
		fmt.Fprintf(stderr, "postmortem new: %v\n", err)
		return 2
	}
	out, err := templates.Render(src, templates.Incident{Title: *title, Severity: *severity})
	if err != nil {
		fmt.Fprintf(stderr, "postmortem new: template %s: %v\n", displayRef(ref), err)
		return 2
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "postmortem new: %v\n", err)
		return 2
	}
	return 0
}
