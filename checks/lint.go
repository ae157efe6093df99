package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Options tune the checks. The zero value means: the default template's
// schema, severities SEV1..SEV4, due dates not required, every rule at its
// default severity, the default blameless rule set.
type Options struct {
	// Schema is the completeness schema; nil means DefaultSchema().
	Schema *Schema
	// Severities are the accepted values of the severity field, compared
	// case-insensitively ignoring spaces and hyphens; empty means SEV1..SEV4.
	Severities []string
	// RequireDueDates reports open action items without a due date.
	RequireDueDates bool
	// MaxActionItems, when positive, reports a postmortem with more open
	// action items than that (RuleTooManyActions): the App files that
	// many follow-up issues at most (follow_ups.max).
	MaxActionItems int
	// Rules overrides the severity of rules by id ("completeness/placeholder",
	// "blameless/judgmental") or for a whole check ("completeness");
	// SeverityOff disables. Inline comments can also disable rules:
	// <!-- postmortem-disable-next-line blameless/judgmental -->.
	Rules map[string]Severity
	// Blameless configures the blameless analyzer.
	Blameless blameless.Config
	// FrontMatter says how front matter fields are checked: required (the
	// default: every field the template asks for), optional (fields are
	// checked when present) or off (not at all).
	FrontMatter FrontMatterMode
	// TimelineSlackBefore is how long before started_at a timeline entry may
	// be (latent causes, the deploy that shipped the bug): default 7 days.
	TimelineSlackBefore time.Duration
	// TimelineSlackAfter is how long after resolved_at a timeline entry may
	// be (clean-up, monitoring): default 24 hours.
	TimelineSlackAfter time.Duration
	// Budget bounds the time one file's lint may take: LintContext's
	// default is DefaultLintBudget, Lint's is none; see LintContext.
	Budget time.Duration
}

// FrontMatterMode says how front matter fields are checked.
type FrontMatterMode string

const (
	// FrontMatterRequired: every field the template asks for must be there
	// and valid (the default; App-drafted postmortems have them all).
	FrontMatterRequired FrontMatterMode = "required"
	// FrontMatterOptional: fields are checked when present; an archive
	// written without front matter is linted on its body.
	FrontMatterOptional FrontMatterMode = "optional"
	// FrontMatterOff: front matter is not checked at all.
	FrontMatterOff FrontMatterMode = "off"
)

// ParseFrontMatterMode reads "required", "optional" or "off".
func ParseFrontMatterMode(s string) (FrontMatterMode, error) {
	switch m := FrontMatterMode(strings.ToLower(strings.TrimSpace(s))); m {
	case FrontMatterRequired, FrontMatterOptional, FrontMatterOff:
		return m, nil
	}
	return "", fmt.Errorf("front matter mode %q is not required, optional or off", s)
}

func (o Options) frontMatter() FrontMatterMode {
	if o.FrontMatter == "" {
		return FrontMatterRequired
	}
	return o.FrontMatter
}

// DefaultSeverities are the severity values accepted when none are configured.
func DefaultSeverities() []string { return []string{"SEV1", "SEV2", "SEV3", "SEV4"} }

func (o Options) schema() *Schema {
	if o.Schema != nil {
		return o.Schema
	}
	return defaultSchema() // read-only here: no copy needed
}

func (o Options) severities() []string {
	if len(o.Severities) > 0 {
		return o.Severities
	}
	return DefaultSeverities()
}

func (o Options) slackBefore() time.Duration {
	if o.TimelineSlackBefore > 0 {
		return o.TimelineSlackBefore
	}
	return 7 * 24 * time.Hour
}

func (o Options) slackAfter() time.Duration {
	if o.TimelineSlackAfter > 0 {
		return o.TimelineSlackAfter
	}
	return 24 * time.Hour
}

// DefaultLintBudget bounds the time one file's lint may take when
// Options.Budget is zero. The parser's guard keeps every crafted megabyte
// under a second; the budget is the backstop for what it misses.
const DefaultLintBudget = 10 * time.Second

// RuleLintStopped: the lint ran out of its time budget; findings after the
// point it stopped are missing.
const RuleLintStopped = "completeness/lint-stopped"

// ErrLintStopped is the error LintContext wraps when it stopped early.
var ErrLintStopped = errors.New("lint stopped")

// Lint parses src and runs every check. It has no time budget unless
// opts.Budget is set (a command-line lint may take its time); the App calls
// LintContext.
func Lint(src []byte, opts Options) []Finding {
	return LintOnly(src, opts)
}

// LintOnly parses src and runs the named checks (all when none are named),
// within opts.Budget when it is set.
func LintOnly(src []byte, opts Options, checks ...Check) []Finding {
	if opts.Budget <= 0 {
		return LintDocument(Parse(src), opts, checks...)
	}
	fs, _ := LintContext(context.Background(), src, opts, checks...)
	return fs
}

// LintContext parses src and runs the named checks (all when none are
// named) until ctx is done or the time budget (opts.Budget, default
// DefaultLintBudget) is spent, checking between stages and between the
// paragraphs the blameless check judges. When it stops early it returns
// the findings so far, a completeness/lint-stopped finding saying so, and
// an error wrapping ErrLintStopped and the context's error.
func LintContext(ctx context.Context, src []byte, opts Options, checks ...Check) ([]Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.budget())
	defer cancel()
	if err := ctx.Err(); err != nil {
		return stopped(nil, err)
	}
	doc := Parse(src)
	return lintDocument(ctx, doc, opts, checks...)
}

func (o Options) budget() time.Duration {
	if o.Budget > 0 {
		return o.Budget
	}
	return DefaultLintBudget
}

// stopped adds the lint-stopped finding to fs.
func stopped(fs []Finding, err error) ([]Finding, error) {
	f := Finding{Check: CheckCompleteness, Rule: RuleLintStopped, Severity: SeverityError,
		Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
		Message: fmt.Sprintf("the checks stopped before the end of this file (%v): findings after that point are missing", err)}
	fs = append(fs, f)
	SortFindings(fs)
	return fs, fmt.Errorf("%w: %w", ErrLintStopped, err)
}

// LintDocument runs the named checks (all when none are named) on a parsed
// document. Findings are sorted by line, column and rule.
func LintDocument(doc *Document, opts Options, checks ...Check) []Finding {
	ctx := context.Background()
	if opts.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Budget)
		defer cancel()
	}
	fs, _ := lintDocument(ctx, doc, opts, checks...)
	return fs
}

func lintDocument(ctx context.Context, doc *Document, opts Options, checks ...Check) ([]Finding, error) {
	run := func(c Check) bool {
		if len(checks) == 0 {
			return true
		}
		for _, x := range checks {
			if x == c {
				return true
			}
		}
		return false
	}
	var out []Finding
	if run(CheckCompleteness) {
		out = append(out, Completeness(doc, opts)...)
	}
	if err := ctx.Err(); err != nil {
		return stopped(out, err)
	}
	if run(CheckBlameless) {
		fs, err := blamelessFindings(ctx, doc, opts)
		out = append(out, fs...)
		if err != nil {
			return stopped(out, err)
		}
	}
	SortFindings(out)
	return out, nil
}

// SortFindings orders findings by line, column, rule and message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// finish applies severity overrides and inline suppressions, and sorts.
func (o Options) finish(doc *Document, fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if sev, ok := o.ruleSeverity(f.Rule); ok {
			if sev == SeverityOff {
				continue
			}
			f.Severity = sev
		}
		if f.Excerpt == "" {
			f.Excerpt = doc.excerpt(f)
		}
		out = append(out, f)
	}
	out = doc.filterSuppressed(out)
	SortFindings(out)
	return out
}

// ruleSeverity looks up an override by full id, then by check name.
func (o Options) ruleSeverity(rule string) (Severity, bool) {
	if o.Rules == nil {
		return "", false
	}
	if s, ok := o.Rules[rule]; ok {
		return normalizeSeverity(s), true
	}
	check, _, _ := strings.Cut(rule, "/")
	if s, ok := o.Rules[check]; ok {
		return normalizeSeverity(s), true
	}
	return "", false
}

func normalizeSeverity(s Severity) Severity {
	switch strings.ToLower(string(s)) {
	case "error":
		return SeverityError
	case "warning", "warn":
		return SeverityWarning
	case "notice", "note", "info":
		return SeverityNotice
	case "off", "none", "disable", "disabled":
		return SeverityOff
	}
	return s
}

// spanFinding fills a finding's position from a byte range [start, end) of
// the source; EndColumn is the column of the last character.
func (d *Document) spanFinding(f Finding, start, end int) Finding {
	f.Line, f.Column = d.Position(start)
	if end <= start {
		f.EndLine, f.EndColumn = f.Line, f.Column
		return f
	}
	last := end - 1
	if end <= len(d.Source) {
		_, size := utf8.DecodeLastRune(d.Source[start:end])
		if size > 0 {
			last = end - size
		}
	}
	f.EndLine, f.EndColumn = d.Position(last)
	return f
}

// lineFinding anchors a finding to a whole line (trailing white space and
// carriage return excluded).
func (d *Document) lineFinding(f Finding, line int) Finding {
	if line < 1 {
		line = 1
	}
	if line > d.LineCount() {
		line = d.LineCount()
	}
	text := d.Line(line)
	trimmed := strings.TrimRight(text, " \t")
	start := d.Offset(line, 1)
	lead := len(trimmed) - len(strings.TrimLeft(trimmed, " \t"))
	if trimmed == "" {
		f.Line, f.Column, f.EndLine, f.EndColumn = line, 1, line, 1
		return f
	}
	return d.spanFinding(f, start+lead, start+len(trimmed))
}

// excerptMax bounds an excerpt.
const excerptMax = 200

// excerpt is the source text of a finding's span on its first line (the
// whole line when the span is a point at column 1), white space trimmed, at
// most excerptMax bytes. Only those bytes are copied: a file of one long
// line with many findings costs no more than its findings.
func (d *Document) excerpt(f Finding) string {
	if f.Line < 1 || f.Line > len(d.lineStarts) {
		return ""
	}
	start := d.lineStarts[f.Line-1]
	end := len(d.Source)
	if f.Line < len(d.lineStarts) {
		end = d.lineStarts[f.Line] - 1
	}
	line := d.Source[start:end]
	from, to := f.Column-1, len(line)
	if f.EndLine == f.Line && f.EndColumn >= f.Column {
		to = f.EndColumn // the first byte of the last character
		for to < len(line) && line[to]&0xC0 == 0x80 {
			to++
		}
	}
	if from < 0 || from >= len(line) || to > len(line) || to <= from || (f.EndLine == f.Line && f.EndColumn == f.Column && f.Column == 1) {
		from, to = 0, len(line)
	}
	b := bytes.TrimSpace(line[from:min(to, from+excerptMax+8)])
	if len(b) > excerptMax || to-from > excerptMax+8 {
		cut := min(len(b), excerptMax-3)
		for cut > 0 && cut < len(b) && b[cut]&0xC0 == 0x80 {
			cut--
		}
		return string(b[:cut]) + "..."
	}
	return string(b)
}
