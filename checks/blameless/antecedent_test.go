package blameless

import (
	"slices"
	"strings"
	"testing"
)

// sentsOf splits text into sentences as Analyze does, each with the one
// before it as context.
func sentsOf(t *testing.T, a *Analyzer, text string) []*sent {
	t.Helper()
	seg := &Segment{Text: text}
	toks := tokenize(text, nil)
	var out []*sent
	prev := 0
	for _, r := range sentences(toks, nil) {
		out = append(out, &sent{a: a, seg: seg, t: toks[r[0]:r[1]], prev: toks[prev:r[0]]})
		prev = r[0]
	}
	return out
}

func TestPluralPronounAntecedent(t *testing.T) {
	a, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text   string
		pron   string
		person bool
	}{
		{"The servers failed. They were returning 404s.", "they", false},
		{"The engineers ignored the alert. They should have known.", "they", true},
		{"Instead of falling back to the English version of the pages, they were returning a 404.", "they", false},
		{"Our reports to Cloudflare were rejected due to them being unable to confirm phishing.", "them", false},
		{"We paged the on-call team. They did not respond.", "they", true},
		{"Alice and Bob were paged, but they ignored it.", "they", true},
		{"They should have checked.", "they", true}, // no antecedent: as before
		{"The requests timed out because their retries were too aggressive.", "their", false},
	}
	for _, c := range cases {
		eachWord(t, a, c.text, c.pron, func(s *sent, i int) {
			thing := s.thingAntecedent(i)
			if thing == c.person {
				t.Errorf("%q: %q thing antecedent %v, want person %v", c.text, c.pron, thing, c.person)
			}
			if c.pron != "their" {
				if got := s.classOf(i).person(); got != c.person {
					t.Errorf("%q: %q person %v, want %v", c.text, c.pron, got, c.person)
				}
			}
		})
	}
}

// eachWord calls f with every token of text's sentences whose lower-case
// form is word, and fails when there is none.
func eachWord(t *testing.T, a *Analyzer, text, word string, f func(s *sent, i int)) {
	t.Helper()
	found := false
	for _, s := range sentsOf(t, a, text) {
		for i := range s.t {
			if s.t[i].low == word {
				found = true
				f(s, i)
			}
		}
	}
	if !found {
		t.Errorf("%q: no %q", text, word)
	}
}

// TestRelativeWhoNamesThePerson: the message names who a sentence puts at
// fault; for "who" after a prepositional phrase that is the person nearest
// the pronoun ("ego on the part of the moderator who made the mistake": the
// moderator), not the phrase's first words.
func TestRelativeWhoNamesThePerson(t *testing.T) {
	cases := []struct{ text, who string }{
		{"Rectifying mistakes in moderation are about the impacted person and not ego on the part of the specific moderator who made the mistake.", "“the specific moderator”"},
		{"The delay was a choice by the engineer on call who ignored the page.", "“the engineer”"},
		{"It came down to a decision of the release manager who skipped the review.", "“the release manager”"},
	}
	for _, a := range []*Analyzer{mustNewRules(t, Config{}), mustNew(t, Config{})} {
		for _, c := range cases {
			hits := a.analyze(Segment{Text: c.text}, true)
			if len(hits) == 0 {
				t.Errorf("model %v: %q: no finding", a.model != nil, c.text)
				continue
			}
			for _, h := range hits {
				if !strings.HasPrefix(h.Message, "This puts "+c.who+" at fault.") {
					t.Errorf("model %v: %q: message %q, want it to name %s", a.model != nil, c.text, h.Message, c.who)
				}
			}
		}
	}
}

// TestWhoIsTheNounPhrase: the message names the noun phrase, not the words
// before it that the subject's span carries.
func TestWhoIsTheNounPhrase(t *testing.T) {
	a := mustNewRules(t, Config{})
	cases := []struct{ text, who string }{
		{"I think you should have checked the logs first.", "“you”"},
		{"14:46 A PyPI Admin accidentally deleted the project.", "“A PyPI Admin”"},
		{"In this case the engineer forgot to drain the node.", "“the engineer”"},
		{"During this deployment one of Knight's technicians did not copy the new code to the eighth server.", "“one of Knight's technicians”"},
		{"Disgruntled developer forgot to renew the certificate.", "“Disgruntled developer”"},
		{"The bank's board ignored the warnings.", "“The bank's board”"},
		{"Chatspike staff member Brain accidentally deleted the database.", "“Chatspike staff member Brain”"},
		{"The on-call engineer forgot to renew the certificate.", "“The on-call engineer”"},
		{"One of my developers forgot to renew the certificate.", "“One of my developers”"},
		{"Reportedly the now terminated employees forgot to renew the certificate.", "“the now terminated employees”"},
		{"Then an IT engineer forgot to renew the certificate.", "“an IT engineer”"},
		// a possessor is named without its "'s"
		{"It was Jenny's mistake.", "“Jenny”"},
		{"The outage was entirely the contractor’s fault.", "“the contractor”"},
		{"This was the developers' fault.", "“the developers”"},
		{"It was the contractors’ own mistake.", "“the contractors”"},
	}
	m := mustNew(t, Config{})
	for k, c := range cases {
		if k >= len(cases)-4 {
			a = m // the possessors: findings of the model
		}
		hits := a.analyze(Segment{Text: c.text}, true)
		if len(hits) == 0 {
			t.Errorf("%q: no finding", c.text)
			continue
		}
		if !strings.HasPrefix(hits[0].Message, "This puts "+c.who+" at fault.") {
			t.Errorf("%q: message %q, want it to name %s", c.text, hits[0].Message, c.who)
		}
	}
}

// TestQuestionsNameTheSubject: in a question the subject follows the
// inverted auxiliary; before, "why did the developer" was the subject, a
// thing, and the model saw no person.
func TestQuestionsNameTheSubject(t *testing.T) {
	a := mustNew(t, Config{})
	cases := []struct{ text, feature string }{
		{"Why did the developer forget to check the replica lag?", "sv:ROLE|ERRV"},
		{"How could Bob delete the production database?", "sv:NAME|HARMV"},
		{"Why would the operator ignore the alert?", "sv:ROLE|ERRV"},
	}
	for _, c := range cases {
		if names := featureNames(a, c.text); !slices.Contains(names, c.feature) {
			t.Errorf("%q: no %s among %v", c.text, c.feature, names)
		}
	}
}

// TestOrganisationBeforeAName: a capitalised word after "company", "vendor",
// "registrar" … names an organisation, whatever verb follows it ("software
// company Symantec forgot to renew its domain name": an organisation's
// omission, not a person's).
func TestOrganisationBeforeAName(t *testing.T) {
	a := mustNew(t, Config{})
	for _, c := range []struct {
		text, word string
		person     bool
	}{
		{"In September 2001, anti-virus software company Symantec forgot to renew its domain name.", "symantec", false},
		{"Our registrar Gandi forgot to renew the domain.", "gandi", false},
		{"Then the vendor Acme ignored the ticket.", "acme", false},
		{"Then the engineer Dana ignored the ticket.", "dana", true},
		{"Then Zorblat forgot to renew the domain.", "zorblat", true},
	} {
		eachWord(t, a, c.text, c.word, func(s *sent, i int) {
			if got := s.classOf(i).person(); got != c.person {
				t.Errorf("%q: %q person %v, want %v", c.text, c.word, got, c.person)
			}
		})
	}
}
