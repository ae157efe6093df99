// Package blameless finds language that puts people at fault in postmortem
// prose. It works on plain text segments (one paragraph, list item or table
// cell at a time) handed to it by the document model, together with the kind
// of section the text sits in; it knows nothing about Markdown.
package blameless

// Section is the kind of postmortem section a segment belongs to. Rules use it:
// a person named in a neutral timeline entry is fine, the same person named as
// the root cause is not.
type Section int

const (
	SectionOther      Section = iota
	SectionSummary            // summary, overview, impact
	SectionTimeline           // timeline, chronology
	SectionCause              // root cause, trigger, contributing factors, what went wrong
	SectionResolution         // resolution, mitigation, recovery
	SectionFollowUps          // follow-ups, action items, remediation
	SectionLessons            // lessons learned, what went well, where we got lucky
)

// Segment is one piece of prose. Text has code spans, link URLs and HTML
// already removed or blanked by the caller; Quoted is true when the whole
// segment is quoted material (a blockquote), which is reported, not judged.
type Segment struct {
	Text    string
	Section Section
	Quoted  bool
}

// Hit is one finding in a segment. Start and End are byte offsets into
// Segment.Text (End exclusive) covering the phrase to annotate.
type Hit struct {
	Rule       string // full rule id, e.g. "blameless/counterfactual"
	Severity   string // "error" or "warning"
	Start, End int
	Message    string // why it matters
	Suggestion string // a blameless rewording of the sentence, when one can be given
	// Replacement, when non-empty, is a drop-in replacement for Text[Start:End].
	Replacement string
}

// Config tunes the analyzer; the zero value is the default rule set.
type Config struct {
	// Disabled rule ids ("blameless/judgmental") are not reported.
	Disabled []string
	// Severity overrides a rule's default severity ("error" or "warning").
	Severity map[string]string
	// Phrases are extra phrases reported under the "blameless/custom" rule.
	Phrases []string
	// Allow lists words or phrases never reported (e.g. a product named "Lazy").
	Allow []string
}
