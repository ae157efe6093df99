package blameless

import (
	"strings"
	"unicode/utf8"
)

// Names of things. The first-name lists know "Apollo", "Luna", "Diego" and
// "Okta" as names, and a capitalised word before a verb people do is taken
// for a person ("Patroni ignored the lag threshold"), so a sentence alone
// cannot tell "Apollo deleted the old replicas" about a person from the same
// words about a CI cluster. The document can: a word it writes where only a
// thing goes ("the Apollo cluster", "deployed to Apollo", "Apollo 2.4",
// "Apollo went down") names a thing in every sentence of that document.
// Things gathers those words; a Segment carries them, and the analyzer reads
// the word as a thing unless Config.People lists it or a verb of speech,
// thought or feeling follows it ("Apollo apologised", "Patroni said"), which
// software does not do (it does decide, ignore, refuse and try).
//
// Only the words that could otherwise be people are kept: first names, and
// capitalised words nothing knows (a word the lexicon knows is what it
// says). They are kept from contexts people are almost never in: a
// determiner before ("the Apollo", "our Luna"; not "that", which also opens
// a clause), a thing's noun after ("Okta login", "Luna pods"), "using",
// "onto", "inside" or "within" before, a verb of running before ("we run
// Karpenter"), "to" after a verb of shipping ("migrated to Okta"), a
// version after, or a system's failure ("crashed",
// "timed out", "went down", "was unreachable").

// Things is the set of words one document uses as names of things. The zero
// value and nil hold none. It is not safe for concurrent use while Scan runs.
type Things struct {
	words map[string]bool
	toks  []token // Scan's buffer
}

// maxThings bounds the set: a document naming more things than this is not a
// postmortem, and the words past it are read sentence by sentence as before.
const maxThings = 1000

// Scan adds the names of things in text, a document's prose. Most words
// cannot be one: only a plain capitalised word that is a first name or no
// word of the lexicon is read in its context (the words around it), so a
// scan costs a fraction of the analysis it precedes, whatever the length of
// text.
func (th *Things) Scan(text string) {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 'A' || c > 'Z' || i > 0 && wordBefore(text[:i]) {
			continue
		}
		j := i + 1
		for j < len(text) && text[j] >= 'a' && text[j] <= 'z' {
			j++
		}
		if j == len(text) || text[j] != '-' && !wordAfter(text[j:]) {
			// a plain capitalised word (not PostgreSQL, not Apollo2)
			if w := text[i:j]; thingCandidate(w, personBits(w), inLexicon(w)) {
				th.scanAround(text, i)
			}
		}
		i = j - 1
	}
}

// maxContext bounds the bytes read on each side of a name: a "word" of a
// megabyte without a space is not read whole.
const maxContext = 256

// scanAround tokenizes the words around the capitalised word at text[i]
// (four on each side: the widest context thingAt reads) and adds the word
// if it names a thing there.
func (th *Things) scanAround(text string, i int) {
	lo, hi := max(i-maxContext, 0), min(i+maxContext, len(text))
	from, to := i, i
	for n := 0; n < 5 && from > lo; n++ { // back to the start of the fourth word before
		for from > lo && spaceByte(text[from-1]) {
			from--
		}
		for from > lo && !spaceByte(text[from-1]) {
			from--
		}
	}
	for n := 0; n < 5 && to < hi; n++ { // on to the end of the fourth word after
		for to < hi && spaceByte(text[to]) {
			to++
		}
		for to < hi && !spaceByte(text[to]) {
			to++
		}
	}
	th.toks = tokenize(text[from:to], th.toks[:0])
	for k := range th.toks {
		if th.toks[k].start == i-from {
			if w, ok := thingWord(th.toks, k); ok {
				th.add(w)
			}
			break
		}
	}
	clear(th.toks) // drop the text's strings
}

func (th *Things) add(w string) {
	if th.words == nil {
		th.words = map[string]bool{}
	}
	if len(th.words) < maxThings {
		th.words[w] = true // a token's word: the text outlives the set
	}
}

// Has reports whether the document uses the lower-case word w as the name of
// a thing.
func (th *Things) Has(w string) bool { return th != nil && th.words[w] }

// thingDets: determiners before a name of a thing ("the Apollo cluster").
var thingDets = map[string]bool{"the": true, "a": true, "an": true, "our": true, "its": true, "their": true,
	"every": true, "each": true}

// thingPreps: prepositions whose object is a place or an instrument, rarely a
// person ("using Luna"; not "via", as in "reported via Priya").
var thingPreps = map[string]bool{"using": true, "onto": true, "inside": true, "within": true}

// shipVerbs take "to" and the place something went ("deployed to Apollo").
var shipVerbs = map[string]bool{"deployed": true, "deploy": true, "deploying": true, "migrated": true, "migrate": true,
	"migrating": true, "uploaded": true, "upload": true, "uploading": true, "published": true, "publish": true,
	"publishing": true, "ported": true, "upgraded": true, "upgrading": true, "pushed": true, "pushing": true,
	"rolled": true, "shipped": true}

// runVerbs take a thing as their object ("we run Karpenter", "upgraded
// Luna"); not "enabled", as in "enabled Priya to deploy".
var runVerbs = wordSet(`run runs ran running install installs installed installing reinstalled uninstalled
	upgrade upgraded downgrade downgraded restart restarts restarted restarting reboot rebooted redeployed
	patch patched scale scaled configure configured`)

// thingHeads: nouns that, after a capitalised word, make it the name of a
// thing ("the Luna pods", "Okta login"). Nouns that are also verbs of people
// in the third person ("hosts", "deploys", "checks") are not among them.
var thingHeads = wordSet(`cluster clusters server servers service services instance instances
		pod pods node nodes database databases db api apis app apps application applications dashboard
		dashboards pipeline pipelines bucket buckets repo repos repository repositories region regions
		datacenter datacenters vm vms container containers daemon daemons endpoint endpoints gateway
		gateways proxy balancer outage outages incident incidents certificate certificates cert certs
		console portal integration integrations plugin plugins sdk cli library libraries module modules
		network networks backend backends frontend frontends website websites cron cronjob bot bots
		deployment deployments namespace namespaces tenant tenants environment environments env stack
		platform platforms subsystem component components firmware cache queue account login sso dns
		vpn cdn ldap idp webhook webhooks runner runners job jobs ci version site config configuration
		query theme runtime agent agents registry registries controller controllers scheduler
		exporter exporters broker brokers sidecar sidecars operator`)

// failPreds: what only a system does, after its name ("Apollo crashed").
var failPreds = map[string]bool{"crashed": true, "segfaulted": true, "oomed": true}

// downStates: what only a system is ("Apollo was unreachable").
var downStates = map[string]bool{"down": true, "unreachable": true, "unresponsive": true, "degraded": true,
	"overloaded": true}

// scanThings calls add with each name-list word that toks use as the name of
// a thing.
func scanThings(toks []token, add func(string)) {
	for k := range toks {
		if toks[k].cap {
			if w, ok := thingWord(toks, k); ok {
				add(w)
			}
		}
	}
}

// thingWord: the name-list word at k, lower case and without "'s", when toks
// use it as the name of a thing.
func thingWord(toks []token, k int) (string, bool) {
	t := &toks[k]
	if !nameShaped(t) {
		return "", false
	}
	base := strings.TrimSuffix(strings.TrimSuffix(t.low, "'s"), "'")
	pb := personBits(base)
	if !thingCandidate(base, pb, lexFlags(base) != 0) {
		return "", false
	}
	if pb&(pName|pAmbiName) != 0 && k+1 < len(toks) && nameHeads[toks[k+1].low] {
		return "", false // "the Priya incident" names an incident after a person
	}
	return base, thingAt(toks, k)
}

// nameHeads: nouns a person's name comes before as often as a thing's ("the
// Priya incident", "the Sam account"), so they leave a first name a person's.
var nameHeads = wordSet(`incident incidents outage outages account accounts case cases ticket tickets
	report reports email emails laptop laptops shift shifts situation saga era story fiasco affair
	debacle mess`)

// thingCandidate: w (person bits pb; known: the lexicon has it) is a word the
// document's things keep: a first name that is no person's noun ("Apollo",
// not "the Mayor"), or a word of ASCII letters nothing knows ("Patroni"),
// which a verb people do would make a person.
func thingCandidate(w string, pb uint8, known bool) bool {
	return pb&(pName|pAmbiName) != 0 && pb&(pNoun|pGroup) == 0 || pb == 0 && len(w) > 1 && !known && asciiLetters(w)
}

// thingAt: the capitalised word at i stands where only a thing goes.
func thingAt(toks []token, i int) bool {
	word := func(j int) *token {
		if j < 0 || j >= len(toks) || toks[j].kind != tWord {
			return nil
		}
		return &toks[j]
	}
	if toks[i].poss {
		return false // a possessor ("Apollo's dashboard") may be a person
	}
	if p := word(i - 1); p != nil {
		switch {
		case thingDets[p.low]:
			return true
		case thingPreps[p.low]:
			// not before a surname ("using Mellisa Gasparato's notes")
			return i+1 >= len(toks) || !nameShaped(&toks[i+1])
		case runVerbs[p.low]:
			return true
		case p.low == "to":
			if v := word(i - 2); v != nil && shipVerbs[v.low] {
				return true
			}
			if v := word(i - 3); v != nil && v.low == "rolled" && word(i-2) != nil && word(i-2).low == "out" {
				return true
			}
		}
	}
	if i+1 < len(toks) && version(&toks[i+1]) {
		return true // "Apollo 2.4", "Luna v3"
	}
	n := word(i + 1)
	if n == nil {
		return false
	}
	switch {
	case thingHeads[n.low] && !n.cap:
		return true
	case failPreds[n.low]:
		// intransitive: "Apollo crashed at 10:02", not "Priya crashed the server"
		m := word(i + 2)
		return m == nil || m.f&(fPrep|fBound|fAdv) != 0 && !thingDets[m.low]
	case n.low == "went" || n.low == "timed":
		if m := word(i + 2); m != nil && (n.low == "went" && m.low == "down" || n.low == "timed" && m.low == "out") {
			// not "went down the stairs"
			return word(i+3) == nil || !thingDets[word(i+3).low]
		}
	case n.low == "is" || n.low == "was" || n.low == "were":
		if m := word(i + 2); m != nil && downStates[m.low] {
			// not "was down the hall"
			return m.low != "down" || word(i+3) == nil || !thingDets[word(i+3).low]
		}
	}
	return false
}

// version: a release number ("2.4", "v3", "v3.8.1"), not a time or a count.
func version(t *token) bool {
	switch {
	case t.kind == tNum:
		return strings.Contains(t.text, ".") && !strings.ContainsAny(t.text, ":/")
	case t.kind == tWord:
		return len(t.low) > 1 && t.low[0] == 'v' && t.low[1] >= '0' && t.low[1] <= '9'
	}
	return false
}

func spaceByte(c byte) bool { return c < utf8.RuneSelf && asciiSpace[c] }

// inLexicon: the lexicon knows w (any case) as a word of its own.
func inLexicon(w string) bool {
	_, _, ok := lexFold(w)
	return ok
}

// peopleVerbs: verbs of speech, thought and feeling, which software does not
// do; the other verbs only people are said to do (humanVerbs) are said of
// software too ("Patroni decided to fail over", "the kubelet ignored it").
var peopleVerbs = wordSet(`said says told tells wrote writes explained explains admitted admits
	apologised apologized apologises apologizes apologise apologize insisted insists claimed claims
	believed believes thought thinks felt feels assumed assumes realised realized forgot forgets
	remembered remembers promised promises agreed agrees argued argues complained complains joked
	laughed hoped hopes knew knows understood misunderstood misjudged misread confessed confesses
	recalled recalls tweeted emailed messaged texted phoned blamed blames accused accuses resigned
	resigns quit panicked hesitated guessed wondered worried doubted bothered dared volunteered`)

// peopleVerbAfter: a verb of peopleVerbs follows token i (adverbs between).
func (s *sent) peopleVerbAfter(i int) bool { return s.verbAfter(i, peopleVerbs) }

// wordBefore: text ends in a letter or a digit (a capital after it is inside
// a word).
func wordBefore(text string) bool {
	r, _ := utf8.DecodeLastRuneInString(text)
	return isWordRune(r)
}

// wordAfter: text starts with a letter or a digit (the word before it goes
// on).
func wordAfter(text string) bool {
	r, _ := utf8.DecodeRuneInString(text)
	return isWordRune(r)
}

// asciiLetters: w is ASCII letters only.
func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
