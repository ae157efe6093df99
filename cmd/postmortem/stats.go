package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/postmortem-app/postmortem/checks/record"
)

const statsUsage = `Usage: postmortem stats DIR [--format text|json|markdown]

Reads an archive of postmortems (every *.md and *.markdown below DIR, but
README.md, index.md and templates) and prints its record: each postmortem's
date, severity, duration, time to detect and to resolve, follow-ups done,
and the statistics over them. json is postmortems/index.json
(schema/postmortem-index.v1.schema.json); markdown is the postmortems/README.md
the App keeps, with its Mermaid charts.

Flags:
`

// maxStatsFile bounds one file of the archive.
const maxStatsFile = 4 << 20

func runStats(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("stats", flag.ContinueOnError)
	format := fl.String("format", "text", "output `format`: text, json or markdown")
	var dirs []string
	// Flags may come before or after DIR.
	for {
		if code, ok := parseStatsFlags(fl, args, stderr); !ok {
			return code
		}
		if fl.NArg() == 0 {
			break
		}
		dirs = append(dirs, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(dirs) != 1 {
		fmt.Fprintln(stderr, "postmortem stats: give one DIR")
		fl.Usage()
		return 2
	}
	if *format != "text" && *format != "json" && *format != "markdown" {
		fmt.Fprintf(stderr, "postmortem stats: unknown format %q (text, json, markdown)\n", *format)
		return 2
	}
	entries, err := readArchive(dirs[0])
	if err != nil {
		fmt.Fprintf(stderr, "postmortem stats: %v\n", err)
		return 2
	}
	ix := record.Build(entries)
	out := ix.Text()
	switch *format {
	case "json":
		out = ix.JSON()
	case "markdown":
		out = ix.Markdown()
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "postmortem stats: %v\n", err)
		return 2
	}
	return 0
}

func parseStatsFlags(fl *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, statsUsage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// readArchive reads every postmortem below dir into its entry, paths
// relative to dir.
func readArchive(dir string) ([]record.Entry, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	var out []record.Entry
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name()[0] == '.' || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !record.IsPostmortem(d.Name()) {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Size() > maxStatsFile {
			return fmt.Errorf("%s: %d bytes, over the %d a postmortem may have", p, fi.Size(), maxStatsFile)
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, record.Read(filepath.ToSlash(rel), src))
		return nil
	})
	return out, err
}
