package blameless

import (
	"slices"
	"strings"
)

// personRule picks named-individual when the person is named.
func personRule(c subjClass, rule string) string {
	if c == sNamed {
		return RuleNamedIndividual
	}
	return rule
}

const (
	msgNamed = "Naming a person as the cause puts them, not the system, on trial: people stop sharing what they saw, and the review stops at a name instead of the conditions that made the action possible."
	msgCause = "This makes a person's slip the cause. That ends the search for systemic causes: the same slip will happen to someone else unless the conditions that made it easy change."
	msgHuman = "\"Human error\" is where an investigation starts, not where it ends: it names nothing that can be fixed and tells readers someone is to blame."
	msgCF    = "Hindsight: this judges a person against what we know now. It says what did not happen instead of why what happened made sense at the time, and it makes people defensive."
	msgJudge = "Judgmental wording describes character, not events; it makes people defensive and hides the information the review needs."
	msgBlame = "Assigning fault makes people hide information next time, and a culprit is not a fix."
	msgFix   = "A remedy aimed at people does not survive the next busy night: vigilance is not a control. A change to the system does."
	msgCond  = "This word implies the person should have known; in a postmortem it reads as blame in hindsight."
)

func msgFor(rule string) string {
	switch rule {
	case RuleNamedIndividual:
		return msgNamed
	case RulePersonAsCause:
		return msgCause
	case RuleCounterfactual:
		return msgCF
	}
	return ""
}

func (s *sent) run() {
	all := true
	for i := range s.t {
		if s.t[i].kind != tPunct && !s.t[i].unjudged {
			all = false
			break
		}
	}
	if all {
		return
	}
	s.meta = s.detectMeta()
	if s.meta {
		// talk about blame, not blame: no rule runs; the model still
		// judges the sentence, knowing it is meta-talk
		s.finishSentence()
		return
	}
	for i := range s.t {
		tk := &s.t[i]
		if tk.unjudged || tk.kind != tWord {
			continue
		}
		if tk.f&fTrigger == 0 {
			switch tk.low {
			case "on", "down", "back", "traced":
				s.causePhrase(i) // frequent words only one rule starts from
			}
			continue
		}
		s.humanError(i)
		s.judgmental(i)
		s.blameVerb(i)
		s.fixTheHuman(i)
		s.counterfactual(i)
		s.personAsCause(i)
		s.causePhrase(i)
		s.condescending(i)
		s.broad(i)
	}
	if s.seg.Section == SectionCause {
		s.namedInCause()
	}
	s.finishSentence()
}

// detectMeta spots sentences that talk about blame rather than assign it.
func (s *sent) detectMeta() bool {
	for i := range s.t {
		if s.t[i].f&fMeta == 0 {
			continue // none of the words below
		}
		l := s.t[i].low
		switch l {
		case "blameless", "blamelessly", "blame-free", "blamelessness":
			return true
		case "avoid", "avoiding", "avoids", "stop":
			n := s.low(i + 1)
			if n == "the" || n == "a" {
				n = s.low(i + 2)
			}
			switch n {
			case "saying", "writing", "using", "blaming", "evaluating", "judging", "naming", "pointing",
				"term", "word", "words", "phrase", "phrases", "concept", "notion", "language", "label", "labels",
				"assigning", "finger-pointing", "apportioning", "calling", "framing":
				return true
			}
		case "rather":
			if s.low(i+1) == "than" {
				switch s.low(i + 2) {
				case "blame", "blaming", "apportioning", "assigning", "pointing", "naming", "judging", "asking", "finding":
					return true
				}
			}
		case "not":
			if s.low(i+1) == "about" {
				return true
			}
		case "concept", "notion", "framing", "narrative":
			if s.low(i+1) == "of" || l == "framing" || l == "narrative" {
				return true
			}
		}
	}
	return false
}

// ---- human-error ----

var humanErrorFirst = map[string]bool{
	"human": true, "operator": true, "user": true, "pilot": true, "personnel": true, "staff": true,
	"admin": true, "administrator": true, "engineer": true, "people": true, "manual": false,
}

var causalVerbs = map[string]bool{
	"caused": true, "causes": true, "cause": true, "led": true, "leads": true, "lead": true,
	"resulted": true, "results": true, "triggered": true, "happened": true, "happens": true,
	"took": true, "brought": true, "broke": true, "meant": true, "was": true, "is": true,
	"contributed": true, "deleted": true, "banned": true, "made": true, "created": true, "introduced": true,
}

func (s *sent) humanError(i int) {
	l := s.t[i].low
	end := i + 2
	switch {
	case l == "human-error" || l == "human-errors":
		end = i + 1
	case humanErrorFirst[l]:
		n := s.low(i + 1)
		if n != "error" && n != "errors" && n != "mistake" && n != "mistakes" || s.t[i+1].unjudged != s.t[i].unjudged {
			return
		}
	default:
		return
	}
	if end < len(s.t) && s.t[end].kind == tWord && s.t[end].f&(fAux|fModal|fPrep|fBound) == 0 &&
		!causalVerbs[s.t[end].low] && !strings.HasSuffix(s.t[end].low, "ed") {
		return // "the human error framing": a modifier, not a cause
	}
	if s.clauseNegated(i) {
		return
	}
	causal := false
	p := i - 1
	for p >= 0 {
		switch s.t[p].low {
		case "a", "an", "the", "simple", "pure", "plain", "basic", "just", "classic", "obvious", "typical",
			"another", "some", "mere", "simply", "clearly", "ultimately", "\"", "“", "‘", "'":
			p--
			continue
		}
		break
	}
	pl, pp := s.low(p), s.low(p-1)
	switch pl {
	case "to":
		causal = pp == "due" || pp == "owing" || pp == "attributed" || pp == "down" || pp == "up" || pp == "attributable"
	case "of":
		causal = pp == "result" || pp == "because" || pp == "case" || pp == "consequence" || pp == "product" || pp == "instance"
	case "by":
		causal = pp == "caused" || pp == "triggered" || pp == "created" || pp == "introduced" || pp == "induced"
	case "from":
		causal = pp == "resulted" || pp == "stemmed" || pp == "arose" || pp == "resulting"
	case "on":
		causal = pp == "blamed"
	case "as", "was", "is", "were", "be", "been", "'s", "it's", "that's", ":", "blames", "blamed", "blaming", "blame":
		causal = true
	}
	if !causal && (p < 0 || s.isBoundary(p)) {
		// clause-initial: causal when a causal verb follows in the clause
		for j := end; j < len(s.t) && j < end+10; j++ {
			if s.t[j].kind == tPunct && s.isBoundary(j) {
				break
			}
			if causalVerbs[s.t[j].low] {
				causal = true
				break
			}
		}
	}
	if !causal {
		s.emit(kHEMention, noSubj, false, RuleHumanError, i, i, end, "", msgHuman,
			"Name the action and the conditions that allowed it instead, e.g. \"a command ran against the production cluster; the tool did not confirm the target\".", "")
		return
	}
	s.add(kHECausal, noSubj, RuleHumanError, i, i, end, "", msgHuman,
		"Name the action and the conditions that allowed it instead, e.g. \"a command ran against the production cluster; the tool did not confirm the target\".", "")
}

// ---- judgmental ----

var attributive = map[string]bool{
	"careless": true, "sloppy": true, "lazy": true, "negligent": true, "reckless": true,
	"incompetent": true, "stupid": true, "dumb": true, "idiotic": true, "amateur": true,
	"amateurish": true, "unprofessional": true, "boneheaded": true, "irresponsible": true,
	"inexcusable": true, "clueless": true, "moronic": true, "embarrassing": true, "shameful": true,
}

func (s *sent) judgmental(i int) {
	l := s.t[i].low
	sev, ok := judgmental[l]
	from, to := i, i+1
	if !ok {
		if l != "bad" {
			return
		}
		if !badNouns[s.low(i+1)] {
			return
		}
		sev, to = "warning", i+2
		if p := s.low(i - 1); p == "really" || p == "very" || p == "such" {
			from = i - 1
		}
	}
	if ex := judgmentalExceptions[l]; ex != nil && ex[s.low(i+1)] {
		return
	}
	if s.negatedBefore(i, 4) || s.writersFeeling(i) {
		return
	}
	repl := ""
	sugg := "Describe what happened and the conditions around it (time pressure, unclear tooling, missing review) instead of judging the people involved."
	fat := l == "fat-fingered" || l == "fatfingered"
	if (attributive[l] || fat && i > 0 && has(&s.t[i-1], fDet)) && s.dropsCleanly(i) {
		// "an idiotic mistake" → "a mistake", "totally idiotic incident" →
		// "incident", "Stupid mistake." → "Mistake."
		from, to = s.intensified(i), i+2
		repl = s.t[i+1].text
		if a := s.low(from - 1); (a == "a" || a == "an") && article(s.t[i+1].low) != a {
			from-- // "an idiotic mistake" → "a mistake"
			repl = article(s.t[i+1].low) + " " + repl
		}
		if s.opensSentence(from) {
			repl = strings.ToUpper(repl[:1]) + repl[1:]
		}
		sugg = "Drop the judgment and keep the fact: \"" + repl + "\", then say what made it likely."
	} else if fat {
		repl = "mistyped"
		sugg = "Say what was mistyped and why nothing caught it, e.g. \"the hostname was mistyped; the tool accepted it without confirmation\"."
	}
	s.add(judgKind(sev), s.judged(i), RuleJudgmental, i, from, to, sev, msgJudge, sugg, repl)
}

// judged: the person a judgement word at i is said of through its noun:
// the possessor ("Sam's sloppy change", "his careless mistake") or the
// agent after it ("bad practice by the author", "sloppy work on the
// script by Sam"); noSubj when neither is a person (a copula's subject,
// "the engineer was careless", is the sentence model's sv: feature).
func (s *sent) judged(i int) subj {
	if p := s.possessorBefore(i); p >= 0 {
		c := sUnknown
		switch l := s.t[p].low; {
		case l == "his" || l == "her" || l == "their" && !s.thingAntecedent(p):
			c = sThird
		case l == "your":
			c = sYou
		case s.t[p].poss:
			c = s.classOf(p)
		}
		if c.person() {
			return subj{cls: c, from: p, to: p + 1}
		}
	}
	for k := i + 1; k < len(s.t) && k <= i+6; k++ {
		if s.t[k].kind == tPunct && s.isBoundary(k) || s.verbal(k) {
			break
		}
		if s.t[k].low == "by" {
			if o := s.forwardNP(k + 1); o.cls.person() {
				return o
			}
			break
		}
	}
	return noSubj
}

// dropsCleanly: the judgement word i stands before the noun it qualifies,
// alone, so that dropping it leaves a sentence: not "careless enough to",
// "the incompetent one", "a bit stupid right now", nor "horrible and
// incompetent sysadmin" (the first adjective would dangle).
func (s *sent) dropsCleanly(i int) bool {
	if i+1 >= len(s.t) || !s.t[i].spaceAfter || s.t[i+1].quoted != s.t[i].quoted {
		return false
	}
	n := &s.t[i+1] // "people" is a pronoun to the lexicon, and a noun here
	if n.kind != tWord || has(n, fPrep|fBound|fAux|fModal|fDet) || n.poss || pronounClass[n.low] != "" ||
		isAdverb(n) || objectEnds[n.low] || dropEnds[n.low] {
		return false
	}
	switch s.low(i - 1) {
	case "and", "or", ",", "but":
		return false
	}
	if i > 0 && isAdverb(&s.t[i-1]) && !intensifiers[s.t[i-1].low] {
		return false // "criminally negligent homicide": a term, not a judgement to drop
	}
	return true
}

// dropEnds: words after a judgement that are not the noun it qualifies.
var dropEnds = wordSet(`enough one ones rather than nonetheless though anyway`)

// intensified: where the judgement at i starts, with the adverbs that
// intensify it ("totally idiotic", "really stupid").
func (s *sent) intensified(i int) int {
	from := i
	for from > 0 && from > i-2 && s.t[from-1].kind == tWord && intensifiers[s.t[from-1].low] {
		from--
	}
	return from
}

// intensifiers: adverbs of degree, dropped with the judgement they
// strengthen. Another adverb before it ("criminally negligent homicide")
// belongs to it: no drop-in then (dropsCleanly).
var intensifiers = wordSet(`very really so too pretty quite totally extremely completely incredibly utterly
	absolutely unacceptably remarkably truly downright entirely deeply particularly especially seriously
	terribly awfully insanely ridiculously amazingly egregiously`)

// article: "a" or "an" before a word, by its first letter (an hour, a user:
// near enough for a suggestion).
func article(w string) string {
	if w != "" && strings.IndexByte("aeio", w[0]) >= 0 || strings.HasPrefix(w, "un") || strings.HasPrefix(w, "hour") {
		return "an"
	}
	return "a"
}

// writersFeeling: a participle of feeling said of the writers themselves
// ("we are incredibly disappointed", "I felt embarrassed"): a state of
// mind, not a judgement of someone.
func (s *sent) writersFeeling(i int) bool {
	if !strings.HasSuffix(s.t[i].low, "ed") {
		return false
	}
	k := i - 1
	for k >= 0 && isAdverb(&s.t[k]) {
		k--
	}
	switch s.low(k) {
	case "am", "are", "is", "was", "were", "'m", "'re", "i'm", "we're", "be", "been", "feel", "felt", "feels":
	default:
		return false
	}
	if l := s.low(k); l == "i'm" || l == "we're" {
		return true
	}
	sb := s.subjectBefore(k)
	return sb.cls == sI || sb.cls == sWe
}

// ---- blame-verb ----

var possPronouns = map[string]bool{"their": true, "his": true, "her": true, "your": true, "my": true, "our": true}

var screwNouns = map[string]bool{
	"screwup": true, "screw-up": true, "screwups": true, "screw-ups": true, "fuckup": true, "fuck-up": true,
	"fuckups": true, "fuck-ups": true, "mess-up": true, "messup": true, "cock-up": true, "cockup": true,
}

var brokeObjects = map[string]bool{
	"prod": true, "production": true, "build": true, "master": true, "main": true, "site": true,
	"everything": true, "staging": true, "deploy": true, "website": true, "ci": true,
}

// predicateAux walks back from token j over the words of degree that may
// stand between a copula and "to blame" or "at fault" ("almost 100%",
// "at least partly", "50 percent", "responsible and") and returns the
// copula's index, or -1 when there is none.
func (s *sent) predicateAux(j int) int {
	for j >= 0 {
		t := &s.t[j]
		switch {
		case has(t, fAux):
			return j
		case isAdverb(t) || t.kind == tNum || degreeWords[t.low]:
			j--
		case t.low == "and" && j > 0 && s.t[j-1].kind == tWord:
			j -= 2 // "responsible and at fault"
		default:
			return -1
		}
	}
	return -1
}

// degreeWords qualify how much of the fault is someone's.
var degreeWords = wordSet(`partly partially equally also all both largely mostly entirely solely wholly
	fully least at in part somewhat almost quite very much more most just as % percent per cent`)

// blamePredicate records "X is to blame" or "X is at fault" (the copula at
// aux, the cue at i): a person as X is the rules' finding; any other subject
// gives the model the form and the subject's class.
func (s *sent) blamePredicate(k kind, aux, i int, sugg string) {
	sb := s.subjectBefore(aux)
	switch {
	case sb.cls.person() || sb.cls == sI || sb.cls == sWe:
		s.add(k, sb, personRule(sb.cls, RuleBlameVerb), i, sb.from, i+1, "", msgBlame, sugg, "")
	case sb.cls != sNone:
		s.emit(k, sb, false, RuleBlameVerb, i, sb.from, i+1, "", msgBlame, sugg, "")
	}
}

func (s *sent) blameVerb(i int) {
	l := s.t[i].low
	const sugg = "Describe the contributing factors instead of assigning fault: what made the action possible, and why did nothing catch it?"
	switch {
	case l == "fault" || l == "faults":
		if s.clauseNegated(i) {
			return
		}
		o := s.possessorBefore(i)
		p := s.low(o)
		if possPronouns[p] && !(p == "their" && s.thingAntecedent(o)) || (o >= 0 && s.t[o].poss && s.classOf(o).person()) {
			s.add(kBVPossFault, s.npAt(o), RuleBlameVerb, i, o, i+1, "", msgBlame, sugg, "")
			return
		}
		if s.low(i+1) == "of" {
			if o := s.forwardNP(i + 2); o.cls.person() || o.possPerson {
				s.add(kBVFaultOf, o, personRule(o.cls, RuleBlameVerb), i, i, o.to, "", msgBlame, sugg, "")
			}
			return
		}
		if p == "at" {
			if aux := s.predicateAux(i - 2); aux >= 0 {
				s.blamePredicate(kBVAtFault, aux, i, sugg)
			}
		}
	case l == "blame" || l == "blamed" || l == "blames":
		if s.low(i-1) == "git" || s.clauseNegated(i) {
			return
		}
		if s.low(i-1) == "to" && l == "blame" {
			if aux := s.predicateAux(i - 2); aux >= 0 {
				s.blamePredicate(kBVToBlame, aux, i, sugg)
			}
			return
		}
		n := i + 1
		if s.low(n) == "on" {
			n++
		}
		if o := s.forwardNP(n); o.cls.person() {
			s.add(kBVBlameObj, o, personRule(o.cls, RuleBlameVerb), i, i, o.to, "", msgBlame, sugg, "")
		}
	case l == "culprit" || l == "culprits":
		if s.clauseNegated(i) || s.culpritIsThing(i) {
			return
		}
		for j := range s.t {
			if j == i || s.t[j].unjudged {
				continue
			}
			c := s.classOf(j)
			if c == sRole || c == sTeam || c == sNamed || (c == sThird && s.t[j].low != "they") {
				s.add(kBVCulprit, subj{cls: c, ev: evRole}, RuleBlameVerb, i, i, i+1, "", msgBlame, sugg, "")
				return
			}
		}
	case screwNouns[l] || (l == "screw" || l == "fuck" || l == "mess" || l == "cock") && s.low(i+1) == "ups":
		// "screw-ups", and "screw ups" written as two words (never a verb form)
		if !s.negatedBefore(i, 3) {
			to := i + 1
			if s.low(i+1) == "ups" {
				to = i + 2
			}
			s.add(kBVScrewNoun, noSubj, RuleBlameVerb, i, i, to, "", msgBlame, sugg, "")
		}
	case (l == "screwed" || l == "screw" || l == "screws" || l == "messed" || l == "fucked" || l == "cocked") && s.low(i+1) == "up",
		l == "dropped" && s.low(i+1) == "the" && s.low(i+2) == "ball",
		l == "blew" && s.low(i+1) == "it":
		sb := s.subjectBefore(i)
		if sb.cls.person() || sb.cls == sI || sb.cls == sWe || sb.cls == sNone || sb.cls == sUnknown && sb.from < sb.to && s.t[sb.from].cap {
			from := sb.from
			if sb.cls == sNone {
				from = i
			}
			s.add(kBVScrewedUp, sb, personRule(sb.cls, RuleBlameVerb), i, from, i+2, "", msgBlame, sugg, "")
		}
	case l == "broke" || l == "breaks":
		o := i + 1
		if s.low(o) == "the" {
			o++
		}
		if !brokeObjects[s.low(o)] {
			return
		}
		if sb := s.subjectBefore(i); sb.cls.person() {
			s.add(kBVBrokeProd, sb, personRule(sb.cls, RuleBlameVerb), i, sb.from, o+1, "", msgBlame, sugg, "")
		}
	}
}

// ---- fix-the-human ----

// beForms: the copulas of "X should be / is / became more careful".
var beForms = wordSet(`be being been is are was were am 's 're become becomes became get gets got stay stays remain remains`)

// carefulThing reports whether the careful word at i ("more thorough",
// "extra careful") is said of a thing, a remedy aimed at the system: a
// "more careful rollout process", "make the runbook more thorough", "the
// validator should be more careful with defaults", "so it is more
// careful". Said of people ("engineers need to be more careful", "make
// the team more careful") or of no one ("be more careful") it is not.
func (s *sent) carefulThing(i int) bool {
	thing := func(sb subj) bool { return sb.from < sb.to && (sb.cls == sSystem || sb.cls == sUnknown) }
	m := i - 1 // "more", "extra" or the copula
	if s.low(m) == "more" || s.low(m) == "extra" {
		m--
	}
	switch {
	case m >= 0 && beForms[s.low(m)]:
		// the subject of the copula, past "should", "needs to", "has to"
		k := m
		if s.low(k-1) == "to" {
			switch s.low(k - 2) {
			case "need", "needs", "needed", "has", "have", "had", "ought", "got", "going", "want", "wants":
				k -= 2
			}
		}
		return thing(s.subjectBefore(k))
	case m >= 0 && m < i-1:
		// "make the runbook more thorough": the object of make
		for j := m; j >= 0 && j >= m-6; j-- {
			switch s.low(j) {
			case "make", "makes", "making", "made", "render", "renders", "keep", "keeps":
				return j+1 <= m && thing(s.classifyNP(j+1, m+1))
			}
			if s.t[j].kind == tPunct {
				break
			}
		}
	}
	// "a more careful rollout process": the noun the word qualifies
	if i+1 < len(s.t) && s.t[i+1].kind == tWord && !has(&s.t[i+1], fPrep|fBound) {
		return thing(s.forwardNP(i + 1))
	}
	return false
}

const suggFix = "Propose a change to the system instead: a check, a guard rail, automation or a safer default that makes the mistake hard to make or easy to catch (e.g. \"the deploy tool confirms the target region\")."

func (s *sent) fixTheHuman(i int) {
	l := s.t[i].low
	switch {
	case carefulWords[l]:
		p := s.low(i - 1)
		strong := l != "aware" && l != "alert"
		if p == "more" || p == "extra" || (strong && (p == "be" || p == "being")) {
			if s.negatedBefore(i, 4) || s.carefulThing(i) {
				return
			}
			from := i - 1
			if s.low(i-2) == "be" {
				from = i - 2
			}
			s.add(kFHCareful, noSubj, RuleFixTheHuman, i, from, i+1, "", msgFix, suggFix, "")
		}
	case l == "attention" && (s.low(i-1) == "pay" || s.low(i-2) == "pay"):
		from := i - 1
		if s.low(i-2) == "pay" {
			from = i - 2
		}
		s.add(kFHAttention, noSubj, RuleFixTheHuman, i, from, i+1, "", msgFix, suggFix, "")
	case (l == "making" || l == "make") && s.low(i-1) == "stop" || l == "fewer" && mistakeNouns[s.low(i+1)]:
		// "stop making these mistakes", "make fewer mistakes"
		j := i + 1
		for j < len(s.t) && j < i+3 && !mistakeNouns[s.low(j)] {
			j++
		}
		if mistakeNouns[s.low(j)] && !s.negatedBefore(i, 3) {
			from := i
			if s.low(i-1) == "stop" {
				from = i - 1
			}
			s.add(kFHStopMistakes, noSubj, RuleFixTheHuman, i, from, j+1, "", msgFix, suggFix, "")
		}
	case l == "twice" && s.low(i-1) == "think":
		s.add(kFHThinkTwice, noSubj, RuleFixTheHuman, i, i-1, i+1, "", msgFix, suggFix, "")
	case l == "double-check" || l == "triple-check" || l == "doublecheck" || l == "double-checks" ||
		((l == "double" || l == "triple") && s.low(i+1) == "check"):
		p := s.low(i - 1)
		if has(&s.t[max(i-1, 0)], fDet) && i > 0 || p == "automated" || p == "automatic" {
			return
		}
		to := i + 1
		if l == "double" || l == "triple" {
			to = i + 2
		}
		switch s.low(to) {
		case "step", "stage", "prompt", "mechanism", "process", "gate", "dialog", "feature":
			return
		}
		if s.negatedBefore(i, 3) {
			return
		}
		if sb := s.subjectBefore(i); sb.cls == sSystem || sb.cls == sUnknown {
			// "the script double-checks the target"
			if !(s.low(i-1) == "to" || has(&s.t[max(i-1, 0)], fModal) || i == 0) {
				return
			}
		}
		s.add(kFHDoubleCheck, noSubj, RuleFixTheHuman, i, i, to, "", msgFix, suggFix, "")
	case l == "accountable" || (l == "responsible" && (s.low(i-1) == "held" || s.low(i-2) == "held")):
		for j := i - 1; j >= 0 && j >= i-5; j-- {
			if s.t[j].low == "held" || s.t[j].low == "hold" || s.t[j].low == "holding" {
				if !s.negatedBefore(j, 4) {
					s.add(kFHAccountable, noSubj, RuleFixTheHuman, i, j, i+1, "", msgFix, suggFix, "")
				}
				return
			}
		}
	case (l == "be" || l == "get" || l == "been") && punitive[s.low(i+1)]:
		p := s.low(i - 1)
		obligation := has(&s.t[max(i-1, 0)], fModal) || p == "to" || p == "not" || p == "never"
		if !obligation || p == "to" && s.low(i-2) == "about" { // "she was about to get fired": what she expected
			return
		}
		if s.low(i+1) == "held" && s.low(i+2) != "accountable" && s.low(i+2) != "responsible" {
			return
		}
		if s.low(i+1) == "let" && s.low(i+2) != "go" {
			return
		}
		if s.low(i+1) == "written" && s.low(i+2) != "up" {
			return
		}
		k := i - 1
		for k > 0 && (has(&s.t[k], fModal|fNeg|fAux) || s.t[k].low == "to" || s.t[k].low == "need" || s.t[k].low == "needs") {
			k--
		}
		sb := s.subjectBefore(k + 1)
		if sb.cls.person() || sb.cls == sNone {
			from := sb.from
			if sb.cls == sNone {
				from = i
			}
			s.add(kFHPunitive, sb, RuleFixTheHuman, i, from, i+2, "", msgFix, suggFix, "")
		}
	case fixHumanImperatives[l] && s.imperativeAt(i):
		o := s.forwardNP(i + 1)
		if o.cls.person() || o.cls == sNobody {
			s.add(kFHImperative, o, RuleFixTheHuman, i, i, o.to, "", msgFix, suggFix, "")
		}
	case (l == "sure" && s.low(i-1) == "make") || l == "ensure":
		j := i + 1
		if s.low(j) == "that" {
			j++
		}
		for j < len(s.t) && has(&s.t[j], fDet) {
			j++
		}
		if j >= len(s.t) {
			return
		}
		c := s.classOf(j)
		h := j
		for h+1 < len(s.t) && (s.classOf(h+1) == sRole || s.classOf(h+1) == sTeam) {
			h++
			c = s.classOf(h)
		}
		if !c.person() {
			return
		}
		v := s.low(h + 1)
		if behaviourVerbs[strings.TrimSuffix(v, "s")] || behaviourVerbs[v] ||
			((v == "is" || v == "are" || v == "be") && carefulWords[s.low(h+2)]) ||
			((v == "is" || v == "are") && s.low(h+2) == "more" && carefulWords[s.low(h+3)]) {
			from := i
			if l == "sure" {
				from = i - 1
			}
			s.add(kFHMakeSure, subj{cls: c}, RuleFixTheHuman, i, from, h+2, "", msgFix, suggFix, "")
		}
	case l == "should" || l == "must" || l == "ought" || (l == "need" || l == "needs") && s.low(i+1) == "to" ||
		(l == "has" || l == "have") && s.low(i+1) == "to" && i > 0:
		j := i + 1
		if s.low(j) == "to" {
			j++
		}
		for j < len(s.t) && (s.t[j].low == "not" || s.t[j].low == "never" || s.t[j].low == "always" || isAdverb(&s.t[j])) {
			j++
		}
		v := s.low(j)
		if v == "have" || v == "'ve" {
			return // counterfactual, handled there
		}
		if l == "have" || l == "has" {
			return // "have to" as an obligation is too often about systems
		}
		if v == "check" && s.low(j+1) == "out" || s.low(i-1) == "only" {
			return // "check out the tag", "you only need to": no duty of care
		}
		switch s.clauseOpener(i) {
		case "if", "when", "whenever", "unless":
			return // "if you need to verify a release, run …": a case considered
		}
		sb := s.subjectBefore(i)
		if !sb.cls.person() {
			return
		}
		if v == "be" {
			return // handled by the punitive / careful cases
		}
		// "you should <do something>" is advice to the reader ("if you run
		// a mirror, you should unpublish …") unless the verb is about
		// behaviour or the sentence addresses someone by @handle
		if behaviourVerbs[v] || sb.cls == sYou && s.addressesSomeone() {
			to := j + 1
			if to > len(s.t) {
				to = len(s.t)
			}
			s.add(kFHObligation, sb, personRule(sb.cls, RuleFixTheHuman), i, sb.from, to, "", msgFix, suggFix, "")
		}
	}
}

// addressesSomeone: the sentence names someone by @handle (a reply to a
// person, not advice to any reader).
func (s *sent) addressesSomeone() bool {
	for i := range s.t {
		if s.t[i].kind == tHandle {
			return true
		}
	}
	return false
}

// imperativeAt reports whether token i starts a clause as an imperative.
func (s *sent) imperativeAt(i int) bool {
	for j := i - 1; j >= 0; j-- {
		t := &s.t[j]
		if t.kind == tNum || (t.kind == tPunct && (t.text == "-" || t.text == "[" || t.text == "]")) {
			continue
		}
		if t.kind == tPunct && (t.text == ":" || t.text == ";" || t.text == "(") {
			return true
		}
		if t.low == "please" || t.low == "and" || t.low == "also" || t.low == "then" {
			continue
		}
		return false
	}
	return true
}

// ---- counterfactual ----

// reportingVerbs: what a source did not say ("he did not name the
// employee", "she did not describe the cause") is reporting, not a duty
// left undone.
var reportingVerbs = map[string]bool{"say": true, "name": true, "describe": true, "disclose": true, "comment": true,
	"specify": true, "elaborate": true, "reveal": true, "indicate": true}

// qualityAdverbs judge how a thing was made: about the thing alone ("a
// poorly designed system") they judge no one.
var qualityAdverbs = wordSet(`poorly badly sloppily hastily shoddily lazily improperly incompetently amateurishly`)

// judgedWork: the quality adverb at i judges a passive whose agent is a
// person ("The config was poorly designed by Sam", "was badly written by
// the new contractor"): the person is put at fault for the work.
func (s *sent) judgedWork(i int) {
	v := i + 1
	for v < len(s.t) && isAdverb(&s.t[v]) {
		v++
	}
	if v >= len(s.t) || s.t[v].kind != tWord || !isParticiple(s.t[v].low) {
		return
	}
	sb := s.agentOrSubject(v)
	if !sb.cls.person() || sb.from <= v {
		return // no "by" agent, or not a person
	}
	rule := personRule(sb.cls, RulePersonAsCause)
	s.emit(kPACJudged, sb, true, rule, i, i, sb.to, "", msgFor(rule),
		"Describe the work and what let its flaw through: e.g. \"the configuration had no validation; the review did not cover it\".", "")
}

// errModifier: the error modifier at i ("accidentally", "the wrong", "by
// mistake") makes the act it qualifies a mistake of its subject or agent.
func (s *sent) errModifier(i int) {
	l := s.t[i].low
	if l == "wrong" {
		p := s.low(i - 1)
		if p != "the" && p != "a" {
			return
		}
	}
	v := -1
	if l != "wrong" && l != "by" && i+1 < len(s.t) && verbish(&s.t[i+1]) {
		v = i + 1
	} else {
		cs := s.clauseStart(i)
		for j := i - 1; j >= cs; j-- {
			if verbish(&s.t[j]) || (j > cs && s.t[j].kind == tWord && s.t[j].f&fSystem == 0 && isVerbAfterSubject(s, j)) {
				v = j
				break
			}
		}
	}
	if v < 0 || s.actDenied(v) {
		return // no act, or one denied: "Dana didn't push untested code" ("Don't push …" asks)
	}
	if objectModifiers[l] {
		switch s.t[v].low { // "the change was untested" describes the change
		case "was", "were", "is", "are", "be", "been":
			return
		}
	}
	sb := s.agentOrSubject(v)
	to := max(i+1, v+1)
	if l == "by" || l == "wrong" {
		to = i + 2
	}
	rule := personRule(sb.cls, RulePersonAsCause)
	s.emit(kPACErrMod, sb, sb.cls.person(), rule, i, min(sb.from, v), to, "", msgFor(rule),
		"Put the system in focus: what made this action easy to get wrong, and why did nothing stop or catch it? E.g. \"the command ran against production; the tool did not ask for confirmation\".", "")
}

// befallVerbs: what did not befall a person ("he did not survive the fire",
// "she did not receive the page") is what happened to them, not an act left
// undone.
var befallVerbs = wordSet(`survive receive`)

func (s *sent) counterfactual(i int) {
	l := s.t[i].low
	switch {
	case l == "should" || l == "could" || l == "would" || l == "might" || l == "ought" ||
		l == "should've" || l == "could've" || l == "would've" || l == "shouldn't" || l == "couldn't":
		j := i + 1
		if l == "ought" && s.low(j) == "to" {
			j++
		}
		if !strings.HasSuffix(l, "'ve") {
			if s.low(j) == "not" {
				j++
			}
			for j < len(s.t) && isAdverb(&s.t[j]) {
				if s.t[j].low == "always" {
					return // "you should always have tested backups": ought to keep, not hindsight
				}
				j++
			}
			if s.low(j) != "have" && s.low(j) != "'ve" {
				return
			}
			j++
		}
		for j < len(s.t) && isAdverb(&s.t[j]) {
			j++
		}
		if j >= len(s.t) || !isParticiple(s.t[j].low) {
			return
		}
		if (l == "could" || l == "could've" || l == "might") && s.low(i+1) != "not" {
			if c := tokClass(&s.t[j]); c == lcErrVerb || c == lcHarmVerb || s.faultAfter(j+1) {
				return // "they could have easily made a mistake": a harm that was possible
			}
		}
		var sb subj
		if s.t[j].low == "been" && j+1 < len(s.t) && isParticiple(s.t[j+1].low) {
			sb = s.agentOrSubject(j + 1) // passive: only a person agent counts
			if sb.cls == sNone {
				if s.addressedToNick(i) {
					// "<alice> bob: that should have been run first"
					s.addCF(kCFPassiveAddressed, sb, i, j+1, j+2)
				}
				return
			}
			j++
		} else {
			sb = s.subjectBefore(i)
		}
		switch s.t[j].low {
		case "received", "arrived":
			return // "you should have received an email": an expectation of delivery
		}
		k := kCFModalPerfect
		switch s.t[j].low {
		case "had", "been", "got", "gotten", "known":
			k = kCFModalHave // "should have had an alert", "could have been worse"
		}
		if l == "would" || l == "would've" || l == "might" {
			k = kCFModalWould // "it would have failed anyway"
		}
		s.addCF(k, sb, i, j, j+1)
	case (l == "had" || l == "hadn't") && (i == 0 || s.t[i-1].kind == tPunct) && s.word(i+1) && has(&s.t[i+1], fDet|fPron):
		// "Had the operator read the runbook, …": inverted condition
		o := s.forwardNP(i + 1)
		if o.cls != sSystem && o.to < len(s.t) && isParticiple(s.t[o.to].low) && s.modalHave(conditionals) {
			s.addCF(kCFHadInverted, o, i, o.to, o.to+1)
		}
	case l == "had" || l == "hadn't":
		j := i + 1
		if s.low(j) == "not" {
			j++
		}
		for j < len(s.t) && isAdverb(&s.t[j]) {
			j++
		}
		if j >= len(s.t) || !isParticiple(s.t[j].low) || s.t[j].low == "been" {
			return
		}
		sb := s.subjectBefore(i)
		if sb.bnd < 0 {
			return
		}
		// a counterfactual past: "if only", or the other clause's "would
		// have" ("If Alice had read the alert, the outage would not have
		// happened"); "updated only if a patient had attended" is a rule
		if b := s.low(sb.bnd); b == "only" || b == "if" && s.low(sb.bnd+1) == "only" || (b == "if" || b == "unless") && s.modalHave(conditionals) {
			s.addCF(kCFIfHad, sb, i, j, j+1)
		}
	case l == "failed" || l == "fails" || l == "neglected" || l == "omitted" || l == "refused":
		if s.low(i+1) != "to" {
			return
		}
		s.cfSubject(kCFFailedTo, i, i+2)
	case (l == "decided" || l == "chose" || l == "opted" || l == "elected") && s.low(i+1) == "not" && s.low(i+2) == "to":
		s.cfSubject(kCFDecidedNot, i, i+3)
	case l == "didn't" || l == "didnt" || (l == "did" && s.low(i+1) == "not") || l == "never":
		j := i + 1
		if l == "did" {
			j++
		}
		for j < len(s.t) && isAdverb(&s.t[j]) {
			j++
		}
		if j >= len(s.t) || s.t[j].kind != tWord {
			return
		}
		v := s.t[j].low
		if l == "never" {
			if !(isEdVerb(v) || lex[v]&fPast != 0) || lex[v]&fAux != 0 {
				return
			}
			if p := s.low(i - 1); has(&s.t[max(i-1, 0)], fAux|fModal) && i > 0 || p == "would" {
				return // "was never tested": passive / modal, no agent here
			}
		} else if lex[v]&(fAux|fDet|fPrep) != 0 && v != "do" || reportingVerbs[v] {
			return // "he did not say why": a source reporting, not an act left undone
		} else if befallVerbs[v] {
			return // "he did not survive the fire": what befell him
		}
		if forms := inflect(v); slices.ContainsFunc(forms, func(w string) bool { return errVerbs[w] != "" }) ||
			slices.ContainsFunc(forms, func(w string) bool { return harmVerbs[w] }) && s.badManner(j) {
			return // "did not ignore the alert", "didn't push untested code": a fault denied, no duty undone
		}
		s.cfSubject(cond(l == "never", kCFNever, kCFDidnt), i, j)
	case l == "bothered" || l == "checked" || l == "verified" || l == "tested" || l == "reviewed" || l == "followed":
		sb := s.subjectBefore(i)
		if sb.cls == sNobody {
			s.add(kCFNobody, sb, RuleCounterfactual, i, sb.from, i+1, "", msgCF, suggCF(""), "")
		}
	case l == "instead" && s.low(i+1) == "of" && strings.HasSuffix(s.low(i+2), "ing"):
		var v int = -1
		if s.clauseStart(i) == i || i == 0 {
			// "Instead of using X, someone wrote …": the verb after the comma
			for j := i + 2; j < len(s.t); j++ {
				if s.t[j].text == "," {
					for k := j + 1; k < len(s.t); k++ {
						if verbish(&s.t[k]) {
							v = k
							break
						}
					}
					break
				}
			}
		} else {
			for j := i - 1; j >= 0; j-- {
				if verbish(&s.t[j]) {
					v = j
					break
				}
			}
		}
		if v < 0 {
			return
		}
		sb := s.agentOrSubject(v)
		s.emit(kCFInstead, sb, sb.cls.person(), personRule(sb.cls, RuleCounterfactual), i, sb.from, v+1, "", msgForCF(sb.cls), suggCF(""), "")
	}
}

func msgForCF(c subjClass) string {
	if c == sNamed {
		return msgNamed
	}
	return msgCF
}

// cfSubject reports a counterfactual when the verb group starting at i has a
// person as subject; j is the index of the main verb.
func (s *sent) cfSubject(k kind, i, j int) {
	sb := s.subjectBefore(i)
	if sb.cls == sNone && s.awarenessCue() {
		s.addCF(kCFAwareness, subj{cls: sNone, from: i, to: i}, i, j, j+1)
		return
	}
	s.addCF(k, sb, i, j, j+1)
}

// awarenessCue: "despite being aware of the risk" – only a person can be aware.
func (s *sent) awarenessCue() bool {
	for i := range s.t {
		if s.t[i].low == "despite" {
			switch s.low(i + 1) {
			case "being", "knowing", "warnings", "the", "repeated", "having":
				n := s.low(i + 2)
				if s.low(i+1) == "knowing" || n == "aware" || n == "warned" || n == "told" || n == "warning" ||
					n == "warnings" || n == "known" || s.low(i+1) == "warnings" {
					return true
				}
			}
		}
	}
	return false
}

// modalHave reports a modal of modals followed by "have", perhaps past a
// negation, "to" or an adverb, or written with it: with conditionals "would
// have", "could not have", "might've", "we'd have"; with hindsightModals
// "should have", "ought to have", "should've", "shouldn't've".
func (s *sent) modalHave(modals map[string]bool) bool {
	for k := range s.t {
		l := s.t[k].low
		if base, ok := strings.CutSuffix(l, "'ve"); ok && modals[base] {
			return true
		}
		if !modals[l] && !(strings.HasSuffix(l, "'d") && modals["would"]) {
			continue
		}
		j := k + 1
		for j < len(s.t) && (s.t[j].low == "to" || s.t[j].low == "not" || s.t[j].low == "never" || isAdverb(&s.t[j])) {
			j++
		}
		if s.low(j) == "have" || s.low(j) == "'ve" {
			return true
		}
	}
	return false
}

var (
	// conditionals: the modals of a counterfactual consequence.
	conditionals = wordSet(`would could might wouldn't couldn't`)
	// hindsightModals: the modals of a duty left undone, seen after the fact.
	hindsightModals = wordSet(`should could ought shouldn't couldn't`)
)

// addCF adds a counterfactual over subject..verb j, with a passive rewording
// when the object is a plain noun phrase.
func (s *sent) addCF(k kind, sb subj, trig, j, after int) {
	rule := personRule(sb.cls, RuleCounterfactual)
	from := sb.from
	if sb.cls == sNone || from > trig {
		from = trig
	}
	sugg, repl, rfrom, to := s.passiveRewrite(sb, from, j, after)
	if to <= j {
		to = j + 1
	}
	if repl == "" {
		to = j + 1
	} else {
		from = rfrom
	}
	strong := sb.cls.person() || k == kCFAwareness || k == kCFPassiveAddressed
	if k == kCFModalHave || k == kCFModalWould {
		strong = strong && k == kCFModalHave && sb.cls.person()
	}
	s.emit(k, sb, strong, rule, trig, from, to, "", msgForCF(sb.cls), sugg, repl)
}

func suggCF(rewrite string) string {
	if rewrite != "" {
		return rewrite
	}
	return "Describe what happened and why it made sense at the time: what did the person see, and what did the tools and process do or not do? E.g. \"the check was not run; the deploy process did not require it\"."
}

// passiveRewrite turns "<person> forgot to run the migration" into "The
// migration was not run" when the verb j is followed by a plain noun phrase.
// It returns the sentence suggestion, the replacement for tokens [from, to)
// and from and to (from moved to the subject's noun phrase).
func (s *sent) passiveRewrite(sb subj, from, j, after int) (string, string, int, int) {
	if j >= len(s.t) || s.t[j].kind != tWord || from < 0 || from >= j {
		return suggCF(""), "", from, 0
	}
	// the span starts at the subject's noun phrase: "In this case the
	// engineer forgot …" keeps "In this case"
	after0 := from // where the predicate starts
	if sb.cls != sNone && sb.from == from && sb.to > sb.from && sb.to <= j {
		from = s.phraseStart(sb.from, sb.to)
		after0 = sb.to
	}
	// "The board failed to challenge the plans … and did not understand the
	// scale": a rewrite of the last verb would drop the first, a fact with
	// its object; "was careless and should have checked" drops only a
	// judgement
	coord, object := false, false
	for k := after0; k < j; k++ {
		switch l := s.t[k].low; {
		case l == "," || l == ";" || l == "and" || l == "but" || l == "or":
			coord = true
		case s.t[k].kind == tNum || has(&s.t[k], fDet) && !has(&s.t[k], fPron):
			object = true
		}
	}
	if coord && (object || s.actBetween(after0, j)) {
		return suggCF(""), "", from, 0
	}
	// "the trouble shooters doing the switching never questioned …": a
	// participle after the subject's head describes it; the rewording would
	// drop it
	for k := after0; k < j; k++ {
		if s.ingParticiple(k) {
			return suggCF(""), "", from, 0
		}
	}
	if !s.rewordable(from, j) {
		return suggCF(""), "", from, 0
	}
	verb := s.t[j].low
	part := participle(verb)
	if part == "" {
		return suggCF(""), "", from, 0
	}
	// object: determiner + up to five words, ending at punctuation or a preposition
	o := after
	if o >= len(s.t) || !has(&s.t[o], fDet) || s.t[o].low == "that" && o+1 < len(s.t) && !has(&s.t[o+1], fSystem) ||
		quantifiers[s.t[o].low] {
		return suggCF(""), "", from, 0
	}
	first := o + 1 // the first word after the determiner
	if s.low(first) == "own" && !(s.t[o].low == "the" || s.t[o].low == "a" || s.t[o].low == "an") {
		first++ // "its own practices" → "the practices"
	}
	e := s.objectWords(first, 5)
	if e == first || s.t[e-1].kind != tWord {
		return suggCF(""), "", from, 0
	}
	head := s.t[e-1].low
	// "the scale of the project": the head's "of" phrase is the object's
	if s.low(e) == "of" {
		f := e + 1
		if f < len(s.t) && has(&s.t[f], fDet) && !has(&s.t[f], fPron) {
			f++
		}
		if g := s.objectWords(f, 4); g > f {
			e = g
		}
	}
	// "a full and frank assessment", "the flag and the toggle": the object
	// goes on past the conjunction; a rewrite of its first part would drop
	// a fact
	if c := s.low(e); (c == "and" || c == "or") && e+1 < len(s.t) && s.t[e+1].kind == tWord &&
		(has(&s.t[e+1], fDet) || e+2 < len(s.t) && s.plainWord(e+2) && s.t[e+1].f == 0) {
		return suggCF(""), "", from, 0
	}
	if !s.objectStands(first, e) {
		return suggCF(""), "", from, 0
	}
	// "did not notice your certificate expired": a noun and its verb, a
	// clause, not an object
	for k := first + 1; k < e; k++ {
		if isEdVerb(s.t[k].low) && s.t[k-1].kind == tWord && !has(&s.t[k-1], fDet) && !isAdverb(&s.t[k-1]) {
			return suggCF(""), "", from, 0
		}
	}
	be := "was"
	if strings.HasSuffix(head, "s") && !strings.HasSuffix(head, "ss") && !strings.HasSuffix(head, "us") && !strings.HasSuffix(head, "is") {
		be = "were"
	}
	text := s.seg.Text
	obj := text[s.t[o].start:s.t[e-1].end]
	if s.t[o].low == "the" || s.t[o].low == "a" || s.t[o].low == "an" || s.t[o].low == "this" || s.t[o].low == "that" {
		obj = strings.ToLower(obj[:1]) + obj[1:]
	} else {
		obj = "the " + text[s.t[first].start:s.t[e-1].end] // "their tests" → "the tests"
	}
	// "did not properly set the brakes" → "were not properly set": the
	// manner stays
	adv := ""
	for k := j - 1; k > from && isAdverb(&s.t[k]) && s.t[k].f&fNeg == 0 && strings.HasSuffix(s.t[k].low, "ly"); k-- {
		adv = s.t[k].low + " " + adv
	}
	repl := obj + " " + be + " not " + adv + part
	if q, last, ok := s.questionOpener(from); ok {
		// "Why did the developer forget to check the migration?" presumes
		// its fact: the whole question becomes the statement
		rest := strings.TrimRight(text[s.t[e-1].end:s.t[last].start], ".!?… ")
		stmt := strings.ToUpper(repl[:1]) + repl[1:] + rest
		return stmt + "; nothing in the process required or checked it.", stmt + ".", q, last + 1
	}
	if s.opensSentence(from) {
		repl = strings.ToUpper(repl[:1]) + repl[1:]
	}
	// sentence with the replacement, plus the systemic question
	sStart, sEnd := s.t[0].start, s.t[len(s.t)-1].end
	rest := strings.TrimRight(text[s.t[e-1].end:sEnd], ".!?… ")
	sugg := text[sStart:s.t[from].start] + repl + rest + "; nothing in the process required or checked it."
	return sugg, repl, from, e
}

// quantifiers: determiners a rewording cannot turn into "the" ("any
// problems" is not "the problems").
var quantifiers = wordSet(`any no every each either neither all both`)

// rewordable: the act of tokens [from, j] is one the sentence states, so
// that its passive keeps the facts. Not so in a case considered ("if the
// reviewer had read the diff, …", "Had the author tested …": the diff was
// not read, but "if the diff was not read, …" says the opposite), nor in a
// relative clause ("blame the guy who forgot to renew …": the sentence is
// about someone else).
func (s *sent) rewordable(from, j int) bool {
	if s.conditionalAt(from) {
		return false
	}
	for _, p := range [2]int{from - 1, from} {
		if p >= 0 && p < len(s.t) && s.t[p].low == "had" && (p == 0 || s.t[p-1].kind == tPunct) {
			return false
		}
	}
	if from > 0 && s.t[from-1].text == ")" {
		return false // "this department (one that I know) forgot …": the subject is cut
	}
	if s.subjectCut(from) {
		return false
	}
	modal := false
	for k := from; k < j; k++ {
		switch l := s.t[k].low; {
		case l == "who" || l == "whom" || l == "which" || l == "that":
			return false
		case has(&s.t[k], fModal):
			modal = true
		case modal && s.t[k].f&fNeg != 0:
			return false // "she should not have entered the LC": she did
		}
	}
	return true
}

// subjectCut: the words from token from are not the whole subject, or there
// is none. A participle stands before them ("the trouble shooters doing the
// switching never questioned …"), a comma inside the subject before them
// ("A team of very experienced, very senior developers didn't catch …": the
// words before the comma open with a determiner and hold no verb), or the
// verb is joined on to an earlier one with no subject of its own ("you'll
// show an image or forget to divide …").
func (s *sent) subjectCut(from int) bool {
	if from == 0 {
		return false
	}
	p := &s.t[from-1]
	switch {
	case s.ingParticiple(from - 1):
		return true
	case p.kind == tWord && verbish(&s.t[from]) && (p.low == "and" || p.low == "or" || p.low == "but"):
		return true
	case p.text == ",":
		b := from - 1
		for b > 0 && !(s.t[b-1].kind == tPunct && s.t[b-1].text != "," && s.t[b-1].text != "-") {
			b--
		}
		for b < from-1 && s.t[b].kind == tPunct {
			b++ // an opening quote
		}
		if b >= from-1 || !has(&s.t[b], fDet) || has(&s.t[b], fPron) {
			return false
		}
		for k := b; k < from-1; k++ {
			if s.t[k].text == "," || verbish(&s.t[k]) && !isEdVerb(s.t[k].low) {
				return false
			}
		}
		return true
	}
	return false
}

// ingParticiple: token k is an -ing participle ("doing", "debugging"), not
// a preposition, determiner, system noun or -ing noun ("during", "logging"
// as a system, "morning").
func (s *sent) ingParticiple(k int) bool {
	t := &s.t[k]
	return t.kind == tWord && strings.HasSuffix(t.low, "ing") && t.f&(fPrep|fDet|fSystem) == 0 && verbishIng(t.low)
}

// verbishIng: an -ing word that is a verb's participle, not a noun such as
// "morning", "thing" or "building".
func verbishIng(low string) bool {
	switch low {
	case "morning", "evening", "thing", "something", "nothing", "anything", "everything", "building", "ceiling",
		"string", "ring", "king", "spring", "wing", "meeting", "during", "setting", "earring", "bring", "cling", "fling", "sling", "sting", "swing", "wring", "being",
		"engineering", "marketing", "networking", "nursing":
		return false
	}
	return len(low) > 4
}

// actBetween: a verb other than an auxiliary in tokens [from, to) ("cut
// safety corners, but never relayed …": a first act the rewording of the
// second would drop).
func (s *sent) actBetween(from, to int) bool {
	for k := from; k < to; k++ {
		if t := &s.t[k]; verbish(t) && !has(t, fAux|fModal) {
			return true
		}
	}
	return false
}

// opensSentence: only punctuation (an opening quote) stands before token i.
func (s *sent) opensSentence(i int) bool {
	for k := 0; k < i; k++ {
		if s.t[k].kind != tPunct {
			return false
		}
	}
	return true
}

// conditionalAt: token i stands in a clause opened by "if", "unless" or
// "whenever", before any comma.
func (s *sent) conditionalAt(i int) bool {
	for j := i - 1; j >= 0 && i-j < 12; j-- {
		if s.t[j].kind == tPunct && (s.t[j].text == "," || s.isBoundary(j)) {
			return false
		}
		switch s.t[j].low {
		case "if", "unless", "whenever":
			return true
		}
	}
	return false
}

// objectStands: the object whose words are [first, e) is the verb's own, and
// nothing after it needs the subject the rewording drops. Not so when a
// clause goes on from the object ("check the application was available",
// "notice the situation deteriorating", "the duty that was owed"), or a
// second verb or noun is joined on after it ("but used it mentally", "and
// failed to notify", "the health and safety of").
func (s *sent) objectStands(first, e int) bool {
	n := len(s.t)
	if e < n && s.t[e].kind == tWord {
		t := &s.t[e]
		if has(t, fAux|fModal) || verbish(t) || strings.HasSuffix(t.low, "ing") {
			return false
		}
		switch t.low {
		case "that", "which", "who", "whom", "more", "less":
			return false // "make the information more secure"
		}
		if t.cap && s.t[e-1].cap {
			return false // a title goes on: "the classic Men Without Hats song"
		}
	}
	for k := first; k < e; k++ {
		switch s.t[k].low {
		case "more", "less", "much":
			return false // "test this more carefully", "make the information more secure"
		}
	}
	for k := e; k < n; k++ {
		switch s.t[k].low {
		case "and", "or", "but", "nor":
		default:
			continue
		}
		m := k + 1
		for m < n && s.t[m].kind == tWord && (isAdverb(&s.t[m]) || objectEnds[s.t[m].low] || s.t[m].low == "so") {
			m++
		}
		if m < n && !(has(&s.t[m], fDet|fPron) || s.t[m].cap || s.t[m].kind == tNum) {
			return false
		}
	}
	return true
}

// questionOpener: tokens [q, from) open a question before its subject
// ("Why did", "Why didn't", "How could"), after an opening quote if any,
// and token last is its "?".
func (s *sent) questionOpener(from int) (q, last int, ok bool) {
	for q < from && s.t[q].kind == tPunct {
		q++ // an opening quote
	}
	last = len(s.t) - 1
	for last > 0 && s.t[last].kind == tPunct && s.t[last].text != "?" {
		last-- // a closing quote
	}
	if from-q < 2 || from-q > 3 || s.t[last].text != "?" {
		return 0, 0, false
	}
	if l := s.t[q].low; l != "why" && l != "how" {
		return 0, 0, false
	}
	for k := q + 1; k < from; k++ {
		if s.t[k].kind != tWord || s.t[k].f&(fAux|fModal|fNeg) == 0 {
			return 0, 0, false
		}
	}
	return q, last, true
}

// objectWords: the end of the words of a noun phrase from f (after its
// determiner), at most n: up to punctuation, a preposition, a clause word,
// an auxiliary, a determiner or pronoun, an adverb that modifies no word
// after it ("the node first", "the job correctly"; "publicly visible"
// goes on), or an -ing word that is not a modifier ("breaking change" is
// one).
func (s *sent) objectWords(f, n int) int {
	e := f
	for e < len(s.t) && e < f+n {
		t := &s.t[e]
		if t.kind == tPunct || has(t, fPrep|fBound|fAux|fModal|fDet|fPron) || t.poss || objectEnds[t.low] {
			break
		}
		// an adverb ends it unless it modifies the next word ("the publicly visible change")
		if isAdverb(t) && !(e+1 < len(s.t) && s.plainWord(e+1) && !isAdverb(&s.t[e+1])) {
			break
		}
		if strings.HasSuffix(t.low, "ing") && !(e+1 < len(s.t) && s.plainWord(e+1) && !isAdverb(&s.t[e+1]) && !verbish(&s.t[e+1])) {
			break
		}
		e++
	}
	return e
}

// plainWord: token i is a word that can be part of a noun phrase's words.
func (s *sent) plainWord(i int) bool {
	t := &s.t[i]
	return t.kind == tWord && !has(t, fPrep|fBound|fAux|fModal|fDet|fPron) && !t.poss && !objectEnds[t.low]
}

// objectEnds: adverbs without -ly that end an object ("drained the node first").
var objectEnds = wordSet(`first again too anymore yet later instead properly right early back ahead already enough either now then today prior`)

var irregularParticiples = map[string]string{
	"run": "run", "ran": "run", "write": "written", "wrote": "written", "take": "taken", "took": "taken",
	"do": "done", "did": "done", "make": "made", "made": "made", "get": "obtained", "give": "given",
	"see": "seen", "saw": "seen", "read": "read", "set": "set", "put": "put", "send": "sent", "sent": "sent",
	"build": "built", "built": "built", "keep": "kept", "kept": "kept", "tell": "told", "find": "found",
	"found": "found", "hold": "held", "leave": "left", "shut": "shut", "cut": "cut", "bring": "brought",
	"catch": "caught", "caught": "caught", "buy": "bought", "begin": "begun", "choose": "chosen",
	"know": "known", "show": "shown", "drive": "driven", "undo": "undone", "rebuild": "rebuilt",
	"rewrite": "rewritten", "stop": "stopped", "drop": "dropped", "plan": "planned", "ship": "shipped",
	"commit": "committed", "submit": "submitted", "rerun": "rerun", "re-run": "re-run", "roll": "rolled",
	"pin": "pinned", "tag": "tagged", "flag": "flagged", "scan": "scanned", "apply": "applied",
	"verify": "verified", "copy": "copied", "deploy": "deployed", "notify": "notified", "retry": "retried",
	"check": "checked", "test": "tested", "sing": "sung", "bleed": "bled", "breed": "bred", "override": "overridden", "overrode": "overridden",
	"fulfil": "fulfilled", "fulfill": "fulfilled", "forbid": "forbidden", "renew": "renewed", "update": "updated", "merge": "merged",
	"enable": "enabled", "disable": "disabled", "review": "reviewed", "page": "paged", "escalate": "escalated",
	"understand": "understood", "forget": "forgotten", "think": "thought", "teach": "taught", "pay": "paid",
	"spend": "spent", "lose": "lost", "sell": "sold", "hear": "heard", "say": "said", "mean": "meant",
	"lead": "led", "feed": "fed", "seek": "sought", "fight": "fought", "hang": "hung", "break": "broken",
	"speak": "spoken", "steal": "stolen", "freeze": "frozen", "hide": "hidden", "draw": "drawn",
	"throw": "thrown", "blow": "blown", "wear": "worn", "tear": "torn", "go": "gone", "come": "come",
	"become": "become", "fall": "fallen", "let": "let", "hit": "hit", "split": "split", "spin": "spun",
	"meet": "met", "win": "won", "feel": "felt", "bind": "bound", "overlook": "overlooked", "upgrade": "upgraded",
	"rotate": "rotated", "patch": "patched", "rollback": "rolled back", "acknowledge": "acknowledged",
}

// participle returns the past participle of a verb in base, past or participle form.
func participle(v string) string {
	if p, ok := irregularParticiples[v]; ok {
		return p
	}
	if isEdVerb(v) {
		return v
	}
	if notPastEd[v] && strings.HasSuffix(v, "eed") {
		return v + "ed" // heed, need, proceed
	}
	if lex[v]&fPast != 0 {
		return ""
	}
	if lex[v]&(fAux|fModal|fDet|fPrep|fBound|fNeg) != 0 || len(v) < 3 || strings.ContainsAny(v, "'.-/") {
		return ""
	}
	n := len(v)
	vowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
	switch {
	case strings.HasSuffix(v, "e"):
		return v + "d"
	case n <= 4 && !vowel(v[n-1]) && strings.IndexByte("wxy", v[n-1]) < 0 && vowel(v[n-2]) && !vowel(v[n-3]) &&
		strings.IndexAny(v[:n-2], "aeiou") < 0:
		// one syllable, consonant-vowel-consonant: spot → spotted
		return v + v[n-1:] + "ed"
	case strings.HasSuffix(v, "y") && !strings.ContainsAny(v[len(v)-2:len(v)-1], "aeiou"):
		return v[:len(v)-1] + "ied"
	}
	return v + "ed"
}

// ---- person-as-cause ----

func (s *sent) personAsCause(i int) {
	l := s.t[i].low
	switch {
	case errVerbs[l] != "":
		if s.attributive(i) || s.possibleSlip(i) || s.prevented(i) {
			return
		}
		if s.actDenied(i) {
			return // "did not forget the renewal": the fault denied ("don't forget …" asks)
		}
		sb := s.agentOrSubject(i)
		if sb.cls == sNone && omissionVerbs[l] {
			s.omissionInHindsight(i)
			return
		}
		rule := personRule(sb.cls, RulePersonAsCause)
		strong := sb.cls.person()
		to := i + 1
		if s.low(i+1) == "to" && i+2 < len(s.t) {
			// "forgot to run the migration" → "The migration was not run"
			sugg, repl, rfrom, e := s.passiveRewrite(sb, sb.from, i+2, i+3)
			if repl != "" {
				s.emit(kPACErrVerb, sb, strong, rule, i, rfrom, e, "", msgFor(rule), sugg, repl)
				return
			}
			to = i + 3
		}
		s.emit(kPACErrVerb, sb, strong, rule, i, min(sb.from, i), to, "", msgFor(rule),
			"Describe what happened to the system and what made the slip easy or invisible, e.g. \"the setting was changed; nothing validated it before rollout\".", "")
	case qualityAdverbs[l]:
		s.judgedWork(i)
		if errModifiers[l] && !s.passiveAt(i+1) {
			s.errModifier(i) // "the engineer hastily rolled out …": an act done wrong
		}
	case errModifiers[l] || (l == "by" && (s.low(i+1) == "mistake" || s.low(i+1) == "accident")):
		s.errModifier(i)
	case (l == "made" || l == "performed" || l == "committed" || l == "make" || l == "makes" || l == "making" ||
		l == "commit" || l == "commits") && i+1 < len(s.t):
		// strong in the past tense only: "humans make errors" is a general statement
		j := i + 1
		for j < len(s.t) && j < i+4 && !mistakeNouns[s.t[j].low] {
			if s.t[j].kind == tPunct || has(&s.t[j], fPrep|fBound) {
				return
			}
			j++
		}
		if j >= len(s.t) || !mistakeNouns[s.t[j].low] {
			return
		}
		sb := s.agentOrSubject(i)
		rule := personRule(sb.cls, RulePersonAsCause)
		strong := sb.cls.person()
		s.emit(kPACMadeMistake, sb, strong && (l == "made" || l == "performed" || l == "committed"), rule, i, sb.from, j+1, "", msgFor(rule),
			"Describe the action and the conditions that made the slip likely and undetected, e.g. \"a typo in the router configuration was deployed; no validation ran before rollout\".", "")
	case l == "caused" || (l == "took" || l == "brought" || l == "knocked") && (s.low(i+1) == "down" || s.low(i+2) == "down" || s.low(i+1) == "out"):
		if s.low(i+1) == "by" {
			return
		}
		sb := s.agentOrSubject(i)
		if !sb.cls.person() && sb.cls != sWe && sb.cls != sI && sb.cls != sGeneric {
			// "the intern's change caused", "use of the wrong rulers by builders
			// caused": a person's action as the cause, like "caused by the
			// intern's change" (causePhrase)
			if sb.cls != sNone && sb.from < i && (sb.possPerson || s.personAgentIn(sb.from, i)) && !s.clauseNegated(i) {
				s.add(kPACPossCaused, sb, RulePersonAsCause, i, sb.from, i+1, "", msgCause,
					"Describe the change itself and what let it have that effect, not whose it was.", "")
			}
			return
		}
		rule := personRule(sb.cls, RulePersonAsCause)
		s.emit(kPACCaused, sb, sb.cls.person(), rule, i, sb.from, i+2, "", msgFor(rule),
			"Say what the action did to the system and what allowed it to have that effect.", "")
	case l == "without" && (diligenceGerunds[s.low(i+1)] || (has(&s.t[min(i+1, len(s.t)-1)], fDet) && diligenceGerunds[s.low(i+2)])):
		cs := s.clauseStart(i)
		v := -1
		for j := i - 1; j >= cs; j-- {
			if verbish(&s.t[j]) {
				v = j
				break
			}
		}
		if v < 0 {
			return
		}
		sb := s.agentOrSubject(v)
		rule := personRule(sb.cls, RulePersonAsCause)
		strong := sb.cls.person()
		s.emit(kPACWithout, sb, strong, rule, i, sb.from, min(i+2, len(s.t)), "", msgFor(rule),
			"Describe what the process allowed: e.g. \"the change was rolled out without a canary; the pipeline did not require one\".", "")
	}
}

// isVerbAfterSubject: a word that follows a person noun phrase directly is
// taken as its verb ("Engineers deleted", "tired admin deleted").
func isVerbAfterSubject(s *sent, j int) bool {
	if j == 0 {
		return false
	}
	c := s.classOf(j - 1)
	return (c.person() || c == sI || c == sWe) && !has(&s.t[j], fDet|fPrep|fBound)
}

// culpritIsThing: the culprit is named right after it ("a single culprit:
// the event importer", "the culprit - a regular expression") or right
// before it ("the cache was the culprit"), and is not a person.
func (s *sent) culpritIsThing(i int) bool {
	n := i + 1
	switch s.low(n) {
	case ":", "-", "–", "—", "was", "is", "here":
		if o := s.forwardNP(n + 1); o.to > o.from {
			return !o.cls.person()
		}
	}
	if (s.low(i-1) == "the" || s.low(i-1) == "a") && (s.low(i-2) == "was" || s.low(i-2) == "is" || s.low(i-2) == "be") {
		sb := s.subjectBefore(i - 2)
		return sb.to > sb.from && !sb.cls.person() && sb.cls != sI && sb.cls != sWe
	}
	return false
}

// ---- person named as the cause ----

func (s *sent) causePhrase(i int) {
	l := s.t[i].low
	n := -1
	switch {
	case l == "caused" && s.low(i+1) == "by":
		n = i + 2
	case l == "due" && s.low(i+1) == "to", l == "because" && s.low(i+1) == "of", l == "blamed" && s.low(i+1) == "on",
		l == "attributed" && s.low(i+1) == "to", l == "attributable" && s.low(i+1) == "to":
		n = i + 2
	case l == "down" && s.low(i+1) == "to" && beForms[s.low(i-1)], // "the delay was down to Oliver"
		l == "back" && s.low(i+1) == "to" && (s.low(i-1) == "traces" || s.low(i-1) == "traced" || s.low(i-1) == "trace"),
		l == "traced" && s.low(i+1) == "to":
		n = i + 2
	case l == "on" && s.onSomeone(i):
		n = i + 1
	case l == "cause" || l == "culprit" || l == "trigger" || l == "reason":
		nx := s.low(i + 1)
		if nx == ":" || nx == "was" || nx == "is" {
			n = i + 2
		}
	}
	if n < 0 || n >= len(s.t) || s.clauseNegated(i) {
		return
	}
	o := s.forwardNP(n)
	if o.cls.person() {
		rule := personRule(o.cls, RulePersonAsCause)
		s.add(kPACCausePhrase, o, rule, i, n, o.to, "", msgFor(rule),
			"Name the action and the conditions, not the person: e.g. \"a cleanup script ran against the production bucket; the script did not check which bucket it targeted\".", "")
	} else if o.possPerson && l != "cause" {
		s.add(kPACCausePhrase, o, RulePersonAsCause, i, n, o.to, "", msgCause,
			"Describe the change itself and what let it through, not whose it was.", "")
	}
}

// onSomeone: "this one is on Lee", "that outage was on the contractor": the
// fault is put on whoever follows (not "it's on the on-call to page …",
// a duty, nor "the fix is on the release branch", a place).
func (s *sent) onSomeone(i int) bool {
	switch b := i - 1; s.low(b) {
	case "that's", "it's", "that’s", "it’s":
		// "that's on Bob"
	default:
		if !beForms[s.low(b)] {
			return false
		}
		switch s.low(s.subjectBefore(b).to - 1) {
		case "this", "that", "it", "one", "outage", "incident", "mistake", "failure", "problem", "issue", "error":
		default:
			return false
		}
	}
	o := s.forwardNP(i + 1)
	return o.cls.person() && s.low(o.to) != "to"
}

// namedInCause: in a Cause section, a named person as a clause subject is a
// finding whatever the verb.
func (s *sent) namedInCause() {
	for i := range s.t {
		t := &s.t[i]
		if t.unjudged || !(t.kind == tHandle || s.isName(i)) {
			continue
		}
		j := i + 1
		for j < len(s.t) && isAdverb(&s.t[j]) {
			j++
		}
		if j < len(s.t) && (verbish(&s.t[j]) || strings.HasSuffix(s.t[j].low, "ing")) {
			s.add(kNICause, subj{cls: sNamed, ev: evName}, RuleNamedIndividual, i, i, i+1, "", msgNamed,
				"Describe the role and the action (\"an engineer ran the cleanup script\"), then what made the action reasonable at the time and what let it cause harm.", "")
			return
		}
	}
}

// ---- condescending (off by default) ----

var plainAdjAfterClearly = map[string]bool{
	"visible": true, "defined": true, "labeled": true, "labelled": true, "documented": true, "marked": true,
	"stated": true, "separated": true, "written": true, "communicated": true, "shown": true, "identified": true,
	"explained": true, "different": true, "distinct": true, "outlined": true, "described": true,
}

func (s *sent) condescending(i int) {
	l := s.t[i].low
	switch l {
	case "obviously", "clearly":
		if plainAdjAfterClearly[s.low(i+1)] || strings.HasSuffix(s.low(i+1), "ed") && l == "clearly" {
			return
		}
	case "simply", "just":
		p := s.low(i - 1)
		if !(has(&s.t[max(i-1, 0)], fModal) && i > 0 || p == "to" || p == "have") {
			return
		}
	default:
		return
	}
	s.add(kCond, noSubj, RuleCondescending, i, i, i+1, "", msgCond, "Remove the word; if something was easy to miss, say what made it so.", "")
}

// ---- agentless omissions in hindsight ----

// omissionVerbs can only be done by people: a passive of one of them implies
// someone who overlooked, forgot or ignored.
var omissionVerbs = map[string]bool{
	"overlooked": true, "forgotten": true, "neglected": true, "ignored": true, "disregarded": true,
}

// omissionInHindsight reports an agentless passive of omission ("that was
// overlooked") when the sentence judges in hindsight ("there should have
// been an entry in the changelog, and that was overlooked"). Either part
// alone is common blameless wording — an agentless passive keeps people out
// of focus, and "there should have been an alert" is about the system — but
// together they say someone failed to do what they should have. The person
// is implied, not named, so this is a warning.
func (s *sent) omissionInHindsight(i int) {
	aux := i - 1
	for aux >= 0 && isAdverb(&s.t[aux]) {
		aux--
	}
	if aux < 0 || s.negatedBefore(i, 3) || !s.modalHave(hindsightModals) {
		return
	}
	s.add(kCFOmission, noSubj, RuleCounterfactual, i, aux, i+1, "warning", msgCF,
		"Say what the process did not do instead of who missed it, e.g. \"the release checklist has no changelog step\".", "")
}

// addressedToNick reports whether token i is in a chat line addressed to
// someone: "<alice> bob: …" in an IRC log. A counterfactual passive there
// ("that should have been run first") is said to the addressee.
func (s *sent) addressedToNick(i int) bool {
	for k := i - 1; k >= 0 && k >= i-16; k-- {
		t := &s.t[k]
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "\"", "“", "‘", "'", "(":
			continue
		case ":", ",":
			return k >= 2 && (s.t[k-1].kind == tWord || s.t[k-1].kind == tHandle) && s.t[k-2].text == ">"
		}
		return false
	}
	return false
}

// personAgentIn reports a "by <person>" agent inside tokens [from, to): the
// subject "use of different rulers by builders".
func (s *sent) personAgentIn(from, to int) bool {
	for k := from; k+1 < to; k++ {
		if s.t[k].low == "by" {
			if o := s.forwardNP(k + 1); o.cls.person() && o.to <= to {
				return true
			}
		}
	}
	return false
}

func judgKind(sev string) kind {
	if sev == "error" {
		return kJudgStrong
	}
	return kJudgWeak
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// possessorBefore: the word before token i, or the possessor a plural
// possessive's apostrophe stands after ("the interns' commit"); -1 at the
// start.
func (s *sent) possessorBefore(i int) int {
	p := i - 1
	if p > 0 && s.t[p].kind == tPunct && (s.t[p].text == "'" || s.t[p].text == "\u2019") && s.t[p-1].poss {
		p--
	}
	return p
}

// npAt is the noun phrase whose head is token i.
func (s *sent) npAt(i int) subj {
	if i < 0 || i >= len(s.t) {
		return noSubj
	}
	c, ev := s.classify(i)
	return subj{cls: c, ev: ev, from: i, to: i + 1}
}
