package checks

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Sections by meaning. A heading is reduced to its canonical words
// (canonWords): normalized (normalizeHeading), parenthesised qualifiers
// dropped ("Timeline (UTC)"), "&" read as "and", leading filler words dropped
// ("Incident timeline", "Issue summary") and every word singular ("Root
// causes"). Two headings name the same section when their canonical words,
// spaces removed, are equal ("Follow-ups", "Followup"). A heading also names
// what its head names before "of", "on", "to", "for", "during" ("Root cause
// of the outage", "Impact on users"), and each part of a compound heading
// ("Severity & Impact", "Resolution and recovery").
//
// The concepts below are the sections postmortems commonly have, each with
// the names that mean it (matched like a template's own heading, silently)
// and cue words that suggest it (matched only as the last, announced
// resort: "'Details of the fix' taken as Resolution").

// concept is a kind of section and the ways people name it.
type concept struct {
	id    string
	kind  blameless.Section
	names []string // exact names (canonicalized when compared)
	cues  []string // word prefixes or phrases suggesting the concept
}

var concepts = []concept{
	{id: "summary", kind: blameless.SectionSummary,
		names: []string{"summary", "overview", "executive summary", "tl dr", "tldr", "abstract", "synopsis",
			"description", "what happened", "incident description", "incident overview"},
		cues: []string{"what happened"}},
	{id: "impact", kind: blameless.SectionSummary,
		names: []string{"impact", "customer impact", "user impact", "business impact", "impact assessment",
			"what was impacted", "who was impacted", "what was affected", "who was affected", "affected services",
			"affected systems", "affected users", "affected customers", "effect", "blast radius", "scope of impact",
			"service impact", "impact and severity", "severity and impact"},
		cues: []string{"impact", "affect", "effect", "blast radius", "consequence"}},
	{id: "timeline", kind: blameless.SectionTimeline,
		names: []string{"timeline", "chronology", "sequence of events", "timeline of events", "events", "event log",
			"incident log", "detailed timeline", "key events", "key timestamps"},
		cues: []string{"timeline", "chronolog", "sequence of event", "when"}},
	{id: "cause", kind: blameless.SectionCause,
		names: []string{"root cause", "cause", "root cause analysis", "rca", "causes and contributing factors",
			"contributing factors", "contributing causes", "contributing factor", "root cause and trigger",
			"root cause and contributing factors", "why it happened", "how did this happen", "how it happened",
			"what caused it", "underlying cause", "technical cause", "cause analysis"},
		cues: []string{"cause", "why", "trigger", "contributing", "went wrong"}},
	{id: "trigger", kind: blameless.SectionCause,
		names: []string{"trigger"}},
	{id: "detection", kind: blameless.SectionOther,
		names: []string{"detection", "how it was detected", "how we detected it", "how was it detected", "discovery",
			"how we found out", "how it was discovered"},
		cues: []string{"detect", "discover", "notic", "found out"}},
	{id: "resolution", kind: blameless.SectionResolution,
		names: []string{"resolution", "mitigation", "recovery", "resolution and recovery", "mitigation and resolution",
			"resolution and mitigation", "mitigation and recovery", "fix", "the fix", "how we fixed it",
			"how it was fixed", "workaround", "repair", "resolution steps", "mitigation steps"},
		cues: []string{"fix", "resolv", "resolution", "solv", "mitigat", "recover", "restor", "repair", "workaround",
			"respons", "rollback", "roll back"}},
	{id: "followups", kind: blameless.SectionFollowUps,
		names: []string{"follow ups", "follow up", "action items", "actions", "action plan", "corrective actions",
			"corrective and preventive actions", "corrective and preventative actions", "corrective and preventive measures",
			"corrective and preventative measures", "preventive actions", "preventative actions", "preventive measures",
			"preventative measures", "preventive steps", "remediation", "remediation items", "remediations", "next steps",
			"what we are doing about it", "what were doing about it", "what we re doing about it", "whats next",
			"what s next", "prevention", "preventing recurrence", "future work", "future actions", "improvements",
			"action items and follow ups", "follow up actions", "follow up items", "looking forward", "going forward",
			"what happens now", "what happens next", "review actions", "post incident actions", "future improvements",
			"next", "learnings and actions", "lessons and actions", "remediation plan"},
		cues: []string{"action", "follow up", "followup", "next step", "prevent", "doing about", "going forward",
			"future", "improv", "corrective", "remediat", "plan"}},
	{id: "lessons", kind: blameless.SectionLessons,
		names: []string{"lessons learned", "lessons", "learnings", "what we learned", "takeaways", "key takeaways",
			"lessons learnt", "reflections", "learning"},
		cues: []string{"lesson", "learn", "takeaway", "went well", "lucky", "reflection", "insight"}},
}

// conceptKeys maps the canonical key of every concept name to its concept.
var conceptKeys = func() map[string]*concept {
	m := map[string]*concept{}
	for i := range concepts {
		for _, n := range concepts[i].names {
			k := canonKey(n)
			if _, dup := m[k]; !dup {
				m[k] = &concepts[i]
			}
		}
	}
	return m
}()

// conceptOf returns the concept a canonical key names exactly, or nil.
func conceptOf(key string) *concept { return conceptKeys[key] }

// conceptByID returns the concept with the id, or nil.
func conceptByID(id string) *concept {
	for i := range concepts {
		if concepts[i].id == id {
			return &concepts[i]
		}
	}
	return nil
}

// leadingFillers are words dropped from the start of a heading when more
// follows: "Incident timeline", "Issue summary", "The root cause".
var leadingFillers = map[string]bool{
	"the": true, "our": true, "a": true, "an": true, "incident": true, "issue": true, "outage": true,
	"event": true, "postmortem": true, "detailed": true, "full": true, "brief": true, "short": true,
	"quick": true, "initial": true, "final": true, "overall": true, "high": true, "level": true,
	"but": true, "so": true, "and": true,
}

// headPrepositions end the head of a heading: "Root cause of the outage".
var headPrepositions = map[string]bool{"of": true, "on": true, "to": true, "for": true, "during": true, "in": true, "from": true}

// tailNouns are what the tail of a heading may name for the head to stand
// for the heading: "Root cause of the outage", "Impact on users", but not
// "Overview of the network setup".
var tailNouns = map[string]bool{
	"incident": true, "outage": true, "issue": true, "event": true, "problem": true, "failure": true,
	"downtime": true, "disruption": true, "degradation": true, "user": true, "customer": true, "client": true,
	"service": true, "system": true, "production": true, "site": true, "website": true, "platform": true,
	"it": true, "this": true, "that": true, "attack": true, "breach": true, "bug": true, "error": true,
	"the": true, "our": true, "a": true, "an": true, "all": true, "service disruption": true,
}

func incidentTail(words []string) bool {
	if len(words) == 0 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		if !tailNouns[w] {
			return false
		}
	}
	return true
}

// canonWords reduces heading text to its canonical words.
func canonWords(heading string) []string {
	heading = dropParentheses(heading)
	heading = strings.ReplaceAll(heading, "&", " and ")
	h := normalizeHeading(heading)
	words := strings.Fields(h)
	for len(words) > 1 && leadingFillers[words[0]] {
		words = words[1:]
	}
	for i, w := range words {
		words[i] = singular(w)
	}
	return words
}

// canonKey is the key headings are compared by: canonical words without
// spaces ("follow up" and "followup" are one).
func canonKey(heading string) string { return strings.Join(canonWords(heading), "") }

// dropParentheses removes (...) and [...] groups: "Timeline (all times UTC)".
// An unclosed group is kept.
func dropParentheses(s string) string {
	if !strings.ContainsAny(s, "([") {
		return s
	}
	var b strings.Builder
	depth := 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			if depth == 0 {
				b.WriteString(s[start:i])
			}
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
				if depth == 0 {
					b.WriteByte(' ')
					start = i + 1
				}
			}
		}
	}
	if depth > 0 {
		return s
	}
	b.WriteString(s[start:])
	if strings.TrimSpace(b.String()) == "" {
		return s // a heading that is only a parenthesis keeps it
	}
	return b.String()
}

// singular strips a plural "s" from an English word: causes → cause,
// lessons → lesson, remedies → remedy; "analysis", "status", "process" stay.
func singular(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// headingKeys are the keys a heading is matched by, most specific first: the
// whole heading, its head before a preposition, and the parts of a compound
// ("a and b", "a, b", "a / b").
func headingKeys(heading string) (whole string, heads []string) {
	return headingKeysOf(heading, canonWords(heading))
}

// headingKeysOf is headingKeys given the heading's canonical words.
func headingKeysOf(heading string, words []string) (whole string, heads []string) {
	whole = strings.Join(words, "")
	add := func(ws []string) {
		if len(ws) == 0 {
			return
		}
		k := strings.Join(ws, "")
		if k == whole {
			return
		}
		for _, h := range heads {
			if h == k {
				return
			}
		}
		heads = append(heads, k)
	}
	for i, w := range words {
		if i > 0 && headPrepositions[w] {
			if incidentTail(words[i+1:]) {
				add(words[:i])
			}
			break
		}
	}
	// Compound: split on "and" (the normalized form of "&", ",", "/" is a
	// space, so only "and" is seen here; commas and slashes are handled by
	// splitting the text first).
	var parts [][]string
	var cur []string
	for _, w := range words {
		if w == "and" {
			parts = append(parts, cur)
			cur = nil
			continue
		}
		cur = append(cur, w)
	}
	parts = append(parts, cur)
	if len(parts) > 1 {
		for _, p := range parts {
			add(p)
		}
	}
	for _, part := range strings.FieldsFunc(dropParentheses(heading), func(r rune) bool { return r == ',' || r == '/' }) {
		if p := canonWords(part); len(p) > 0 && strings.TrimSpace(part) != strings.TrimSpace(heading) {
			add(p)
		}
	}
	return whole, heads
}

// appendixNouns end headings of material rather than of a section of the
// analysis: "#incident-response logs", "Mitigation links".
var appendixNouns = map[string]bool{"log": true, "link": true, "reference": true, "resource": true, "appendix": true,
	"note": true, "data": true, "graph": true, "chart": true, "screenshot": true, "attachment": true, "transcript": true,
	"faq": true, "question": true, "thank": true, "acknowledgement": true, "acknowledgment": true, "contact": true,
	"update": true, "glossary": true, "metric": true, "dashboard": true, "detail": true}

// cueConcept returns the one concept a heading's words suggest, or nil when
// none or more than one do. Only short headings (at most 8 words) qualify.
func cueConcept(heading string) *concept { return cueConceptOf(canonWords(heading)) }

// cueConceptOf is cueConcept of a heading's canonical words.
func cueConceptOf(words []string) *concept {
	if len(words) == 0 || len(words) > 8 || appendixNouns[words[len(words)-1]] {
		return nil
	}
	text := " " + strings.Join(words, " ") + " "
	var found *concept
	ambiguous := false
	for i := range concepts {
		c := &concepts[i]
		hit := false
		for _, cue := range c.cues {
			if strings.Contains(cue, " ") {
				if strings.Contains(text, " "+cue) {
					hit = true
				}
			} else {
				for _, w := range words {
					if strings.HasPrefix(w, cue) {
						hit = true
						break
					}
				}
			}
			if hit {
				break
			}
		}
		if !hit {
			continue
		}
		if found != nil && found.kind != c.kind {
			// Words of two sections: the last word, the head of an English
			// noun phrase, decides ("Root cause remediations").
			last := words[len(words)-1]
			switch {
			case cueWord(c, last) && !cueWord(found, last):
				found = c
				ambiguous = false
				continue
			case cueWord(found, last) && !cueWord(c, last):
				ambiguous = false
				continue
			}
			ambiguous = true
			continue
		}
		if found == nil {
			found = c
		}
	}
	if ambiguous {
		return nil
	}
	return found
}

// cueWord: a one-word cue of the concept starts the word.
func cueWord(c *concept, w string) bool {
	for _, cue := range c.cues {
		if !strings.Contains(cue, " ") && strings.HasPrefix(w, cue) {
			return true
		}
	}
	return false
}

// editDistance is the optimal string alignment distance (insertions,
// deletions, substitutions and adjacent transpositions) of two ASCII-ish
// keys, giving up (returning limit+1) once it exceeds limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	// three rows; on the stack for names of up to 63 bytes (it runs for
	// every heading and every name of the schema)
	var stack [3 * 64]int
	rows := stack[:]
	if n := len(b) + 1; n > 64 {
		rows = make([]int, 3*n)
	}
	n := len(b) + 1
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:3*n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// typoOf reports whether key is a likely misspelling of name: at most one
// edit for names of 5 to 9 letters, two from 10.
func typoOf(key, name string) bool {
	if key == name || len(name) < 5 {
		return false
	}
	limit := 1
	if len(name) >= 10 {
		limit = 2
	}
	return editDistance(key, name, limit) <= limit
}

// Label is a bold label that starts a paragraph or a list item and names a
// part of the postmortem the way a heading would: "**Impact**: ...",
// "- **Root causes:** ...", or a paragraph that is only "**Timeline**".
// Postmortems written from the Google SRE template and many wiki pages keep
// their short sections this way.
type Label struct {
	// Text is the label without its colon.
	Text      string
	Line, Col int
	Offset    int
	// HasContent: text follows the label in its paragraph or item, or
	// blocks follow it before the next label or heading.
	HasContent bool
	// Section is the section holding the label; nil in the preamble.
	Section *Section
	// body is what the label heads: the list item holding it, or the block
	// after its paragraph.
	body ast.Node
}

// labelOf reads a label at the start of a paragraph: the strong text, its
// offset, and whether more text follows the label in the paragraph.
func (d *Document) labelOf(n ast.Node) (text string, off int, rest bool, ok bool) {
	em, isEm := n.FirstChild().(*ast.Emphasis)
	if !isEm || em.Level != 2 {
		return "", 0, false, false
	}
	text = strings.Join(strings.Fields(d.inlineText(em)), " ")
	colon := strings.HasSuffix(text, ":")
	text = strings.TrimSpace(strings.TrimSuffix(text, ":"))
	after := ""
	for c := em.NextSibling(); c != nil; c = c.NextSibling() {
		after += d.inlineText(c)
		if len(after) > 4 {
			break
		}
	}
	if strings.HasPrefix(strings.TrimLeft(after, " \t"), ":") {
		colon = true
		after = strings.TrimPrefix(strings.TrimLeft(after, " \t"), ":")
	}
	rest = strings.TrimSpace(after) != ""
	if !colon && rest {
		return "", 0, false, false // bold words opening a sentence
	}
	if text == "" || len(text) > 60 || len(strings.Fields(text)) > 6 || !strings.ContainsFunc(text, unicode.IsLetter) {
		return "", 0, false, false
	}
	s, _, okSpan := span(em)
	if !okSpan {
		return "", 0, false, false
	}
	for s > 0 && (d.md[s-1] == '*' || d.md[s-1] == '_') {
		s--
	}
	return text, s, rest, true
}

// inlineText is the text of an inline node and its children.
func (d *Document) inlineText(n ast.Node) string {
	switch t := n.(type) {
	case *ast.Text:
		s := string(d.md[t.Segment.Start:t.Segment.Stop])
		if t.SoftLineBreak() || t.HardLineBreak() {
			s += " "
		}
		return s
	case *ast.String:
		return string(t.Value)
	case *ast.CodeSpan:
		var b strings.Builder
		for c := t.FirstChild(); c != nil; c = c.NextSibling() {
			if x, ok := c.(*ast.Text); ok {
				b.Write(d.md[x.Segment.Start:x.Segment.Stop])
			}
		}
		return b.String()
	}
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		b.WriteString(d.inlineText(c))
	}
	return b.String()
}

// collectLabels finds the labels of the preamble and of every section: in
// their own paragraphs and in the items of their own lists.
func (d *Document) collectLabels() {
	scan := func(blocks []Block, s *Section) {
		for i, b := range blocks {
			switch n := b.Node.(type) {
			case *ast.Paragraph:
				if !d.mayBeLabel(b) {
					continue
				}
				if text, off, rest, ok := d.labelOf(n); ok {
					l := Label{Text: text, Offset: off, Section: s, HasContent: rest}
					if i+1 < len(blocks) {
						l.body = blocks[i+1].Node
					}
					if !rest && i+1 < len(blocks) {
						if p, isPara := blocks[i+1].Node.(*ast.Paragraph); !isPara || !d.isLabel(p) {
							l.HasContent = d.blockHasContent(blocks[i+1])
						}
					}
					l.Line, l.Col = d.Position(off)
					d.Labels = append(d.Labels, l)
				}
			case *ast.List:
				if !d.mayBeLabel(b) {
					continue
				}
				for it := n.FirstChild(); it != nil; it = it.NextSibling() {
					first := it.FirstChild()
					if first == nil {
						continue
					}
					if text, off, rest, ok := d.labelOf(first); ok {
						l := Label{Text: text, Offset: off, Section: s, HasContent: rest || first.NextSibling() != nil, body: it}
						l.Line, l.Col = d.Position(off)
						d.Labels = append(d.Labels, l)
					}
				}
			}
		}
	}
	scan(d.Preamble, nil)
	for _, s := range d.AllSections() {
		scan(s.Blocks, s)
	}
	d.htmlLabels()
}

var (
	// reHTMLHeading is an HTML heading; reHTMLBold a bold HTML label
	// ("<b>Overview:</b>"), as in pages pasted from a rich-text editor.
	reHTMLHeading = regexp.MustCompile(`(?is)<h[1-6][^>]*>(.{1,200}?)</h[1-6]\s*>`)
	reHTMLBold    = regexp.MustCompile(`(?is)<(b|strong)\b[^>]*>([^<]{1,60}?):?\s*</(?:b|strong)\s*>\s*:?`)
	reHTMLTag     = regexp.MustCompile(`<[^>]*>`)
)

// htmlLabels reads the headings and bold labels of HTML written in the
// Markdown (a page exported from a blog or a rich-text editor) as labels.
func (d *Document) htmlLabels() {
	add := func(blocks []Block, s *Section) {
		for _, b := range blocks {
			if b.Kind != BlockHTML && b.Kind != BlockParagraph {
				continue
			}
			src := d.md[b.Start:b.End]
			if !bytes.Contains(src, []byte("<h")) && !bytes.Contains(src, []byte("<H")) &&
				!bytes.Contains(src, []byte("<b")) && !bytes.Contains(src, []byte("<strong")) {
				continue
			}
			text := string(src)
			for _, m := range reHTMLHeading.FindAllStringSubmatchIndex(text, -1) {
				d.htmlLabel(text[m[2]:m[3]], b.Start+m[0], s, false)
			}
			for _, m := range reHTMLBold.FindAllStringSubmatchIndex(text, -1) {
				if strings.Contains(text[m[0]:m[1]], ":") { // "<b>Overview:</b>", "<b>Overview</b>:"
					d.htmlLabel(text[m[4]:m[5]], b.Start+m[0], s, true)
				}
			}
		}
	}
	add(d.Preamble, nil)
	for _, s := range d.AllSections() {
		add(s.Blocks, s)
	}
	sort.SliceStable(d.Labels, func(i, j int) bool { return d.Labels[i].Offset < d.Labels[j].Offset })
}

func (d *Document) htmlLabel(inner string, off int, s *Section, bold bool) {
	text := strings.Join(strings.Fields(html.UnescapeString(reHTMLTag.ReplaceAllString(inner, " "))), " ")
	text = strings.TrimSpace(strings.TrimSuffix(text, ":"))
	if text == "" || len(text) > 60 || len(strings.Fields(text)) > 6 || !strings.ContainsFunc(text, unicode.IsLetter) {
		return
	}
	l := Label{Text: text, Offset: off, Section: s, HasContent: true}
	l.Line, l.Col = d.Position(off)
	d.Labels = append(d.Labels, l)
}

// mayBeLabel: the block's source holds "**" or "__" (most blocks do not,
// and need no closer look).
func (d *Document) mayBeLabel(b Block) bool {
	src := d.md[b.Start:b.End]
	return bytes.Contains(src, []byte("**")) || bytes.Contains(src, []byte("__"))
}

func (d *Document) isLabel(p ast.Node) bool {
	_, _, _, ok := d.labelOf(p)
	return ok
}

// MatchHow says how a template section was found in a document.
type MatchHow string

const (
	// MatchName: the heading is the template's heading, one of its "aka:"
	// alternatives or a well-known synonym, in canonical form.
	MatchName MatchHow = "name"
	// MatchPart: the heading's head ("Root cause of the outage") or one of
	// its parts ("Severity & Impact") is such a name.
	MatchPart MatchHow = "part"
	// MatchLabel: a bold label ("**Impact**: ...") is such a name.
	MatchLabel MatchHow = "label"
	// MatchSimilar: the last resort, always announced: a likely misspelling
	// of a name, a heading whose words suggest the section and no other, or
	// whose last word names it ("Root cause remediations").
	MatchSimilar MatchHow = "similar"
	// MatchIntro: the prose between the title and the first heading taken
	// as the summary (blog posts open with one), announced.
	MatchIntro MatchHow = "intro"
)

// SectionMatch is where a template section was found in a document.
type SectionMatch struct {
	// Spec is the index of the section in Schema.Sections.
	Spec int
	// Section is the document's section; nil when a label was found.
	Section *Section
	Label   *Label
	// Intro is the first block of the introduction (MatchIntro).
	Intro *Block
	How   MatchHow
	// Why explains a MatchSimilar: "a likely misspelling" or the words.
	Why string
}

// Line is where the match is: its heading or label.
func (m *SectionMatch) Line() int {
	switch {
	case m.Section != nil:
		return m.Section.Line
	case m.Label != nil:
		return m.Label.Line
	}
	return m.Intro.Line
}

// Text is the heading or label as written.
func (m *SectionMatch) Text() string {
	switch {
	case m.Section != nil:
		return m.Section.Text
	case m.Label != nil:
		return m.Label.Text
	}
	return "the introduction"
}

// MatchSections finds each section of the schema in the document, trying
// every section for one way of matching before the next (names, then heads
// and parts, then labels, then similar headings), so that a weaker match
// never takes a heading a stronger one wants. It returns one match per found
// schema section, indexed by the schema section (nil when missing).
func MatchSections(d *Document, sc *Schema) []*SectionMatch {
	all := d.AllSections()
	// Each heading's keys, words and cue are worked out once (not once per
	// section of the schema: 200 000 headings took seconds).
	wholes := make([]string, len(all))
	heads := make([][]string, len(all))
	words := make([][]string, len(all))
	for i, s := range all {
		words[i] = canonWords(s.Text)
		wholes[i], heads[i] = headingKeysOf(s.Text, words[i])
	}
	cues := make([]*concept, len(all))
	cued := make([]bool, len(all))
	cueOf := func(k int) *concept {
		if !cued[k] {
			cues[k], cued[k] = cueConceptOf(words[k]), true
		}
		return cues[k]
	}
	found := make([]*SectionMatch, len(sc.Sections))
	claimed := map[*Section]MatchHow{}
	specOf := map[*Section]int{}
	set := func(i int, m *SectionMatch) {
		m.Spec = i
		found[i] = m
		if m.Section != nil {
			claimed[m.Section] = m.How
			specOf[m.Section] = i
		}
	}
	// nestedInOther: an ancestor is matched to another section of the
	// schema ("### What went wrong" under "## Lessons learned").
	nestedInOther := func(s *Section, i int) bool {
		if locked(s, &sc.Sections[i]) {
			return true
		}
		for p := s.Parent; p != nil; p = p.Parent {
			if j, ok := specOf[p]; ok && j != i {
				return true
			}
		}
		return false
	}
	for i := range sc.Sections {
		for k, s := range all {
			if claimed[s] == "" && !locked(s, &sc.Sections[i]) && contains(sc.Sections[i].Names, wholes[k]) {
				set(i, &SectionMatch{Section: s, How: MatchName})
				break
			}
		}
	}
	for i := range sc.Sections {
	parts:
		for k, s := range all {
			if found[i] != nil {
				break
			}
			if h := claimed[s]; (h != "" && h != MatchPart) || nestedInOther(s, i) {
				continue
			}
			for _, h := range heads[k] {
				if contains(sc.Sections[i].Names, h) {
					set(i, &SectionMatch{Section: s, How: MatchPart})
					break parts
				}
			}
		}
	}
	for i := range sc.Sections {
		if found[i] != nil {
			continue
		}
	labels:
		for j := range d.Labels {
			l := &d.Labels[j]
			whole, hs := headingKeys(l.Text)
			for _, k := range append([]string{whole}, hs...) {
				if contains(sc.Sections[i].Names, k) {
					set(i, &SectionMatch{Label: l, How: MatchLabel})
					break labels
				}
			}
		}
	}
	for i := range sc.Sections {
		if found[i] != nil {
			continue
		}
		spec := &sc.Sections[i]
		c := specConcept(spec)
		if (spec.IntroOK || (c != nil && c.id == "summary")) && d.introWords() >= 20 {
			set(i, &SectionMatch{Intro: &d.Preamble[0], How: MatchIntro})
			continue
		}
		for k, s := range all {
			words := words[k]
			tail := c != nil && len(words) > 1 && conceptOf(words[len(words)-1]) == c
			if claimed[s] != "" || locked(s, spec) || (nestedInOther(s, i) && !tail) {
				continue
			}
			own := conceptOf(wholes[k])
			if own != nil && own != c {
				continue // a well-known section of another kind
			}
			why := ""
			for _, n := range spec.Names {
				if len(n) >= 6 && typoOf(wholes[k], n) {
					why = "a likely misspelling"
					break
				}
			}
			if why == "" && c != nil && cueOf(k) == c {
				why = "its words suggest it"
			}
			if why == "" && tail {
				why = "its last word names it"
			}
			if why != "" {
				set(i, &SectionMatch{Section: s, How: MatchSimilar, Why: why})
				break
			}
		}
	}
	return found
}

// locked: the section is a part of a follow-ups section or of lessons (it
// took its parent's kind: "### Mitigation" under "## Action items" is a
// kind of action, not the resolution), and the spec is of another kind.
func locked(s *Section, spec *SectionSpec) bool {
	if s.Parent == nil || s.Parent.Kind != s.Kind || spec.Kind == s.Kind {
		return false
	}
	switch s.Kind {
	case blameless.SectionFollowUps, blameless.SectionLessons:
		return true
	}
	return false
}

// introWords counts the words of the paragraphs between the title and the
// first heading.
func (d *Document) introWords() int {
	n := 0
	for _, b := range d.Preamble {
		if b.Kind == BlockParagraph && d.blockHasContent(b) {
			n += len(bytes.Fields(d.md[b.Start:b.End]))
		}
	}
	return n
}

// IntroName is the "aka:" name by which a template lets the introduction
// (the prose before the first heading) stand for a section, silently:
// "## Summary <!-- aka: the introduction -->".
const IntroName = "the introduction"
