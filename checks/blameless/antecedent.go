package blameless

import "strings"

// A third-person plural pronoun (they, them, their …) as the agent is a
// person only on evidence: it is resolved to its likely antecedent among
// the plural noun phrases and names before it in the same sentence, or, with
// none there, in the sentence before ("Instead of falling back to the English version of the pages,
// they were returning a 404": the pages; "our reports to Cloudflare were
// rejected due to them being unable to confirm": Cloudflare). A person or a
// role (engineers, the team, a name, someone) anywhere in that sentence
// makes it a person, since the nearest plural noun is often an object ("the
// developers pushed the changes and they …"); else the nearest thing (a
// system noun, a plural non-person noun, a capitalised word with no person
// evidence) makes it not one; with no antecedent found it stays a person
// pronoun as before.

// pluralPronoun: they, them, their and their contractions.
func pluralPronoun(low string) bool {
	switch low {
	case "they", "them", "their", "theirs", "themselves", "they're", "they've", "they'd", "they'll":
		return true
	}
	return false
}

// antecedent kinds.
const (
	anteNone = iota
	antePerson
	anteThing
)

// thingAntecedent: the third-person plural pronoun at i refers to a thing.
// The pronoun's feature form stays THEY (abstract): the n-grams describe
// the sentence as written, the subject class carries the resolution.
func (s *sent) thingAntecedent(i int) bool {
	if !pluralPronoun(s.t[i].low) {
		return false
	}
	k := s.antecedentIn(i)
	if k == anteNone && len(s.prev) > 0 {
		p := sent{a: s.a, seg: s.seg, t: s.prev}
		k = p.antecedentIn(len(p.t))
	}
	return k == anteThing
}

// antecedentIn scans back from token i-1 for antecedents of a plural
// pronoun: a person anywhere in the sentence before it wins (the nearest
// plural noun is often the object: "the developers pushed the changes and
// they …"), else a thing.
func (s *sent) antecedentIn(i int) int {
	found := anteNone
	for j := i - 1; j >= 0; j-- {
		t := &s.t[j]
		if t.kind == tHandle {
			return antePerson
		}
		if t.kind != tWord {
			continue
		}
		if t.f&fPron != 0 {
			switch pronounClass[t.low] {
			case "SOMEONE", "ANYONE", "NOBODY":
				return antePerson // "whoever … their position"
			}
			if pronounClass[t.low] != "" {
				continue
			}
		}
		if s.adversaryAt(j) {
			return antePerson // an outsider: adversaryBefore decides
		}
		base := strings.TrimSuffix(t.low, "'s")
		if c, ok := pronouns[base]; ambiguousWord(base) || ok && c == sGeneric {
			return antePerson // users, customers, people
		}
		if t.cap || s.a != nil && s.a.people[base] {
			if !nameShaped(t) && t.f&fSystem == 0 {
				continue
			}
			c, ev := s.classify(j)
			switch {
			case c.person():
				return antePerson
			case ev == evCapThing || c == sSystem && t.f&fSystem != 0:
				if !s.firstWord(j) {
					found = anteThing
				}
			}
			continue
		}
		if t.f&(fRole|fTeam) != 0 {
			return antePerson
		}
		if t.f&fSystem != 0 {
			if s.pluralNoun(j) {
				found = anteThing
			}
			continue // a singular thing: not a plural pronoun's antecedent
		}
		pb := personBits(base)
		if pb&(pNoun|pGroup) != 0 && !s.thingModifierChain(j) {
			return antePerson
		}
		if s.pluralNoun(j) {
			if found == anteNone {
				found = anteThing
			}
		}
	}
	return found
}

// pluralNoun: the lower-case word at j reads as the plural head of a noun
// phrase: it ends in -s and a determiner, quantifier or preposition opens
// its phrase ("the servers", "to localised pages", "of all requests").
func (s *sent) pluralNoun(j int) bool {
	t := &s.t[j]
	w := t.low
	if t.f&(fDet|fPrep|fAux|fModal|fBound|fAdv|fQuant|fNeg) != 0 || len(w) < 4 || w[len(w)-1] != 's' {
		return false
	}
	switch w[len(w)-2] {
	case 's', 'u', 'i', '\'':
		return false
	}
	if j+1 < len(s.t) && s.t[j+1].kind == tWord && s.t[j+1].f&(fDet|fPron) != 0 {
		return false // a verb with its object: "returns the", "gives them"
	}
	for k := j - 1; k >= 0 && k >= j-3; k-- {
		p := &s.t[k]
		if p.kind != tWord {
			return false
		}
		if p.f&(fDet|fQuant|fPrep) != 0 {
			return true
		}
		if p.f&(fAux|fModal|fBound|fNeg|fPron) != 0 {
			return false
		}
	}
	return false
}
