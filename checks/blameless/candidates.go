package blameless

import "strings"

// Candidates and confidence.
//
// A rule does not decide alone. Each rule reports candidates: a span, the
// kind of cue that fired (kinds below: "should have + participle", "an error
// verb", "human error in a causal phrase" …), the subject or agent it found
// and the evidence that made that subject a person (persons.go). Candidates
// whose subject is not a person — the writer's own "we", "I", a generic
// "anyone", a capitalised word with no person evidence — are still reported,
// marked weak. The model (model.go) turns a candidate's features into the
// probability that the sentence puts someone at fault; that is the finding's
// Confidence. Findings at or above the analyzer's minimum confidence keep
// their rule's severity; below it they are warnings, and below the warning
// floor they are not reported.
//
// Adding a rule: a kind (below), the code that emits it in rules.go, and a
// new model (`go generate`): the kind's features get their weights from the
// corpus.

type kind uint8

const (
	kHECausal           kind = iota // "human error" given as the cause
	kHEMention                      // "human error" mentioned, not in a causal frame
	kJudgStrong                     // careless, sloppy, negligent, incompetent …
	kJudgWeak                       // disappointing, rude, amateur, bad idea …
	kJudgVerdict                    // a bare verdict: "BAD.", "Terrible decision."
	kJudgInsult                     // noob, clueless, shitty, fiasco
	kBVPossFault                    // their fault, my fault, the intern's fault
	kBVFaultOf                      // the fault of X
	kBVAtFault                      // X is at fault
	kBVToBlame                      // X is to blame
	kBVBlameObj                     // blamed X, blamed it on X
	kBVCulprit                      // the culprit, with a person in the sentence
	kBVScrewNoun                    // screw-ups
	kBVScrewedUp                    // X screwed up, dropped the ball
	kBVBrokeProd                    // X broke prod
	kBVReason                       // X was the reason
	kBVBlamedFor                    // X (was) blamed for
	kBVPossMistake                  // my mistake, his errors, our bad
	kFHCareful                      // be more careful
	kFHAttention                    // pay attention
	kFHStopMistakes                 // stop making mistakes
	kFHThinkTwice                   // think twice
	kFHDoubleCheck                  // double-check
	kFHAccountable                  // held accountable
	kFHPunitive                     // should be fired, retrained
	kFHImperative                   // retrain the engineer
	kFHMakeSure                     // make sure the engineer checks
	kFHObligation                   // engineers must check
	kFHTraining                     // provide training, needs more training
	kFHLearn                        // learn from the mistake
	kFHDoBetter                     // we have to do better, next time I'll test
	kFHPunished                     // staff sacked, the employee was reassigned
	kFHBehaviour                    // Test your code before …; Always remember this
	kCFModalPerfect                 // X should have checked
	kCFModalHave                    // X should have had / been
	kCFModalWould                   // X would / might have checked
	kCFPassiveAddressed             // <alice> bob: that should have been run
	kCFHadInverted                  // Had the operator read …
	kCFIfHad                        // if X had checked
	kCFFailedTo                     // X failed/neglected/refused to
	kCFDecidedNot                   // X decided not to
	kCFDidnt                        // X didn't check
	kCFNever                        // X never checked
	kCFNobody                       // nobody bothered, no one checked
	kCFInstead                      // instead of paging, X restarted
	kCFAwareness                    // despite being aware
	kCFOmission                     // should have been … and that was overlooked
	kCFWhy                          // why did X (not) …?
	kPACErrVerb                     // X forgot, misconfigured, ignored
	kPACErrMod                      // X accidentally deleted; the wrong cluster
	kPACMadeMistake                 // X made a mistake
	kPACPossCaused                  // the intern's change caused
	kPACCaused                      // X caused, took down
	kPACWithout                     // X deployed without testing
	kPACCausePhrase                 // caused by X, due to X, root cause: X
	kPACHarm                        // X deleted/shut down/broke (a harmful act by a person)
	kPACByPerson                    // … by a member of staff, with an error word
	kPACJudged                      // poorly designed by Sam: a person's work judged
	kNICause                        // a named person as a subject in a cause section
	kCond                           // condescending words (opt-in)
	nKinds
)

var kindNames = [nKinds]string{
	"he-causal", "he-mention", "judg-strong", "judg-weak", "judg-verdict", "judg-insult",
	"bv-poss-fault", "bv-fault-of", "bv-at-fault", "bv-to-blame", "bv-blame-obj", "bv-culprit",
	"bv-screw-noun", "bv-screwed-up", "bv-broke-prod", "bv-reason", "bv-blamed-for", "bv-poss-mistake",
	"fh-careful", "fh-attention", "fh-stop-mistakes", "fh-think-twice", "fh-double-check",
	"fh-accountable", "fh-punitive", "fh-imperative", "fh-make-sure", "fh-obligation", "fh-training",
	"fh-learn", "fh-do-better", "fh-punished", "fh-behaviour",
	"cf-modal-perfect", "cf-modal-have", "cf-modal-would", "cf-passive-addressed", "cf-had-inverted", "cf-if-had", "cf-failed-to",
	"cf-decided-not", "cf-didnt", "cf-never", "cf-nobody", "cf-instead", "cf-awareness", "cf-omission",
	"cf-why",
	"pac-errverb", "pac-errmod", "pac-made-mistake", "pac-poss-caused", "pac-caused", "pac-without",
	"pac-cause-phrase", "pac-harm", "pac-by-person", "pac-judged", "ni-cause", "cond",
}

// cand is one candidate finding in a sentence.
type cand struct {
	h      Hit
	k      kind
	cls    subjClass // the subject or agent the cue is about (sNone: none found)
	ev     evKind    // the evidence for it
	strong bool      // the rules' own verdict: a person is at fault
	trig   int       // token index of the cue in the sentence
	who    [2]int    // token range of the subject or agent (empty: none)
}

// emit records a candidate over tokens [from, to) of the sentence.
func (s *sent) emit(k kind, sb subj, strong bool, rule string, trig, from, to int, sev, msg, sugg, repl string) {
	if from < 0 {
		from = 0
	}
	if to > len(s.t) {
		to = len(s.t)
	}
	if to <= from {
		to = from + 1
	}
	if from >= len(s.t) {
		return
	}
	if strong && (s.denied(trig) || s.otherDid(trig) >= 0) {
		strong = false // "It wasn't that the team dropped the ball; …"
	}
	s.cands = append(s.cands, cand{
		h: Hit{Rule: rule, Severity: sev, Start: s.t[from].start, End: s.t[to-1].end,
			Message: msg, Suggestion: sugg, Replacement: repl},
		k: k, cls: sb.cls, ev: sb.ev, strong: strong, trig: trig, who: [2]int{sb.from, sb.to},
	})
}

// add records a strong candidate (the rule found a person at fault).
func (s *sent) add(k kind, sb subj, rule string, trig, from, to int, sev, msg, sugg, repl string) {
	s.emit(k, sb, true, rule, trig, from, to, sev, msg, sugg, repl)
}

// noSubj is the subject of a cue that has none (a judgmental word, a remedy).
var noSubj = subj{cls: sNone}

// isExclaimWord: a word in capitals that is an ordinary word, not an acronym
// (BAD, NEVER, ALWAYS, TESTED).
func isExclaimWord(low string) bool {
	if len(low) <= 3 && (lex[low]&fRole != 0 || personBits(low) != 0) {
		return false // a role written as an acronym: SRE, DBA, CTO
	}
	return len(low) >= 3 && (lex[low] != 0 || personBits(low) != 0 || judgmental[low] != "" || isEdVerb(low) ||
		low == "bad" || low == "never" || low == "always" || low == "not")
}

// finishSentence judges the sentence. Without a model (the rules' own
// tests), every strong candidate is a finding with confidence 1. With the
// model, the sentence's features (sentence.go) give its confidence, and the
// sentence makes at most one finding: the span and rule of its strongest
// candidate (one with a rewrite first), or, when the rules found none, of
// the feature that weighed most (its clause); finish decides from the
// confidence whether it is an error, a warning or nothing.
func (s *sent) finishSentence() {
	m := s.a.model
	if m == nil && s.a.collect == nil {
		for k := range s.cands {
			c := &s.cands[k]
			if !c.strong {
				continue
			}
			dup := false
			for j := 0; j < k; j++ {
				if s.cands[j].strong && s.cands[j].h.Rule == c.h.Rule {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			h := c.h
			h.Confidence, h.strong = 1, true
			if w := s.whoText(c); w != "" {
				h.Message = "This puts " + w + " at fault. " + h.Message
			}
			s.hits = append(s.hits, h)
		}
		return
	}
	if m != nil && s.seg.Section == SectionUnknown {
		if bm := s.a.bareModel(); bm != nil {
			m = bm // a sentence alone, a document without headings
		}
	}
	f := s.sink
	f.reset(m)
	f.naming = s.a.collect != nil
	s.features(f)
	if s.a.collect != nil {
		f.names = capRepeats(f.names)
		s.a.collect(f, s)
	}
	if m == nil {
		return
	}
	conf, best := f.confidence(), f.best
	if conf < s.a.floor && !s.all {
		return
	}
	var c *cand
	for k := range s.cands {
		o := &s.cands[k]
		switch {
		case c == nil, o.strong && !c.strong:
			c = o
		case o.strong != c.strong:
		case o.h.Replacement != "" && c.h.Replacement == "":
			c = o // a finding with a rewrite that keeps the facts is the one to act on
		case o.h.Replacement == "" && c.h.Replacement != "":
		case best.fam != famNone && o.h.Rule == famRule[best.fam] && c.h.Rule != famRule[best.fam]:
			c = o
		}
	}
	var h Hit
	if c != nil {
		h = c.h
		if w := s.whoText(c); w != "" {
			h.Message = "This puts " + w + " at fault. " + h.Message
		}
	} else {
		h = s.modelHit(best)
	}
	h.Confidence = conf
	h.strong = c != nil && c.strong
	s.hits = append(s.hits, h)
}

// modelHit is the finding of a sentence the rules found nothing in: the
// clause of the feature that weighed most, under the rule of its family.
func (s *sent) modelHit(best feature) Hit {
	at, fam := int(best.at), best.fam
	from, to := 0, len(s.t)
	if at >= 0 && at < len(s.t) {
		from, to = s.clauseStart(at), s.clauseEnd(at)
	}
	for from < to && s.t[from].kind == tPunct {
		from++
	}
	for to > from && s.t[to-1].kind == tPunct && s.t[to-1].text != "?" && s.t[to-1].text != "!" {
		to--
	}
	if from >= to {
		from, to = 0, len(s.t)
	}
	if fam == famNone {
		fam = famPAC
		for i := range s.t {
			if c, ev := s.classify(i); c == sNamed && ev != evCapThing {
				fam = famNamed
				break
			}
		}
	}
	rule := famRule[fam]
	r, _ := ruleByID(rule)
	return Hit{Rule: rule, Start: s.t[from].start, End: s.t[to-1].end, Message: r.Help, Suggestion: modelSuggestion[fam]}
}

var modelSuggestion = [nFam]string{
	"", suggHarm, suggCF(""), "Describe what happened and the conditions around it instead of judging the people involved.",
	"Describe the contributing factors instead of assigning fault: what made the action possible, and why did nothing catch it?",
	suggFix, "Name the action and the conditions that allowed it instead.", suggHarm,
}

// whoText names who a candidate puts at fault, for the message: the subject
// or agent as written ("the on-call engineer", "@dana"), or the writers
// themselves for I and we.
func (s *sent) whoText(c *cand) string {
	switch c.cls {
	case sI:
		return "the writer (\"I\")"
	case sWe:
		return "the writers' own team (\"we\")"
	case sYou, sThird, sRole, sTeam, sNamed, sGeneric, sNobody:
	default:
		return ""
	}
	from, to := c.who[0], c.who[1]
	if from < 0 || to > len(s.t) || from >= to {
		return ""
	}
	poss := s.t[to-1].poss
	if poss && from == to-1 {
		from = s.clauseStart(from) // a possessor alone ("the contractor's fault"): its phrase
	}
	from = s.phraseStart(from, to)
	w := s.seg.Text[s.t[from].start:s.t[to-1].end]
	if poss {
		// "Jenny's mistake" puts Jenny at fault
		for _, suf := range [...]string{"'s", "’s", "'", "’"} {
			if v, ok := strings.CutSuffix(w, suf); ok {
				w = v
				break
			}
		}
	}
	if len(w) > 60 {
		return ""
	}
	return "\u201c" + w + "\u201d"
}

// phraseStart: where the noun phrase ending at to-1 starts, no earlier than
// from: the words a subject's span may carry before it ("I think you",
// "14:46 A PyPI Admin", "In this case the engineer", "Smith said one
// person") are not who is at fault. Walking back from the head, the phrase
// takes nouns, adjectives and possessives, and ends with a determiner or a
// quantifier ("one of Knight's technicians"); a pronoun is a phrase alone
// ("someone junior" keeps its pronoun); "whoever …" stays whole.
func (s *sent) phraseStart(from, to int) int {
	if s.t[from].low == "whoever" || s.t[from].low == "whomever" {
		return from
	}
	head := to - 1
	if has(&s.t[head], fPron) {
		return head
	}
	k := head
	for k > from {
		p := &s.t[k-1]
		switch {
		case p.kind == tNum:
			return k - 1 // "1 person"
		case p.kind != tWord:
			return k
		case p.f&(fDet|fQuant) != 0 && !p.poss:
			// "one of my developers": the quantifier before "of" starts it
			if k-3 >= from && s.t[k-2].low == "of" && s.t[k-3].f&fQuant != 0 {
				return k - 3
			}
			return k - 1
		case p.low == "of" && k-2 >= from && s.t[k-2].f&fQuant != 0:
			return k - 2
		case p.f&fPron != 0 && !p.acronym: // not "an IT engineer"
			if personBits(s.low(k)) == 0 && s.t[k].f&(fRole|fTeam) == 0 && p.low != "someone" && p.low != "somebody" {
				return k
			}
			return k - 1 // "someone junior"
		case p.poss:
			k-- // "the bank's board", "Knight's technicians"
		case p.f&fAdv != 0 && k-2 >= from && s.t[k-2].f&fDet != 0:
			k-- // "the now terminated employees"
		case p.f&(fPrep|fBound|fAux|fModal|fNeg|fAdv) != 0 || verbish(p) && !isEdVerb(p.low):
			return k
		case isEdVerb(p.low) && k-1 > from && s.t[k-2].f&(fDet|fQuant|fAdv) == 0:
			return k // "you fired the engineer", not "disgruntled developer"
		default:
			k--
		}
	}
	return k
}
