// Package checks is the pure domain of postmortem: the document model, the
// completeness and blameless analyzers, and the findings they produce. It
// knows nothing of GitHub or the network and keeps no global state.
package checks

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
