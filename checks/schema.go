package checks

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/postmortem-app/postmortem/checks/blameless"
	yaml "go.yaml.in/yaml/v3"
)

// A team's template is its completeness schema. SchemaFromTemplate reads a
// blank rendered template with these conventions:
//
//   - every "##"-or-deeper heading is a required section, unless the heading
//     line ends with "<!-- optional -->" or the next line is exactly that;
//     the "#" title is not a requirement;
//   - "<!-- also: Action items, Remediation -->" on the heading line or the
//     next line adds alternative headings; well-known synonyms ("Action
//     items" for "Follow-ups", "Overview" for "Summary"...) are accepted too,
//     unless the template uses that name for a section of its own;
//   - every front matter key is required unless its line carries a YAML
//     comment starting with "optional"; the kind of a field comes from its
//     name: *_at → time, severity → severity, incident → URL or number,
//     timezone → IANA zone, anything else → text;
//   - HTML comments are guidance and never count as content;
//   - TODO, TBD, FIXME and <angle-bracket hints> are placeholders, and a
//     section whose text still equals the template's is not filled in.

// FieldKind is the kind of value a front matter field holds.
type FieldKind string

const (
	FieldText     FieldKind = "text"
	FieldTime     FieldKind = "time"
	FieldSeverity FieldKind = "severity"
	FieldIncident FieldKind = "incident" // URL or issue number
	FieldTimezone FieldKind = "timezone"
	FieldList     FieldKind = "list"
)

// FieldSpec is a front matter field the template asks for.
type FieldSpec struct {
	Key      string
	Kind     FieldKind
	Required bool
	// Example is the field's value in the template when it is not a
	// placeholder (e.g. "draft"), else "".
	Example string
	// Hint is the YAML comment the template puts on the key's line.
	Hint string
}

// SectionSpec is a section the template asks for.
type SectionSpec struct {
	// Heading is the heading text as written in the template.
	Heading string
	Level   int
	// Names are the canonical keys (canonKey) of the headings that satisfy
	// the spec: the heading itself, its "aka:" (or "also:") alternatives and
	// its well-known synonyms.
	Names []string
	// Aka are the template's own alternatives as written.
	Aka []string
	// IntroOK: the introduction may stand for the section ("aka: the
	// introduction"), without a notice.
	IntroOK  bool
	Required bool
	// Body is the template's own text for the section (comments removed,
	// white space collapsed); a document section with the same text is not
	// filled in. Empty when the template leaves only guidance.
	Body string
	// Guidance is the template's HTML comment for the section, collapsed.
	Guidance string
	Kind     blameless.Section
}

// Schema is what a complete postmortem must contain.
type Schema struct {
	Sections []SectionSpec
	Fields   []FieldSpec
	// OwnersOptional: open action items need no owner (the template's
	// follow-ups heading carries "<!-- owners: optional -->").
	OwnersOptional bool
}

// Section returns the spec whose names include the heading (compared in
// canonical form: see canonWords).
func (s *Schema) Section(heading string) *SectionSpec {
	h := canonKey(heading)
	for i := range s.Sections {
		for _, n := range s.Sections[i].Names {
			if n == h {
				return &s.Sections[i]
			}
		}
	}
	return nil
}

//go:embed default_template.md
var defaultTemplate []byte

// DefaultTemplate returns a copy of the blank render of the default template
// the default schema is read from (a copy of templates' default preset,
// kept in sync by a test).
func DefaultTemplate() []byte {
	return append([]byte(nil), defaultTemplate...)
}

// defaultSchema is parsed once; DefaultSchema hands out copies, so callers
// may change theirs freely.
var defaultSchema = sync.OnceValue(func() *Schema {
	s, err := SchemaFromTemplate(defaultTemplate)
	if err != nil {
		panic("checks: the embedded default template is broken: " + err.Error())
	}
	return s
})

// DefaultSchema is the schema of the default template.
func DefaultSchema() *Schema {
	return defaultSchema().Clone()
}

// Clone returns a deep copy of the schema.
func (s *Schema) Clone() *Schema {
	c := &Schema{Fields: append([]FieldSpec(nil), s.Fields...), Sections: append([]SectionSpec(nil), s.Sections...),
		OwnersOptional: s.OwnersOptional}
	for i := range c.Sections {
		c.Sections[i].Names = append([]string(nil), c.Sections[i].Names...)
		c.Sections[i].Aka = append([]string(nil), c.Sections[i].Aka...)
	}
	return c
}

var (
	reOptionalComment   = regexp.MustCompile(`(?i)^\s*<!--\s*optional\s*-->\s*$`)
	reAlsoComment       = regexp.MustCompile(`(?i)<!--\s*(?:also|aka)\s*:\s*([^>]*?)\s*-->`)
	reOptionalTail      = regexp.MustCompile(`(?i)<!--\s*optional\s*-->\s*$`)
	reOptionalYAML      = regexp.MustCompile(`(?i)^optional\b`)
	reTemplateDirective = regexp.MustCompile(`(?i)^(?:also|aka|owners)\s*:`)
	reOwnersOptional    = regexp.MustCompile(`(?i)<!--\s*owners\s*:\s*optional\s*-->`)
)

// SchemaFromTemplate reads the completeness schema from a blank rendered
// template (see the conventions above).
func SchemaFromTemplate(rendered []byte) (*Schema, error) {
	if strings.Contains(string(rendered), "{{") {
		return nil, errors.New("template still contains {{ actions }}: give the rendered template, not its source")
	}
	d := Parse(rendered)
	if len(d.Problems) > 0 {
		p := d.Problems[0]
		return nil, fmt.Errorf("template line %d: %s", p.Line, p.Message)
	}
	sc := &Schema{}
	if d.FrontMatter != nil {
		for _, f := range d.FrontMatter.Fields {
			fs := FieldSpec{Key: f.Key, Kind: fieldKind(f), Hint: f.Comment}
			fs.Required = !reOptionalYAML.MatchString(f.Comment)
			if f.Node != nil && f.Node.Kind == yaml.ScalarNode && !f.Null && !isPlaceholderText(f.Raw) {
				fs.Example = f.Raw
			}
			sc.Fields = append(sc.Fields, fs)
		}
	}
	for _, s := range d.AllSections() {
		line := d.Line(s.Line)
		next := d.Line(s.Line + 1)
		spec := SectionSpec{
			Heading:  s.Text,
			Level:    s.Level,
			Required: !reOptionalTail.MatchString(line) && !reOptionalComment.MatchString(next),
			Body:     d.bodyText(s.Blocks),
			Guidance: d.guidance(s),
			Kind:     s.Kind,
		}
		spec.Names = []string{canonKey(s.Text)}
		for _, l := range []string{line, next} {
			for _, m := range reAlsoComment.FindAllStringSubmatch(l, -1) {
				for _, alt := range strings.Split(m[1], ",") {
					alt = strings.TrimSpace(alt)
					if strings.EqualFold(alt, IntroName) {
						spec.IntroOK = true
					}
					if n := canonKey(alt); n != "" && !contains(spec.Names, n) {
						spec.Names = append(spec.Names, n)
						spec.Aka = append(spec.Aka, alt)
					}
				}
			}
		}
		if reOwnersOptional.MatchString(line) || reOwnersOptional.MatchString(next) {
			sc.OwnersOptional = true
		}
		sc.Sections = append(sc.Sections, spec)
	}
	if len(sc.Sections) == 0 && len(sc.Fields) == 0 {
		return nil, errors.New("template has no sections (## headings) and no front matter fields")
	}
	// Synonyms: the names of the section's concept, unless the template
	// names one of them itself (as a section or an alternative).
	own := map[string]bool{}
	for _, s := range sc.Sections {
		for _, n := range s.Names {
			own[n] = true
		}
	}
	for i := range sc.Sections {
		s := &sc.Sections[i]
		c := specConcept(s)
		if c == nil {
			continue
		}
		for _, n := range c.names {
			if k := canonKey(n); !own[k] && !contains(s.Names, k) {
				s.Names = append(s.Names, k)
			}
		}
	}
	return sc, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fieldKind(f Field) FieldKind {
	k := strings.ToLower(f.Key)
	switch {
	case strings.HasSuffix(k, "_at"):
		return FieldTime
	case k == "severity":
		return FieldSeverity
	case k == "incident":
		return FieldIncident
	case k == "timezone" || k == "time_zone" || k == "tz":
		return FieldTimezone
	}
	if f.Node != nil && f.Node.Kind == yaml.SequenceNode {
		return FieldList
	}
	return FieldText
}

// guidance collects the text of the HTML comments in a section's own body.
func (d *Document) guidance(s *Section) string {
	var parts []string
	for _, b := range s.Blocks {
		src := string(d.Source[b.Start:b.End])
		for {
			i := strings.Index(src, "<!--")
			if i < 0 {
				break
			}
			j := strings.Index(src[i+4:], "-->")
			if j < 0 {
				break
			}
			c := strings.Join(strings.Fields(src[i+4:i+4+j]), " ")
			if c != "" && !reOptionalYAML.MatchString(c) && !reTemplateDirective.MatchString(c) {
				parts = append(parts, c)
			}
			src = src[i+4+j+3:]
		}
	}
	return strings.Join(parts, " ")
}

// specConcept is the concept a spec's heading (or one of its alternatives)
// names, or nil.
func specConcept(s *SectionSpec) *concept {
	for _, n := range s.Names {
		if c := conceptOf(n); c != nil {
			return c
		}
	}
	whole, heads := headingKeys(s.Heading)
	if c := conceptOf(whole); c != nil {
		return c
	}
	for _, h := range heads {
		if c := conceptOf(h); c != nil {
			return c
		}
	}
	return nil
}
