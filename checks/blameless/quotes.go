package blameless

// Inline quotations.
//
// Only a blockquote (Segment.Quoted) is quoted material that the analyzer
// leaves alone. Text inside inline quotation marks is usually reported speech
// ("“Human error took the network down,” a staff member explained"), and a
// postmortem that reports blame in someone's words still puts that person's
// colleague at fault, so it is judged like the rest of the sentence.
//
// Three kinds of inline quotation are not judged (their tokens are marked
// token.unjudged):
//
//   - a mention: a short quoted term that the sentence talks about rather than
//     uses — after words such as concept, term, phrase, word, label, called,
//     like, such as, instead of, replace, avoid, use, write, say ("avoid the
//     term 'human error'", "phrases like 'should have'", "do not write
//     “X forgot to Y”"), before words such as framing or narrative ("the
//     “human error” narrative"), and further quotes in a list that starts
//     with a mention ("‘negligent’ or ‘sloppy’");
//   - an outside voice: a quote whose speaker is outside the organisation
//     writing the postmortem, such as a customer, user or client ("A customer
//     wrote: “your careless engineers lost my data”"); it is evidence the
//     document reports, like a blockquote;
//   - machine output: a quote that is the content of a message, error, log
//     line, prompt or banner ("the CLI prints the message “You forgot to set
//     REGION”").

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
}

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

// markUnjudged marks the tokens of mentioned, outside-voice and machine-output
// quotations so that no rule starts from them.
func markUnjudged(toks []token, scratch *sent) {
	prevMention, prevEnd := false, -2
	for a := 0; a < len(toks); {
		if !toks[a].quoted {
			a++
			continue
		}
		b := a
		words := 0
		for b < len(toks) && toks[b].quoted {
			if toks[b].kind != tPunct {
				words++
			}
			b++
		}
		// [a, b) is one quotation, marks included
		scratch.t = toks
		skip := false
		if words <= maxMentionWords {
			skip = scratch.mentionQuote(a, b)
			if !skip && prevMention && a-prevEnd <= 2 && a > 0 {
				switch toks[a-1].low {
				case "and", "or", ",", "/", "nor":
					skip = true // "‘negligent’ or ‘sloppy’"
				}
			}
		}
		mention := skip
		if !skip {
			skip = scratch.outsideVoice(a, b) || scratch.machineOutput(a)
		}
		if skip {
			for k := a; k < b; k++ {
				toks[k].unjudged = true
			}
		}
		prevMention, prevEnd = mention, b
		a = b
	}
}

// mentionQuote reports whether the quotation [a, b) is a mentioned term.
func (s *sent) mentionQuote(a, b int) bool {
	p := a - 1
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

// outsideVoice reports whether the quotation [a, b) is attributed to a
// speaker outside the organisation, before ("A customer wrote: “…”") or
// after it ("“…,” a customer said" / "“…,” said a user").
func (s *sent) outsideVoice(a, b int) bool {
	// speech verb before the quotation, within the clause
	for j := a - 1; j >= 0 && j >= a-8; j-- {
		t := &s.t[j]
		if t.quoted || t.kind == tPunct && (t.text == "." || t.text == ";" || t.text == "!" || t.text == "?") {
			break
		}
		if t.kind == tWord && speechVerbs[t.low] {
			sb := s.subjectBefore(j)
			return sb.to > sb.from && outsideSpeakers[s.t[sb.to-1].low]
		}
	}
	// speech verb after it
	j := b
	for j < len(s.t) && s.t[j].kind == tPunct && s.t[j].text == "," {
		j++
	}
	for v := j; v < len(s.t) && v < j+6; v++ {
		t := &s.t[v]
		if t.kind == tPunct || t.quoted {
			break
		}
		if t.kind == tWord && speechVerbs[t.low] {
			var sb subj
			if v == j {
				sb = s.forwardNP(v + 1) // "said a customer"
			} else {
				sb = s.classifyNP(j, v) // "a customer said"
			}
			return sb.to > sb.from && outsideSpeakers[s.t[sb.to-1].low]
		}
	}
	return false
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
