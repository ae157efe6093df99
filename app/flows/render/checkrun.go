package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/checks"
)

// File is one postmortem a pull request adds or changes, as the checks
// read it. Its source is not kept (see NewFile).
type File struct {
	Path     string
	Patch    string // the pull request's diff of the file
	Added    bool   // new in the pull request: every line may be commented
	Findings []checks.Finding
	// suggestions are the review's suggested rewordings of this file
	// (Suggestions), worked out from the source by NewFile.
	suggestions []Suggestion
}

// NewFile is a checked file: its findings, and the suggested rewordings
// worked out from src (the lines they rewrite), so src itself is not held
// while the check runs and the review are written (issue 13: a run over
// many megabyte files held every one of them to its end).
func NewFile(path string, src []byte, patch string, added bool, findings []checks.Finding) *File {
	f := &File{Path: path, Patch: patch, Added: added, Findings: findings}
	f.suggestions = suggestionsOf(f, src)
	return f
}

// CheckRunOutput is a completed check run as the App writes it.
type CheckRunOutput struct {
	Conclusion string // success, failure, neutral
	Title      string
	Summary    string
	// Annotations are the findings', errors first then in file order, at
	// most MaxAnnotations (one request's worth).
	Annotations []*github.CheckRunAnnotation
	// Unannotated counts the findings past MaxAnnotations (the summary
	// says how many).
	Unannotated      int
	Errors, Warnings int
	// Notices are information that needs no change (a heading taken for a
	// section by similarity): annotated at GitHub's notice level, never
	// counted as a warning nor in the title, never failing.
	Notices int
}

// CheckRun is the check run of check over files: a conclusion by the
// default policy, a title counting the findings, a summary with a table of
// the first 100 of them and one annotation per finding up to
// MaxAnnotations (errors first; the summary counts the rest).
func CheckRun(check checks.Check, files []*File) CheckRunOutput {
	var out CheckRunOutput
	type row struct {
		file string
		f    checks.Finding
	}
	var rows []row
	for _, cf := range files {
		for _, fd := range cf.Findings {
			if fd.Check != check {
				continue
			}
			rows = append(rows, row{cf.Path, fd})
			switch fd.Severity {
			case checks.SeverityError:
				out.Errors++
			case checks.SeverityNotice:
				out.Notices++
			default:
				out.Warnings++
			}
			out.Annotations = append(out.Annotations, annotation(cf.Path, fd))
		}
	}
	out.Annotations, out.Unannotated = capAnnotations(out.Annotations)
	out.Conclusion = conclusion(check, out.Errors, out.Warnings)
	out.Title = "No problems found"
	if out.Errors+out.Warnings > 0 {
		out.Title = CountText(out.Errors, out.Warnings)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "**%s** in %s", out.Title, Plural(len(files), "postmortem", "postmortems"))
	if out.Notices > 0 {
		fmt.Fprintf(&sb, " (%s)", Plural(out.Notices, "notice", "notices"))
	}
	sb.WriteString(": ")
	switch check {
	case checks.CheckCompleteness:
		if out.Errors > 0 {
			sb.WriteString("some required parts are missing or still say TODO.\n\n")
		} else {
			sb.WriteString("every required part is there.\n\n")
		}
	case checks.CheckBlameless:
		if out.Errors+out.Warnings > 0 {
			sb.WriteString("some wording puts people at fault. Describe what the system allowed and what people knew at the time.\n\n")
		} else {
			sb.WriteString("the wording is blameless.\n\n")
		}
	}
	if len(rows) > 0 {
		sb.WriteString("| File | Line | Severity | Rule | Finding |\n|---|---:|---|---|---|\n")
		for i, rw := range rows {
			if i == 100 {
				fmt.Fprintf(&sb, "\n…and %d more.\n", len(rows)-100)
				break
			}
			fmt.Fprintf(&sb, "| %s | %d | %s | `%s` | %s |\n", Cell(Code(rw.file, 200)), rw.f.Line, rw.f.Severity, rw.f.Rule, Cell(Echo(rw.f.Message, 300)))
		}
	}
	if out.Unannotated > 0 {
		fmt.Fprintf(&sb, "\n%s not annotated (a check run carries at most %d annotations); run `postmortem lint` locally to see them all.\n",
			Plural(out.Unannotated, "more finding is", "more findings are"), MaxAnnotations)
	}
	out.Summary = sb.String()
	return out
}

// capAnnotations keeps the first MaxAnnotations of as, failures first,
// then warnings, then notices (each in file order), and counts the rest.
func capAnnotations(as []*github.CheckRunAnnotation) ([]*github.CheckRunAnnotation, int) {
	if len(as) <= MaxAnnotations {
		return as, 0
	}
	rank := map[string]int{"failure": 0, "warning": 1, "notice": 2}
	sort.SliceStable(as, func(i, j int) bool { return rank[as[i].GetAnnotationLevel()] < rank[as[j].GetAnnotationLevel()] })
	return as[:MaxAnnotations:MaxAnnotations], len(as) - MaxAnnotations
}

// annotation is one finding on file.
func annotation(file string, fd checks.Finding) *github.CheckRunAnnotation {
	level := "warning" // GitHub's annotation levels: notice, warning, failure
	switch fd.Severity {
	case checks.SeverityError:
		level = "failure"
	case checks.SeverityNotice:
		level = "notice"
	}
	a := &github.CheckRunAnnotation{
		Path: github.String(file), StartLine: github.Int(max(fd.Line, 1)), EndLine: github.Int(max(fd.EndLine, fd.Line, 1)),
		AnnotationLevel: github.String(level), Title: github.String(fd.Rule), Message: github.String(annotationMessage(fd)),
	}
	if fd.EndLine == fd.Line && fd.Column > 0 && fd.EndColumn >= fd.Column {
		a.StartColumn, a.EndColumn = github.Int(fd.Column), github.Int(fd.EndColumn)
	}
	return a
}

func annotationMessage(f checks.Finding) string {
	m := f.Message
	if f.Suggestion != "" {
		m += "\n\nSuggestion: " + f.Suggestion
	}
	return m
}

// conclusion applies the default policy: errors fail; blameless warnings
// alone are neutral; nothing is success.
func conclusion(check checks.Check, errs, warns int) string {
	switch {
	case errs > 0:
		return "failure"
	case warns > 0 && check == checks.CheckBlameless:
		return "neutral"
	}
	return "success"
}

// CountText says how many errors and warnings: "no findings", "2 errors,
// 1 warning"…
func CountText(errs, warns int) string {
	switch {
	case errs == 0 && warns == 0:
		return "no findings"
	case warns == 0:
		return Plural(errs, "error", "errors")
	case errs == 0:
		return Plural(warns, "warning", "warnings")
	}
	return Plural(errs, "error", "errors") + ", " + Plural(warns, "warning", "warnings")
}

// ConfigFailure is the failing check run of a postmortem that could not be
// checked because the configuration is broken; the configuration file is
// annotated when it is in repo.
func ConfigFailure(ce *repoconfig.Error, repo string) CheckRunOutput {
	ps := ce.Problems()
	out := CheckRunOutput{Conclusion: "failure", Title: "Configuration error", Errors: len(ps),
		Summary: "**The postmortem configuration has a problem**, so the postmortem could not be checked.\n\n" + ConfigProblems(ce)}
	if len(ps) > 1 {
		out.Title = fmt.Sprintf("Configuration errors (%d)", len(ps))
	}
	if ce.Repo == repo && ce.Path != "" {
		for i, p := range ps {
			if i == MaxConfigProblems {
				break
			}
			line := max(p.Line, 1)
			out.Annotations = append(out.Annotations, &github.CheckRunAnnotation{
				Path: github.String(ce.Path), StartLine: github.Int(line), EndLine: github.Int(line),
				AnnotationLevel: github.String("failure"), Title: github.String("postmortem configuration"), Message: github.String(p.Message),
			})
		}
	}
	return out
}

// MaxConfigProblems bounds the problems of a configuration listed (a file
// of thousands of bad entries gets the first ones and a count).
const MaxConfigProblems = 20

// ConfigProblems lists every problem of a broken configuration, one per
// line with its place ("`owner/repo:path line N`: message"), at most
// MaxConfigProblems of them.
func ConfigProblems(ce *repoconfig.Error) string {
	ps := ce.Problems()
	if len(ps) == 1 {
		return fmt.Sprintf("%s: %s\n", Code(ce.WhereLine(ps[0]), 200), Echo(ps[0].Message, 500))
	}
	var b strings.Builder
	for i, p := range ps {
		if i == MaxConfigProblems {
			fmt.Fprintf(&b, "- …and %d more\n", len(ps)-i)
			break
		}
		fmt.Fprintf(&b, "- %s: %s\n", Code(ce.WhereLine(p), 200), Echo(p.Message, 500))
	}
	return b.String()
}

// TooLargeFindings stand for the findings of a file too large to lint: one
// per check, on line 1, saying why it was not checked.
func TooLargeFindings(tl *repoconfig.TooLargeError) []checks.Finding {
	msg := fmt.Sprintf("This file is too large to check (%s; the App checks postmortems up to %s). "+
		"Move logs, dumps and data out of it and link to them.", repoconfig.HumanBytes(tl.Size), repoconfig.HumanBytes(repoconfig.MaxFileBytes))
	var out []checks.Finding
	for _, c := range []checks.Check{checks.CheckCompleteness, checks.CheckBlameless} {
		out = append(out, checks.Finding{Check: c, Rule: string(c) + "/too-large", Severity: checks.SeverityError,
			Line: 1, EndLine: 1, Column: 1, EndColumn: 1, Message: msg})
	}
	return out
}

// MaxAnnotations bounds the annotations of one check run: one request's
// worth (GitHub takes 50 per request). The findings past it are counted in
// the run's summary; `postmortem lint` shows them all.
const MaxAnnotations = 50

// MaxFilesChecked bounds the postmortems one pull request's checks read and
// lint (GitHub lists up to 3 000 files): the rest get NotCheckedFindings.
const MaxFilesChecked = 20

// NotCheckedFindings are a finding of each check, on the first postmortem
// past MaxFilesChecked, saying that it and n-1 more were not checked.
func NotCheckedFindings(n int) []checks.Finding {
	msg := fmt.Sprintf("%s in this pull request were not checked, this one and those after it: the App checks at most %d postmortems in one pull request. "+
		"Split it, or run `postmortem lint` locally.", Plural(n, "more postmortem", "more postmortems"), MaxFilesChecked)
	var out []checks.Finding
	for _, c := range []checks.Check{checks.CheckCompleteness, checks.CheckBlameless} {
		out = append(out, checks.Finding{Check: c, Rule: string(c) + "/not-checked", Severity: checks.SeverityError,
			Line: 1, EndLine: 1, Column: 1, EndColumn: 1, Message: msg})
	}
	return out
}
