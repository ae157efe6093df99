// Package checks is the pure domain of postmortem: the document model, the
// completeness and blameless analyzers, and the findings they produce. It
// knows nothing of GitHub or the network and keeps no global state.
package checks

import "fmt"

// Severity of a finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	// SeverityNotice is information that needs no change: it never fails
	// a run (GitHub shows it as a notice, SARIF as a note).
	SeverityNotice Severity = "notice"
	// SeverityOff disables a rule when used in configuration; findings never carry it.
	SeverityOff Severity = "off"
)

// Check names the analyzer that produced a finding.
type Check string

const (
	CheckCompleteness Check = "completeness"
	CheckBlameless    Check = "blameless"
)

// Finding is one problem in a postmortem, anchored to a source span.
// Lines and columns are 1-based; columns count bytes (like GitHub annotations
// and SARIF with columnKind utf16CodeUnits aside). EndLine/EndColumn are
// inclusive of the last character; when unknown they equal Line/Column.
type Finding struct {
	Check      Check    `json:"check"`
	Rule       string   `json:"rule"` // e.g. "completeness/missing-section", "blameless/counterfactual"
	Severity   Severity `json:"severity"`
	Line       int      `json:"line"`
	Column     int      `json:"column"`
	EndLine    int      `json:"end_line"`
	EndColumn  int      `json:"end_column"`
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"`
	// Replacement, when set, is the exact text that should replace the span
	// [Line:Column, EndLine:EndColumn] (used for one-click suggested changes).
	Replacement string `json:"replacement,omitempty"`
	// Excerpt is the source text the finding points at: its span on its
	// first line, at most 200 bytes.
	Excerpt string `json:"excerpt,omitempty"`
	// Confidence, for a blameless finding, is the estimated probability
	// that the sentence puts someone at fault (0 when not applicable).
	Confidence float64 `json:"confidence,omitempty"`
}

// MaxFindingsPerRule bounds the findings of one rule in one file: past it,
// one more finding of the rule, where the first one not listed is, says
// how many more there are. A file of 200 000 placeholders made as many
// findings (170 MB) and an annotation each; no author reads past the
// first thousand of one kind.
const MaxFindingsPerRule = 1000

// ruleCap keeps at most MaxFindingsPerRule findings of each rule and
// counts the rest.
type ruleCap struct {
	n     map[string]int
	first map[string]Finding // the first finding not kept, per rule
	last  map[string]Finding // the last one
}

// admit reports whether f is kept, counting it either way.
func (c *ruleCap) admit(f Finding) bool {
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[f.Rule]++
	if c.n[f.Rule] <= MaxFindingsPerRule {
		return true
	}
	if c.n[f.Rule] == MaxFindingsPerRule+1 {
		if c.first == nil {
			c.first, c.last = map[string]Finding{}, map[string]Finding{}
		}
		c.first[f.Rule] = f
	}
	c.last[f.Rule] = f
	return false
}

// summaries are the findings that say how many were not kept, each
// spanning from the first not kept to the end of the last.
func (c *ruleCap) summaries() []Finding {
	var out []Finding
	for rule, f := range c.first {
		more := c.n[rule] - MaxFindingsPerRule
		last := c.last[rule]
		f.Message = fmt.Sprintf("%d more %s findings from here to line %d are not listed (at most %d per rule in a file); the first: %s", more, rule, last.EndLine, MaxFindingsPerRule, f.Message)
		f.EndLine, f.EndColumn = last.EndLine, last.EndColumn
		f.Replacement, f.Excerpt = "", ""
		out = append(out, f)
	}
	return out
}
