package checks

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	yaml "go.yaml.in/yaml/v3"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// The completeness check, rule by rule (ids under "completeness/"):
//
//   - missing-section: a required section of the schema has no heading that
//     matches it (any level; case, punctuation, numbering and emoji ignored;
//     synonyms accepted). Anchored where it belongs: at the next present
//     section's heading, or the last line.
//   - empty-section: a required section has no content of its own or in its
//     subsections; HTML comments do not count.
//   - placeholder: a section whose text equals the template's (one finding),
//     else every TODO/TBD/FIXME word and <angle-bracket hint> outside code, in
//     any section, the title and required front matter values.
//   - missing-field / invalid-field: required front matter absent or empty;
//     times that are not RFC 3339 or "YYYY-MM-DD HH:MM" with a zone,
//     severities outside Options.Severities, incidents that are neither an
//     issue URL nor a number, unknown IANA zones.
//   - time-order: detected_at before started_at, resolved_at before
//     detected_at (or before started_at when detected_at is absent).
//   - timeline-order: an entry earlier than the entry before it.
//   - timeline-range: an entry more than Options.TimelineSlackBefore (7 days)
//     before started_at, or more than TimelineSlackAfter (24 h) after
//     resolved_at. Entries before the start are common and legitimate (the
//     deploy that shipped the bug, the config change a week earlier), hence
//     the generous slack; the rule exists to catch wrong dates and zones.
//   - action-owner / action-due: an open action item without an @owner;
//     without a due date when Options.RequireDueDates; with an invalid date.
//   - no-action-items: a written follow-ups section with no task items.
//   - too-many-action-items: more open action items than
//     Options.MaxActionItems (follow_ups.max: the App files that many).
//   - front-matter: front matter that cannot be read.
//
// One finding per unfinished part: a section that is empty or still the
// template's text gets one finding, and its timeline entries and action
// items are not checked; optional parts left as in the template give none.

// Completeness rule ids.
const (
	RuleMissingSection = "completeness/missing-section"
	RuleEmptySection   = "completeness/empty-section"
	RulePlaceholder    = "completeness/placeholder"
	RuleMissingField   = "completeness/missing-field"
	RuleInvalidField   = "completeness/invalid-field"
	RuleTimeOrder      = "completeness/time-order"
	RuleTimelineOrder  = "completeness/timeline-order"
	RuleTimelineRange  = "completeness/timeline-range"
	RuleActionOwner    = "completeness/action-owner"
	RuleActionDue      = "completeness/action-due"
	RuleNoActionItems  = "completeness/no-action-items"
	RuleFrontMatter    = "completeness/front-matter"
	RuleSectionMatch   = "completeness/section-match"
	RuleTooManyActions = "completeness/too-many-action-items"
)

// RuleInfo describes a rule.
type RuleInfo struct {
	ID       string
	Severity Severity // default severity
	Summary  string
}

// CompletenessRules lists the completeness rules with their default severity.
func CompletenessRules() []RuleInfo {
	return []RuleInfo{
		{RuleMissingSection, SeverityError, "a section the template requires is missing"},
		{RuleEmptySection, SeverityError, "a required section has no content (HTML comments do not count)"},
		{RulePlaceholder, SeverityError, "TODO, TBD, FIXME or an <angle-bracket hint> is left, or a section still has the template's text"},
		{RuleMissingField, SeverityError, "a front matter field the template requires is missing or empty"},
		{RuleInvalidField, SeverityError, "a front matter time, severity, incident or timezone is not valid"},
		{RuleTimeOrder, SeverityError, "detected_at is before started_at, or resolved_at before detected_at"},
		{RuleTimelineOrder, SeverityWarning, "a timeline entry is earlier than the one before it"},
		{RuleTimelineRange, SeverityWarning, "a timeline entry lies well outside started_at..resolved_at"},
		{RuleActionOwner, SeverityError, "an open action item has no @owner"},
		{RuleActionDue, SeverityWarning, "an open action item has no due date (when required) or an invalid one"},
		{RuleNoActionItems, SeverityError, "the follow-ups section has no action items (task-list items)"},
		{RuleTooManyActions, SeverityWarning, "more open action items than follow_ups.max: the App files only that many follow-up issues on merge"},
		{RuleFrontMatter, SeverityError, "the front matter cannot be read"},
		{RuleUnparsed, SeverityWarning, "part of the document nests or floods Markdown past the parser's guard and is read as plain text"},
		{RuleLintStopped, SeverityError, "the checks ran out of their time budget before the end of the file"},
		{RuleSectionMatch, SeverityNotice, "a heading was taken for a template section by similarity (said, never silent)"},
	}
}

func defaultSeverity(rule string) Severity {
	if s, ok := completenessSeverity[rule]; ok {
		return s
	}
	return SeverityError
}

// completenessSeverity is each completeness rule's default severity (a
// file of 200 000 placeholders asked CompletenessRules once per finding).
var completenessSeverity = func() map[string]Severity {
	m := map[string]Severity{}
	for _, r := range CompletenessRules() {
		if _, ok := m[r.ID]; !ok {
			m[r.ID] = r.Severity
		}
	}
	return m
}()

type completeness struct {
	doc        *Document
	phMessages map[[2]string]string // placeholder messages by token and place
	limit      ruleCap
	opts       Options
	schema     *Schema
	out        []Finding
	unfilled   map[*Section]bool
	times      map[string]time.Time
}

func (c *completeness) add(f Finding) {
	f.Check = CheckCompleteness
	if f.Severity == "" {
		f.Severity = defaultSeverity(f.Rule)
	}
	if c.limit.admit(f) {
		c.out = append(c.out, f)
	}
}

// Completeness checks that a postmortem is filled in: every required section
// and field present and written, no placeholders left, times that make sense
// and follow-ups that have owners. It returns every finding.
func Completeness(doc *Document, opts Options) []Finding {
	c := &completeness{doc: doc, opts: opts, schema: opts.schema(),
		unfilled: map[*Section]bool{}, times: map[string]time.Time{}}
	if opts.frontMatter() != FrontMatterOff {
		c.problems()
		c.fields()
	}
	c.sections()
	c.timeOrder()
	c.timeline()
	c.actions()
	c.out = append(c.out, c.limit.summaries()...)
	return opts.finish(doc, c.out)
}

func (c *completeness) problems() {
	for _, p := range c.doc.Problems {
		rule := RuleFrontMatter
		if p.Rule != "" {
			rule = p.Rule
		}
		c.add(c.doc.lineFinding(Finding{Rule: rule, Message: p.Message}, p.Line))
	}
}

// fmBroken: the front matter exists but could not be read; field findings
// would only repeat that.
func (c *completeness) fmBroken() bool {
	for _, p := range c.doc.Problems {
		if p.Rule == "" && strings.Contains(p.Message, "front matter") && !strings.Contains(p.Message, "repeated") {
			return true
		}
	}
	return false
}

func exampleValue(f FieldSpec, sevs []string) string {
	switch f.Kind {
	case FieldTime:
		return "2026-03-01 14:02 UTC"
	case FieldSeverity:
		return sevs[len(sevs)/2]
	case FieldIncident:
		return "https://github.com/OWNER/REPO/issues/123"
	case FieldTimezone:
		return "Europe/Berlin"
	case FieldList:
		return "[a, b]"
	}
	if f.Example != "" {
		return f.Example
	}
	return "..."
}

func (c *completeness) fields() {
	if c.fmBroken() {
		return
	}
	fm := c.doc.FrontMatter
	sevs := c.opts.severities()
	for _, spec := range c.schema.Fields {
		f := fm.Get(spec.Key)
		what := fmt.Sprintf("front matter field %q", spec.Key)
		if spec.Hint != "" && spec.Required {
			what += " (" + spec.Hint + ")"
		}
		if f == nil {
			if !spec.Required || c.opts.frontMatter() == FrontMatterOptional {
				continue
			}
			line := 1
			if fm != nil {
				line = fm.EndLine
			}
			c.add(c.doc.lineFinding(Finding{Rule: RuleMissingField,
				Message:    what + " is missing",
				Suggestion: fmt.Sprintf("add a line `%s: %s` to the front matter", spec.Key, exampleValue(spec, sevs)),
			}, line))
			continue
		}
		valStart := c.doc.Offset(f.ValueLine, f.ValueCol)
		valueFinding := func(rule, msg, sugg string) {
			end := valStart + len(f.Raw)
			if f.Node != nil && f.Node.Kind == yaml.ScalarNode && f.Node.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				end += 2
			}
			if f.Null || f.Raw == "" || strings.Contains(f.Raw, "\n") {
				c.add(c.doc.lineFinding(Finding{Rule: rule, Message: msg, Suggestion: sugg}, f.Line))
				return
			}
			line := c.doc.Line(f.ValueLine)
			if lineEnd := c.doc.Offset(f.ValueLine, 1) + len(line); end > lineEnd {
				end = lineEnd
			}
			c.add(c.doc.spanFinding(Finding{Rule: rule, Message: msg, Suggestion: sugg}, valStart, end))
		}
		empty := f.Null || (f.Node != nil && f.Node.Kind == yaml.ScalarNode && strings.TrimSpace(f.Raw) == "") ||
			(f.Node != nil && (f.Node.Kind == yaml.SequenceNode || f.Node.Kind == yaml.MappingNode) && len(f.Node.Content) == 0) ||
			(f.Node == nil && emptyValue(f.Value))
		if empty {
			if spec.Required {
				valueFinding(RuleMissingField, what+" has no value",
					fmt.Sprintf("write `%s: %s`", spec.Key, exampleValue(spec, sevs)))
			}
			continue
		}
		if ph := findPlaceholders(f.Raw); len(ph) > 0 {
			if !spec.Required {
				continue // an optional field left as the template has it
			}
			valueFinding(RulePlaceholder, fmt.Sprintf("%s is still the placeholder %s", what, ph[0].Token),
				fmt.Sprintf("write `%s: %s`", spec.Key, exampleValue(spec, sevs)))
			continue
		}
		raw := strings.TrimSpace(f.Raw)
		switch spec.Kind {
		case FieldTime:
			t, hasZone, ok := ParseTime(raw, nil)
			switch {
			case !ok:
				valueFinding(RuleInvalidField, fmt.Sprintf("%s is not a time: %q", what, raw),
					"use RFC 3339 (2026-03-01T14:02:00Z) or YYYY-MM-DD HH:MM with a zone (2026-03-01 14:02 UTC, +01:00 or an IANA name such as Europe/Berlin)")
			case !hasZone:
				valueFinding(RuleInvalidField, fmt.Sprintf("%s has no time zone: %q", what, raw),
					fmt.Sprintf("add a zone: `%s: %s UTC` (or +01:00, or an IANA name such as Europe/Berlin)", spec.Key, raw))
			default:
				c.times[spec.Key] = t
			}
		case FieldSeverity:
			if !severityAllowed(raw, sevs) {
				valueFinding(RuleInvalidField, fmt.Sprintf("%s is %q, which is not one of %s", what, raw, strings.Join(sevs, ", ")),
					fmt.Sprintf("use one of %s", strings.Join(sevs, ", ")))
			}
		case FieldIncident:
			if !validIncident(raw) {
				valueFinding(RuleInvalidField, fmt.Sprintf("%s is %q, which is neither an issue URL nor an issue number", what, raw),
					"link the incident issue (https://github.com/OWNER/REPO/issues/123) or give its number (123)")
			}
		case FieldTimezone:
			if _, err := time.LoadLocation(raw); err != nil || raw == "Local" {
				valueFinding(RuleInvalidField, fmt.Sprintf("%s is %q, which is not an IANA time zone", what, raw),
					"use a name such as UTC, Europe/Berlin or America/New_York")
			}
		}
	}
	// Times of fields outside the schema still take part in the order check.
	for _, k := range []string{"started_at", "detected_at", "resolved_at"} {
		if _, ok := c.times[k]; ok {
			continue
		}
		if f := fm.Get(k); f != nil {
			if t, hasZone, ok := ParseTime(f.Raw, nil); ok && hasZone {
				c.times[k] = t
			}
		}
	}
}

var sevSeparators = strings.NewReplacer(" ", "", "-", "", "_", "")

func normSev(s string) string {
	return sevSeparators.Replace(strings.ToUpper(strings.TrimSpace(s)))
}

func severityAllowed(v string, allowed []string) bool {
	n := normSev(v)
	for _, a := range allowed {
		if normSev(a) == n {
			return true
		}
	}
	return false
}

func validIncident(v string) bool {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(strings.TrimPrefix(v, "#")); err == nil {
		return n > 0
	}
	if i := strings.LastIndex(v, "#"); i > 0 && !strings.Contains(v, "://") {
		// owner/repo#123
		if n, err := strconv.Atoi(v[i+1:]); err == nil && n > 0 && strings.Count(v[:i], "/") == 1 {
			return true
		}
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (c *completeness) sections() {
	d := c.doc
	match := MatchSections(d, c.schema)
	specOf := map[*Section]*SectionSpec{}
	for i, m := range match {
		if m == nil {
			continue
		}
		spec := &c.schema.Sections[i]
		if m.Section != nil {
			if specOf[m.Section] == nil {
				specOf[m.Section] = spec
			}
		} else if m.Label != nil && spec.Required && !m.Label.HasContent {
			c.add(d.lineFinding(Finding{Rule: RuleEmptySection, Message: fmt.Sprintf("the %q part is empty", m.Label.Text),
				Suggestion: spec.Guidance}, m.Label.Line))
		}
		if m.How == MatchIntro && !spec.IntroOK {
			c.add(d.lineFinding(Finding{Rule: RuleSectionMatch,
				Message:    fmt.Sprintf("the introduction (line %d) taken as the %q section", m.Intro.Line, spec.Heading),
				Suggestion: fmt.Sprintf("put it under a heading `%s %s`", strings.Repeat("#", max(spec.Level, 2)), spec.Heading)}, m.Intro.Line))
		}
		if m.How == MatchSimilar {
			c.add(d.lineFinding(Finding{Rule: RuleSectionMatch,
				Message: fmt.Sprintf("heading %q taken as the %q section (%s)", m.Section.Text, spec.Heading, m.Why),
				Suggestion: fmt.Sprintf("rename the heading to %q, or name it in the template: `%s %s <!-- aka: %s -->`",
					spec.Heading, strings.Repeat("#", max(spec.Level, 2)), spec.Heading, m.Section.Text)}, m.Section.Line))
		}
	}
	// Missing sections: anchored at the heading of the next present required
	// section, where the missing one belongs, else at the end of the file.
	for i, spec := range c.schema.Sections {
		if match[i] != nil || !spec.Required {
			continue
		}
		line := d.LineCount()
		for line > 1 && strings.TrimSpace(d.Line(line)) == "" {
			line--
		}
		for j := i + 1; j < len(c.schema.Sections); j++ {
			if m := match[j]; m != nil {
				line = m.Line()
				break
			}
		}
		sugg := fmt.Sprintf("add a section `%s %s`", strings.Repeat("#", max(spec.Level, 2)), spec.Heading)
		if spec.Guidance != "" {
			sugg += ": " + spec.Guidance
		}
		c.add(d.lineFinding(Finding{Rule: RuleMissingSection,
			Message:    fmt.Sprintf("the %q section is missing", spec.Heading),
			Suggestion: sugg}, line))
	}
	// The title and preamble: placeholders only.
	if d.Title != nil {
		c.placeholders(d.Title.node, "the title")
	}
	for _, b := range d.Preamble {
		c.placeholders(b.Node, "the introduction")
	}
	for _, s := range d.AllSections() {
		spec := specOf[s]
		where := fmt.Sprintf("the %q section", s.Text)
		c.placeholders(s.node, "the heading of "+where)
		if !d.sectionHasContent(s) {
			c.unfilled[s] = true
			if spec != nil && spec.Required {
				f := Finding{Rule: RuleEmptySection, Message: where + " is empty"}
				if spec.Guidance != "" {
					f.Suggestion = spec.Guidance
				}
				c.add(d.lineFinding(f, s.Line))
			}
			continue
		}
		// The body text is built only to compare it with the template's, or
		// when the section may be nothing but placeholders.
		var body string
		if spec != nil && spec.Body != "" {
			body = d.bodyText(s.Blocks)
		}
		if spec != nil && spec.Body != "" && body == spec.Body {
			c.unfilled[s] = true
			if !spec.Required {
				continue // an optional section left as the template has it
			}
			var ph []placeholderSpan
			for _, b := range s.Blocks {
				d.placeholdersIn(b.Node, &ph)
			}
			f := Finding{Rule: RulePlaceholder, Message: where + " still has the template's text; write it"}
			if spec.Guidance != "" {
				f.Suggestion = spec.Guidance
			}
			if len(ph) > 0 {
				f.Message = fmt.Sprintf("%s is still the template's placeholder %s; write it", where, ph[0].Token)
				c.add(d.spanFinding(f, ph[0].Start, ph[0].End))
			} else {
				for _, b := range s.Blocks {
					if d.blockHasContent(b) {
						c.add(d.lineFinding(f, b.Line))
						break
					}
				}
			}
			continue
		}
		for _, b := range s.Blocks {
			c.placeholders(b.Node, where)
		}
		// A section whose only content is placeholders is not filled either.
		if len(s.Children) == 0 && !d.notOnlyPlaceholders(s.Blocks) {
			if body == "" {
				body = d.bodyText(s.Blocks)
			}
			if onlyPlaceholders(body) {
				c.unfilled[s] = true
			}
		}
	}
}

// placeholders reports every placeholder token in a node.
func (c *completeness) placeholders(n ast.Node, where string) {
	if n == nil {
		return
	}
	var ph []placeholderSpan
	c.doc.placeholdersIn(n, &ph)
	for _, p := range ph {
		if c.doc.statusMarker(p) {
			continue
		}
		sugg := "replace it with what you know; write \"unknown\" and why if nobody knows yet"
		if strings.HasPrefix(p.Token, "<") {
			sugg = "replace the hint with the real text"
		}
		// one message per token and place: a flood of one placeholder
		// shares it
		key := [2]string{p.Token, where}
		msg, ok := c.phMessages[key]
		if !ok {
			msg = fmt.Sprintf("placeholder %s left in %s", p.Token, where)
			if strings.HasPrefix(p.Token, "<") {
				msg = fmt.Sprintf("hint %s left in %s", p.Token, where)
			}
			if len(c.phMessages) < 1024 {
				if c.phMessages == nil {
					c.phMessages = map[[2]string]string{}
				}
				c.phMessages[key] = msg
			}
		}
		c.add(c.doc.spanFinding(Finding{Rule: RulePlaceholder, Message: msg, Suggestion: sugg}, p.Start, p.End))
	}
}

// onlyPlaceholders: a section's body text (bodyText) is nothing but
// placeholder tokens and the punctuation around them. One pass over the text
// outside the placeholders (removing each token with strings.Replace was
// quadratic in a section of a million TODOs).
func onlyPlaceholders(text string) bool {
	ph := findPlaceholders(text)
	at := 0
	for _, p := range ph {
		if p.Start > at && strings.Trim(text[at:p.Start], placeholderTrim) != "" {
			return false
		}
		at = max(at, p.End)
	}
	return strings.Trim(text[at:], placeholderTrim) == ""
}

const placeholderTrim = " -*:|.[]"

// notOnlyPlaceholders answers onlyPlaceholders(d.bodyText(blocks)) == false
// without building the text when it can; false means unknown. Without an
// HTML comment ("<!--", stripped from the body text) the body text holds
// the blocks' ink: their ASCII bytes other than white space and
// placeholderTrim, which is never trimmed. A placeholder covers at most 5
// of them (TODO, TBD, FIXME: starting at a 'T' or 'F') or 122 (a <hint> of
// at most 120 characters: starting at a '<'). So the body is more than
// placeholders when there is more ink than its T, F and '<' can cover, or
// when, with no '<' at all, one ink byte is none of the letters of the
// placeholder words.
func (d *Document) notOnlyPlaceholders(blocks []Block) bool {
	tf, lt := 0, 0
	for _, b := range blocks {
		src := d.Source[b.Start:b.End]
		if bytes.Contains(src, []byte("<!--")) {
			return false
		}
		tf += bytes.Count(src, []byte("T")) + bytes.Count(src, []byte("F"))
		lt += bytes.Count(src, []byte("<"))
	}
	// Count ink until it is more than the placeholders could cover.
	limit := 5*tf + 122*lt
	ink := 0
	for _, b := range blocks {
		for _, c := range d.Source[b.Start:b.End] {
			switch placeholderByte[c] {
			case pbNone:
				continue
			case pbInk:
				if lt == 0 {
					return true
				}
			}
			if ink++; ink > limit {
				return true
			}
		}
	}
	return false
}

// Classes of bytes for notOnlyPlaceholders.
const (
	pbNone   uint8 = iota // white space, placeholderTrim, non-ASCII
	pbInk                 // other ASCII
	pbLetter              // a letter of TODO, TBD, FIXME other than T and F
	pbTF                  // 'T' or 'F'
	pbLT                  // '<'
)

var placeholderByte = func() (t [256]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = pbInk
	}
	for _, c := range []byte(" \t\n\v\f\r" + placeholderTrim) {
		t[c] = pbNone
	}
	for _, c := range []byte("ODBIXME") {
		t[c] = pbLetter
	}
	t['T'], t['F'], t['<'] = pbTF, pbTF, pbLT
	return
}()

func (c *completeness) timeOrder() {
	fm := c.doc.FrontMatter
	st, hasSt := c.times["started_at"]
	de, hasDe := c.times["detected_at"]
	re, hasRe := c.times["resolved_at"]
	at := func(key string) int {
		if f := fm.Get(key); f != nil {
			return f.Line
		}
		return 1
	}
	f := func(key, msg string) {
		c.add(c.doc.lineFinding(Finding{Rule: RuleTimeOrder, Message: msg,
			Suggestion: "check the dates and time zones of started_at, detected_at and resolved_at"}, at(key)))
	}
	if hasSt && hasDe && de.Before(st) {
		f("detected_at", fmt.Sprintf("detected_at (%s) is before started_at (%s): an incident is detected after it starts", fmtTime(de), fmtTime(st)))
	}
	if hasDe && hasRe && re.Before(de) {
		f("resolved_at", fmt.Sprintf("resolved_at (%s) is before detected_at (%s)", fmtTime(re), fmtTime(de)))
	} else if !hasDe && hasSt && hasRe && re.Before(st) {
		f("resolved_at", fmt.Sprintf("resolved_at (%s) is before started_at (%s)", fmtTime(re), fmtTime(st)))
	}
}

func fmtTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (c *completeness) timeline() {
	var prev *TimelineEntry
	st, hasSt := c.times["started_at"]
	re, hasRe := c.times["resolved_at"]
	if !hasRe {
		re, hasRe = c.times["detected_at"]
		if hasRe && hasSt && re.Before(st) {
			hasRe = false
		}
	}
	for i := range c.doc.Timeline {
		e := &c.doc.Timeline[i]
		if c.unfilled[e.Section] {
			continue
		}
		pos := Finding{}
		pos = c.doc.spanFinding(pos, e.Offset, e.End)
		if prev != nil && (prev.Dated && e.Dated || !prev.Dated && !e.Dated && prev.group == e.group) {
			cur, before := e.Time, prev.Time
			if !e.HasTime {
				before = truncDay(before)
			}
			if cur.Before(before) {
				f := pos
				f.Rule = RuleTimelineOrder
				f.Message = fmt.Sprintf("timeline entry at %s is earlier than the entry before it (line %d, %s)",
					entryTime(e), prev.Line, entryTime(prev))
				f.Suggestion = "keep the timeline oldest first, and check the date and time zone of both entries"
				c.add(f)
			}
		}
		if e.Dated && hasSt && e.Time.Before(st.Add(-c.opts.slackBefore())) {
			f := pos
			f.Rule = RuleTimelineRange
			f.Message = fmt.Sprintf("timeline entry at %s is more than %s before started_at (%s)",
				entryTime(e), human(c.opts.slackBefore()), fmtTime(st))
			f.Suggestion = "check the entry's date; if it is right, started_at may be too late"
			c.add(f)
		} else if e.Dated && hasRe && e.Time.After(re.Add(c.opts.slackAfter())) {
			f := pos
			f.Rule = RuleTimelineRange
			f.Message = fmt.Sprintf("timeline entry at %s is more than %s after resolved_at (%s)",
				entryTime(e), human(c.opts.slackAfter()), fmtTime(re))
			f.Suggestion = "check the entry's date; if it is right, resolved_at may be too early"
			c.add(f)
		}
		prev = e
	}
}

func truncDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func entryTime(e *TimelineEntry) string {
	switch {
	case !e.Dated:
		return e.Time.Format("15:04")
	case !e.HasTime:
		return e.Time.Format("2006-01-02")
	}
	return fmtTime(e.Time)
}

func human(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	return d.String()
}

func (c *completeness) actions() {
	d := c.doc
	// Open items without an owner: one finding per item, or one for the
	// part (a follow-ups section with its subsections, or a follow-ups
	// label) when none of its several open items has an owner.
	type part struct {
		s *Section
		l *Label
	}
	partOf := func(a *ActionItem) part {
		if a.label != nil {
			return part{l: a.label}
		}
		s := a.Section
		for s != nil && s.Parent != nil && s.Parent.Kind == blameless.SectionFollowUps {
			s = s.Parent
		}
		return part{s: s}
	}
	noOwner := map[part][]*ActionItem{}
	open := map[part]int{}
	var order []part
	for i := range d.Actions {
		a := &d.Actions[i]
		if (a.Section != nil && c.unfilled[a.Section]) || a.Done {
			continue
		}
		p := partOf(a)
		if open[p] == 0 {
			order = append(order, p)
		}
		open[p]++
		if !a.HasOwner() && !c.schema.OwnersOptional {
			noOwner[p] = append(noOwner[p], a)
		}
	}
	for _, p := range order {
		items := noOwner[p]
		if len(items) >= 2 && len(items) == open[p] {
			name, line := "", 0
			if p.l != nil {
				name, line = p.l.Text, p.l.Line
			} else {
				name, line = p.s.Text, p.s.Line
			}
			c.add(d.lineFinding(Finding{Rule: RuleActionOwner,
				Message:    fmt.Sprintf("none of the %d open action items of %q has an owner", len(items), name),
				Suggestion: "give each item the person or team who will do it: `owner: @login`, `@org/team`, or an Owner column"}, line))
			continue
		}
		for _, a := range items {
			f := c.actionPos(a)
			f.Rule = RuleActionOwner
			f.Message = fmt.Sprintf("action item %q has no owner", short(actionTitle(a)))
			f.Suggestion = "add the person or team who will do it: `owner: @login` or `@org/team`"
			c.add(f)
		}
	}
	for i := range d.Actions {
		a := &d.Actions[i]
		if (a.Section != nil && c.unfilled[a.Section]) || a.Done {
			continue
		}
		title := actionTitle(a)
		if a.DueRaw != "" && !a.HasDue && (a.Form == FormTask || looksLikeDate(a.DueRaw)) {
			f := c.actionPos(a)
			f.Rule = RuleActionDue
			f.Message = fmt.Sprintf("action item %q has an invalid due date %q", short(title), a.DueRaw)
			f.Suggestion = "write the due date as `due: YYYY-MM-DD`"
			c.add(f)
		} else if c.opts.RequireDueDates && !a.HasDue {
			f := c.actionPos(a)
			f.Rule = RuleActionDue
			f.Message = fmt.Sprintf("action item %q has no due date", short(title))
			f.Suggestion = "add `due: YYYY-MM-DD`"
			c.add(f)
		}
	}
	c.tooManyActions()
	// No action items at all in a written follow-ups section.
	if len(d.Actions) > 0 {
		return
	}
	for _, s := range d.AllSections() {
		if s.Kind != blameless.SectionFollowUps || (s.Parent != nil && s.Parent.Kind == blameless.SectionFollowUps) {
			continue
		}
		if c.unfilled[s] {
			return
		}
		c.add(d.lineFinding(Finding{Rule: RuleNoActionItems,
			Message:    fmt.Sprintf("the %q section has no action items", s.Text),
			Suggestion: "list the follow-ups, one per item: `- [ ] Add an alert on queue depth (owner: @alice, due: 2026-04-01, P1)`, a bulleted or numbered list, or a table with Action and Owner columns"}, s.Line))
		return
	}
}

// tooManyActions reports, at the first item past the limit, a postmortem
// with more open action items (as the App counts those it files: open,
// with a title) than Options.MaxActionItems.
func (c *completeness) tooManyActions() {
	max := c.opts.MaxActionItems
	if max <= 0 {
		return
	}
	open := 0
	var first *ActionItem
	for i := range c.doc.Actions {
		a := &c.doc.Actions[i]
		if a.Done || strings.TrimSpace(a.Title) == "" {
			continue
		}
		if open++; open == max+1 {
			first = a
		}
	}
	if first == nil {
		return
	}
	f := c.actionPos(first)
	f.Rule = RuleTooManyActions
	f.Message = fmt.Sprintf("this postmortem has %d open action items: only the first %d become follow-up issues when it merges (follow_ups.max is %d), the other %d from here on are not filed",
		open, max, max, open-max)
	f.Suggestion = fmt.Sprintf("merge related items and track small ones elsewhere, or raise follow_ups.max (at most %d) in .github/postmortem.yml", MaxFollowUpsLimit)
	c.add(f)
}

// actionPos anchors a finding to an action item's first line.
func (c *completeness) actionPos(a *ActionItem) Finding {
	d := c.doc
	end := a.Offset + len(strings.TrimRight(d.Line(a.Line), " \t")) - (a.Col - 1)
	return d.spanFinding(Finding{}, a.Offset, end)
}

func actionTitle(a *ActionItem) string {
	if a.Title != "" {
		return a.Title
	}
	return a.Raw
}

// looksLikeDate: a due value that tries to be a date (digits and
// separators) rather than "Q3" or "next sprint".
func looksLikeDate(v string) bool {
	digits := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 4 && strings.ContainsAny(v, "-/.")
}

func short(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 57
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

// emptyValue: a decoded value with nothing in it ("", [], {}).
func emptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// reMarkerLead is what may stand before a bold status marker on its line.
var reMarkerLead = regexp.MustCompile(`^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)$`)

// statusMarker: a TODO that states an action's status rather than marks
// unwritten text: the whole Status cell of a follow-ups table, or a bold
// "**TODO**" opening a paragraph or item ("**TODO**: add an exporter").
func (d *Document) statusMarker(p placeholderSpan) bool {
	// statusCells are in file order and do not overlap.
	i := sort.Search(len(d.statusCells), func(i int) bool { return d.statusCells[i][1] >= p.End })
	if i < len(d.statusCells) && p.Start >= d.statusCells[i][0] {
		return true
	}
	// Only a few bytes around the token are looked at (a file of one long
	// line of TODOs must stay linear).
	src := d.Source
	if p.Start < 2 || p.End+2 > len(src) {
		return false
	}
	after := src[p.End:min(len(src), p.End+3)]
	if after[0] == ':' {
		after = after[1:]
	}
	if !bytes.HasPrefix(after, []byte("**")) && !bytes.HasPrefix(after, []byte("__")) {
		return false
	}
	from := p.Start
	for from > 0 && p.Start-from < 16 && src[from-1] != '\n' {
		from--
	}
	if from > 0 && src[from-1] != '\n' {
		return false
	}
	return reMarkerLead.Match(src[from:p.Start])
}
