// Command postmortem is the postmortem GitHub App, its linter and its playground.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/postmortem-app/postmortem/app/buildinfo"
)

const usage = `postmortem: blameless postmortems in the pull-request workflow

Usage:
  postmortem playground [--keep]          play the whole story against a simulated GitHub
  postmortem lint [flags] PATH...         check postmortems for completeness and blameless wording
  postmortem new [--template NAME|PATH]   print a blank postmortem rendered from a template
  postmortem template infer DIR...        print a template of an archive's house style
  postmortem stats DIR [--format text|json|markdown]
                                          the record of an archive: index, times, charts
  postmortem serve [flags]                run the GitHub App
  postmortem register --webhook-url URL [--org ORG] [--github-url URL]
                                          register the GitHub App (manifest flow)
  postmortem githubsim --addr ADDR --seed FILE
                                          serve the simulated GitHub on its own
  postmortem version                      print the version and commit it was built from

Run 'postmortem COMMAND -h' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code:
// 0 success, 1 findings or failure, 2 usage or I/O error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	rest := args[1:]
	switch args[0] {
	case "lint":
		return runLint(rest, stdin, stdout, stderr)
	case "new":
		return runNew(rest, stdout, stderr)
	case "template":
		return runTemplate(rest, stdin, stdout, stderr)
	case "stats":
		return runStats(rest, stdout, stderr)
	case "serve":
		return runServe(rest, stdout, stderr)
	case "githubsim":
		return runGithubsim(rest, stdout, stderr)
	case "playground":
		return runPlayground(rest, stdout, stderr)
	case "register":
		return runRegister(rest, stdout, stderr)
	case "version", "--version", "-version":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "postmortem version: unexpected argument %q\n", rest[0])
			return 2
		}
		fmt.Fprintln(stdout, buildinfo.Get())
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "postmortem: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// parseFlags parses a subcommand's flags, which take no positional
// arguments, printing usage and then the flags' defaults for -h. When the
// command should stop it returns false and the exit code: 0 for -h, 2 for a
// usage error.
func parseFlags(fl *flag.FlagSet, args []string, usage string, stderr io.Writer) (int, bool) {
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, usage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "postmortem %s: unexpected argument %q\n", fl.Name(), fl.Arg(0))
		return 2, false
	}
	return 0, true
}
