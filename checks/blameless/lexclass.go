package blameless

import "strings"

// Lexicon classes: the word classes the sentence model (sentence.go) sees
// instead of, and beside, the words themselves, so that what it learns from
// "forgot" carries to "overlooked" and "misjudged", and what it learns from
// "careless" to "heedless". Each class is a hand-kept seed list (below),
// expanded through WordNet synonyms by `go generate` (internal/lexgen writes
// genClassWords in lexicon_gen.go); verbs are inflected here.

// Lexicon class ids.
const (
	lcErrVerb   uint8 = iota + 1 // forget, overlook, misconfigure, neglect
	lcHarmVerb                   // delete, wipe, break, crash, corrupt
	lcJudgment                   // careless, sloppy, negligent, incompetent
	lcFaultNoun                  // mistake, blunder, oversight, lapse
	lcBlame                      // blame, culprit, fault, guilty, accountable
	lcRemedy                     // train, retrain, remind, educate, discipline
	lcPunish                     // fire, sack, dismiss, demote, punish
	lcCare                       // careful, vigilant, diligent, thorough
	lcMental                     // believe, assume, expect, realise, know
	lcCause                      // cause, lead, result, trigger
	lcAbility                    // able, unable, possible, allowed
	lcPraise                     // kindly, thank, grateful, helpful: a person cast in a good light
	lcFeel                       // feel, confident, sure, worried: a state of mind, not a thing known or missed
	nLexClasses
)

var lexClassNames = [nLexClasses]string{"", "ERRV", "HARMV", "JUDG", "FAULTN", "BLAME", "REMEDY", "PUNISH", "CARE",
	"MENTAL", "CAUSE", "ABLE", "PRAISE", "FEEL"}

// Seeds: base forms for verbs (inflected below), lemmas otherwise. These are
// also the seeds lexgen expands; keep the two in step (TestLexClassSeeds).
const (
	seedErrVerbs = `forget overlook neglect ignore miss misconfigure misread misjudge mistype misunderstand
		misinterpret mismanage misuse misapply mislabel botch bungle fumble skip bypass disregard blunder
		err goof misclick overlooked forgot forgotten misspell miscalculate misjudge omit`
	seedHarmVerbs = `delete wipe destroy break crash kill drop remove disable unplug sabotage wreck corrupt
		overwrite erase nuke trash leak expose revert unpublish truncate`
	seedJudgment = `careless sloppy lazy negligent reckless incompetent stupid dumb foolish idiotic clueless
		inept irresponsible thoughtless unprofessional amateurish naive ignorant inexcusable unacceptable
		shameful embarrassing disappointing rude arrogant clumsy lax stupidity incompetence carelessness
		negligence laziness sloppiness recklessness idiot moron fool noob amateur cowboy`
	seedFaultNouns = `mistake blunder oversight slip goof gaffe lapse misstep screwup fuckup typo error errors
		mistakes blunders oversights`
	seedBlame = `blame blamed blames blaming culprit culprits fault faults guilty accountable accountability
		responsible responsibility liable scapegoat`
	seedRemedy = `train retrain educate remind coach teach instruct warn tell training retraining education
		reminder reminders awareness`
	seedPunish = `fire sack dismiss suspend demote punish reprimand discipline scold penalise penalize
		terminate resign reassign sideline oust expel prosecute jail imprison`
	seedCare   = `careful vigilant attentive cautious diligent thorough mindful alert meticulous`
	seedMental = `believe assume expect think know realise realize notice suspect understand aware
		unaware intend`
	seedCause   = `cause lead result trigger contribute introduce responsible`
	seedAbility = `able unable possible impossible allowed capable`
	// PRAISE is not expanded through WordNet (its adjective senses stray:
	// "appreciated" brings "apprehended").
	seedPraise = `kindly helpfully generously graciously thankfully thank thanks thanked grateful
		gratitude appreciate appreciated appreciation kudos helpful generous gracious`
	// FEEL is not expanded through WordNet either: how someone felt ("they
	// did not feel confident to redeploy") is apart from what they knew or
	// noticed ("they did not notice the alert"), which MENTAL holds.
	seedFeel = `feel confident sure certain comfortable afraid worried nervous anxious hesitant reluctant
		uneasy`
)

// lexClass maps a lower-case word to its class (0: none). A word is in one
// class: the first that lists it, in class order.
var lexClass = map[string]uint8{}

func init() {
	verbs := map[uint8]bool{lcErrVerb: true, lcHarmVerb: true, lcRemedy: true, lcPunish: true, lcMental: true,
		lcCause: true, lcFeel: true}
	for c, list := range map[uint8]string{lcErrVerb: seedErrVerbs, lcHarmVerb: seedHarmVerbs, lcJudgment: seedJudgment,
		lcFaultNoun: seedFaultNouns, lcBlame: seedBlame, lcRemedy: seedRemedy, lcPunish: seedPunish, lcCare: seedCare,
		lcMental: seedMental, lcCause: seedCause, lcAbility: seedAbility, lcPraise: seedPraise, lcFeel: seedFeel} {
		addClass(c, list, verbs[c])
	}
	for c := uint8(1); c < nLexClasses; c++ {
		addClass(c, genClassWords[lexClassNames[c]], verbs[c])
	}
	// forms the seeds do not list, where the word is not in a class
	// already: the judgement adjectives' adverbs and degrees ("sloppily",
	// "stupidest", "lazier"), then the judgement and fault nouns in the
	// plural ("morons", "blunders")
	for _, d := range []struct {
		c     uint8
		seeds string
		forms func(string) []string
	}{{lcJudgment, seedJudgment, degrees}, {lcJudgment, seedJudgment, plurals}, {lcFaultNoun, seedFaultNouns, plurals}} {
		for _, w := range strings.Fields(d.seeds + " " + genClassWords[lexClassNames[d.c]]) {
			for _, f := range d.forms(w) {
				if _, ok := lexClass[f]; !ok {
					lexClass[f] = d.c
				}
			}
		}
	}
}

// degrees are an adjective's -ly adverb and, for a short one, its -er and
// -est forms, by the regular spelling rules ("sloppy" → "sloppily",
// "sloppier", "sloppiest"; "rude" → "rudely", "ruder", "rudest"). Nouns
// of the class get forms that are no words, which never match.
func degrees(w string) []string {
	n := len(w)
	if n < 3 || strings.ContainsAny(w, " _-") || strings.HasSuffix(w, "ness") || strings.HasSuffix(w, "ity") || strings.HasSuffix(w, "ce") {
		return nil
	}
	var out []string
	switch {
	case strings.HasSuffix(w, "y"):
		out = append(out, w[:n-1]+"ily")
	case strings.HasSuffix(w, "le"):
		out = append(out, w[:n-1]+"y") // "irresponsible" → "irresponsibly"
	case strings.HasSuffix(w, "ic"):
		out = append(out, w+"ally")
	default:
		out = append(out, w+"ly")
	}
	if n <= 7 {
		switch {
		case strings.HasSuffix(w, "y"):
			out = append(out, w[:n-1]+"ier", w[:n-1]+"iest")
		case strings.HasSuffix(w, "e"):
			out = append(out, w+"r", w+"st")
		default:
			out = append(out, w+"er", w+"est")
		}
	}
	return out
}

// plurals is a noun's regular plural, as a list ("moron" → "morons",
// "gaffe" → "gaffes", "lapse" → "lapses"); none for words with a space, or
// that already end in s.
func plurals(w string) []string {
	switch {
	case w == "" || strings.ContainsAny(w, " _") || strings.HasSuffix(w, "s"):
		return nil
	case strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z"):
		return []string{w + "es"}
	case strings.HasSuffix(w, "y") && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return []string{w[:len(w)-1] + "ies"}
	}
	return []string{w + "s"}
}

func addClass(c uint8, list string, verb bool) {
	for _, w := range strings.Fields(list) {
		forms := []string{w}
		if verb {
			forms = inflect(w)
		}
		for _, f := range forms {
			if old, ok := lexClass[f]; !ok || c < old {
				lexClass[f] = c
			}
		}
	}
}

// irregular verb forms of the seeds and their WordNet synonyms.
var irregular = map[string][]string{
	"forget": {"forgot", "forgotten"}, "overlook": nil, "break": {"broke", "broken"}, "mistake": {"mistook", "mistaken"},
	"misread": {"misread"}, "misunderstand": {"misunderstood"}, "overwrite": {"overwrote", "overwritten"},
	"lead": {"led"}, "think": {"thought"}, "feel": {"felt"}, "know": {"knew", "known"}, "understand": {"understood"},
	"teach": {"taught"}, "tell": {"told"}, "leave": {"left"}, "mislead": {"misled"}, "withdraw": {"withdrew", "withdrawn"},
	"take": {"took", "taken"}, "shut": {"shut"}, "upset": {"upset"}, "err": {"erred", "erring", "errs"},
	"drop": {"dropped", "dropping"}, "skip": {"skipped", "skipping"}, "omit": {"omitted", "omitting"},
	"unplug": {"unplugged", "unplugging"}, "mislabel": {"mislabelled", "mislabeled", "mislabelling", "mislabeling"},
	"misclick": {}, "sack": {}, "scold": {}, "wreck": {},
}

// inflect returns a verb's base form, -s, -ed and -ing forms (regular
// spelling rules) and its listed irregular forms.
func inflect(v string) []string {
	out := []string{v}
	if irr, ok := irregular[v]; ok {
		out = append(out, irr...)
	}
	if strings.ContainsAny(v, "-'") || !strings.ContainsAny(v[len(v)-1:], "abcdefghijklmnopqrstuvwxyz") {
		return out
	}
	n := len(v)
	last := v[n-1]
	vowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
	switch {
	case strings.HasSuffix(v, "s") || strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "x") || strings.HasSuffix(v, "z"):
		out = append(out, v+"es")
	case last == 'y' && n > 1 && !vowel(v[n-2]):
		out = append(out, v[:n-1]+"ies")
	default:
		out = append(out, v+"s")
	}
	switch {
	case last == 'e':
		out = append(out, v+"d", v[:n-1]+"ing")
	case last == 'y' && n > 1 && !vowel(v[n-2]):
		out = append(out, v[:n-1]+"ied", v+"ing")
	case n >= 3 && !vowel(last) && last != 'w' && last != 'x' && last != 'y' && vowel(v[n-2]) && !vowel(v[n-3]) && n <= 4:
		// one-syllable CVC: stop → stopped
		out = append(out, v+string(last)+"ed", v+string(last)+"ing")
	default:
		out = append(out, v+"ed", v+"ing")
	}
	return out
}
