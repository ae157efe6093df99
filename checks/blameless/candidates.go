package blameless

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
	"pac-cause-phrase", "pac-harm", "pac-by-person", "ni-cause", "cond",
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

// sentence-level flags, features of every candidate in the sentence.
const (
	flQuestion    = iota // the sentence is a question
	flFirstSing          // I, me, my
	flFirstPlural        // we, us, our
	flSecond             // you, your
	flApology            // sorry, apologise, oops
	flHedge              // maybe, perhaps, probably, might, seems
	flShort              // at most 6 words
	flLong               // more than 35 words
	flSystemNoun         // a system noun somewhere in the sentence
	flMultiRule          // candidates of two or more rules
	flExclaim            // an exclamation mark or a word in capitals
	flNegated            // a negator in the cue's clause
	flQuoted             // the cue is inside quotation marks
	flConditional        // if / unless / when before the cue in its clause
	flGeneric            // a general statement: people, humans, anyone, everyone
	flNamedAny           // a name or @handle somewhere in the sentence
	nFlags
)

var flagNames = [nFlags]string{"question", "first-singular", "first-plural", "second-person", "apology", "hedge",
	"short", "long", "system-noun", "multi-rule", "exclaim", "negated", "quoted", "conditional", "generic",
	"named-any"}

type flagSet uint32

// sentFlags computes the flags that do not depend on the candidate.
func (s *sent) sentFlags() flagSet {
	var f flagSet
	words := 0
	for i := range s.t {
		t := &s.t[i]
		if t.kind == tPunct {
			switch t.text {
			case "?":
				f |= 1 << flQuestion
			case "!":
				f |= 1 << flExclaim
			}
			continue
		}
		words++
		if t.kind == tHandle {
			f |= 1 << flNamedAny
			continue
		}
		if t.acronym && len(t.text) >= 3 && lex[t.low]&fSystem == 0 && t.f == 0 && isExclaimWord(t.low) {
			f |= 1 << flExclaim
		}
		switch t.low {
		case "i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll":
			f |= 1 << flFirstSing
		case "we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll":
			f |= 1 << flFirstPlural
		case "you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll", "y'all":
			f |= 1 << flSecond
		case "sorry", "apologise", "apologize", "apologies", "apology", "apologised", "apologized", "oops", "whoops":
			f |= 1 << flApology
		case "maybe", "perhaps", "probably", "possibly", "might", "seems", "seemed", "likely", "guess", "suspect":
			f |= 1 << flHedge
		case "people", "humans", "anyone", "anybody", "everyone", "everybody", "whoever":
			f |= 1 << flGeneric
		}
		if t.f&fSystem != 0 {
			f |= 1 << flSystemNoun
		}
	}
	if words <= 6 {
		f |= 1 << flShort
	}
	if words > 35 {
		f |= 1 << flLong
	}
	if len(s.t) > 0 && (s.t[0].low == "why" || s.t[0].low == "how") {
		f |= 1 << flQuestion
	}
	rules := 0
	var first string
	for _, c := range s.cands {
		if first == "" {
			first = c.h.Rule
		} else if c.h.Rule != first {
			rules = 2
		}
	}
	if rules >= 2 {
		f |= 1 << flMultiRule
	}
	return f
}

// isExclaimWord: a word in capitals that is an ordinary word, not an acronym
// (BAD, NEVER, ALWAYS, TESTED).
func isExclaimWord(low string) bool {
	return len(low) >= 3 && (lex[low] != 0 || personBits(low) != 0 || judgmental[low] != "" || isEdVerb(low) ||
		low == "bad" || low == "never" || low == "always" || low == "not")
}

// candFlags adds the flags that depend on the candidate's cue.
func (s *sent) candFlags(c *cand, f flagSet) flagSet {
	i := c.trig
	if i < 0 || i >= len(s.t) {
		return f
	}
	if s.clauseNegated(i) {
		f |= 1 << flNegated
	}
	if s.t[i].quoted {
		f |= 1 << flQuoted
	}
	for j := i - 1; j >= 0; j-- {
		if s.t[j].kind == tPunct && s.isBoundary(j) {
			break
		}
		switch s.t[j].low {
		case "if", "unless", "when", "whenever", "once":
			f |= 1 << flConditional
		}
	}
	return f
}

// finishSentence scores the sentence's candidates and keeps, per rule, the
// most confident one.
func (s *sent) finishSentence() {
	if len(s.cands) == 0 {
		return
	}
	sf := s.sentFlags()
	m := s.a.model
	for k := range s.cands {
		c := &s.cands[k]
		if s.a.collect != nil {
			s.a.collect(features(c, s.seg.Section, s.candFlags(c, sf), nil), c)
		}
		if m == nil {
			if c.strong {
				c.h.Confidence = 1
			}
			continue
		}
		c.h.Confidence = m.score(c, s.seg.Section, s.candFlags(c, sf))
	}
	for k := range s.cands {
		s.cands[k].h.strong = s.cands[k].strong
	}
	for k := range s.cands {
		c := &s.cands[k]
		best := true
		for j := range s.cands {
			o := &s.cands[j]
			if j != k && o.h.Rule == c.h.Rule && (o.strong && !c.strong ||
				o.strong == c.strong && (o.h.Confidence > c.h.Confidence || o.h.Confidence == c.h.Confidence && j < k)) {
				best = false
				break
			}
		}
		if best {
			h := c.h
			if w := s.whoText(c); w != "" {
				h.Message = "This puts " + w + " at fault. " + h.Message
			}
			s.hits = append(s.hits, h)
		}
	}
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
	w := s.seg.Text[s.t[from].start:s.t[to-1].end]
	if len(w) > 60 {
		return ""
	}
	return "\u201c" + w + "\u201d"
}
