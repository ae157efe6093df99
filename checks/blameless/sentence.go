package blameless

import (
	"math"
	"strings"
)

// The sentence model. Every sentence is scored, whether or not a rule found
// a candidate in it: a logistic regression over features meant to carry
// across writers rather than remember them —
//
//   - the words after abstraction: a person named or @mentioned becomes
//     NAME or HANDLE, a role noun ROLE, a WordNet person noun PERSON, a team
//     TEAM, pronouns their class (P1S, P1P, P2, P3, THEY, SOMEONE, ANYONE,
//     NOBODY), a system noun or a capitalised word with no person evidence
//     THING, a number or time NUM; unigrams and bigrams of that stream
//     (trigrams, the abstracted words themselves and subject × verb word
//     added nothing in cross-validation);
//   - lexicon classes (lexclass.go: error and harm verbs, judgement words,
//     fault nouns, blame words, remedies aimed at people, punishment, care,
//     states of mind, causation, ability), negated or quoted;
//   - for every verb group, the class of its subject (or of the agent of a
//     passive) crossed with the class of its predicate: ROLE × ERRV, P1P ×
//     HIND (should have + participle), THING × FAILTO, THEY × MENTAL …;
//   - hindsight constructions ("if … had" + participle, "Had X …", "in
//     hindsight"), imperatives and their verb, the section, question,
//     exclamation, quotation and meta-talk flags;
//   - the rules' candidates (kind, subject class, the rules' own verdict).
//
// Beside that regression, one more per cue of the guide (person as cause,
// hindsight, judgement, blame verbs, fixing the human, "human error",
// naming) is fitted on the blameless rows against that cue's blameful
// rows alone, and a forest of boosted trees on the same features; the
// sentence's log-odds are the mean of the regression's, the log-sum-exp of
// the cues' (the sentence is as blameful as its most blameful reading) and
// the forest's. One regression must weigh "should have" the same in a
// remedy and in hindsight; the cues' models need not.
//
// Features are hashed (FNV-1a, 64 bits) from their names, so inference
// builds no strings; training (train_test.go) names them, keeps those seen
// in at least minGroups groups of the corpus, and writes the weights by
// name to model_gen.go with the calibration (Platt) and the default
// minimum confidence.

// feature families: which rule a finding the model makes is reported under.
const (
	famNone  uint8 = iota
	famPAC         // person-as-cause
	famCF          // counterfactual
	famJudg        // judgmental
	famBlame       // blame-verb
	famFix         // fix-the-human
	famHE          // human-error
	famNamed       // named-individual
	nFam
)

var famRule = [nFam]string{"", RulePersonAsCause, RuleCounterfactual, RuleJudgmental, RuleBlameVerb,
	RuleFixTheHuman, RuleHumanError, RuleNamedIndividual}

// fsink receives one sentence's features. Scoring (m set), it adds each
// feature's weight as it comes, so no feature is stored; training (naming
// set), it keeps their names. A feature that occurs twice counts twice.
type fsink struct {
	m      *sentModel
	z      float64             // the bias plus the weights so far
	zc     [nCueModels]float64 // the same for each cue's model
	best   feature             // the positive weight that weighed most, preferring one with a family
	naming bool
	names  []string  // with naming (training)
	has    forestSet // the forest's features seen (scoring)
	rep    *repeats  // how often each feature came in this sentence (scoring)
}

// maxRepeats bounds how often one feature counts in a sentence: a phrase
// repeated through a long sentence ("TODO who did what" a hundred times)
// would otherwise add its weight each time and reach any confidence.
// Training counts the same way (capRepeats).
const maxRepeats = 2

// repeats counts features by their key in one sentence: open addressing,
// stamped with the sentence's generation so nothing is cleared between
// sentences.
type repeats struct {
	gen   uint32
	slots [1 << 11]struct {
		h   uint64
		gen uint32
		n   uint32
	}
}

// count adds one to key h's count and returns it (0 when the table is too
// full to tell: the feature counts).
func (r *repeats) count(h uint64) uint32 {
	mask := uint64(len(r.slots) - 1)
	for i, probe := h&mask, 0; probe < 64; i, probe = (i+1)&mask, probe+1 {
		sl := &r.slots[i]
		if sl.gen != r.gen {
			sl.h, sl.gen, sl.n = h, r.gen, 1
			return 1
		}
		if sl.h == h {
			sl.n++
			return sl.n
		}
	}
	return 0
}

// capRepeats keeps the first maxRepeats of each name, in order.
func capRepeats(names []string) []string {
	if len(names) <= maxRepeats {
		return names
	}
	seen := make(map[string]int, len(names))
	out := names[:0]
	for _, n := range names {
		if seen[n]++; seen[n] <= maxRepeats {
			out = append(out, n)
		}
	}
	return out
}

// forestSet: which of the model's forest features a sentence has, by their
// index in sentModel (a fixed bitset: no allocation per sentence).
type forestSet [maxForestFeatures / 64]uint64

// maxForestFeatures bounds the distinct features the forest splits on.
const maxForestFeatures = 2048

// feature is where a weight came from.
type feature struct {
	w   float32
	at  int16 // the token a feature is about (-1: the sentence)
	fam uint8
}

func (f *fsink) reset(m *sentModel) {
	f.m, f.names, f.best = m, f.names[:0], feature{at: -1}
	f.z, f.zc = 0, [nCueModels]float64{}
	f.has = forestSet{}
	if m != nil {
		f.z, f.zc = m.bias, m.cueBias
		if f.rep == nil {
			f.rep = new(repeats)
		}
		if f.rep.gen++; f.rep.gen == 0 {
			*f.rep = repeats{gen: 1}
		}
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// featureKey is the hash of a feature name (the parts concatenated).
func featureKey(name string) uint64 { return fnvAdd(fnvOffset, name) }

// add records the feature named by the concatenation of parts.
func (f *fsink) add(at int, fam uint8, parts ...string) {
	if f.naming {
		f.names = append(f.names, strings.Join(parts, ""))
	}
	if f.m == nil {
		return
	}
	h := uint64(fnvOffset)
	for _, p := range parts {
		h = fnvAdd(h, p)
	}
	sl := f.m.w.get(h)
	if sl == nil {
		return
	}
	if tf := sl.tf; tf > 0 {
		f.has[(tf-1)>>6] |= 1 << ((tf - 1) & 63)
	}
	if sl.w == 0 && sl.cue == 0 || f.rep.count(h) > maxRepeats {
		return
	}
	w := sl.w
	f.z += float64(w)
	if sl.cue > 0 {
		for k, c := range &f.m.cueW[sl.cue-1] {
			f.zc[k] += float64(c)
		}
	}
	if w > 0 && (f.best.fam == famNone && (fam != famNone || w > f.best.w) || fam != famNone && w > f.best.w) {
		f.best = feature{w: w, at: int16(at), fam: fam}
	}
}

// confidence is the calibrated probability of blame of the features added:
// of the mean of the log-odds of the LR, of the cues' models (their
// log-sum-exp: the sentence is as blameful as its most blameful reading)
// and of the forest, each when the model has it.
func (f *fsink) confidence() float64 {
	z, n := f.z, 1.0
	if f.m.cues {
		z += logSumExp(f.zc[:])
		n++
	}
	if len(f.m.roots) > 0 {
		z += f.m.forestScore(&f.has)
		n++
	}
	return sigmoid(f.m.scaleA*z/n + f.m.scaleB)
}

// logSumExp is log Σ e^x, computed stably.
func logSumExp(xs []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range xs {
		mx = max(mx, x)
	}
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}

// subject class names as features.
func (s *sent) subjName(sb subj) string {
	switch sb.cls {
	case sUnknown:
		if sb.to > sb.from && sb.to <= len(s.t) && (s.adversaryAt(sb.to-1) || s.adversaryBefore(sb.to-1)) {
			return "OUTSIDER"
		}
	case sThird:
		if sb.to > sb.from && sb.to <= len(s.t) {
			w := s.t[sb.to-1].low
			if p, ok := contractedPronoun(w); ok {
				w = p
			}
			switch w {
			case "they", "them":
				return "THEY"
			case "someone", "somebody", "whoever":
				return "SOMEONE"
			}
		}
		return "P3"
	case sNamed:
		if sb.ev == evHandle {
			return "HANDLE"
		}
		return "NAME"
	case sRole:
		if sb.to > sb.from && sb.to <= len(s.t) && ambiguousWord(strings.TrimSuffix(s.t[sb.to-1].low, "'s")) {
			return "OUTSIDER"
		}
		if sb.ev == evNounWN {
			return "PERSON"
		}
		return "ROLE"
	}
	return subjFeatNames[sb.cls]
}

var subjFeatNames = [...]string{"NONE", "THING", "THING", "P1S", "P1P", "P2", "P3", "ANYONE", "NOBODY", "ROLE", "TEAM", "NAME"}

var pronounClass = map[string]string{
	"i": "P1S", "me": "P1S", "my": "P1S", "mine": "P1S", "myself": "P1S", "i'm": "P1S", "i've": "P1S", "i'd": "P1S", "i'll": "P1S",
	"we": "P1P", "us": "P1P", "our": "P1P", "ours": "P1P", "ourselves": "P1P", "we're": "P1P", "we've": "P1P", "we'd": "P1P", "we'll": "P1P",
	"you": "P2", "your": "P2", "yours": "P2", "yourself": "P2", "yourselves": "P2", "you're": "P2", "you've": "P2", "you'd": "P2", "you'll": "P2", "y'all": "P2",
	"he": "P3", "she": "P3", "him": "P3", "her": "P3", "his": "P3", "hers": "P3", "himself": "P3", "herself": "P3", "he's": "P3", "she's": "P3", "he'll": "P3", "she'll": "P3", "he'd": "P3", "she'd": "P3",
	"they": "THEY", "them": "THEY", "their": "THEY", "theirs": "THEY", "themselves": "THEY", "they're": "THEY", "they've": "THEY", "they'll": "THEY", "they'd": "THEY",
	"someone": "SOMEONE", "somebody": "SOMEONE", "whoever": "SOMEONE",
	"anyone": "ANYONE", "anybody": "ANYONE", "everyone": "ANYONE", "everybody": "ANYONE",
	"nobody": "NOBODY",
}

// Kinds of abstracted tokens.
const (
	absPlain   uint8 = iota // a word or mark as written
	absContent              // a content word abstracted to its class (NAME, ROLE, THING …)
	absPronoun              // a pronoun's class (P1S, THEY …)
)

// abstract returns the feature form of token i ("" to skip it) and its kind.
func (s *sent) abstract(i int) (string, uint8) {
	t := &s.t[i]
	switch t.kind {
	case tHandle:
		return "HANDLE", absContent
	case tNum:
		return "NUM", absPlain
	case tPunct:
		switch t.text {
		case "?", "!", ":":
			return t.text, absPlain
		case "\"", "“", "”":
			return "\"", absPlain
		}
		return "", absPlain
	}
	if t.f&fPron != 0 {
		if c, ok := pronounClass[t.low]; ok {
			if s.adversaryBefore(i) {
				return "OUTSIDER", absContent
			}
			return c, absPronoun
		}
	}
	base := t.low
	f := t.f
	if strings.HasSuffix(t.low, "'s") {
		base = strings.TrimSuffix(t.low, "'s")
		f = lexFlags(base)
	}
	if ambiguousWord(base) {
		return base, absPlain // users, customers, attackers: people, but not the ones a postmortem blames
	}
	if f&(fDet|fPrep|fAux|fModal|fBound|fNeg|fQuant|fPron) != 0 && f&(fSystem|fRole|fTeam) == 0 {
		return t.low, absPlain
	}
	if technical(t.text) || t.camel || t.acronym && len(t.text) > 1 && !isExclaimWord(t.low) {
		return "THING", absContent
	}
	if f&fSystem != 0 {
		return "THING", absContent
	}
	if f&fRole != 0 {
		return "ROLE", absContent
	}
	if f&fTeam != 0 {
		return "TEAM", absContent
	}
	if t.cap || s.a != nil && s.a.people[base] {
		c, ev := s.classify(i)
		switch c {
		case sNamed:
			if ev == evHandle {
				return "HANDLE", absContent
			}
			return "NAME", absContent
		case sRole:
			if ev == evNounWN {
				return "PERSON", absContent
			}
			return "ROLE", absContent
		case sTeam:
			return "TEAM", absContent
		}
		if !s.firstWord(i) {
			return "THING", absContent
		}
		return t.low, absPlain
	}
	// a lower-case head: the class the subject rules give it
	switch c, ev := s.classify(i); c {
	case sRole:
		if ev == evNounWN {
			return "PERSON", absContent // "the engineer", "a bank-employee"
		}
		return "ROLE", absContent
	case sTeam:
		return "TEAM", absContent // "the staff", "upper management"
	case sSystem:
		if personFirstHeads[base] || personBits(base)&pNoun != 0 {
			return "THING", absContent // "the background worker", "a Prometheus exporter"
		}
	}
	return t.low, absPlain
}

// affixes: the first and last three letters of an ASCII word of six or
// more letters.
func affixes(w string) (string, string, bool) {
	if len(w) < 6 {
		return "", "", false
	}
	for k := 0; k < len(w); k++ {
		if c := w[k]; c < 'a' || c > 'z' {
			return "", "", false
		}
	}
	return w[:3], w[len(w)-3:], true
}

// nearestClass is the nearest agent (who or what acts: an abstracted
// content word or a pronoun) from token i in direction dir, stopping at
// limit (a clause start, inclusive, or end, exclusive).
func nearestClass(abs []string, kinds []uint8, i, dir, limit int) string {
	for j := i + dir; j >= 0 && j < len(abs); j += dir {
		if dir < 0 && j < limit || dir > 0 && j >= limit {
			break
		}
		if kinds[j] != absPlain {
			return abs[j]
		}
	}
	return ""
}

// technical: a word with a digit, underscore, dot or slash (v3, db_main,
// example.com, ci/cd) names a thing.
func technical(w string) bool {
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9', c == '_', c == '.', c == '/':
			return true
		}
	}
	return false
}

// ambiguousWord: person nouns whose own word says more than the class.
func ambiguousWord(w string) bool {
	switch w {
	case "user", "users", "customer", "customers", "attacker", "attackers", "hacker", "hackers", "people",
		"visitor", "visitors", "subscriber", "subscribers", "member", "members", "client", "clients":
		return true
	}
	return false
}

// wordClass is the lexicon class of a lower-case word (kept in the
// lexicon's flags, so one lookup gives it with the word's other classes).
func wordClass(low string) uint8 { return uint8(lexFlags(low) >> classShift & 0x1f) }

// tokClass is the lexicon class of a token.
func tokClass(t *token) uint8 {
	if t.kind != tWord {
		return 0
	}
	return uint8(t.f >> classShift & 0x1f)
}

// addClassBits writes each word's lexicon class into lex (called by the
// lexicon's init before it builds its table).
func addClassBits() {
	words := map[string]bool{}
	for w := range lexClass {
		words[w] = true
	}
	for _, m := range []map[string]bool{insults, mistakeNouns, punitiveVerbs} {
		for w := range m {
			words[w] = true
		}
	}
	for w := range errVerbs {
		words[w] = true
	}
	for w := range judgmental {
		words[w] = true
	}
	for w := range words {
		if c := wordClassOf(w); c != 0 {
			lex[w] |= uint32(c) << classShift
		}
	}
	for w := range pronounClass {
		lex[w] |= fPron
	}
}

// wordClassOf: lexclass.go, then the rules' own lists.
func wordClassOf(low string) uint8 {
	if c := lexClass[low]; c != 0 {
		return c
	}
	if errVerbs[low] != "" {
		return lcErrVerb
	}
	if judgmental[low] != "" || insults[low] {
		return lcJudgment
	}
	if mistakeNouns[low] {
		return lcFaultNoun
	}
	if punitiveVerbs[low] {
		return lcPunish
	}
	return 0
}

func classFam(c uint8) uint8 {
	switch c {
	case lcErrVerb, lcHarmVerb:
		return famPAC
	case lcJudgment:
		return famJudg
	case lcFaultNoun, lcBlame:
		return famBlame
	case lcRemedy, lcPunish, lcCare:
		return famFix
	}
	return famNone
}

var sectionFeat = [...]string{"none", "other", "summary", "timeline", "cause", "resolution", "followups", "lessons"}

// features computes the sentence's features into f.
func (s *sent) features(f *fsink) {
	n := len(s.t)
	var absBuf [64]string
	var kindBuf [64]uint8
	abs, kinds := absBuf[:0], kindBuf[:0]
	if n > len(absBuf) {
		abs, kinds = make([]string, 0, n), make([]uint8, 0, n)
	}
	for i := range s.t {
		a, k := "", absPlain
		if !s.t[i].unjudged {
			a, k = s.abstract(i)
		}
		abs = append(abs, a)
		kinds = append(kinds, k)
	}
	// n-grams over the abstracted stream
	prev := "<s>"
	for i, a := range abs {
		if a == "" {
			continue
		}
		f.add(i, famNone, "u:", a)
		if s.t[i].kind == tWord && (kinds[i] == absPlain || a != "NAME" && a != "HANDLE" && !s.t[i].cap) {
			// a common noun abstracted to its class keeps its word too
			// ("trader", "worker"), and every word its cluster: words
			// the corpus lacks share the weights of their neighbours
			w := strings.TrimSuffix(s.t[i].low, "'s")
			if kinds[i] == absContent {
				f.add(i, famNone, "w:", w)
			}
			if c, ok := wordCluster(w); ok {
				f.add(i, famNone, "c:", c)
			}
			if pre, suf, ok := affixes(w); ok {
				// "mis…", "…ess": the shape of a word the corpus
				// lacks ("misrouted", "clueless")
				f.add(i, famNone, "p3:", pre)
				f.add(i, famNone, "s3:", suf)
			}
		}
		f.add(i, famNone, "b:", prev, " ", a)
		prev = a
	}
	f.add(-1, famNone, "b:", prev, " </s>")

	sec := int(s.seg.Section)
	if sec < 0 || sec >= len(sectionFeat) {
		sec = 0
	}
	f.add(-1, famNone, "sec:", sectionFeat[sec])

	// flags
	question, exclaim, quoted := false, false, false
	for i := range s.t {
		t := &s.t[i]
		if t.quoted {
			quoted = true
		}
		if t.kind == tPunct {
			question = question || t.text == "?"
			exclaim = exclaim || t.text == "!"
		} else if t.acronym && len(t.text) >= 3 && isExclaimWord(t.low) && lexFlags(t.low)&fSystem == 0 {
			exclaim = true
		}
	}
	if n > 0 && (s.t[0].low == "why" || s.t[0].low == "how") {
		question = true
	}
	words := 0
	for i := range s.t {
		if s.t[i].kind != tPunct {
			words++
		}
	}
	if question {
		f.add(-1, famCF, "f:question")
	}
	if exclaim {
		f.add(-1, famJudg, "f:exclaim")
	}
	if quoted {
		f.add(-1, famNone, "f:quoted")
	}
	if s.meta {
		f.add(-1, famNone, "f:meta")
	}
	switch {
	case words <= 4:
		f.add(-1, famJudg, "f:words<=4")
	case words <= 8:
		f.add(-1, famNone, "f:words<=8")
	case words > 40:
		f.add(-1, famNone, "f:words>40")
	}

	// lexicon classes, with negation and quotation
	for i := range s.t {
		t := &s.t[i]
		if t.kind != tWord || t.unjudged {
			continue
		}
		c := tokClass(t)
		if c == 0 || c == lcPunish && s.thingPassive(i) || c == lcJudgment && s.failTheVerb(i) {
			continue // "the instance was terminated": no one punished
		}
		name := lexClassNames[c]
		fam := classFam(c)
		f.add(i, fam, "L:", name)
		if s.clauseNegated(i) {
			f.add(i, famNone, "L:", name, "|neg")
		}
		if t.quoted {
			f.add(i, famNone, "L:", name, "|quoted")
		}
		f.add(i, fam, "L:", name, "|sec:", sectionFeat[sec])
		f.add(i, fam, "Lr:", name, "|", s.humanErrorRole(i))
		// who or what is nearest, each side, within the clause
		if l := nearestClass(abs, kinds, i, -1, s.clauseStart(i)); l != "" {
			f.add(i, fam, "L:", name, "|left:", l)
		}
		if r := nearestClass(abs, kinds, i, 1, s.clauseEnd(i)); r != "" {
			f.add(i, fam, "L:", name, "|right:", r)
		}
	}
	if at := s.notThatAt(); at >= 0 {
		f.add(at, famNone, "negframe:not-that")
	}
	for i := range s.t {
		if s.t[i].f&fNeg != 0 {
			if at := s.otherDid(i); at >= 0 {
				f.add(at, famNone, "negframe:other-did")
				break
			}
		}
	}
	if at := s.offendingPersonAt(); at >= 0 {
		f.add(at, famJudg, "L:JUDG")
	}
	if at := s.lackOfAt(); at >= 0 {
		f.add(at, famJudg, "L:JUDG")
		f.add(at, famJudg, "L:JUDG|lack")
	}
	if at := s.punishPhraseAt(); at >= 0 {
		f.add(at, famFix, "L:PUNISH")
		f.add(at, famFix, "L:PUNISH|phrase")
	}
	if at := s.humanErrorAt(); at >= 0 {
		f.add(at, famHE, "L:HUMANERR")
		if s.clauseNegated(at) {
			f.add(at, famNone, "L:HUMANERR|neg")
		}
		f.add(at, famHE, "he:", s.humanErrorRole(at))
	}

	s.verbGroupFeatures(f)
	s.hindsightFeatures(f)
	s.imperativeFeatures(f)

	// the rules' candidates
	for k := range s.cands {
		c := &s.cands[k]
		fam := ruleFam(c.h.Rule)
		f.add(c.trig, fam, "k:", kindNames[c.k])
		f.add(c.trig, fam, "k:", kindNames[c.k], "|", subjFeatNames[c.cls])
		if c.strong {
			f.add(c.trig, fam, "ks:", c.h.Rule)
		}
	}
}

func ruleFam(rule string) uint8 {
	for k, r := range famRule {
		if r == rule && k > 0 {
			return uint8(k)
		}
	}
	return famNone
}

// humanErrorAt: the index of "human error" (or operator/user error,
// human-error) in the sentence, -1 when none.
func (s *sent) humanErrorAt() int {
	for i := range s.t {
		if s.t[i].f&fTrigger == 0 {
			continue // every word below is a trigger
		}
		switch l := s.t[i].low; l {
		case "human-error", "human-errors", "pebkac", "pebcak":
			return i
		case "human", "operator", "user", "pilot", "personnel", "staff", "admin", "administrator", "engineer", "people", "manual":
			if n := s.low(i + 1); n == "error" || n == "errors" || n == "mistake" || n == "mistakes" {
				return i
			}
		}
	}
	return -1
}

// verbal: a token that can be part of a verb group.
func (s *sent) verbal(i int) bool {
	t := &s.t[i]
	if t.kind != tWord {
		return false
	}
	if t.f&(fAux|fModal|fPast) != 0 || isEdVerb(t.low) {
		return true
	}
	if (t.low == "need" || t.low == "needs") && s.low(i+1) == "to" {
		return true
	}
	switch tokClass(t) {
	case lcErrVerb, lcHarmVerb, lcRemedy, lcPunish, lcMental, lcCause, lcFeel:
		return t.f&fDet == 0
	}
	return false
}

// verbGroupFeatures: for each verb group, its subject (or passive agent)
// class crossed with its predicate class and with its head verb.
func (s *sent) verbGroupFeatures(f *fsink) {
	n := len(s.t)
	for g := 0; g < n; g++ {
		// a group may open with its negation ("Bob never checked")
		lead := s.t[g].f&fNeg != 0 && g+1 < n && s.verbal(g+1) && !s.attributive(g+1) && (g == 0 || !s.verbal(g-1))
		if s.t[g].unjudged || !lead && (!s.verbal(g) || s.attributive(g)) {
			continue
		}
		if g > 0 && (s.verbal(g-1) || s.t[g-1].f&fNeg != 0 || isAdverb(&s.t[g-1]) && g > 1 && s.verbal(g-2)) {
			continue // inside a group
		}
		// the group: verbal tokens, adverbs, negators, "to", "have"
		e := g + 1
		for e < n && (s.verbal(e) && !s.attributive(e) || s.t[e].f&fNeg != 0 || isAdverb(&s.t[e]) || s.t[e].low == "to" && e+1 < n && (s.verbal(e+1) || s.semiModal(e-1))) {
			e++ // "uncovered misconfigured infrastructure": the second describes the noun
		}
		// the base verb after "to" / a modal, when not verbal by shape
		if e < n && s.t[e].kind == tWord && (s.t[e-1].low == "to" || s.t[e-1].f&fModal != 0 || s.t[e-1].low == "didn't" || s.t[e-1].low == "not" || s.t[e-1].low == "never") &&
			s.t[e].f&(fDet|fPrep|fBound|fPron) == 0 {
			e++
		}
		pred, neg, modal, have, passive, fam := "V", false, "", false, false, famNone
		head := e - 1
		for k := g; k < e; k++ {
			l := s.t[k].low
			switch {
			case s.t[k].f&fNeg != 0 || l == "not":
				neg = true
			case s.semiModal(k):
				modal = "need"
			case s.t[k].f&fModal != 0:
				modal = strings.TrimSuffix(strings.TrimSuffix(l, "'ve"), "n't")
				if strings.HasSuffix(l, "'ve") {
					have = true
				}
			case l == "have" || l == "'ve":
				have = modal != "" || have
			case l == "was" || l == "were" || l == "been" || l == "be" || l == "being" || l == "is" || l == "are" || l == "got" || l == "get" ||
				l == "gets" || l == "getting" || l == "gotten":
				if k+1 < e && isParticiple(s.low(k+1)) {
					passive = true
				}
			}
		}
		for k := g; k < e; k++ {
			c := tokClass(&s.t[k])
			switch {
			case c == lcErrVerb:
				pred, fam = "ERRV", famPAC
			case c == lcHarmVerb && pred == "V":
				pred, fam = "HARMV", famPAC
			case (c == lcRemedy || c == lcPunish) && pred == "V":
				pred, fam = lexClassNames[c], famFix
			case c == lcMental && pred == "V":
				pred = "MENTAL"
			case c == lcFeel && pred == "V":
				pred = "FEEL"
			case c == lcCause && pred == "V":
				pred = "CAUSE"
			}
			switch s.t[k].low {
			case "failed", "fails", "fail", "neglected", "refused", "forgot", "omitted":
				if s.low(k+1) == "to" {
					pred, fam = "FAILTO", famCF
				}
			}
		}
		if p := s.low(g - 1); modal == "" {
			// "they'll delete", "I'd delete": the modal is in the subject's token
			if _, ok := contractedPronoun(p); ok {
				switch {
				case strings.HasSuffix(p, "ll"):
					modal = "will"
				case strings.HasSuffix(p, "d") && !isParticiple(s.t[g].low):
					modal = "would"
				}
			}
		}
		switch {
		case (modal == "could" || modal == "might") && have && !neg && (pred == "ERRV" || pred == "HARMV" || s.faultAfter(e)):
			// "they could have easily made a mistake", "it might have wiped
			// the disk": a harm that was possible, not a duty left undone
			pred, fam = "POSS", famNone
		case modal != "" && have && modal != "will" && modal != "may" && !s.hasWord(g, e, "always"):
			pred, fam = "HIND", famCF
			f.add(g, famCF, "mh:", modal)
		case modal == "could" || modal == "can" || modal == "can't" || modal == "cannot" || modal == "couldn":
			if pred == "V" {
				pred = "ABLE"
			}
		case modal == "should" || modal == "must" || modal == "ought" || modal == "need":
			if pred == "V" {
				pred, fam = "OBLIG", famFix
			}
		}
		if s.t[head].low == "be" || s.t[head].low == "is" || s.t[head].low == "was" || s.t[head].low == "were" || s.t[head].low == "are" {
			// a copula: the class of what follows ("was careless", "be more careful")
			j := e
			for j < n && (isAdverb(&s.t[j]) || s.t[j].low == "more" || s.t[j].low == "very" || s.t[j].low == "extra" || s.t[j].low == "to" || s.t[j].low == "at") {
				j++
			}
			if j < n {
				switch tokClass(&s.t[j]) {
				case lcJudgment:
					pred, fam = "BE-JUDG", famJudg
				case lcCare:
					pred, fam = "BE-CARE", famFix
				case lcBlame:
					pred, fam = "BE-BLAME", famBlame
				case lcMental:
					pred = "BE-MENTAL"
				case lcFeel:
					pred = "BE-FEEL"
				case lcAbility:
					pred = "BE-ABLE"
				}
			}
		}
		var sb subj
		if passive {
			sb = subj{cls: sNone}
			end := s.clauseEnd(g)
			for j := e; j < end; j++ {
				if s.t[j].low == "by" && j+1 < end {
					sb = s.forwardNP(j + 1)
					break
				}
			}
		} else {
			sb = s.subjectBefore(g)
		}
		sn := s.subjName(sb)
		if sn == "NAME" || sn == "HANDLE" {
			if fam == famPAC || fam == famNone {
				fam = famNamed
			}
		}
		voice := ""
		if passive {
			voice = "|pass"
		}
		if (pred == "ERRV" || pred == "HARMV") && s.prevented(g) {
			voice += "|avoid"
		} else if modal != "" && !have && (pred == "ERRV" || pred == "HARMV") {
			// "you should unpublish", "we will remove", "they can delete":
			// advice, a plan or a possibility, not an act that happened
			voice += "|mod"
		}
		if o := s.clauseOpener(g); (o == "if" || o == "unless") && !have && !s.hasWord(s.clauseStart(g), e, "had") {
			voice += "|if" // "if you mess up the tag, …": a case considered, not an act that happened
		}
		if g > 0 && g == head && strings.HasSuffix(s.t[g].low, "ing") && s.t[g-1].f&(fPrep|fBound) != 0 {
			voice += "|ger" // "a mistake in disconnecting", "when making a change": no act of its own
		}
		f.add(g, fam, "sv:", sn, "|", pred, voice)
		if personName(sn) && !passive {
			// what kind of act a person did, by the verb's cluster: "Bob
			// hit the phone line", "Frank had sunk a mail server" share
			// the weights of the acts the lexicon's classes lack
			if c, ok := wordCluster(s.t[head].low); ok {
				f.add(g, fam, "svc:", c, voice)
			}
		}
		if neg {
			f.add(g, fam, "sv:", sn, "|", pred, "|neg")
		}
		if pred != "V" {
			f.add(g, fam, "pv:", pred, voice)
		}
		s.clauseFeatures(f, g, e, sb, sn, pred, fam, passive, neg)
		g = e - 1
	}
}

// faultAfter: a fault noun within three words after token e ("made a
// mistake", "made an error").
func (s *sent) faultAfter(e int) bool {
	for k := e; k < e+3 && k < len(s.t); k++ {
		if tokClass(&s.t[k]) == lcFaultNoun {
			return true
		}
	}
	return false
}

// hasWord: the word w among tokens [from, to).
func (s *sent) hasWord(from, to int, w string) bool {
	for k := from; k < to && k < len(s.t); k++ {
		if s.t[k].low == w {
			return true
		}
	}
	return false
}

// hindsightFeatures: "if … had + participle", "Had the operator read …",
// "in hindsight", "in retrospect".
func (s *sent) hindsightFeatures(f *fsink) {
	n := len(s.t)
	for i := 0; i < n; i++ {
		l := s.t[i].low
		switch l {
		case "if", "unless":
			end := s.clauseEnd(i)
			for j := i + 1; j < end && j < i+12; j++ {
				if (s.low(j) == "had" || s.low(j) == "hadn't") && j+1 < n {
					k := j + 1
					for k < n && (isAdverb(&s.t[k]) || s.t[k].f&fNeg != 0) {
						k++
					}
					if k < n && isParticiple(s.low(k)) {
						sb := s.subjectBefore(j)
						f.add(j, famCF, "h:if-had")
						f.add(j, famCF, "h:if-had|", s.subjName(sb))
					}
					break
				}
			}
		case "had":
			if s.firstWord(i) && i+2 < n && !s.verbal(i+1) {
				f.add(i, famCF, "h:had-inverted")
			}
		case "hindsight", "retrospect", "retrospective":
			if s.low(i-1) == "in" || s.low(i-1) == "with" {
				f.add(i, famCF, "h:hindsight")
			}
		case "why":
			if j := i + 1; j < n {
				switch s.low(j) {
				case "did", "didn't", "didnt", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "would", "wouldn't",
					"was", "were", "couldn't", "could":
					sb := s.questionSubject(j + 1)
					f.add(i, famCF, "h:why-aux|", s.subjName(sb))
				}
			}
		}
	}
}

// imperativeFeatures: a sentence (or a clause after a colon) that starts with
// a base-form verb.
func (s *sent) imperativeFeatures(f *fsink) {
	for i := range s.t {
		t := &s.t[i]
		if t.kind != tWord || !s.firstWord(i) {
			continue
		}
		if !s.imperativeAt(i) {
			continue
		}
		l := t.low
		c := tokClass(t)
		if (c == lcRemedy || c == lcPunish) && t.f&fVerbBase == 0 && nominalForm(l) {
			break // "Reminders to snapshot …", "Training for …": a noun heading a list item, not an order
		}
		if t.f&fVerbBase != 0 || c == lcRemedy || c == lcPunish || l == "don't" || l == "never" || l == "always" ||
			l == "make" || l == "ensure" || l == "please" || l == "stop" || l == "be" || l == "do" {
			fam := famFix
			f.add(i, fam, "imp:", l)
			if c != 0 {
				f.add(i, fam, "imp:", lexClassNames[c])
			}
			// the object: a person?
			o := s.forwardNP(i + 1)
			f.add(i, fam, "imp-obj:", s.subjName(o))
			if (c == lcRemedy || c == lcPunish) && (o.cls.person() || o.cls == sGeneric) {
				f.add(i, fam, "imp-person:", lexClassNames[c]) // the guide's remedy aimed at people
			}
		}
		break
	}
}

// nominalForm: a word of a verb's class in a noun's or participle's form
// ("reminders", "training", "education", "suspension"): it cannot open an
// imperative.
func nominalForm(w string) bool {
	for _, suf := range []string{"s", "ing", "ed", "er", "ers", "tion", "tions", "sion", "sions", "ment", "ments", "ness", "ance"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 && !strings.HasSuffix(w, "ss") {
			return true
		}
	}
	return false
}

// sentModel is a shipped sentence model (model_gen.go, model_bare_gen.go).
type sentModel struct {
	w    weightTable
	bias float64
	// one logistic regression per cue of the guide (cueModelNames), on
	// the same features: each learns its own kind of blame against the
	// blameless rows (none when the model has no cue weights)
	cues    bool
	cueBias [nCueModels]float64
	cueW    [][nCueModels]float32 // a feature's weights in them, by its slot's cue
	scaleA  float64               // Platt calibration: p = sigmoid(scaleA*z + scaleB)
	scaleB  float64
	// the forest (model_gen.go's modelForest), its nodes flattened; a
	// split's feature is its index in the forest's features (forestSet)
	nodes      []forestNode
	roots      []int32
	forestBase float64
}

type forestNode struct {
	feat        int16 // -1: leaf
	with, witho int32 // the children when the feature is present, absent
	value       float64
}

// forestScore: forestBase plus the leaf of each tree that the features reach.
func (m *sentModel) forestScore(has *forestSet) float64 {
	z := m.forestBase
	for _, r := range m.roots {
		n := &m.nodes[r]
		for n.feat >= 0 {
			if has[n.feat>>6]&(1<<(n.feat&63)) != 0 {
				n = &m.nodes[n.with]
			} else {
				n = &m.nodes[n.witho]
			}
		}
		z += n.value
	}
	return z
}

// forestSplit is one node of a tree of model_gen.go, in preorder: a split
// on the presence of feature feat, followed by the subtree where it is
// present and then the one where it is absent; or, with feat "", a leaf.
type forestSplit struct {
	feat string
	leaf float64
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// modelSpec is a model as model_gen.go lists it.
type modelSpec struct {
	weights        []namedWeight
	bias           float64
	cueWeights     []cueWeight
	cueBias        [nCueModels]float64
	forest         [][]forestSplit
	forestBase     float64
	plattA, plattB float64
}

// nCueModels: the cues of the guide, one model each.
const nCueModels = 7

// cueModelNames: the cues, in the order of cueWeight's weights.
var cueModelNames = [nCueModels]string{"person-as-cause", "counterfactual", "judgmental", "blame-verb",
	"fix-the-human", "human-error", "named-individual"}

// cueWeight is one feature's weight in each cue's model.
type cueWeight struct {
	name string
	w    [nCueModels]float32
}

func newSentModel(p modelSpec) *sentModel {
	m := &sentModel{bias: p.bias, scaleA: p.plattA, scaleB: p.plattB, forestBase: p.forestBase,
		cues: len(p.cueWeights) > 0, cueBias: p.cueBias}
	ws, forest := p.weights, p.forest
	index := map[string]int16{}
	for _, t := range forest {
		for _, sp := range t {
			if _, ok := index[sp.feat]; sp.feat != "" && !ok {
				index[sp.feat] = int16(len(index))
			}
		}
	}
	if len(index) > maxForestFeatures {
		panic("blameless: the forest splits on more features than maxForestFeatures")
	}
	n := 16
	for n < 2*(len(ws)+len(p.cueWeights)+len(index)) {
		n <<= 1
	}
	m.w = weightTable{slots: make([]weightSlot, n), mask: uint64(n - 1)}
	for _, w := range ws {
		m.w.slot(featureKey(w.name)).w = w.w
	}
	for _, cw := range p.cueWeights {
		if cw.w != [nCueModels]float32{} {
			m.cueW = append(m.cueW, cw.w)
			m.w.slot(featureKey(cw.name)).cue = int32(len(m.cueW))
		}
	}
	for name, i := range index {
		m.w.mark(featureKey(name), i+1)
	}
	for _, t := range forest {
		m.roots = append(m.roots, int32(len(m.nodes)))
		if rest := m.addTree(t, index); len(rest) != 0 {
			panic("blameless: a tree of the forest has nodes after its last leaf")
		}
	}
	return m
}

// addTree appends the preorder tree t's first subtree to m.nodes and
// returns what follows it.
func (m *sentModel) addTree(t []forestSplit, index map[string]int16) []forestSplit {
	if len(t) == 0 {
		panic("blameless: a tree of the forest ends at a split")
	}
	at := len(m.nodes)
	if t[0].feat == "" {
		m.nodes = append(m.nodes, forestNode{feat: -1, value: t[0].leaf})
		return t[1:]
	}
	m.nodes = append(m.nodes, forestNode{feat: index[t[0].feat]})
	m.nodes[at].with = int32(len(m.nodes))
	rest := m.addTree(t[1:], index)
	m.nodes[at].witho = int32(len(m.nodes))
	return m.addTree(rest, index)
}

// weightTable maps feature keys to weights: open addressing, linear
// probing (a map lookup per feature was a tenth of the analyzer's time).
type weightTable struct {
	slots []weightSlot
	mask  uint64
}

type weightSlot struct {
	key uint64 // 0: empty
	w   float32
	cue int32 // 1 + the index of the feature's weights in sentModel.cueW; 0: none
	tf  int16 // 1 + the feature's index among the forest's; 0: not in the forest
}

func (t *weightTable) slot(k uint64) *weightSlot {
	if k == 0 {
		k = 1
	}
	i := k & t.mask
	for t.slots[i].key != 0 && t.slots[i].key != k {
		i = (i + 1) & t.mask
	}
	t.slots[i].key = k
	return &t.slots[i]
}

func (t *weightTable) mark(k uint64, tf int16) { t.slot(k).tf = tf }

// get: the slot of key k (nil: the model does not know the feature).
func (t *weightTable) get(k uint64) *weightSlot {
	if k == 0 {
		k = 1
	}
	for i := k & t.mask; ; i = (i + 1) & t.mask {
		switch sl := &t.slots[i]; sl.key {
		case k:
			return sl
		case 0:
			return nil
		}
	}
}

type namedWeight struct {
	name string
	w    float32
}

// personName: the subject class names of people a postmortem could blame.
func personName(n string) bool {
	switch n {
	case "NAME", "HANDLE", "ROLE", "PERSON", "TEAM", "P3", "THEY", "SOMEONE", "P2":
		return true
	}
	return false
}

// possessorIn: the class of a person who owns the noun phrase [from, to)
// ("your change", "the intern's script"), "" when none.
func (s *sent) possessorIn(from, to int) string {
	for k := from; k < to && k < len(s.t); k++ {
		t := &s.t[k]
		if t.kind != tWord {
			continue
		}
		switch t.low {
		case "my":
			return "P1S"
		case "our":
			return "P1P"
		case "your":
			return "P2"
		case "his", "her":
			return "P3"
		case "their":
			return "THEY"
		}
		if t.poss {
			if c := s.classOf(k); c.person() {
				a, _ := s.abstract(k)
				if a == "" || a == "THING" {
					a = "P3"
				}
				return a
			}
		}
	}
	return ""
}

// clauseFeatures: conjunctions within the clause of the verb group [g, e)
// that the subject × predicate feature cannot express — who the act is done
// to (the object of an active verb, the patient of a passive one), whose
// thing the subject is, the tense of a person's act and a judgement of it.
func (s *sent) clauseFeatures(f *fsink, g, e int, sb subj, sn, pred string, fam uint8, passive, neg bool) {
	n := len(s.t)
	if passive {
		// "the engineer was fired", "the alert was fired": the patient
		p := s.subjectBefore(g)
		f.add(g, fam, "pat:", s.subjName(p), "|", pred)
	} else if e < n && s.t[e].kind == tWord && s.t[e].f&(fPrep|fBound) == 0 && !strings.HasPrefix(pred, "BE-") {
		// "remind engineers", "fired the contractor", "deleted the table"
		o := s.forwardNP(e)
		on := s.subjName(o)
		f.add(e, fam, "vo:", pred, "|", on)
		if personName(on) && pred != "V" {
			f.add(e, fam, "vop:", pred)
		}
	}
	if sb.to > sb.from && !personName(sn) {
		// "your change broke the build": a person's thing as the subject
		if p := s.possessorIn(sb.from, sb.to); p != "" {
			f.add(g, fam, "svp:", p, "|", pred)
		}
	}
	if personName(sn) || sn == "P1S" || sn == "P1P" {
		// a specific past act ("an engineer deleted") or a generic present
		// ("engineers delete", "you delete")
		tense := s.tense(g, e)
		f.add(g, fam, "svt:", sn, "|", pred, "|", tense)
		if !neg && pred == "V" && s.judgedAct(e) {
			f.add(g, famJudg, "svj:", sn) // "he made a careless change"
		}
	}
}

// judgedAct: a judgement or fault word within four tokens after e, in the
// clause ("made a careless change", "did a sloppy job").
func (s *sent) judgedAct(e int) bool {
	for k := e; k < e+4 && k < len(s.t); k++ {
		if s.t[k].kind == tPunct && s.isBoundary(k) {
			return false
		}
		if c := tokClass(&s.t[k]); c == lcJudgment || c == lcFaultNoun {
			return true
		}
	}
	return false
}

// semiModal: "need to", "needs to", "have to", "has to", "had to".
func (s *sent) semiModal(k int) bool {
	switch s.low(k) {
	case "need", "needs", "have", "has":
		return s.low(k+1) == "to"
	}
	return false
}

// tense of the verb group [g, e): PAST, PRES or MOD (a modal or "need to").
func (s *sent) tense(g, e int) string {
	t := "PRES"
	for k := g; k < e; k++ {
		tk := &s.t[k]
		switch {
		case tk.f&fModal != 0 || s.semiModal(k):
			return "MOD"
		case tk.low == "was" || tk.low == "were" || tk.low == "did" || tk.low == "didn't" || tk.low == "had" || tk.low == "hadn't" ||
			tk.low == "wasn't" || tk.low == "weren't":
			t = "PAST"
		case k == g && (tk.f&fPast != 0 || isEdVerb(tk.low)):
			t = "PAST"
		}
	}
	return t
}

// humanErrorRole: what "human error" at i is in its clause — CAUSE after
// a causal word ("due to", "because of", "caused by", "blamed on", "was"),
// SUBJ before its clause's first verb ("human error is inevitable": talk
// about the idea), OTHER otherwise.
func (s *sent) humanErrorRole(i int) string {
	cs := s.clauseStart(i)
	for k := i - 1; k >= cs && k >= i-4; k-- {
		switch s.t[k].low {
		case "to", "of", "by", "on", "was", "were", "caused", "blamed", "blames", "blame", "attributed", "cited", "citing",
			"resulted", "because":
			return "CAUSE"
		}
	}
	for k := cs; k < i; k++ {
		if s.verbal(k) {
			return "OTHER"
		}
	}
	for k := i + 1; k < len(s.t) && k < i+6; k++ {
		if s.t[k].kind == tPunct && s.isBoundary(k) {
			break
		}
		if s.verbal(k) {
			return "SUBJ"
		}
	}
	return "OTHER"
}

// punishPhraseAt: a sanction said in a phrase rather than a verb ("put on
// paid leave", "let him go", "a written warning"); the index of its last
// word, or -1.
func (s *sent) punishPhraseAt() int {
	for i := range s.t {
		switch s.t[i].low {
		case "leave":
			// put / placed / sent … on (paid, administrative …) leave
			j := i - 1
			if j >= 0 && leaveKinds[s.low(j)] {
				j--
			}
			if s.low(j) == "on" {
				for k := j - 1; k >= 0 && k >= j-4; k-- {
					switch s.t[k].low {
					case "put", "puts", "putting", "placed", "place", "placing", "sent", "send":
						return i
					}
				}
			}
		case "go":
			// "let go", "let him go", "let the engineer go": nothing or a
			// person between ("let the job go" is no sanction)
			for k := i - 1; k >= 0 && k >= i-3; k-- {
				if l := s.t[k].low; l == "let" || l == "lets" || l == "letting" {
					if k == i-1 || s.classOf(i-1).person() {
						return i
					}
					break
				}
			}
		case "warning", "warnings":
			switch s.low(i - 1) {
			case "written", "final", "verbal", "formal":
				return i
			}
		case "plan", "plans":
			// on a performance (improvement) plan: a plan for a person,
			// not the practice ("appraisals or Performance Improvement Plans")
			j := i - 1
			if s.low(j) == "improvement" {
				j--
			}
			if s.low(j) == "performance" && s.onA(j-1) {
				return i
			}
		case "pip":
			// "put on a PIP", in capitals (pip the installer is lower case)
			if s.t[i].acronym && s.onA(i-1) {
				return i
			}
		}
	}
	return -1
}

// onA: "on" or "on a" ends at j.
func (s *sent) onA(j int) bool {
	return s.low(j) == "on" || s.low(j) == "a" && s.low(j-1) == "on"
}

var leaveKinds = wordSet(`paid unpaid administrative gardening garden medical indefinite`)

// notThatAt: a clause put forward only to be denied ("It wasn't that the
// team dropped the ball; …", "The problem was not that an engineer made a
// mistake", "It's not simply that people became careless"): a copula, a
// negation, perhaps an adverb, "that" and a clause that opens with a
// determiner, a pronoun or a person. "It's not that simple" and "that
// change was not that risky" are no such frame. The index of "that", or -1.
func (s *sent) notThatAt() int {
	for k := 2; k+1 < len(s.t); k++ {
		if s.t[k].low != "that" {
			continue
		}
		j := k - 1
		if frameAdverbs[s.low(j)] {
			j--
		}
		switch l := s.low(j); {
		case l == "not" || l == "never":
			if !frameCopulas[s.low(j-1)] {
				continue
			}
		case notCopulas[l]:
		default:
			continue
		}
		if n := &s.t[k+1]; n.kind == tWord && (has(n, fDet|fPron) || s.classOf(k+1).person()) {
			return k
		}
	}
	return -1
}

// denied: token i is in the clause a not-that frame denies (up to the
// clause's end or a "but": "It's not that the system failed, it's that …").
func (s *sent) denied(i int) bool {
	k := s.notThatAt()
	if k < 0 || i <= k || i >= s.clauseEnd(k) {
		return false
	}
	for j := k + 1; j < i; j++ {
		if s.t[j].low == "but" || s.t[j].low == "rather" {
			return false
		}
	}
	return true
}

// otherDid: the negated clause at i is answered by another agent's doing,
// said with the verb left out: "The admin did not perform the suspension;
// the automation did." The denial clears the person; the index of the
// answering "did", or -1.
func (s *sent) otherDid(i int) int {
	if s.t[i].f&fNeg == 0 && s.low(i+1) != "not" {
		return -1
	}
	b := i + 1
	for b < len(s.t) && !(s.t[b].kind == tPunct && s.isBoundary(b)) && s.t[b].low != "but" {
		b++
	}
	o := b + 1
	if s.low(o) == "but" || s.low(o) == "instead" || s.low(o) == "rather" {
		o++
	}
	if o >= len(s.t) {
		return -1
	}
	np := s.forwardNP(o)
	if np.to <= np.from || np.cls.person() || np.cls == sI || np.cls == sWe {
		return -1
	}
	v := np.to
	switch s.low(v) {
	case "did", "had", "does", "has":
	default:
		return -1
	}
	if v+1 < len(s.t) && s.t[v+1].kind != tPunct && s.low(v+1) != "it" && s.low(v+1) != "that" && s.low(v+1) != "so" {
		return -1
	}
	return v
}

var (
	frameAdverbs = wordSet(`simply just only really merely so`)
	frameCopulas = wordSet(`is was are were 's it's that's this's`)
	notCopulas   = wordSet(`isn't isnt wasn't wasnt aren't arent weren't werent`)
)

// offendingPersonAt: "offending" said of a person ("the offending
// developer", "the offending engineers") judges them; of a thing ("the
// offending commit", "the offending line card") it only points. The index
// of "offending", or -1.
func (s *sent) offendingPersonAt() int {
	for i := range s.t {
		if s.t[i].low == "offending" && i+1 < len(s.t) {
			if c := s.classOf(i + 1); c == sRole || c == sTeam {
				return i
			}
		}
	}
	return -1
}

// lackOfAt: a judgement said as a want of a virtue ("a lack of
// discipline", "lacking in common sense", "complete lack of knowledge"),
// not of a safeguard ("lack of monitoring", "lack of training" are a
// system's); the index of the virtue, or -1.
func (s *sent) lackOfAt() int {
	for i := range s.t {
		switch s.t[i].low {
		case "lack", "lacks", "lacked", "lacking", "absence":
			j := i + 1
			if s.low(j) == "of" || s.low(j) == "in" {
				j++
			}
			if s.low(j) == "basic" || s.low(j) == "any" || s.low(j) == "simple" || s.low(j) == "common" && s.low(j+1) == "sense" {
				j++
			}
			if virtues[s.low(j)] {
				return j
			}
		}
	}
	return -1
}

var virtues = wordSet(`discipline care diligence professionalism competence competency knowledge skill skills
	judgement judgment airmanship seamanship sense attention attentiveness responsibility seriousness
	rigour rigor thoroughness caution`)
