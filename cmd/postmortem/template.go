package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/postmortem-app/postmortem/checks"
)

const templateUsage = `Usage: postmortem template infer DIR...

Reads an archive of postmortems (every *.md and *.markdown below each DIR)
and prints a template of its house style: the sections at least a fifth of
the documents have, in their usual order, under the name most of them use,
with the other names as "aka" synonyms, optional where fewer than two
thirds have them; the front matter fields most documents share; owners optional when
most action items have none. Then

    postmortem lint --template inferred.md DIR

is green on a consistent archive and points at the outliers.

Flags:
`

func runTemplate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "infer" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, templateUsage)
			return 0
		}
		fmt.Fprint(stderr, templateUsage)
		return 2
	}
	fl := flag.NewFlagSet("template infer", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, templateUsage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "postmortem template infer: "+format+"\n", a...)
		return 2
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(stderr, "postmortem template infer: no DIR given")
		fl.Usage()
		return 2
	}
	cwd, err := os.Getwd()
	if err != nil {
		return fail("%v", err)
	}
	inputs, err := collectInputs(fl.Args(), cwd, repoRoot(cwd))
	if err != nil {
		return fail("%v", err)
	}
	var docs []*checks.Document
	for _, in := range inputs {
		var src []byte
		if in.path == "" {
			src, err = io.ReadAll(stdin)
		} else {
			src, err = os.ReadFile(in.path)
		}
		if err != nil {
			return fail("%s: %v", in.display, unwrapPathError(err))
		}
		docs = append(docs, checks.Parse(src))
	}
	inf := checks.Infer(docs)
	if _, err := stdout.Write(inf.Template()); err != nil {
		return fail("%v", err)
	}
	req := 0
	for _, s := range inf.Sections {
		if s.Required {
			req++
		}
	}
	fmt.Fprintf(stderr, "inferred from %d documents: %d sections (%d required), %d front matter fields\n",
		inf.Documents, len(inf.Sections), req, len(inf.Fields))
	if len(inf.Severities) > 0 && !sameSeverities(inf.Severities, checks.DefaultSeverities()) {
		fmt.Fprintf(stderr, "the archive's severities are not SEV1..SEV4: put them in .github/postmortem.yml:\n  severities: [%s]\n",
			strings.Join(inf.Severities, ", "))
	}
	return 0
}

// sameSeverities: every value seen is one of the allowed ones.
func sameSeverities(seen, allowed []string) bool {
	for _, v := range seen {
		ok := false
		for _, a := range allowed {
			if strings.EqualFold(strings.ReplaceAll(v, " ", ""), a) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
