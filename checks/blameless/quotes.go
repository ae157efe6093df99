package blameless

import "strings"

// Inline quotations.
//
// Only a blockquote (Segment.Quoted) is quoted material that the analyzer
// leaves alone. Reported speech in inline quotation marks ("“Human error took
// the network down,” a staff member explained") still puts people at fault
// when a postmortem reports it, so it is judged like the rest of the
// sentence. A quotation is reported speech when it is attributed (a speech
// verb such as said, wrote, explained or "according to" before or right after
// it), introduced by a colon ("the status page read: “…”", "<alice> bob: \"…\""),
// or a sentence of its own (a line of dialogue).
//
// Everything else in quotation marks is not judged (its tokens are marked
// token.unjudged): scare quotes, titles and quoted examples without a speaker
// ("they miss \"the engineer forgot to\"", "prefer fixes over \"be more
// careful\""), and, even when attributed or introduced:
//
//   - a mention: a short quoted term that the sentence talks about rather than
//     uses — after words such as concept, term, phrase, word, label, called,
//     like, such as, instead of, replace, avoid, use, write, say ("avoid the
//     term 'human error'", "do not write “X forgot to Y”"), before words such
//     as framing or narrative ("the “human error” narrative"), and further
//     quotes in a list that starts with a mention ("‘negligent’ or ‘sloppy’");
//   - an outside voice: a quote whose speaker is outside the organisation
//     writing the postmortem, such as a customer, user or client ("A customer
//     wrote: “your careless engineers lost my data”"); it is evidence the
//     document reports, like a blockquote;
//   - machine output: a quote that is the content of a message, error, log
//     line, prompt or banner ("the error: “You forgot to set REGION”").

// mentionCues come right before a quoted term that is mentioned, not used.
var mentionCues = map[string]bool{
	"concept": true, "concepts": true, "notion": true, "notions": true, "term": true, "terms": true,
	"phrase": true, "phrases": true, "phrasing": true, "word": true, "words": true, "wording": true,
	"expression": true, "expressions": true, "label": true, "labels": true, "labelled": true,
	"labeled": true, "called": true, "call": true, "calling": true, "dubbed": true, "like": true,
	"avoid": true, "avoids": true, "avoiding": true, "replace": true, "replaced": true, "replaces": true,
	"replacing": true, "use": true, "using": true, "write": true, "writing": true, "say": true,
	"buzzword": true, "buzzwords": true, "jargon": true, "euphemism": true, "euphemisms": true,
	"cliché": true, "cliche": true, "clichés": true, "cliches": true, "verdict": false,
}

// mentionAfter follow a quoted term used as a modifier: the "human error" framing.
var mentionAfter = map[string]bool{
	"framing": true, "narrative": true, "narratives": true, "label": true, "labels": true,
	"language": true, "mindset": true, "trope": true, "fallacy": true, "myth": true, "stigma": true,
	"wording": true, "phrasing": true, "mentality": true, "culture": true,
}

// sayingOK are the words before "saying" that make it a mention ("avoid
// saying", "the habit of saying"), as opposed to "a message saying …".
var sayingOK = map[string]bool{
	"avoid": true, "avoiding": true, "stop": true, "of": true, "about": true, "than": true,
	"from": true, "without": true, "keep": true, "by": true, "instead": true, "not": true,
}

// speechVerbs introduce reported speech or writing.
var speechVerbs = map[string]bool{
	"said": true, "says": true, "wrote": true, "writes": true, "reported": true, "reports": true,
	"tweeted": true, "posted": true, "posts": true, "commented": true, "complained": true,
	"complains": true, "asked": true, "asks": true, "replied": true, "replies": true, "told": true,
	"emailed": true, "messaged": true, "added": true, "explained": true, "continued": true,
	"noted": true, "admitted": true, "shouted": true, "yelled": true, "claimed": true, "claims": true,
	"insisted": true, "concluded": true, "stated": true, "states": true, "responded": true,
	"tells": true, "put": true, "read": true, "demanded": true, "threatened": true, "warned": true,
	"screamed": true, "texted": true, "commenting": true, "writing": true, "saying": true,
	"explain": true, "explains": true, "add": true, "adds": true, "continue": true, "continues": true,
	"reply": true, "respond": true, "responds": true, "note": true, "notes": true, "admit": true,
	"admits": true, "quoted": true, "quoting": true, "quote": true, "announced": true, "announces": true,
	"titled": true, "entitled": true, "headlined": true, "captioned": true,
	"shared": true, "summarised": true, "summarized": true, "joked": true, "jokes": true,
}

// speechNouns hold what someone said or wrote: "his reply was “…”".
var speechNouns = map[string]bool{
	"message": true, "reply": true, "comment": true, "post": true, "email": true, "e-mail": true,
	"note": true, "answer": true, "response": true, "words": true, "title": true, "subject": true,
	"tweet": true, "statement": true, "update": true, "summary": true, "headline": true,
	"verdict": true, "conclusion": true, "explanation": true, "excuse": true, "remark": true,
}

var copulas = map[string]bool{"was": true, "is": true, "were": true, "read": true, "reads": true}

// outsideSpeakers are speakers outside the organisation that writes the
// postmortem; what they are quoted as saying is evidence, not the document's
// own judgement.
var outsideSpeakers = map[string]bool{
	"customer": true, "customers": true, "user": true, "users": true, "client": true, "clients": true,
	"caller": true, "callers": true, "reporter": true, "reporters": true, "journalist": true,
	"journalists": true, "commenter": true, "commenters": true, "subscriber": true, "subscribers": true,
	"buyer": true, "buyers": true, "shopper": true, "shoppers": true, "player": true, "players": true,
	"visitor": true, "visitors": true, "reader": true, "readers": true, "complainant": true,
	"merchant": true, "merchants": true, "tenant": true, "tenants": true, "public": true, "press": true,
	"critic": true, "critics": true, "patient": true, "patients": true, "passenger": true, "passengers": true,
}

// outputNouns hold machine text: the message “disk full”.
var outputNouns = map[string]bool{
	"message": true, "messages": true, "error": true, "errors": true, "output": true, "prompt": true,
	"banner": true, "string": true, "text": true, "line": true, "warning": true, "warnings": true,
	"log": true, "logs": true, "notification": true, "toast": true, "dialog": true, "popup": true,
	"placeholder": true, "status": true, "response": true, "exception": true, "stacktrace": true,
	"traceback": true, "reads": false,
}

// maxMentionWords bounds a mentioned term: a longer quotation is speech.
const maxMentionWords = 8

// markUnjudged marks the tokens of quotations that are not reported speech,
// or that are mentions, outside voices or machine output, so that no rule
// starts from them.
func markUnjudged(toks []token, scratch *sent) {
	scratch.t = toks
	var buf [8][2]int
	spans := buf[:0]
	for a := 0; a < len(toks); {
		if !toks[a].quoted {
			a++
			continue
		}
		b := a
		for b < len(toks) && toks[b].quoted {
			b++
		}
		spans = append(spans, [2]int{a, b}) // one quotation, marks included
		a = b
	}
	var ends sentenceEnds
	for n, sp := range spans {
		a, b := sp[0], sp[1]
		words := 0
		for k := a; k < b; k++ {
			if toks[k].kind != tPunct {
				words++
			}
		}
		// a mentioned term, or one of a list of quoted terms or examples
		// ("“root cause” and “operator error”", "\"be more careful\", \"retrain\"")
		skip := words <= maxMentionWords && (scratch.mentionQuote(a, b) ||
			n > 0 && listed(toks, spans[n-1][1], a) || n+1 < len(spans) && listed(toks, b, spans[n+1][0]))
		if !skip {
			speaker, attributed := scratch.attribution(a, b)
			switch {
			case attributed:
				skip = speaker.to > speaker.from && outsideSpeakers[strings.TrimSuffix(toks[speaker.to-1].low, "'s")]
			case scratch.machineOutput(a):
				skip = true
			default:
				skip = !scratch.colonIntroduced(a) && !ends.whole(toks, a, b)
			}
		}
		if skip {
			for k := a; k < b; k++ {
				toks[k].unjudged = true
			}
		}
	}
}

// listed reports whether tokens [e, a) between two quotations only separate
// items of a list: "," "and" "or" "/".
func listed(toks []token, e, a int) bool {
	if a <= e || a-e > 2 {
		return false
	}
	for k := e; k < a; k++ {
		switch toks[k].low {
		case ",", "and", "or", "/", "nor", ";":
		default:
			return false
		}
	}
	return true
}

// mentionQuote reports whether the quotation [a, b) is a mentioned term.
func (s *sent) mentionQuote(a, b int) bool {
	p := a - 1
	if p > 0 && s.t[p].text == ":" {
		p-- // "avoid phrasing like: “…”"
	}
	if p >= 0 {
		l := s.t[p].low
		switch {
		case l == "of" && (mentionCues[s.low(p-1)] || s.low(p-1) == "instead"):
			return true
		case l == "as" && s.low(p-1) == "such":
			return true
		case l == "saying":
			return p == 0 || s.t[p-1].kind == tPunct || sayingOK[s.t[p-1].low]
		case mentionCues[l]:
			return true
		}
	}
	return b < len(s.t) && mentionAfter[s.t[b].low]
}

// attribution finds the speaker of the quotation [a, b): a speech verb before
// it in the sentence ("A customer wrote: “…”", "the director said the outage
// was “…”") or right after it ("“…,” a customer said", "“…,” said a user",
// "“…,” according to the VP"). attributed is false when there is none.
func (s *sent) attribution(a, b int) (speaker subj, attributed bool) {
	// "the lead's first message was “…”": the content of something written or said
	if p := a - 1; p > 0 && copulas[s.t[p].low] {
		if sb := s.subjectBefore(p); sb.to > sb.from && speechNouns[s.t[sb.to-1].low] {
			for k := sb.from; k < sb.to-1; k++ {
				if s.t[k].poss && outsideSpeakers[strings.TrimSuffix(s.t[k].low, "'s")] {
					return subj{from: k, to: k + 1}, true // "the customer's email was"
				}
			}
			return subj{}, true
		}
	}
	for j := a - 1; j >= 0 && j >= a-10; j-- {
		t := &s.t[j]
		if t.quoted || t.kind == tPunct && (t.text == "." || t.text == ";" || t.text == "!" || t.text == "?") {
			break
		}
		if t.kind == tWord && speechVerbs[t.low] {
			return s.subjectBefore(j), true
		}
	}
	j := b
	for j < len(s.t) && s.t[j].kind == tPunct && s.t[j].text == "," {
		j++
	}
	if s.low(j) == "according" && s.low(j+1) == "to" {
		return s.forwardNP(j + 2), true
	}
	for v := j; v < len(s.t) && v < j+8; v++ {
		t := &s.t[v]
		if t.kind == tPunct || t.quoted {
			break
		}
		if t.kind == tWord && speechVerbs[t.low] {
			if v == j {
				return s.forwardNP(v + 1), true // "said a customer"
			}
			return s.classifyNP(j, v), true // "a customer said", "w00t starts to explain"
		}
	}
	return subj{}, false
}

// colonIntroduced reports a quotation right after a colon: "the status page
// read: “…”", "<alice> bob: \"…\"", "Root cause: \"human error\"".
func (s *sent) colonIntroduced(a int) bool {
	return a > 0 && s.t[a-1].text == ":"
}

// wholeSentence reports a quotation that is a sentence of its own (a line of
// dialogue): no words outside it between the sentence marks around it.
func (s *sent) wholeSentence(a, b int) bool {
	for j := a - 1; j >= 0; j-- {
		t := &s.t[j]
		if t.kind == tPunct {
			if t.text == "." || t.text == "!" || t.text == "?" || t.text == "…" {
				break
			}
			continue
		}
		return false
	}
	for j := b; j < len(s.t); j++ {
		t := &s.t[j]
		if t.kind == tPunct {
			if t.text == "." || t.text == "!" || t.text == "?" || t.text == "…" {
				break
			}
			continue
		}
		return false
	}
	return true
}

// sentenceEnds answers wholeSentence for every quotation of a text in
// linear time: each scan of wholeSentence runs over punctuation only, so a
// text of punctuation and quotation marks ("(\"(\"( ...) made every
// quotation scan the whole text (over a minute for 1 MB). open[j] is the
// backward scan's answer from token j, close[j] the forward one's.
type sentenceEnds struct {
	open, close []bool
}

func isSentenceEnd(t *token) bool {
	return t.text == "." || t.text == "!" || t.text == "?" || t.text == "…"
}

// whole is (&sent{t: toks}).wholeSentence(a, b).
func (e *sentenceEnds) whole(toks []token, a, b int) bool {
	if e.open == nil {
		e.open, e.close = make([]bool, len(toks)+1), make([]bool, len(toks)+1)
		e.open[0] = true // before the first token
		for j := range toks {
			t := &toks[j]
			e.open[j+1] = t.kind == tPunct && (isSentenceEnd(t) || e.open[j])
		}
		e.close[len(toks)] = true
		for j := len(toks) - 1; j >= 0; j-- {
			t := &toks[j]
			e.close[j] = t.kind == tPunct && (isSentenceEnd(t) || e.close[j+1])
		}
	}
	return e.open[a] && e.close[b]
}

// machineOutput reports whether the quotation opening at a is the content of
// a message, error, log line, prompt … ("with the message “disk full”").
func (s *sent) machineOutput(a int) bool {
	p := a - 1
	if p >= 0 && s.t[p].text == ":" {
		p--
	}
	return p >= 0 && s.t[p].kind == tWord && outputNouns[s.t[p].low] && !s.t[p].quoted
}
