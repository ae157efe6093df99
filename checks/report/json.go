package report

import (
	"encoding/json"
	"io"

	"github.com/postmortem-app/postmortem/checks"
)

// jsonFinding is one element of the JSON format.
type jsonFinding struct {
	File        string          `json:"file"`
	Line        int             `json:"line"`
	Column      int             `json:"column"`
	EndLine     int             `json:"end_line"`
	EndColumn   int             `json:"end_column"`
	Check       checks.Check    `json:"check"`
	Rule        string          `json:"rule"`
	Severity    checks.Severity `json:"severity"`
	Message     string          `json:"message"`
	Suggestion  string          `json:"suggestion"`
	Replacement *string         `json:"replacement,omitempty"`
	Excerpt     string          `json:"excerpt,omitempty"`
	Confidence  float64         `json:"confidence,omitempty"`
}

// WriteJSON writes every finding as an element of one JSON array, in file
// order and then position order; "[]" when there are none. Columns are
// 1-based byte columns, end positions inclusive.
func WriteJSON(w io.Writer, files []File) error {
	out := []jsonFinding{}
	for _, f := range files {
		for _, x := range sorted(f.Findings) {
			line, col := startOf(x)
			endLine, endCol := endOf(x)
			jf := jsonFinding{
				File: f.Path, Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
				Check: x.Check, Rule: x.Rule, Severity: x.Severity,
				Message: x.Message, Suggestion: x.Suggestion, Excerpt: x.Excerpt, Confidence: x.Confidence,
			}
			if x.Replacement != "" {
				r := x.Replacement
				jf.Replacement = &r
			}
			out = append(out, jf)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
