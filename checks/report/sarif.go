package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/postmortem-app/postmortem/checks"
)

// Rule describes a rule for SARIF's rules table (and GitHub code scanning's
// rule help panel).
type Rule struct {
	ID           string // "blameless/counterfactual"
	Name         string // "Counterfactual"; derived from ID when empty
	Short        string // one sentence
	Full         string // a paragraph
	Help         string // plain-text help; Full when empty
	HelpMarkdown string // Markdown help; Help when empty
	Level        checks.Severity
}

// SARIFSchemaURI is the $schema written to SARIF logs.
const SARIFSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is the tool's home page in SARIF logs.
const InformationURI = "https://github.com/postmortem-app/postmortem"

// fingerprintKey names our partialFingerprints entry; bump the version when
// the fingerprint's recipe changes.
const fingerprintKey = "postmortemFinding/v1"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

// WriteSARIF writes a SARIF 2.1.0 log with one run, ready for GitHub code
// scanning's upload-sarif action. Paths should be relative to the repository
// root; they are written as URIs relative to %SRCROOT%.
func WriteSARIF(w io.Writer, files []File, opts Options) error {
	log := BuildSARIF(files, opts)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// BuildSARIF returns the SARIF log as a value that encodes to JSON.
func BuildSARIF(files []File, opts Options) any {
	version := opts.ToolVersion
	if version == "" {
		version = "dev"
	}
	described := opts.Rules
	if described == nil {
		described = KnownRules()
	}
	var rules []sarifRule
	index := map[string]int{}
	addRule := func(r Rule) int {
		if i, ok := index[r.ID]; ok {
			return i
		}
		index[r.ID] = len(rules)
		rules = append(rules, sarifRuleOf(r))
		return len(rules) - 1
	}
	for _, r := range described {
		addRule(r)
	}

	results := []sarifResult{}
	for _, f := range files {
		loc := artifactLocation(f.Path)
		seen := map[string]int{}
		lines := newLineIndex(f.Source)
		for _, x := range sorted(f.Findings) {
			ri, ok := index[x.Rule]
			if !ok {
				ri = addRule(Rule{ID: x.Rule, Level: x.Severity})
			}
			region := sarifRegionOf(lines, x)
			msg := x.Message
			if x.Suggestion != "" {
				msg += "\n\nSuggestion: " + x.Suggestion
			}
			if msg == "" {
				msg = x.Rule
			}
			// The fingerprint survives edits elsewhere in the file: the
			// rule, the file, the flagged text (or the message) and which
			// occurrence of that combination it is, but not the line.
			key := x.Rule + "\x00" + f.Path + "\x00" + flagged(lines, x)
			seen[key]++
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", key, seen[key])))
			res := sarifResult{
				RuleID:    x.Rule,
				RuleIndex: ri,
				Level:     sarifLevel(x.Severity),
				Message:   sarifText{Text: msg},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: loc,
					Region:           region,
				}}},
				PartialFingerprints: map[string]string{fingerprintKey: hex.EncodeToString(sum[:16])},
			}
			if x.Replacement != "" {
				res.Fixes = []sarifFix{{
					Description: sarifText{Text: "Replace with: " + x.Replacement},
					ArtifactChanges: []sarifArtifactChange{{
						ArtifactLocation: loc,
						Replacements:     []sarifReplacement{{DeletedRegion: region, InsertedContent: sarifText{Text: x.Replacement}}},
					}},
				}}
			}
			results = append(results, res)
		}
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	return sarifLog{
		Schema:  SARIFSchemaURI,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "postmortem", InformationURI: InformationURI, Version: version, Rules: rules,
			}},
			Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
			ColumnKind:  "utf16CodeUnits",
			Results:     results,
		}},
	}
}

func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.SeverityError:
		return "error"
	case checks.SeverityOff:
		return "none"
	case checks.SeverityNotice:
		return "note"
	}
	return "warning"
}

func sarifRuleOf(r Rule) sarifRule {
	name := r.Name
	if name == "" {
		name = ruleName(r.ID)
	}
	short := r.Short
	if short == "" {
		short = name
	}
	full := r.Full
	if full == "" {
		full = short
	}
	help := r.Help
	if help == "" {
		help = full
	}
	helpMD := r.HelpMarkdown
	if helpMD == "" {
		helpMD = help
	}
	check, _, _ := strings.Cut(r.ID, "/")
	return sarifRule{
		ID:                   r.ID,
		Name:                 name,
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifText{Text: help, Markdown: helpMD},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Level)},
		Properties:           sarifProperties{Tags: []string{"postmortem", check}},
	}
}

// ruleName turns "blameless/hindsight-bias" into "HindsightBias".
func ruleName(id string) string {
	_, rest, ok := strings.Cut(id, "/")
	if !ok {
		rest = id
	}
	var b strings.Builder
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == '-' || r == '_' || r == '/' || r == ' ' }) {
		r, size := utf8.DecodeRuneInString(part)
		b.WriteString(strings.ToUpper(string(r)) + part[size:])
	}
	if b.Len() == 0 {
		return id
	}
	return b.String()
}

// artifactLocation makes a repository-relative path into a URI reference
// relative to %SRCROOT%; an absolute path (a file outside any repository)
// becomes a file URI.
func artifactLocation(p string) sarifArtifact {
	p = strings.ReplaceAll(p, `\`, "/")
	abs := strings.HasPrefix(p, "/") || (len(p) > 2 && p[1] == ':' && p[2] == '/')
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	uri := strings.Join(segs, "/")
	if abs {
		return sarifArtifact{URI: "file:///" + uri}
	}
	return sarifArtifact{URI: uri, URIBaseID: "%SRCROOT%"}
}

// lineIndex finds the lines of a file's source quickly; the zero value (no
// source) finds nothing.
type lineIndex struct {
	src    []byte
	starts []int
}

func newLineIndex(src []byte) lineIndex {
	if src == nil {
		return lineIndex{}
	}
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{src: src, starts: starts}
}

// line returns the 1-based line without its line ending.
func (x lineIndex) line(n int) (string, bool) {
	if x.src == nil || n < 1 || n > len(x.starts) {
		return "", false
	}
	start, end := x.starts[n-1], len(x.src)
	if n < len(x.starts) {
		end = x.starts[n] - 1
	}
	return strings.TrimSuffix(string(x.src[start:end]), "\r"), true
}

// utf16Col converts a 1-based byte column on a line to a 1-based UTF-16
// code unit column.
func utf16Col(line string, byteCol int) int {
	if byteCol-1 > len(line) {
		byteCol = len(line) + 1
	}
	n := 1
	for _, r := range line[:byteCol-1] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// sarifRegionOf converts a finding's span (1-based byte columns, inclusive
// end) into a SARIF region (UTF-16 columns, exclusive end).
func sarifRegionOf(lines lineIndex, x checks.Finding) sarifRegion {
	line, col := startOf(x)
	endLine, endCol := endOf(x)
	r := sarifRegion{StartLine: line, StartColumn: col, EndLine: endLine, EndColumn: endCol + 1}
	if s, ok := lines.line(line); ok {
		r.StartColumn = utf16Col(s, col)
	}
	if s, ok := lines.line(endLine); ok {
		// The end column is inclusive of a character that may be several
		// bytes long: step past the whole rune.
		b := endCol - 1
		if b < len(s) {
			_, size := utf8.DecodeRuneInString(s[b:])
			b += size
		} else {
			b = len(s)
		}
		r.EndColumn = utf16Col(s, b+1)
	}
	if r.EndLine == r.StartLine && r.EndColumn <= r.StartColumn {
		r.EndColumn = r.StartColumn + 1
	}
	return r
}

// flagged returns the text a finding covers, or its message when the
// source is not available.
func flagged(lines lineIndex, x checks.Finding) string {
	line, col := startOf(x)
	endLine, endCol := endOf(x)
	if line == endLine {
		if s, ok := lines.line(line); ok && col-1 < len(s) {
			end := endCol
			if end > len(s) {
				end = len(s)
			}
			if end >= col {
				return s[col-1 : end]
			}
		}
	}
	return x.Message
}
