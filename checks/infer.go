package checks

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// Inferring a template from an archive: the sections most documents share,
// in their usual order, named as the archive names them most often, with
// the other names it uses as "aka:" synonyms, optional where fewer than
// most of the documents have them ("most": two thirds, so that the
// documents lint points at are the outliers, a third at most); the front matter fields most documents
// share; and owners optional when most of the archive's action items have
// none.

// InferredSection is a section of an inferred template.
type InferredSection struct {
	Heading  string
	Aka      []string
	Docs     int // documents that have it
	Required bool
	// Intro: some documents open with it before their first heading (a
	// summary): the template lets the introduction stand for it.
	Intro bool
	order float64
	key   string
}

// InferredField is a front matter field of an inferred template.
type InferredField struct {
	Key      string
	Docs     int
	Required bool
	order    float64
}

// Inferred is a template inferred from an archive.
type Inferred struct {
	Documents      int
	Sections       []InferredSection
	Fields         []InferredField
	OwnersOptional bool
	// Actions and Owned count the open action items of the archive and
	// those with an owner.
	Actions, Owned int
	// Severities are the values of the archive's severity fields, in the
	// order first seen: the configuration's severities (a template holds
	// none).
	Severities []string
}

// sectionKey is what a heading counts as when inferring: the concept it
// names (by name, head or part), else its canonical key.
func sectionKey(heading string) (key string, c *concept) {
	whole, heads := headingKeys(heading)
	if c := conceptOf(whole); c != nil {
		return "concept:" + c.id, c
	}
	for _, h := range heads {
		if c := conceptOf(h); c != nil {
			return "concept:" + c.id, c
		}
	}
	return whole, nil
}

// Infer reads the house style of an archive of parsed postmortems.
func Infer(docs []*Document) *Inferred {
	inf := &Inferred{Documents: len(docs)}
	type stat struct {
		docs      int
		positions []float64
		texts     map[string]int
		firstText string
	}
	stats := map[string]*stat{}
	var keys []string
	fields := map[string]*stat{}
	var fieldKeys []string
	intros := map[string]int{}
	for _, d := range docs {
		// The document's parts, in order: its headings (not the parts of
		// follow-ups, timelines and lessons) and its bold labels.
		type part struct {
			key, text string
			line      int
		}
		var parts []part
		// Headings and labels the concepts' schema takes by similarity
		// count for their concept (their names become its synonyms), and
		// an introduction standing for the summary says so.
		byMatch := map[*Section]string{}
		for i, m := range MatchSections(d, conceptSchema()) {
			if m == nil {
				continue
			}
			k := "concept:" + concepts[i].id
			switch {
			case m.How == MatchIntro:
				intros[k]++
			case m.Section != nil && m.How == MatchSimilar:
				byMatch[m.Section] = k
			}
		}
		for _, s := range d.AllSections() {
			if k, ok := byMatch[s]; ok {
				parts = append(parts, part{k, s.Text, s.Line})
				continue
			}
			if s.Parent != nil && s.Parent.Kind == s.Kind && (s.Kind == blameless.SectionFollowUps ||
				s.Kind == blameless.SectionTimeline || s.Kind == blameless.SectionLessons) {
				continue
			}
			k, _ := sectionKey(s.Text)
			if k == "" {
				continue
			}
			parts = append(parts, part{k, s.Text, s.Line})
		}
		for _, l := range d.Labels {
			if k, c := sectionKey(l.Text); c != nil {
				parts = append(parts, part{k, l.Text, l.Line})
			}
		}
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].line < parts[j].line })
		seen := map[string]bool{}
		n := 0
		for _, p := range parts {
			if !seen[p.key] {
				seen[p.key] = true
				n++
			}
		}
		i := 0
		seen = map[string]bool{}
		for _, p := range parts {
			if seen[p.key] {
				continue
			}
			seen[p.key] = true
			st := stats[p.key]
			if st == nil {
				st = &stat{texts: map[string]int{}, firstText: cleanHeading(p.text)}
				stats[p.key] = st
				keys = append(keys, p.key)
			}
			st.docs++
			st.positions = append(st.positions, float64(i)/math.Max(1, float64(n-1)))
			st.texts[cleanHeading(p.text)]++
			i++
		}
		if f := d.FrontMatter.Get("severity"); f != nil && strings.TrimSpace(f.Raw) != "" && !isPlaceholderText(f.Raw) {
			if v := strings.TrimSpace(f.Raw); !contains(inf.Severities, v) && len(inf.Severities) < 20 {
				inf.Severities = append(inf.Severities, v)
			}
		}
		if d.FrontMatter != nil {
			for j, f := range d.FrontMatter.Fields {
				st := fields[f.Key]
				if st == nil {
					st = &stat{}
					fields[f.Key] = st
					fieldKeys = append(fieldKeys, f.Key)
				}
				st.docs++
				st.positions = append(st.positions, float64(j))
			}
		}
		for _, a := range d.Actions {
			if a.Done {
				continue
			}
			inf.Actions++
			if a.HasOwner() {
				inf.Owned++
			}
		}
	}
	n := len(docs)
	least := max(2, (n+4)/5) // in at least a fifth of the documents
	for _, k := range keys {
		st := stats[k]
		if st.docs < least {
			continue
		}
		sec := InferredSection{Docs: st.docs + intros[k], Required: most(st.docs+intros[k], n), order: median(st.positions), key: k,
			Intro: intros[k] > 0}
		// The name most documents use, then the others.
		type tc struct {
			text string
			n    int
		}
		var texts []tc
		for t, c := range st.texts {
			texts = append(texts, tc{t, c})
		}
		sort.Slice(texts, func(i, j int) bool {
			if texts[i].n != texts[j].n {
				return texts[i].n > texts[j].n
			}
			return texts[i].text < texts[j].text
		})
		sec.Heading = texts[0].text
		seenKey := map[string]bool{canonKey(sec.Heading): true}
		var c *concept
		if strings.HasPrefix(k, "concept:") {
			c = conceptByID(strings.TrimPrefix(k, "concept:"))
		}
		for _, t := range texts[1:] {
			ck := canonKey(t.text)
			if seenKey[ck] || strings.ContainsAny(t.text, ",<>{}") || len(sec.Aka) >= 12 {
				continue
			}
			seenKey[ck] = true
			if c != nil && conceptOf(ck) == c {
				continue // a built-in synonym: matched anyway
			}
			sec.Aka = append(sec.Aka, t.text)
		}
		inf.Sections = append(inf.Sections, sec)
	}
	sort.SliceStable(inf.Sections, func(i, j int) bool { return inf.Sections[i].order < inf.Sections[j].order })
	for _, k := range fieldKeys {
		st := fields[k]
		if st.docs < least {
			continue
		}
		inf.Fields = append(inf.Fields, InferredField{Key: k, Docs: st.docs, Required: most(st.docs, n), order: median(st.positions)})
	}
	sort.SliceStable(inf.Fields, func(i, j int) bool { return inf.Fields[i].order < inf.Fields[j].order })
	inf.OwnersOptional = 2*inf.Owned < inf.Actions || inf.Actions == 0
	return inf
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cleanHeading is a heading as a template would write it: no leading
// numbering or emoji, no trailing colon, no question mark.
func cleanHeading(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "0123456789.)# \t")
	s = strings.TrimLeftFunc(s, func(r rune) bool { return r > 0x2000 && !isLetterRune(r) })
	s = strings.TrimRight(s, ": \t")
	return strings.TrimSpace(s)
}

func isLetterRune(r rune) bool { return r < 0x2000 || (r >= 0x3040 && r <= 0x9fff) }

// Template renders the inferred template: front matter fields (TODO
// values, optional ones marked), a title, and one "##" section per
// inferred section with its synonyms and how many documents have it.
func (inf *Inferred) Template() []byte {
	var b strings.Builder
	if len(inf.Fields) > 0 {
		b.WriteString("---\n")
		for _, f := range inf.Fields {
			fmt.Fprintf(&b, "%s: TODO", yamlKey(f.Key))
			if !f.Required {
				fmt.Fprintf(&b, "  # optional: in %d of %d documents", f.Docs, inf.Documents)
			} else {
				fmt.Fprintf(&b, "  # in %d of %d documents", f.Docs, inf.Documents)
			}
			b.WriteString("\n")
		}
		b.WriteString("---\n\n")
	}
	fmt.Fprintf(&b, "# Postmortem\n\n<!--\nInferred by `postmortem template infer` from %d documents: the sections at\nleast a fifth of them have, in their usual order; a section fewer than two\nthirds have is optional. Each \"aka\" lists the other names the archive uses.\n-->\n",
		inf.Documents)
	for _, s := range inf.Sections {
		fmt.Fprintf(&b, "\n## %s", strings.ReplaceAll(s.Heading, "{{", "{ {"))
		aka := s.Aka
		if s.Intro {
			aka = append([]string{IntroName}, aka...)
		}
		if len(aka) > 0 {
			fmt.Fprintf(&b, " <!-- aka: %s -->", strings.Join(aka, ", "))
		}
		if s.key == "concept:followups" && inf.OwnersOptional {
			b.WriteString(" <!-- owners: optional -->")
		}
		if !s.Required {
			b.WriteString(" <!-- optional -->") // last: the convention reads it at the line's end
		}
		fmt.Fprintf(&b, "\n\n<!-- In %d of %d documents. -->\n", s.Docs, inf.Documents)
	}
	return []byte(b.String())
}

// yamlKey quotes a key that plain YAML would not keep as written.
func yamlKey(k string) string {
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", k)
		}
	}
	return k
}

// conceptSchema is a schema with one section per concept, to read which
// concept each heading of an archive stands for.
var conceptSchema = sync.OnceValue(func() *Schema {
	sc := &Schema{}
	for _, c := range concepts {
		spec := SectionSpec{Heading: c.names[0], Level: 2, Required: true, Kind: c.kind}
		for _, n := range c.names {
			spec.Names = append(spec.Names, canonKey(n))
		}
		sc.Sections = append(sc.Sections, spec)
	}
	return sc
})

// most: k of n documents are most of them, two thirds or more.
func most(k, n int) bool { return 3*k >= 2*n && k > 0 }
