package blameless

import (
	"strings"
	"testing"
)

func TestParsePeople(t *testing.T) {
	in := "# incident people\n@dana Dana Scully\n   12\tFox Mulder <fox@example.com>\nwskinner\n\n"
	ps, err := ParsePeople(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{{Login: "dana", Name: "Dana Scully"}, {Name: "Fox Mulder"}, {Login: "wskinner"}}
	if len(ps) != len(want) {
		t.Fatalf("got %+v", ps)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("person %d = %+v, want %+v", i, ps[i], want[i])
		}
	}
	js, err := ParsePeople(strings.NewReader(` [{"login": "@kim", "name": "Kim Lee"}]`))
	if err != nil || len(js) != 1 || js[0] != (Person{Login: "kim", Name: "Kim Lee"}) {
		t.Errorf("JSON: %+v %v", js, err)
	}
	if _, err := ParsePeople(strings.NewReader("[{")); err == nil {
		t.Error("bad JSON: want an error")
	}
}

// A capitalised word with no person evidence is a thing; the people the
// incident involves make it a person.
func TestPeopleAreEvidence(t *testing.T) {
	text := "Root cause: Xiaolu deleted the production bucket by mistake."
	if hits := mustNewRules(t, Config{}).Analyze(Segment{Text: text}); hasRule(hits, RuleNamedIndividual) {
		t.Errorf("without people: %v", rulesOf(hits))
	}
	a := mustNewRules(t, Config{People: []Person{{Login: "xl", Name: "Xiaolu Chen"}}})
	if hits := a.Analyze(Segment{Text: text}); !hasRule(hits, RuleNamedIndividual) {
		t.Errorf("with people: %v", rulesOf(hits))
	}
	// things stay things: no name, no person noun, no human verb
	for _, s := range []string{"The image on Orion broke the builds.", "Zebra deleted the wrong partition by mistake.",
		"The package manager failed to resolve the dependency.",
		// a person noun after a thing modifier and plain nouns, or after a
		// hyphenated adjective, heads a thing; a culprit named as a thing
		"The search led me to a single culprit: the Google Calendar event importer.",
		"Here was the culprit - a regular expression-based query that ran on every login."} {
		if hits := mustNewRules(t, Config{}).Analyze(Segment{Text: s}); len(hits) != 0 {
			t.Errorf("%q: %v", s, rulesOf(hits))
		}
	}
	// WordNet roles, first names, human-only verbs
	for _, s := range []string{"The coordinator failed to answer the page.", "Dana deleted the staging bucket by mistake.",
		"Marsala insisted on the migration and then forgot to take a backup."} {
		if hits := mustNewRules(t, Config{}).Analyze(Segment{Text: s}); len(hits) == 0 {
			t.Errorf("%q: no finding", s)
		}
	}
}

// With MinConfidence set, confidence decides severity; every hit carries a
// confidence in (0, 1] and the message names who is put at fault.
func TestConfidence(t *testing.T) {
	text := "The on-call engineer forgot to renew the certificate."
	for _, h := range mustNew(t, Config{}).Analyze(Segment{Text: text}) {
		if h.Confidence <= 0 || h.Confidence > 1 {
			t.Errorf("confidence %v", h.Confidence)
		}
		if !strings.Contains(h.Message, "“The on-call engineer”") {
			t.Errorf("message does not say who: %q", h.Message)
		}
	}
	high := mustNew(t, Config{MinConfidence: 0.999}).Analyze(Segment{Text: text})
	for _, h := range high {
		if h.Severity != "warning" {
			t.Errorf("below min confidence: severity %s", h.Severity)
		}
	}
	if _, err := New(Config{MinConfidence: 1.5}); err == nil {
		t.Error("min confidence 1.5: want an error")
	}
}

// Action-item metadata names owners, not culprits: "(owner: @alice, due:
// …)" is not judged, whatever else the item says.
func TestActionItemMetadataIsNotJudged(t *testing.T) {
	a := mustNew(t, Config{})
	item := "Validate pool size changes in CI against the last 7 days of peak load (owner: @alice, due: 2026-03-15, priority: P1)"
	if hs := a.Analyze(Segment{Text: item, Section: SectionFollowUps}); len(hs) != 0 {
		t.Errorf("%q: %+v", item, hs)
	}
	toks := tokenize("Fix the alert, owner: @bob", nil)
	markMetadata(toks)
	for _, tk := range toks {
		if want := tk.low == "owner" || tk.low == ":" || tk.low == "@bob"; tk.unjudged != want {
			t.Errorf("%q unjudged %v, want %v", tk.text, tk.unjudged, want)
		}
	}
	blameful := "Bob was careless and deleted the database (owner: @alice)."
	if hs := a.Analyze(Segment{Text: blameful}); len(hs) == 0 || hs[0].Severity != "error" {
		t.Errorf("%q: %+v", blameful, hs)
	}
}

// TestJudgementNounsInThePlural: the nouns of the judgement and fault
// classes are in their classes in the plural too ("idiots" was, "morons",
// "fools", "amateurs", "blunders" were not, or only by chance of WordNet).
func TestJudgementNounsInThePlural(t *testing.T) {
	for _, w := range []string{"morons", "fools", "noobs", "cowboys", "idiots", "amateurs"} {
		if lexClass[w] != lcJudgment {
			t.Errorf("%q: class %q, want JUDG", w, lexClassNames[lexClass[w]])
		}
	}
	for _, w := range []string{"gaffes", "lapses", "missteps", "screwups"} {
		if lexClass[w] != lcFaultNoun {
			t.Errorf("%q: class %q, want FAULTN", w, lexClassNames[lexClass[w]])
		}
	}
}

// TestFirstNamesOfManyCountries: the first names are not only the US lists
// ("Priya", "Suresh", "Walter" were missing); the lists' places and words
// are no names (lexgen takes a name only when WordNet knows it as nothing
// but a person).
func TestFirstNamesOfManyCountries(t *testing.T) {
	for _, w := range []string{"priya", "suresh", "ajit", "walter", "donald", "rasmus", "zuzanna", "kofi"} {
		if personBits(w)&pName == 0 {
			t.Errorf("%s: not a first name", w)
		}
	}
	for _, w := range []string{"houston", "london", "kenya", "atlas", "nova", "serenity", "said", "can"} {
		if personBits(w)&pName != 0 {
			t.Errorf("%s: a first name", w)
		}
	}
}

// TestNamesEndingInLy: "Kelly", "Emily", "Beverly" and a surname of
// Config.People such as "Scully" are names, not adverbs ending in -ly, so
// they can be the subject of a faulty act; capitalised adverbs stay adverbs.
func TestNamesEndingInLy(t *testing.T) {
	rulesOnly := mustNewRules(t, Config{})
	for _, s := range []string{"Kelly deleted the staging bucket by mistake.", "Yesterday Emily deleted the staging bucket by mistake.",
		"Beverly forgot to renew the certificate."} {
		if hits := rulesOnly.Analyze(Segment{Text: s}); !hasRule(hits, RuleNamedIndividual) {
			t.Errorf("%q: %v, want a named individual", s, rulesOf(hits))
		}
	}
	const scully = "Scully deleted the staging bucket by mistake."
	withPeople := mustNewRules(t, Config{People: []Person{{Login: "dana", Name: "Dana Scully"}}})
	if hits := withPeople.Analyze(Segment{Text: scully}); !hasRule(hits, RuleNamedIndividual) {
		t.Errorf("%q with Dana Scully among the people: %v, want a named individual", scully, rulesOf(hits))
	}
	for _, s := range []string{"Unfortunately the engineer deleted the staging bucket by mistake.",
		"Eventually the operator forgot to renew the certificate."} {
		if hits := rulesOnly.Analyze(Segment{Text: s}); !hasRule(hits, RulePersonAsCause) {
			t.Errorf("%q: %v, want the role at fault after the adverb", s, rulesOf(hits))
		}
	}
}
