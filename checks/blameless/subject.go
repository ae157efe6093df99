package blameless

import "strings"

// sent is one sentence being analysed.
type sent struct {
	a     *Analyzer
	seg   *Segment
	t     []token
	prev  []token // the sentence before in the segment (antecedents)
	hits  []Hit
	cands []cand
	meta  bool
	sink  *fsink // the sentence's features (pooled with the tokens)
	all   bool   // keep the sentence's finding whatever its confidence
	// tpAt, tpIs: thingPassive's last answer (for token tpAt-1), asked by
	// both the sanction rule and the model's features
	tpAt int
	tpIs bool
}

// subj is the subject found for a verb group.
type subj struct {
	cls        subjClass
	from, to   int  // token range of the noun phrase (from == to: none)
	bnd        int  // index of the boundary token before the clause, -1 at sentence start
	possPerson bool // a person possessor inside the phrase ("the intern's change")
	ev         evKind
}

func (s *sent) low(i int) string {
	if i < 0 || i >= len(s.t) {
		return ""
	}
	return s.t[i].low
}

func (s *sent) word(i int) bool { return i >= 0 && i < len(s.t) && s.t[i].kind != tPunct }

// isBoundary reports whether token i ends a clause when scanning for a subject.
func (s *sent) isBoundary(i int) bool {
	t := &s.t[i]
	if t.kind == tPunct {
		switch t.text {
		case "-", "/", "'", "’", "%", "#", "&", "+", "=":
			return t.text == "-" && t.spaceAfter // spaced dash
		}
		return true
	}
	return t.kind == tWord && t.f&fBound != 0
}

// clauseStart returns the index of the first token of the clause holding i.
func (s *sent) clauseStart(i int) int {
	for j := i - 1; j >= 0; j-- {
		if s.isBoundary(j) && s.low(j) != "that" {
			return j + 1
		}
	}
	return 0
}

// clauseOpener is the word before the start of the clause holding i ("if",
// "when", "and" …), or "" when the clause starts the sentence.
func (s *sent) clauseOpener(i int) string {
	if cs := s.clauseStart(i); cs > 0 {
		return s.low(cs - 1)
	}
	return ""
}

// clauseEnd returns the index after the last token of the clause holding i
// (stops at punctuation only).
func (s *sent) clauseEnd(i int) int {
	for j := i + 1; j < len(s.t); j++ {
		if s.t[j].kind == tPunct && s.isBoundary(j) {
			return j
		}
	}
	return len(s.t)
}

// negatedBefore reports a negator in the clause within n tokens before i.
func (s *sent) negatedBefore(i, n int) bool {
	for j := i - 1; j >= 0 && j >= i-n; j-- {
		if s.t[j].kind == tPunct && s.isBoundary(j) {
			return false
		}
		l := s.t[j].low
		if s.t[j].f&fNeg != 0 || l == "no" || l == "nobody" || l == "none" || l == "nothing" || l == "without" {
			return true
		}
		if l == "one" && s.low(j-1) == "no" {
			return true
		}
	}
	return false
}

// prevented: the word at i is what something is meant to avoid or prevent
// ("to avoid stuff getting forgotten", "prevents anyone deleting it"):
// an avoided act, not one that happened.
func (s *sent) prevented(i int) bool {
	for j := i - 1; j >= 0 && j >= i-5; j-- {
		if s.t[j].kind == tPunct && s.isBoundary(j) {
			return false
		}
		switch s.t[j].low {
		case "avoid", "avoids", "avoided", "avoiding", "prevent", "prevents", "prevented", "preventing":
			return true
		}
	}
	return false
}

// attributive: a participle before its noun, after a preposition or a
// determiner ("refunded for missed slots", "the missed page", "a deleted
// branch"), describes the noun: no act of its own.
func (s *sent) attributive(i int) bool {
	if i == 0 || i+1 >= len(s.t) || !isParticiple(s.t[i].low) {
		return false
	}
	p, n := &s.t[i-1], &s.t[i+1]
	switch p.low {
	case "to", "that", "which", "who", "whom", "whose":
		return false // "failed to", "the script that deleted data"
	}
	// after a preposition or determiner ("for missed slots", "a deleted
	// branch"), or after a verb of its own ("uncovered misconfigured
	// infrastructure")
	before := p.f&(fPrep|fDet) != 0 || p.f&(fAux|fModal) == 0 && isParticiple(p.low) && i >= 2 && s.t[i-2].kind == tWord
	return p.kind == tWord && before &&
		n.kind == tWord && n.f&(fPrep|fDet|fBound|fAux|fModal|fPron|fNeg) == 0 && !isParticiple(n.low)
}

// possibleSlip: "might have missed", "could've deleted": a slip that was
// possible, not one that happened (as the model's POSS).
func (s *sent) possibleSlip(i int) bool {
	switch s.low(i - 1) {
	case "might've", "could've":
		return true
	case "have":
		m := s.low(i - 2)
		return m == "might" || m == "could"
	}
	return false
}

// clauseNegated reports any negator in the punctuation-delimited clause of i.
func (s *sent) clauseNegated(i int) bool {
	from, to := i, i
	for from > 0 && !(s.t[from-1].kind == tPunct && s.isBoundary(from-1)) {
		from--
	}
	for to < len(s.t) && !(s.t[to].kind == tPunct && s.isBoundary(to)) {
		to++
	}
	for j := from; j < to; j++ {
		l := s.t[j].low
		if s.t[j].f&fNeg != 0 || l == "no" || l == "nobody" || l == "none" {
			return true
		}
	}
	return false
}

// evKind is the evidence that made a noun phrase a person (or not): it
// feeds the confidence of a finding.
type evKind uint8

const (
	evNone       evKind = iota
	evHandle            // @alice, @org/team
	evPeople            // one of Config.People
	evName              // a first name that is not a common word
	evAmbName           // a first name that is also a common word, in name position
	evVerb              // a capitalised word before a verb only people do
	evApposition        // a capitalised word after a role: "technician Brain"
	evRole              // a domain role noun (engineer, on-call, DBA)
	evNounWN            // a WordNet person noun (coordinator, mechanic)
	evGroup             // team, staff, crew, committee …
	evPron              // he, she, they, you, someone
	evSystem            // a system noun or a technical name
	evCapThing          // a capitalised word with no person evidence: a thing
	nEv
)

var evNames = [nEv]string{"none", "handle", "people", "name", "ambiguous-name", "human-verb", "apposition",
	"role", "wordnet-noun", "group", "pronoun", "system", "capitalised-thing"}

// isName reports whether token i reads as a personal name.
func (s *sent) isName(i int) bool {
	c, ev := s.classify(i)
	return c == sNamed && ev != evHandle && ev != evApposition
}

// firstWord reports whether token i is the first word of its sentence or of
// the text after a colon (capitalised anyway).
func (s *sent) firstWord(i int) bool {
	for j := i - 1; j >= 0; j-- {
		if s.t[j].kind == tWord || s.t[j].kind == tHandle {
			return false
		}
		if s.t[j].text == ":" {
			return true
		}
	}
	return true
}

// nameShaped: a capitalised word without digits, dots or inner capitals.
func nameShaped(t *token) bool {
	return t.kind == tWord && t.cap && !t.camel && !t.acronym && !strings.ContainsAny(t.text, "./0123456789_")
}

// classOf classifies the head token i of a noun phrase.
func (s *sent) classOf(i int) subjClass {
	c, _ := s.classify(i)
	return c
}

// classify classifies token i as the head of a noun phrase and says on what
// evidence (see persons.go).
func (s *sent) classify(i int) (subjClass, evKind) {
	t := &s.t[i]
	if t.kind == tHandle {
		return sNamed, evHandle
	}
	if t.kind != tWord {
		return sUnknown, evNone
	}
	base, f := t.low, t.f
	if strings.HasSuffix(t.low, "'s") {
		base = strings.TrimSuffix(t.low, "'s")
		f = lexFlags(base)
	} else if p, ok := contractedPronoun(t.low); ok {
		base, f = p, lexFlags(p) // "I'll", "we'd", "they've": the pronoun
	}
	if f&fPron != 0 {
		if c, ok := pronouns[base]; ok {
			if c == sThird && s.adversaryBefore(i) {
				return sUnknown, evNone // "the attacker … they could have captured": not one of the team
			}
			if c == sThird && s.thingAntecedent(i) {
				return sSystem, evSystem // "the servers … they were returning a 404"
			}
			return c, evPron
		}
	}
	if s.adversaryAt(i) {
		return sUnknown, evNone
	}
	if s.a != nil && len(s.a.people) > 0 && s.a.people[base] && (t.cap || f == 0) {
		return sNamed, evPeople
	}
	if f&fRole != 0 {
		if ambiguousHeads[base] && i > 0 && techModifiers[s.t[i-1].low] {
			return sSystem, evSystem // the package manager
		}
		return sRole, evRole
	}
	if f&fTeam != 0 || s.collectiveAt(i) || s.departmentAt(i) || s.shiftAt(i) {
		return sTeam, evGroup
	}
	if f&(fSystem|fDet|fPrep|fAux|fModal|fBound|fAdv|fQuant) != 0 {
		if t.cap && s.surnameAfterName(i) && f&fSystem == 0 {
			return sNamed, evName
		}
		return sSystem, evSystem
	}
	pb := personBits(base)
	if h := strings.LastIndexByte(base, '-'); pb == 0 && f == 0 && h > 0 && h < len(base)-1 {
		// "a bank-employee", "an ex-contractor": the compound's last part
		last := base[h+1:]
		if lf := lexFlags(last); lf&fRole != 0 || personBits(last)&pNoun != 0 && !personFirstHeads[last] && lf&fSystem == 0 {
			return sRole, evNounWN
		}
	}
	if nameShaped(t) && i > 0 && orgNouns[s.t[i-1].low] && !s.t[i-1].cap {
		return sSystem, evSystem // "software company Symantec", "our registrar Gandi"
	}
	if nameShaped(t) && s.seg != nil && s.seg.Things.Has(base) && (pb&(pName|pAmbiName) != 0 || s.humanVerbAfter(i)) &&
		!s.peopleVerbAfter(i) {
		return sSystem, evSystem // "the Apollo cluster … Apollo deleted the old replicas"
	}
	if nameShaped(t) {
		switch {
		case pb&pName != 0:
			return sNamed, evName
		case pb&pAmbiName != 0 && (!s.firstWord(i) || s.capAfter(i) || s.verbNext(i)):
			return sNamed, evAmbName
		case s.surnameAfterName(i):
			return sNamed, evName
		case s.humanVerbAfter(i):
			return sNamed, evVerb
		case i > 0 && s.t[i-1].kind == tWord && (s.t[i-1].f&fRole != 0 || personBits(s.t[i-1].low)&pNoun != 0) &&
			!s.t[i-1].cap && !s.firstWord(i):
			return sNamed, evApposition
		}
		if !s.firstWord(i) || pb&(pNoun|pGroup) == 0 {
			return sUnknown, evCapThing
		}
	}
	if personFirstHeads[base] {
		if s.techBefore(i) {
			return sSystem, evSystem
		}
		return sRole, evNounWN
	}
	if pb&pNoun != 0 {
		if attributive[base] && (i == 0 || s.t[i-1].f&fDet == 0) {
			return sUnknown, evNone // "was naive and stupid": an adjective, not "an incompetent"
		}
		if ambiguousHeads[base] && i > 0 && techModifiers[s.t[i-1].low] || componentLike(base) && s.thingModifierChain(i) {
			return sSystem, evSystem // the package manager, a Prometheus exporter
		}
		return sRole, evNounWN
	}
	if pb&pGroup != 0 {
		return sTeam, evGroup
	}
	return sUnknown, evNone
}

// contractedPronoun splits a pronoun written with its auxiliary ("i'll",
// "we'd", "they've", "you're", "i'm") and returns the pronoun.
func contractedPronoun(low string) (string, bool) {
	if !strings.ContainsAny(low, "'’") {
		return "", false
	}
	for _, aux := range [...]string{"'ll", "'d", "'ve", "'re", "'m", "’ll", "’d", "’ve", "’re", "’m"} {
		if p, ok := strings.CutSuffix(low, aux); ok {
			_, pron := pronouns[p]
			return p, pron
		}
	}
	return "", false
}

// departments are the parts of an organisation that act as one.
var departments = wordSet(`support security engineering marketing sales legal finance hr compliance procurement dispatch`)

// departmentAt: a department named bare, capitalised at the start of its
// clause (with at most one word before it: "Data engineering", "Customer
// support") and followed by an act ("Support gave customers the wrong
// workaround", "Security locked everyone out"): the people of the
// department. Not a be or have ("Security was compromised"), and not after
// a determiner ("the support ticket").
func (s *sent) departmentAt(i int) bool {
	if !departments[s.t[i].low] {
		return false
	}
	b := i
	if b > 0 && !s.firstWord(b) && s.t[b-1].kind == tWord && s.t[b-1].f == 0 && !s.t[b-1].poss {
		b-- // one modifier: "Data engineering"
	}
	if !s.firstWord(b) && !(b > 0 && s.t[b-1].kind == tPunct && s.isBoundary(b-1)) || !s.t[b].cap {
		return false
	}
	j := i + 1
	for j < len(s.t) && isAdverb(&s.t[j]) {
		j++
	}
	if j >= len(s.t) || !s.verbal(j) {
		return false
	}
	if s.t[j].f&fAux == 0 {
		return true
	}
	// a be that puts the department at fault: "Data engineering is to blame"
	switch s.low(j + 1) {
	case "to":
		return s.low(j+2) == "blame"
	case "at":
		return s.low(j+2) == "fault"
	case "responsible":
		return true
	}
	return false
}

// shiftAt: "the night shift", "the weekend shift": the people on it.
func (s *sent) shiftAt(i int) bool {
	if l := s.t[i].low; l != "shift" && l != "shifts" || i == 0 {
		return false
	}
	switch s.low(i - 1) {
	case "night", "day", "morning", "evening", "afternoon", "weekend", "early", "late", "overnight", "graveyard", "next", "previous":
		return true
	}
	return false
}

// collectiveAt: "management" or "leadership" as the people who manage or
// lead ("upper management", "the management decided"), not the act ("incident
// management", "the management of secrets").
func (s *sent) collectiveAt(i int) bool {
	switch s.t[i].low {
	case "management", "leadership":
	default:
		return false
	}
	if s.low(i+1) == "of" {
		return false
	}
	if i == 0 {
		return true
	}
	p := strings.TrimSuffix(s.low(i-1), "'s")
	return rankWords[p] || possPronouns[p] || p == "the" || s.t[i-1].kind == tPunct ||
		has(&s.t[i-1], fBound) || p != s.low(i-1) && p != "" // the company's management
}

// rankWords: the ranks of management and leadership.
var rankWords = wordSet(`upper senior top middle executive line local hospital company school`)

// orgNouns: common nouns that, right before a capitalised word, say it names
// an organisation.
var orgNouns = wordSet(`company companies firm vendor vendors provider registrar bank startup start-up carrier
	airline retailer giant maker manufacturer corporation conglomerate agency insurer hoster isp telco
	subsidiary supplier distributor publisher broker exchange platform brand chain`)

// adversaryWords are people outside the team who act against it: their acts
// are the incident's facts, not a colleague's fault.
var adversaryWords = wordSet(`attacker attackers hacker hackers adversary adversaries intruder intruders
	phisher phishers scammer scammers thief thieves spammer spammers impersonator impersonators
	fraudster fraudsters criminal criminals`)

// adversaryAt: token i is an adversary noun, or "actor(s)" after threat,
// malicious or bad.
func (s *sent) adversaryAt(i int) bool {
	base := strings.TrimSuffix(s.t[i].low, "'s")
	if adversaryWords[base] {
		return true
	}
	if base == "actor" || base == "actors" {
		switch s.low(i - 1) {
		case "threat", "malicious", "bad", "hostile":
			return true
		}
	}
	return false
}

// adversaryBefore: the nearest person noun before the third-person pronoun
// at i, in the sentence, is an adversary ("since the attacker sat between
// the user and the site, they could have captured the cookies").
func (s *sent) adversaryBefore(i int) bool {
	switch s.t[i].low {
	case "he", "she", "they", "him", "her", "them", "his", "their", "he's", "she's", "they're", "they've", "they'd", "he'd", "she'd":
	default:
		return false
	}
	for j := i - 1; j >= 0; j-- {
		t := &s.t[j]
		if t.kind == tHandle {
			return false
		}
		if t.kind != tWord {
			continue
		}
		if s.adversaryAt(j) {
			return true
		}
		base := strings.TrimSuffix(t.low, "'s")
		pb := personBits(base)
		if t.f&(fRole|fTeam) != 0 || pb&pNoun != 0 && t.f&fSystem == 0 && !ambiguousWord(base) || nameShaped(t) && pb&pName != 0 {
			return false
		}
	}
	return false
}

// thingModifier: the WordNet person noun at i is the head of a compound
// whose modifier names a thing — a system noun, a technical word (v2, ZFS,
// k8s) or a capitalised word with no person evidence: "a Prometheus
// exporter", "the ZFS scrubber", "the cache invalidator". Roles of the
// domain lexicon keep their class ("the database administrator").
func (s *sent) thingModifier(i int) bool {
	if i == 0 {
		return false
	}
	p := &s.t[i-1]
	if p.kind != tWord || p.poss {
		return false
	}
	if p.f&fSystem != 0 || technical(p.text) || p.camel || p.acronym && !isExclaimWord(p.low) {
		return true
	}
	return nameShaped(p) && !s.firstWord(i-1) && p.f == 0 && personBits(p.low)&(pName|pAmbiName|pNoun) == 0
}

// techBefore: the word before i is technical: a system noun, a word of
// techModifiers, a technical token (v2, db_main) or a camel-case name.
func (s *sent) techBefore(i int) bool {
	if i == 0 {
		return false
	}
	p := &s.t[i-1]
	return p.kind == tWord && !p.poss && (p.f&fSystem != 0 || techModifiers[p.low] || technical(p.text) || p.camel)
}

// thingModifierChain: a thing modifier right before token i, or before the
// one or two plain words that precede it ("the Google Calendar event
// importer", "a Redis cache warmer").
func (s *sent) thingModifierChain(i int) bool {
	for k := i; k > 0 && i-k <= 2; k-- {
		if s.thingModifier(k) {
			return true
		}
		p := &s.t[k-1]
		if p.kind != tWord || p.cap || p.f != 0 || p.poss || personBits(p.low) != 0 {
			return false
		}
	}
	return false
}

// componentLike: a person noun that also names a component after a thing
// modifier: an agent noun ("exporter", "scheduler", "invalidator",
// "coordinator", "servant") or one of componentNouns ("the Redis primary",
// "the cluster leader", "a proxy host"). Other person nouns keep a person
// however technical their modifier: "the release captain", "the
// database steward".
func componentLike(base string) bool {
	w := strings.TrimSuffix(base, "s")
	for _, suf := range [...]string{"er", "or", "ant", "ent"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return componentNouns[base]
}

// componentNouns: the component-like person nouns without an agent suffix.
var componentNouns = wordSet(`client clients host hosts proxy proxies slave slaves primary primaries
	replica replicas daemon daemons peer peers parent parents child children guest guests bot bots
	node nodes mirror mirrors ghost ghosts zombie zombies orphan orphans witness witnesses sentinel
	sentinels guard guards sidecar sidecars instance instances`)

// ambiguousHeads are person nouns that name a component after a technical
// modifier ("the package manager", "the lock owner").
var ambiguousHeads = map[string]bool{
	"manager": true, "managers": true, "owner": true, "owners": true, "coordinator": true,
	"coordinators": true, "supervisor": true, "supervisors": true, "holder": true, "holders": true,
}

// (A login that is a word of the analyzer's own lexicon, such as "main" or
// "ops", is not taken for a person when written in lower case.)

// verbNext: a verb follows token i, past up to two adverbs or negations
// ("Bob deleted", "John still shouldn't have", "Frank never checked").
func (s *sent) verbNext(i int) bool {
	for k := i + 1; k < len(s.t) && k <= i+3; k++ {
		if t := &s.t[k]; !isAdverb(t) && t.f&fNeg == 0 {
			return verbish(t)
		}
	}
	return false
}

// capAfter: the next token is a capitalised word (a surname after a first name).
func (s *sent) capAfter(i int) bool {
	return i+1 < len(s.t) && nameShaped(&s.t[i+1]) && s.t[i+1].f&fSystem == 0
}

// surnameAfterName: token i follows a first name ("Kate McKenzie").
func (s *sent) surnameAfterName(i int) bool {
	if i == 0 || !s.t[i].cap || s.t[i].acronym {
		return false
	}
	p := &s.t[i-1]
	if !nameShaped(p) || p.poss {
		return false
	}
	pb := personBits(p.low)
	return pb&pName != 0 || pb&pAmbiName != 0 || s.a != nil && s.a.people[p.low]
}

// humanVerbAfter: token i is followed (past adverbs) by a verb only people do.
func (s *sent) humanVerbAfter(i int) bool { return s.verbAfter(i, humanVerbs) }

// verbAfter: a verb of set follows token i (adverbs between).
func (s *sent) verbAfter(i int, set map[string]bool) bool {
	j := i + 1
	for j < len(s.t) && isAdverb(&s.t[j]) {
		j++
	}
	return j < len(s.t) && set[s.t[j].low]
}

// classifyNP finds the head of the noun phrase in tokens [b, e) and classifies it.
func (s *sent) classifyNP(b, e int) subj {
	t := s.t
	for b < e && (isAdverb(&t[b]) || t[b].kind == tPunct || t[b].low == "please") {
		b++ // "please" opens an order, it is no subject
	}
	// a question's inverted auxiliary ("why did the developer forget",
	// "how could Bob delete"): the subject follows it
	if b+1 < e && (t[b].low == "why" || t[b].low == "how" || t[b].low == "when" || t[b].low == "where") {
		b++
	}
	for b+1 < e && t[b].kind == tWord && t[b].f&(fAux|fModal|fNeg) != 0 && !has(&t[b], fBound) {
		b++
	}
	if b >= e {
		return subj{cls: sNone, from: b, to: b}
	}
	from := b
	if t[b].low == "whoever" || t[b].low == "whomever" {
		// "Whoever approved this": a free relative clause names a person
		return subj{cls: sThird, from: from, to: e}
	}
	if has(&t[b], fPrep) && t[b].low != "of" {
		// leading adverbial phrase ("At 09:41 the scheduler"): start at the last
		// determiner that does not belong to the preposition
		nb := -1
		for i := b + 1; i < e; i++ {
			if has(&t[i], fDet) && !has(&t[i-1], fPrep) {
				nb = i
			}
		}
		if nb < 0 {
			b = e - 1
		} else {
			b = nb
		}
	}
	if b+2 < e && has(&t[b], fQuant) && t[b+1].low == "of" {
		b += 2
	}
	nobody := t[b].low == "no"
	head := -1
	possPerson := false
	for i := b; i < e; i++ {
		tk := &t[i]
		if tk.kind == tPunct {
			if head >= 0 {
				break
			}
			continue
		}
		if head >= 0 && (has(tk, fPrep) || (has(tk, fBound) && !has(tk, fDet))) {
			break
		}
		if tk.poss {
			if c := s.classOf(i); c.person() {
				possPerson = true
			}
			head = -1
			continue
		}
		if has(tk, fDet) && head < 0 || isAdverb(tk) {
			continue
		}
		if has(tk, fAux|fModal) && tk.kind == tWord && head >= 0 {
			break
		}
		if head >= 0 && !tk.cap && s.ingParticiple(i) {
			break // a participle after the head ("a contractor working late", "an engineer debugging it")
		}
		head = i
	}
	if head < 0 {
		return subj{cls: sUnknown, from: from, to: e, possPerson: possPerson}
	}
	c, ev := s.classify(head)
	generic := false
	for i := from; i < head; i++ {
		if t[i].low == "any" || t[i].low == "whichever" {
			generic = true
		}
	}
	// "no one", "nobody", "no engineer"
	if t[head].low == "one" && head > 0 && t[head-1].low == "no" {
		c = sNobody
	} else if nobody && c.person() {
		c = sNobody
	}
	// "staff member Brain": a capitalised word after a role is a name
	if c == sUnknown && head > b && t[head].cap && t[head-1].f&(fRole|fTeam) != 0 {
		c, ev = sNamed, evApposition
	}
	if generic && c.person() {
		c = sGeneric
	}
	return subj{cls: c, from: from, to: head + 1, possPerson: possPerson, ev: ev}
}

// forwardNP classifies the noun phrase starting at f (an object or a "by X" agent).
func (s *sent) forwardNP(f int) subj {
	e := f
	seenHead := false
	for e < len(s.t) {
		tk := &s.t[e]
		if tk.low == "of" && e == f+1 && has(&s.t[f], fQuant) {
			e++ // "one of the engineers", "two of the admins": the phrase goes on
			seenHead = false
			continue
		}
		if tk.kind == tPunct || (has(tk, fBound) && !has(tk, fDet)) || (has(tk, fPrep) && seenHead) {
			break
		}
		if seenHead && (verbish(tk) && !strings.Contains(tk.low, "-") || strings.HasSuffix(tk.low, "ing") || has(tk, fDet) ||
			tk.f&fNeg != 0 || tk.low == "never") {
			break // "teach people not to …", "tell the engineers never to …"
		}
		if tk.kind != tPunct && !has(tk, fDet) && !isAdverb(tk) && !tk.poss {
			seenHead = true
		}
		e++
	}
	if e == f {
		return subj{cls: sNone, from: f, to: f, bnd: f - 1}
	}
	r := s.classifyNP(f, e)
	r.bnd = f - 1
	return r
}

// questionSubject: the subject after a question's inverted auxiliary ("why
// didn't the on-call engineer roll back?"). forwardNP does not know every
// base verb ("roll"), so when the phrase it finds is no person, the longest
// start of it that is one is the subject.
func (s *sent) questionSubject(f int) subj {
	o := s.forwardNP(f)
	if o.cls.person() {
		return o
	}
	for e := o.to - 1; e > f; e-- {
		if p := s.classifyNP(f, e); p.cls.person() && p.to == e {
			p.bnd = f - 1
			return p
		}
	}
	return o
}

// subjectBefore finds the subject of the verb group that starts at token k.
func (s *sent) subjectBefore(k int) subj {
	return s.subjectBeforeDepth(k, 0)
}

func (s *sent) subjectBeforeDepth(k, depth int) subj {
	t := s.t
	j := k - 1
	for j >= 0 && t[j].kind == tWord && (isAdverb(&t[j]) || t[j].f&(fAux|fModal|fNeg) != 0) &&
		(!has(&t[j], fBound) || t[j].low == "then" && j > 0 && t[j-1].kind == tWord && !has(&t[j-1], fBound)) {
		j-- // "the engineer then proceeded": "then" after a noun is an adverb, no clause boundary
	}
	// "the ship's designer, not having built …, overbuilt": skip a parenthetical
	if j >= 1 && t[j].text == "," {
		p := j - 1
		for p >= 0 && t[p].text != "," && !(t[p].kind == tPunct && s.isBoundary(p)) && j-p < 16 {
			p--
		}
		if p > 0 && t[p].text == "," && p+1 < j {
			first := t[p+1].low
			if first == "who" || first == "which" || first == "not" || first == "having" || first == "being" ||
				first == "while" || first == "whilst" || first == "when" || first == "after" || first == "before" ||
				strings.HasSuffix(first, "ing") || isAdverb(&t[p+1]) || has(&t[p+1], fPrep) {
				j = p - 1
			}
		}
	}
	// "Someone (let's call them X) deleted …": skip a bracketed aside
	if j >= 1 && t[j].text == ")" {
		for p := j - 1; p >= 0 && j-p < 24; p-- {
			if t[p].text == "(" {
				if p > 0 {
					j = p - 1
				}
				break
			}
		}
	}
	b := j
	for b >= 0 && !s.isBoundary(b) {
		b--
	}
	if b+1 <= j {
		r := s.classifyNP(b+1, j+1)
		r.bnd = b
		if r.cls != sNone {
			return r
		}
	}
	// elided subject
	if b < 0 || depth > 3 {
		return subj{cls: sNone, from: k, to: k, bnd: b}
	}
	switch bl := t[b].low; {
	case bl == "who" || bl == "whom":
		ante := s.antecedentPerson(b)
		if ante.cls == sUnknown || ante.cls == sNone {
			ante.cls = sThird
		}
		ante.bnd = b
		return ante
	case bl == "which" || bl == "that":
		ante := s.antecedentNearest(b)
		ante.bnd = b
		return ante
	case bl == ":":
		// "14:52 John: Sees …" – the speaker before the colon
		r := s.classifyNP(s.clauseStartFrom(b), b)
		r.bnd = b
		return r
	case bl == "and" || bl == "but" || bl == "or" || bl == "then" || bl == "yet" || bl == "," || bl == "instead" || bl == ";":
		for v := b - 1; v >= 0; v-- {
			if verbish(&t[v]) {
				// go to the start of that verb group
				for v > 0 && t[v-1].kind == tWord && (isAdverb(&t[v-1]) || t[v-1].f&(fAux|fModal|fNeg) != 0) && !has(&t[v-1], fBound) {
					v--
				}
				r := s.subjectBeforeDepth(v, depth+1)
				r.bnd = b
				return r
			}
		}
	}
	return subj{cls: sNone, from: k, to: k, bnd: b}
}

func (s *sent) clauseStartFrom(b int) int {
	for j := b - 1; j >= 0; j-- {
		if s.isBoundary(j) && !(s.t[j].kind == tNum) {
			return j + 1
		}
	}
	return 0
}

// antecedent classifies the noun phrase before a relative pronoun at r.
func (s *sent) antecedent(r int) subj {
	e := r
	if e > 0 && s.t[e-1].text == "," {
		e--
	}
	// the nearest noun phrase: stop at the verb of the main clause
	b := e - 1
	for b >= 0 && !s.isBoundary(b) && !(verbish(&s.t[b]) && !s.t[b].poss) {
		b--
	}
	if b+1 >= e {
		return subj{cls: sUnknown, from: r, to: r}
	}
	return s.classifyNP(b+1, e)
}

// antecedentPerson: the antecedent of "who" at r: of the noun phrases the
// prepositions divide the antecedent into, the nearest that is a person
// ("a choice by the engineer on call who …": the engineer; "ego on the part
// of the moderator who …": the moderator), else the whole antecedent.
func (s *sent) antecedentPerson(r int) subj {
	ante := s.antecedent(r)
	end := r
	if end > 0 && s.t[end-1].text == "," {
		end--
	}
	for p := end - 1; p >= ante.from; p-- {
		if p > ante.from && !has(&s.t[p], fPrep) {
			continue
		}
		from := p + 1
		if p == ante.from && !has(&s.t[p], fPrep) {
			from = p
		}
		if from < end {
			if n := s.classifyNP(from, end); n.cls.person() {
				return n
			}
		}
		end = p
	}
	return ante
}

// antecedentNearest: the noun phrase before "that" or "which" at r, from
// its last preposition on ("the chief executive in the wake of the outage
// that took down …": the outage, not the chief executive).
func (s *sent) antecedentNearest(r int) subj {
	ante := s.antecedent(r)
	for p := r - 1; p > ante.from; p-- {
		if has(&s.t[p], fPrep) {
			if n := s.classifyNP(p+1, r); n.cls != sNone {
				return n
			}
			break
		}
	}
	return ante
}

// agentOrSubject returns the subject of verb k, or the "by X" agent when the
// verb is passive ("was deleted by an engineer").
func (s *sent) agentOrSubject(k int) subj {
	p := k - 1
	for p >= 0 && isAdverb(&s.t[p]) {
		p--
	}
	if p >= 0 {
		switch s.t[p].low {
		case "was", "were", "been", "being", "be", "is", "are", "get", "got", "gets", "getting", "gotten":
			end := s.clauseEnd(k)
			for j := k + 1; j < end; j++ {
				if s.t[j].low == "by" && j+1 < end && !mistakeNouns[s.low(j+1)] && s.low(j+1) != "accident" {
					return s.forwardNP(j + 1)
				}
			}
			return subj{cls: sNone, from: k, to: k, bnd: -1}
		}
	}
	return s.subjectBefore(k)
}
