package blameless

import "strings"

// Broad cues. Each of these reports a candidate whatever its subject; the
// subject class and its evidence, the section and the sentence flags go to
// the model, which decides how confident the finding is. They cover the
// forms the narrow rules miss on real text: a harmful act with a person as
// its agent ("a contractor switched off the power supply", "you deleted all
// my data"), a possessive mistake ("my mistake", "his errors"), punitive
// outcomes ("sacked staff", "the employee was reassigned"), insults and bare
// verdicts ("What a noob", "Terrible decision."), behaviour imperatives ("Test
// your code before…", "Always remember this"), "why did X …?", and "human
// error" mentioned outside a causal phrase.

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// harmVerbs are acts that damage a system when a person does them.
var harmVerbs = wordSet(`deleted deletes delete deleting wiped wipes wiping destroyed destroys broke
		breaks broken breaking crashed crashes killed kills nuked nukes dropped drops removed
		disabled disables unplugged unplugs sabotaged sabotages wrecked wrecks trashed corrupted corrupts
		overwrote overwritten overwrites erased erases reverted reverts force-pushed
		self-merged leaked leaks exposed exposes uploaded pushed merged published released shipped
		introduced switched turned shut pulled issued ran executed typed entered approved rebooted
		restarted deployed committed`)

// punitiveVerbs are consequences for people: "Symantec sacks staff".
var punitiveVerbs = wordSet(`fired sacked sacks sack fire fires dismissed dismisses terminated
		suspended reassigned disciplined reprimanded demoted resigned resign resigns quit ousted axed
		punished penalised penalized scolded`)

// insults are words that judge a person's competence or character, beyond
// the judgmental list.
var insults = wordSet(`noob noobs n00b newbie newbies dummy dummies dumbass fool fools
		foolish idiots idiot clown clowns cowboy cowboys amateurs incompetents ignorance ignorant naivety
		naive inept ineptitude bungling bumbling bungled clumsy shitty shit crap crappy sucks sucked
		pathetic ridiculous ludicrous absurd shameful disgraceful disgrace unacceptable unforgivable
		inexcusable immature irresponsible thoughtless mindless brainless facepalm facepalming wtf
		yikes fiasco blunder blunders fail wreaking havoc rogue rookie unqualified`)

// verdictWords make a short sentence a bare verdict: "BAD.", "Terrible mistake".
var verdictWords = wordSet(`bad terrible awful horrible unacceptable ridiculous oops whoops
		yikes wtf fail shame embarrassing pathetic sloppy careless lazy stupid dumb facepalm`)

// behaviourImperatives start a remedy aimed at people when used as an
// imperative: "Test your code before …", "Remember to …".
var behaviourImperatives = wordSet(`test remember follow read check verify double-check ensure pay
		think avoid stop learn be always never don't do`)

// broadTriggers are the words the broad cues start from (fTrigger).
var broadTriggers = []map[string]bool{harmVerbs, punitiveVerbs, insults, verdictWords, behaviourImperatives,
	{"why": true, "mistake": true, "mistakes": true, "error": true, "errors": true, "bad": true,
		"oversight": true, "typo": true, "typos": true, "training": true, "trained": true, "learn": true,
		"lesson": true, "careful": true, "better": true, "pebkac": true, "pebcak": true, "id10t": true,
		"blames": true, "blaming": true, "blame": true, "blamed": true, "responsible": true,
		"reason": true, "problem": true, "thanks": true, "next": true, "fat-finger": true}}

const (
	suggHarm  = "Describe what the action did to the system and what allowed it: e.g. \"the power supply was switched off during maintenance; nothing warned that it fed the whole data centre\"."
	msgPunish = "Punishing or removing people is presented as the remedy: the conditions that made the action possible stay, and the next person will not report theirs."
)

func (s *sent) broad(i int) {
	l := s.t[i].low
	switch {
	case harmVerbs[l]:
		s.harmAct(i)
	case punitiveVerbs[l]:
		s.punitive(i)
	}
	verb := s.failTheVerb(i) // "the checks will fail" judges no one
	if insults[l] && judgmental[l] == "" && !s.negatedBefore(i, 3) && !verb {
		s.emit(kJudgInsult, noSubj, false, RuleJudgmental, i, i, i+1, "", msgJudge,
			"Describe what happened and the conditions around it instead of judging the people involved.", "")
	}
	if (verdictWords[l] || insults[l]) && !verb {
		s.bareVerdict(i)
	}
	switch l {
	case "mistake", "mistakes", "error", "errors", "bad", "oversight", "typo", "typos", "fault":
		s.possMistake(i)
	case "why":
		s.whyQuestion(i)
	case "training", "trained", "learn", "lesson", "careful", "better", "next":
		s.peopleRemedy(i)
	case "pebkac", "pebcak", "id10t", "fat-finger":
		s.emit(kHEMention, noSubj, true, RuleHumanError, i, i, i+1, "", msgHuman,
			"Name the action and the conditions that allowed it instead.", "")
	case "blames", "blaming", "blame", "blamed":
		s.blameOn(i)
	case "reason", "problem", "responsible":
		s.personIsReason(i)
	case "thanks":
		if s.low(i+1) == "to" {
			if o := s.forwardNP(i + 2); o.cls.person() {
				s.emit(kBVBlameObj, o, false, personRule(o.cls, RuleBlameVerb), i, i, o.to, "", msgBlame,
					"Describe the contributing factors instead of assigning fault.", "")
			}
		}
	}
	if behaviourImperatives[l] && s.imperativeAt(i) && i+1 < len(s.t) {
		s.behaviourImperative(i)
	}
}

// failTheVerb: "fail" at i is the verb ("the checks will fail", "builds
// that fail", "if these activities fail"), not the noun of a verdict ("Epic
// fail.", "what a fail"): the noun stands first, or after a determiner or
// an adjective of size.
func (s *sent) failTheVerb(i int) bool {
	if s.t[i].low != "fail" || i == 0 || s.t[i-1].kind == tPunct {
		return false
	}
	switch s.low(i - 1) {
	case "a", "an", "the", "this", "what", "such", "epic", "big", "huge", "total", "massive",
		"complete", "major", "utter", "absolute", "another":
		return false
	}
	return true
}

// nounDeterminers open a noun phrase and nothing else (not "that", "all"):
// a participle after one qualifies a noun.
var nounDeterminers = wordSet(`the a an this these those our their his her my your its some any every`)

// harmAct: a person as the agent of a harmful act.
func (s *sent) harmAct(i int) {
	l := s.t[i].low
	if i > 0 && (nounDeterminers[s.t[i-1].low] || s.t[i-1].poss) {
		return // "the dropped table", "our wiped volume": a thing named by what befell it
	}
	if s.negationOf(i) >= 0 {
		return // "Sam did not delete the bucket", "never wiped": the act denied
	}
	// phrasal acts need their particle: switched off, shut down, pulled the plug
	switch l {
	case "switched", "turned", "shut":
		if n := s.low(i + 1); n != "off" && n != "down" {
			return
		}
	case "pulled":
		if s.low(i+1) != "the" || s.low(i+2) != "plug" {
			return
		}
	case "pushed", "merged", "published", "released", "shipped", "introduced", "issued", "ran", "executed",
		"typed", "entered", "approved", "uploaded", "rebooted", "restarted", "deployed", "committed":
		// ordinary acts: harmful only with a bad object or manner in the clause
		if !s.badManner(i) {
			return
		}
	}
	sb := s.agentOrSubject(i)
	if sb.cls == sSystem || sb.cls == sNone && !s.t[i].cap {
		return
	}
	if sb.cls == sNone || sb.cls == sUnknown {
		if !sb.possPerson {
			return
		}
	}
	rule := personRule(sb.cls, RulePersonAsCause)
	s.emit(kPACHarm, sb, false, rule, i, min(sb.from, i), i+1, "", msgFor(rule), suggHarm, "")
}

// negationOf: the index of the negation of the verb at i ("did not
// delete", "never wiped", "didn't quite ignore"), or -1.
func (s *sent) negationOf(i int) int {
	for k := i - 1; k >= 0 && k >= i-3 && s.t[k].kind == tWord; k-- {
		if s.t[k].f&fNeg != 0 {
			return k
		}
		if !isAdverb(&s.t[k]) && s.t[k].low != "did" && s.t[k].low != "do" && s.t[k].low != "does" {
			break
		}
	}
	return -1
}

// actDenied: the act at v (a verb, or the negated auxiliary itself) is
// denied by a negation after its subject ("Dana didn't push untested
// code", "did not forget the renewal"). A negation that opens its clause is
// an imperative's ("Don't forget …") and denies nothing: it asks.
func (s *sent) actDenied(v int) bool {
	neg := s.negationOf(v)
	if s.t[v].f&fNeg != 0 {
		neg = v
	}
	return neg > s.clauseStart(v)
}

// badManner: the clause says the act was wrong (wrong, bad, untested,
// broken, unauthorized, by mistake, …).
func (s *sent) badManner(i int) bool {
	end := s.clauseEnd(i)
	for j := s.clauseStart(i); j < end; j++ {
		switch s.t[j].low {
		case "wrong", "bad", "broken", "untested", "unreviewed", "unauthorized", "unauthorised", "rogue",
			"buggy", "faulty", "incorrect", "mistaken", "accidentally", "inadvertently", "mistakenly",
			"directly", "straight", "without", "shitty", "malicious", "breaking", "erroneous", "incorrectly":
			return true
		case "mistake", "error":
			if s.low(j-1) == "by" || s.low(j-1) == "in" { // "by mistake", "in error"
				return true
			}
		}
	}
	return false
}

// punitive: people punished or removed as the outcome.
func (s *sent) punitive(i int) {
	if s.negatedBefore(i, 3) {
		return
	}
	sb := s.agentOrSubject(i)
	o := s.forwardNP(i + 1)
	target := sb
	if o.cls.person() || o.cls == sGeneric {
		target = o
	}
	if s.thingPassive(i) {
		return
	}
	if !target.cls.person() && !s.personNear(i) {
		return
	}
	s.emit(kFHPunished, target, false, RuleFixTheHuman, i, i, max(i+1, o.to), "", msgPunish, suggFix, "")
}

// thingPassive: the verb at i is a passive whose subject is a thing ("the
// Diego Brain instance was terminated", "an EC2 instance running a Diego
// Brain was terminated": a thing, beside a name; "what caused the instance
// to be terminated").
func (s *sent) thingPassive(i int) bool {
	if s.tpAt != i+1 {
		s.tpAt, s.tpIs = i+1, s.thingPassiveAt(i)
	}
	return s.tpIs
}

func (s *sent) thingPassiveAt(i int) bool {
	if !s.passiveAt(i) {
		return false
	}
	p := s.subjectBefore(i)
	for k := p.from - 1; k >= 0 && k >= p.from-6; k-- {
		if l := s.low(k); l == "who" || l == "whom" {
			return false // "the engineer who ran the script was terminated"
		}
	}
	if p.cls == sSystem {
		return true
	}
	if p.cls == sUnknown && p.from < p.to {
		named := false
		for k := p.from; k < p.to; k++ {
			named = named || s.t[k].cap && k > 0
		}
		if !named {
			return true // "the compute resources associated with it were suspended": no one named
		}
	}
	for k := p.from + 1; k < p.to; k++ {
		if l := s.low(k); (strings.HasSuffix(l, "ing") || isEdVerb(l) || has(&s.t[k], fPrep)) &&
			s.classifyNP(p.from, k).cls == sSystem {
			return true // the head comes before the participle or phrase that modifies it
		}
	}
	return false
}

// personNear: a person noun phrase head within the clause of i.
func (s *sent) personNear(i int) bool {
	end := s.clauseEnd(i)
	for j := s.clauseStart(i); j < end; j++ {
		if c := s.classOf(j); c == sRole || c == sTeam || c == sNamed || c == sThird && j < i {
			return true
		}
	}
	return false
}

// bareVerdict: a very short sentence that is a verdict ("BAD.", "What a noob").
func (s *sent) bareVerdict(i int) {
	words := 0
	for k := range s.t {
		if s.t[k].kind != tPunct {
			words++
		}
	}
	if words > 4 || s.negatedBefore(i, 2) {
		return
	}
	s.emit(kJudgVerdict, noSubj, false, RuleJudgmental, i, 0, len(s.t), "", msgJudge,
		"Say what happened and what made it likely instead of passing a verdict on it.", "")
}

// possMistake: "my mistake", "our bad", "his errors", "the intern's typo",
// "a mistake by the operator".
func (s *sent) possMistake(i int) {
	l := s.t[i].low
	if l == "error" || l == "errors" {
		switch s.low(i + 1) {
		case "handling", "rate", "rates", "message", "messages", "code", "codes", "log", "logs", "budget",
			"page", "pages", "path", "paths", "reporting", "tracking", "case", "cases", "class", "type", "types",
			"response", "responses", "state", "count", "counts", "in", "from", "when", "while", "was", "is":
			if s.low(i+1) != "in" {
				return
			}
		}
	}
	if l == "bad" && s.low(i+1) != "." && s.low(i+1) != "," && s.low(i+1) != "" && s.low(i+1) != "!" && s.low(i+1) != "as" {
		return // "our bad" stands alone
	}
	p := i - 1
	for p >= 0 && (isAdverb(&s.t[p]) || s.t[p].low == "own" || s.t[p].low == "big" || s.t[p].low == "honest" ||
		s.t[p].low == "stupid" || s.t[p].low == "silly" || s.t[p].low == "minor" || s.t[p].low == "beginner" ||
		s.t[p].low == "rookie" || s.t[p].low == "simple") {
		p--
	}
	if p = s.possessorBefore(p + 1); p < 0 {
		return
	}
	var sb subj
	switch pl := s.t[p].low; {
	case pl == "my" || pl == "mine":
		sb = subj{cls: sI, ev: evPron, from: p, to: p + 1}
	case pl == "our":
		sb = subj{cls: sWe, ev: evPron, from: p, to: p + 1}
	case pl == "your":
		sb = subj{cls: sYou, ev: evPron, from: p, to: p + 1}
	case pl == "their" && s.thingAntecedent(p):
		return // "the servers … their mistake": a thing's
	case pl == "his" || pl == "her" || pl == "their":
		sb = subj{cls: sThird, ev: evPron, from: p, to: p + 1}
	case s.t[p].poss:
		sb = s.npAt(p)
		if !sb.cls.person() {
			return
		}
	default:
		if s.low(i+1) == "by" || s.low(i+1) == "on" && s.low(i+2) == "the" && s.low(i+3) == "part" {
			n := i + 2
			if s.low(i+1) == "on" {
				n = i + 5
			}
			if o := s.forwardNP(n); o.cls.person() {
				s.emit(kPACByPerson, o, false, personRule(o.cls, RulePersonAsCause), i, i, o.to, "", msgCause, suggHarm, "")
			}
		}
		return
	}
	if s.clauseNegated(i) {
		return
	}
	s.emit(kBVPossMistake, sb, false, personRule(sb.cls, RuleBlameVerb), i, p, i+1, "", msgBlame,
		"Describe what happened and what made the slip easy, not whose it was.", "")
}

// whyQuestion: "why did the developer forget …?", "why didn't anyone look …?"
func (s *sent) whyQuestion(i int) {
	j := i + 1
	switch s.low(j) {
	case "did", "didn't", "didnt", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "would", "wouldn't",
		"was", "were", "do", "don't", "does", "doesn't", "is", "isn't", "are", "aren't", "couldn't", "could":
	default:
		return
	}
	o := s.questionSubject(j + 1)
	if o.cls == sSystem || o.cls == sNone {
		return
	}
	v := o.to // the verb after the subject
	if s.low(v) == "not" {
		v++
	}
	if neg := v > o.to || s.t[j].f&fNeg != 0; neg && v < len(s.t) && o.cls.person() {
		// "Why didn't the intern test the change?", "Why did the intern not
		// test …": an omission, reworded as its fact
		if sugg, repl, from, e := s.passiveRewrite(o, o.from, v, v+1); repl != "" {
			s.emit(kCFWhy, o, false, personRule(o.cls, RuleCounterfactual), i, from, e, "", msgCF, sugg, repl)
			return
		}
	}
	s.emit(kCFWhy, o, false, personRule(o.cls, RuleCounterfactual), i, i, max(o.to+1, j+2), "", msgCF, suggCF(""), "")
}

// peopleRemedy: training, learning from mistakes, being careful, doing better.
func (s *sent) peopleRemedy(i int) {
	l := s.t[i].low
	ok := false
	switch l {
	case "training", "trained":
		ok = !s.negatedBefore(i, 3) || l == "training"
	case "learn":
		n := s.low(i + 1)
		ok = n == "from" || n == "to" || n == "a" || n == "their" || n == "his" || n == "her" || n == "my" || n == "your"
	case "lesson":
		ok = s.low(i-1) == "a" || s.low(i+1) == "learned" || s.low(i+1) == "learnt"
	case "careful":
		p := s.low(i - 1)
		ok = p == "very" || p == "really" || p == "super" || p == "so" || p == "be" || p == "being"
	case "better":
		ok = s.low(i-1) == "do" || s.low(i-1) == "doing"
	case "next":
		ok = s.low(i+1) == "time"
	}
	if !ok {
		return
	}
	s.emit(kFHTraining, s.subjectBefore(i), false, RuleFixTheHuman, i, i, i+1, "", msgFix, suggFix, "")
}

// blameOn: "blames X on Y", "placing blame on Y", "blamed Y for".
func (s *sent) blameOn(i int) {
	if s.clauseNegated(i) || s.low(i-1) == "git" || s.low(i-1) == "to" && s.predicateAux(i-2) >= 0 {
		return // "is to blame here": no one blamed for "here"
	}
	end := s.clauseEnd(i)
	for j := i + 1; j < end; j++ {
		if s.low(j) == "on" || s.low(j) == "for" && j == i+1 {
			o := s.forwardNP(j + 1)
			if o.cls != sSystem && o.cls != sNone {
				s.emit(kBVBlameObj, o, false, personRule(o.cls, RuleBlameVerb), i, i, o.to, "", msgBlame,
					"Describe the contributing factors instead of assigning fault.", "")
			}
			return
		}
	}
	o := s.forwardNP(i + 1)
	if o.cls != sSystem && o.cls != sNone {
		s.emit(kBVBlameObj, o, false, personRule(o.cls, RuleBlameVerb), i, i, o.to, "", msgBlame,
			"Describe the contributing factors instead of assigning fault.", "")
	}
}

// personIsReason: "He was the reason …", "the staff were the problem", "the
// developer responsible".
func (s *sent) personIsReason(i int) {
	if s.clauseNegated(i) {
		return
	}
	if s.t[i].low == "responsible" {
		if i > 0 && s.classOf(i-1) == sRole {
			s.emit(kBVReason, s.npAt(i-1), false, RuleBlameVerb, i, i-1, i+1, "", msgBlame,
				"Describe the contributing factors instead of the person responsible.", "")
		}
		return
	}
	p := i - 1
	if s.low(p) == "the" || s.low(p) == "a" || s.low(p) == "main" {
		p--
	}
	if s.low(p) == "main" {
		p--
	}
	switch s.low(p) {
	case "was", "were", "is", "are", "be", "been":
	default:
		return
	}
	sb := s.subjectBefore(p)
	if !sb.cls.person() && sb.cls != sI && sb.cls != sWe {
		return
	}
	s.emit(kBVReason, sb, false, personRule(sb.cls, RuleBlameVerb), i, sb.from, i+1, "", msgBlame,
		"Describe the conditions that made the outcome possible, not the person.", "")
}

// behaviourImperative: "Test your code before …", "Always remember this",
// "DO NOT run … unless", "please never do this again".
func (s *sent) behaviourImperative(i int) {
	l := s.t[i].low
	if s.seg.Section == SectionTimeline {
		return
	}
	switch l {
	case "always", "never":
		if !has(&s.t[i+1], fVerbBase) && !behaviourImperatives[s.low(i+1)] {
			return
		}
	case "don't", "do":
		if l == "do" && s.low(i+1) != "not" {
			return
		}
	case "be":
		if !carefulWords[s.low(i+1)] && !carefulWords[s.low(i+2)] {
			return
		}
	}
	// aimed at people: a second-person word, or a behaviour verb
	people := false
	for j := i; j < len(s.t); j++ {
		switch s.t[j].low {
		case "your", "you", "yourself", "before", "unless", "again", "carefully", "first":
			people = true
		}
	}
	if !people || s.readersChoice() {
		return
	}
	s.emit(kFHBehaviour, subj{cls: sYou, ev: evNone}, false, RuleFixTheHuman, i, i, min(i+3, len(s.t)), "", msgFix, suggFix, "")
}

// readersChoice: the sentence leaves the act to the reader's wish ("follow
// the process … if you wish to report a vulnerability"): an instruction to
// whoever reads, not a remedy aimed at the people of the incident.
func (s *sent) readersChoice() bool {
	for j := 0; j+2 < len(s.t); j++ {
		if s.t[j].low != "if" || s.t[j+1].low != "you" {
			continue
		}
		switch s.t[j+2].low {
		case "wish", "want", "would", "'d", "prefer", "choose", "like", "plan", "intend":
			return true
		}
	}
	return false
}

// passiveAt: the participle i follows a form of "be" or "get" ("was
// terminated", "got quietly fired").
func (s *sent) passiveAt(i int) bool {
	k := i - 1
	for k >= 0 && isAdverb(&s.t[k]) {
		k--
	}
	switch s.low(k) {
	case "was", "were", "been", "be", "being", "is", "are", "got", "get", "gets", "getting", "gotten":
		return true
	}
	return false
}
