// Package report writes lint findings in the formats people and CI systems
// read: plain text for terminals, JSON, GitHub Actions workflow commands and
// SARIF 2.1.0 for GitHub code scanning. It is pure: it formats what it is
// given and touches neither files nor the network.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/postmortem-app/postmortem/checks"
)

// File is the findings of one linted file.
type File struct {
	// Path is the file as the user should see it; slash-separated and
	// relative to the repository root for the SARIF and GitHub formats.
	Path string
	// Source is the file's content. Optional: when present, SARIF columns
	// are converted to UTF-16 code units and fingerprints use the flagged text.
	Source   []byte
	Findings []checks.Finding
}

// Format names an output format.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	GitHub Format = "github"
	SARIF  Format = "sarif"
)

// Formats lists the supported formats.
func Formats() []Format { return []Format{Text, JSON, GitHub, SARIF} }

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, 0, 4)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, strings.Join(names, ", "))
}

// Options tune the output.
type Options struct {
	// Color adds ANSI colours to the text format.
	Color bool
	// ToolVersion is the tool's version for SARIF (default "dev").
	ToolVersion string
	// Rules describes the rules for SARIF. When nil, KnownRules() is used;
	// rules seen in findings but not described get a minimal entry.
	Rules []Rule
}

// Write writes files' findings in the given format.
func Write(w io.Writer, format Format, files []File, opts Options) error {
	switch format {
	case Text:
		return WriteText(w, files, opts.Color)
	case JSON:
		return WriteJSON(w, files)
	case GitHub:
		return WriteGitHub(w, files)
	case SARIF:
		return WriteSARIF(w, files, opts)
	}
	_, err := ParseFormat(string(format))
	return err
}

// Counts tallies findings by severity.
type Counts struct {
	Errors, Warnings int
	// Notices are findings that need no change (a heading taken for a
	// section by similarity); they never fail a run.
	Notices int
	// Files is the number of files with at least one finding.
	Files int
}

// Count tallies the findings of files.
func Count(files []File) Counts {
	var c Counts
	for _, f := range files {
		if hasProblem(f.Findings) {
			c.Files++
		}
		for _, x := range f.Findings {
			switch x.Severity {
			case checks.SeverityError:
				c.Errors++
			case checks.SeverityNotice:
				c.Notices++
			default:
				c.Warnings++
			}
		}
	}
	return c
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Summary is the one-line summary the text format ends with, e.g.
// "3 errors, 2 warnings in 2 files" or "no problems in 4 files".
func (c Counts) Summary(checked int) string {
	notes := ""
	if c.Notices > 0 {
		notes = " (" + plural(c.Notices, "notice") + ")"
	}
	if c.Errors+c.Warnings == 0 {
		return "no problems in " + plural(checked, "file") + notes
	}
	return fmt.Sprintf("%s, %s in %s%s", plural(c.Errors, "error"), plural(c.Warnings, "warning"), plural(c.Files, "file"), notes)
}

// hasProblem: a finding other than a notice.
func hasProblem(fs []checks.Finding) bool {
	for _, x := range fs {
		if x.Severity != checks.SeverityNotice {
			return true
		}
	}
	return false
}

// sorted returns a file's findings ordered by position, then rule.
func sorted(fs []checks.Finding) []checks.Finding {
	out := append([]checks.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
	return out
}

// endOf returns a finding's inclusive end, defaulting to its start.
func endOf(f checks.Finding) (line, col int) {
	line, col = f.EndLine, f.EndColumn
	if line < f.Line || line == 0 {
		line = f.Line
	}
	if col == 0 || (line == f.Line && col < f.Column) {
		col = f.Column
	}
	return line, col
}

func startOf(f checks.Finding) (line, col int) {
	line, col = f.Line, f.Column
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	return line, col
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
)

// WriteText writes findings for a terminal, grouped by file:
//
//	path/to/file.md:12:5: warning blameless/counterfactual: message
//	    suggestion: a blameless rewording
//
// followed by a summary line. Colour only when color is true.
func WriteText(w io.Writer, files []File, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	first := true
	for _, f := range files {
		if len(f.Findings) == 0 {
			continue
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		for _, x := range sorted(f.Findings) {
			line, col := startOf(x)
			sev := paint(ansiYellow, string(checks.SeverityWarning))
			switch x.Severity {
			case checks.SeverityError:
				sev = paint(ansiRed, string(checks.SeverityError))
			case checks.SeverityNotice:
				sev = paint(ansiDim, string(checks.SeverityNotice))
			}
			fmt.Fprintf(&b, "%s: %s %s: %s\n", paint(ansiBold, fmt.Sprintf("%s:%d:%d", f.Path, line, col)), sev, x.Rule, oneLine(x.Message))
			if x.Suggestion != "" {
				fmt.Fprintf(&b, "    %s %s\n", paint(ansiDim, "suggestion:"), oneLine(x.Suggestion))
			}
		}
	}
	c := Count(files)
	if !first {
		b.WriteByte('\n')
	}
	summary := c.Summary(len(files))
	switch {
	case c.Errors > 0:
		summary = paint(ansiRed+ansiBold, summary)
	case c.Warnings > 0:
		summary = paint(ansiYellow+ansiBold, summary)
	default:
		summary = paint(ansiGreen, summary)
	}
	b.WriteString(summary + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps a message on its line: line breaks become spaces and other
// control characters (a hostile document's text can end up in a message)
// are dropped, so nothing can fake a finding line or move the cursor.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == 0x2028 || r == 0x2029:
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}
