// Package blameless finds language that puts people at fault in postmortem
// prose. It works on plain text segments (one paragraph, list item or table
// cell at a time) handed to it by the document model, together with the kind
// of section the text sits in; it knows nothing about Markdown.
//
// Blame is about who a sentence puts at fault, so the analyzer does not match
// word lists alone. Each sentence is tokenised (keeping @handles, @org/team,
// contractions, versions and times together), quotations are marked, and for
// every cue ("should have", "failed to", "forgot", "by mistake", "the wrong")
// the subject of the verb group is found: the noun phrase before it in the
// same clause, the antecedent of who/which/that, the subject carried over
// after "and"/"but", or the agent of a passive "by X". Only a person, role,
// team, third-person pronoun, you, @handle or personal name as subject makes
// a finding; systems, the writer's own I/we account and generic "anyone" do
// not. Negated and meta sentences ("not their fault", "avoid saying human
// error", "blameless") are not judged. A blockquote (Segment.Quoted) is
// quoted material and not judged. Reported speech in inline quotation marks
// (attributed to a speaker, introduced by a colon, or a sentence of its own)
// is judged, unless it is a mentioned term ("the word 'careless'"), the voice
// of someone outside the organisation (a customer's complaint) or machine
// output (an error message); other quoted fragments (scare quotes, titles,
// quoted examples) are not judged — see quotes.go.
//
// Judgement: the rules above find candidates; every sentence, whether they
// found one or not, is then scored by a learned sentence model (sentence.go,
// model_gen.go; a sentence whose section is unknown by its twin fitted
// without sections, model_bare_gen.go) whose features include the
// candidates. Its calibrated confidence decides: at or above
// Config.MinConfidence (default DefaultMinConfidence) the sentence's
// finding is an error, from WarningFloor down a warning, below that
// nothing. A sentence makes at most
// one finding, under the rule and over the span of its strongest candidate
// (or, when the rules found none, of the feature that weighed most). Custom
// phrases and the opt-in condescending rule are warnings whatever the model
// says. Config.Severity overrides the rules' severities.
package blameless

// Section is the kind of postmortem section a segment belongs to. Rules use it:
// a person named in a neutral timeline entry is fine, the same person named as
// the root cause is not. The zero value is SectionUnknown: a sentence on its
// own, or prose in a document without headings, whose section nobody knows;
// SectionOther is a section of a kind none of the others names.
type Section int

const (
	SectionUnknown    Section = iota
	SectionOther              // a section none of the kinds below names
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
	// Things, when set, are the names of things in the whole document the
	// segment is part of (see Things); nil: the segment's own.
	Things *Things
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
	// Confidence is the estimated probability that the sentence puts a
	// person at fault (calibrated on the labelled corpus).
	Confidence float64
	// strong: the rules judged a person at fault (see candidates.go).
	strong bool
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
	// Enable turns on rules that are off by default ("blameless/condescending").
	Enable []string
	// People are the people the incident involves (the author,
	// assignees and commenters; the repository's commit authors): their
	// logins and names are evidence that a word names a person, whatever
	// the name lists say.
	People []Person
	// MinConfidence, when set, lets the confidence decide: a finding at or
	// above it keeps its rule's severity (an error fails the check), below
	// it the finding is a warning, and below WarningFloor(MinConfidence) it
	// is not reported; candidates the rules alone would not report are
	// reported when confident enough. Zero (the default): the rules decide
	// which findings there are and their severity, and each carries its
	// confidence. DefaultMinConfidence is the value at which errors were
	// right nine times in ten in cross-validation.
	MinConfidence float64
}

// Person is someone an incident involves.
type Person struct {
	Login string // GitHub login, without @
	Name  string // display name, e.g. "Dana Scully"
}

// Rule describes one blameless rule: its id, default severity and the text
// used for SARIF rule metadata and documentation.
type Rule struct {
	ID          string // "blameless/counterfactual"
	Severity    string // default severity: "error" or "warning"
	Description string // one line
	Help        string // why it matters and how to reword
	// DefaultOff rules only run when listed in Config.Enable.
	DefaultOff bool
}

// Rule ids.
const (
	RuleNamedIndividual = "blameless/named-individual"
	RulePersonAsCause   = "blameless/person-as-cause"
	RuleHumanError      = "blameless/human-error"
	RuleCounterfactual  = "blameless/counterfactual"
	RuleJudgmental      = "blameless/judgmental"
	RuleBlameVerb       = "blameless/blame-verb"
	RuleFixTheHuman     = "blameless/fix-the-human"
	RuleCustom          = "blameless/custom"
	RuleCondescending   = "blameless/condescending"
)

var rules = []Rule{
	{RuleNamedIndividual, "error",
		"A named person or @handle is presented as the cause.",
		"Naming a person as the cause puts them, not the system, on trial: people stop sharing what they saw, and the review stops at a name instead of the conditions that made the action possible. Describe the role and the action, then what made the action reasonable at the time.", false},
	{RulePersonAsCause, "error",
		"A person, role or team is the subject of an error (forgot, misconfigured, deleted … by mistake).",
		"Framing a person's slip as the cause ends the search for systemic causes: the same slip will happen again to someone else unless the conditions that made it easy change. Put the system in focus: what allowed the action, and why did nothing catch it?", false},
	{RuleHumanError, "error",
		"\"Human error\" (or operator/user error) is given as a cause.",
		"\"Human error\" is where an investigation starts, not where it ends: it names nothing that can be fixed and tells readers someone is to blame. Name the action and the conditions that allowed it.", false},
	{RuleCounterfactual, "error",
		"Hindsight about a person: should have, could have, failed to, didn't, if only … had.",
		"Counterfactuals judge people against what we know now. They describe what did not happen instead of why what happened made sense at the time. Describe what the person saw and what the tools and process did or did not do.", false},
	{RuleJudgmental, "error",
		"Judgmental wording: careless, sloppy, lazy, negligent, stupid, fat-fingered, bad idea …",
		"Judgmental words describe character, not events; they make people defensive and hide the information the review needs. State what happened and the conditions (time pressure, unclear tooling, missing review). Strong words are errors; opinion words (disappointing, rude, amateur) are warnings.", false},
	{RuleBlameVerb, "error",
		"Assigning fault: fault of, to blame, culprit, screwed up, X broke prod.",
		"Assigning fault makes people hide information next time, and a culprit is not a fix. Describe the contributing factors instead.", false},
	{RuleFixTheHuman, "error",
		"A remedy aimed at people: be more careful, retrain, remind, double-check, should be fired.",
		"Remedies aimed at people do not survive the next busy night; vigilance is not a control. Propose a change to the system: a check, a guard rail, automation or a safer default that makes the mistake hard to make or easy to catch.", false},
	{RuleCustom, "warning",
		"A phrase on this repository's list of wording to avoid.",
		"This phrase is on the repository's list of wording to avoid (configured under blameless phrases).", false},
	{RuleCondescending, "warning",
		"Condescending hindsight: obviously, clearly, simply, just.",
		"Words like \"obviously\" and \"just\" imply the person should have known; in a postmortem they read as blame in hindsight. Off by default: these words are common in neutral prose.", true},
}

// Rules returns the rule set with default severities.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

func ruleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
