package checks

import (
	"context"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

// RuleBlamelessConfig reports a blameless configuration the analyzer rejects.
const RuleBlamelessConfig = "blameless/config"

// blamelessConfig merges the per-rule overrides of Options into the
// analyzer's configuration: "off" disables a rule, a severity overrides it
// and enables a rule that is off by default.
func (o Options) blamelessConfig() blameless.Config {
	cfg := o.Blameless
	cfg.Severity = map[string]string{}
	for k, v := range o.Blameless.Severity {
		cfg.Severity[k] = v
	}
	cfg.Disabled = append([]string(nil), o.Blameless.Disabled...)
	cfg.Enable = append([]string(nil), o.Blameless.Enable...)
	known := map[string]blameless.Rule{}
	for _, r := range blameless.Rules() {
		known[r.ID] = r
	}
	for id, sev := range o.Rules {
		if !strings.HasPrefix(id, "blameless/") {
			continue
		}
		r, ok := known[id]
		if !ok {
			continue
		}
		switch normalizeSeverity(sev) {
		case SeverityOff:
			cfg.Disabled = append(cfg.Disabled, id)
		case SeverityError, SeverityWarning:
			cfg.Severity[id] = string(normalizeSeverity(sev))
			if r.DefaultOff {
				cfg.Enable = append(cfg.Enable, id)
			}
		}
	}
	return cfg
}

// Blameless runs the blameless analyzer over the document's prose and maps
// each hit back to the file: the span of the phrase, the analyzer's message,
// suggestion and replacement, with severity overrides and inline
// suppressions applied.
func Blameless(doc *Document, opts Options) []Finding {
	fs, _ := blamelessFindings(context.Background(), doc, opts)
	return fs
}

// blamelessFindings is Blameless stopping when ctx is done (checked before
// each piece of prose and each chunk of a long one): it returns the findings so far and ctx's error.
func blamelessFindings(ctx context.Context, doc *Document, opts Options) ([]Finding, error) {
	a, err := blameless.New(opts.blamelessConfig())
	if err != nil {
		return []Finding{{Check: CheckBlameless, Rule: RuleBlamelessConfig, Severity: SeverityError,
			Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Message: "blameless configuration is invalid: " + err.Error()}}, nil
	}
	// The names the document uses for things ("the Apollo cluster") are
	// things in all its sentences: its prose is read for them first, then
	// judged.
	prose := doc.Prose()
	things := new(blameless.Things)
	for i := range prose {
		things.Scan(prose[i].Text)
	}
	var out []Finding
	var stop error
	var limit ruleCap
	for i := range prose {
		p := &prose[i]
		if stop = ctx.Err(); stop != nil {
			break
		}
		seg := p.Segment
		seg.Things = things
		for from := 0; from < len(p.Text) && stop == nil; stop = ctx.Err() {
			to := chunkEnd(p.Text, from)
			seg.Text = p.Text[from:to]
			out = appendHits(out, &limit, doc, p, a.Analyze(seg), from)
			from = to
		}
	}
	out = append(out, limit.summaries()...)
	return opts.finish(doc, out), stop
}

// proseChunk bounds the prose the analyzer judges at once: its tokens cost
// about 80 bytes per word or mark, so a crafted megabyte of one paragraph
// ('(' repeated) took 200 MB and seconds in one piece. Real paragraphs are
// far shorter; a longer one is judged in pieces cut at a sentence end, a
// line break or a space in its last half (a sentence is rarely cut).
const proseChunk = 32 << 10

// chunkEnd is the end of the piece of text that starts at from. A piece
// that began inside a quotation would read the rest of the text with its
// quoting inside out (the quoted judged, the writer's words skipped), so a
// cut where no double quote is open is preferred to one where one is, and
// a sentence end to a space.
func chunkEnd(text string, from int) int {
	if len(text)-from <= proseChunk {
		return len(text)
	}
	lo, hi := from+proseChunk/2, from+proseChunk
	open := false
	for i := from; i < lo; i++ {
		open = quoteAt(text, i, open)
	}
	// the last cut of each kind in [lo, hi); -1 when none
	sentOut, spaceOut, sentIn, spaceIn := -1, -1, -1, -1
	for i := lo; i < hi; i++ {
		switch c := text[i]; {
		case (c == '.' || c == '!' || c == '?') && i+1 < hi && (text[i+1] == ' ' || text[i+1] == '\n'):
			if open {
				sentIn = i + 2
			} else {
				sentOut = i + 2
			}
		case c == ' ' || c == '\n':
			if open {
				spaceIn = i + 1
			} else {
				spaceOut = i + 1
			}
		}
		open = quoteAt(text, i, open)
	}
	for _, e := range []int{sentOut, spaceOut, sentIn, spaceIn} {
		if e >= 0 {
			return e
		}
	}
	for hi > lo && !utf8.RuneStart(text[hi]) {
		hi--
	}
	return hi
}

// quoteAt is whether a double quote is open after the byte at i, given
// open before it (blameless.DoubleQuote of the character starting there).
func quoteAt(text string, i int, open bool) bool {
	if c := text[i]; c != '"' && c < utf8.RuneSelf || !utf8.RuneStart(c) {
		return open
	}
	_, n := utf8.DecodeRuneInString(text[i:])
	open, _ = blameless.DoubleQuote(text[i:i+n], open)
	return open
}

// appendHits maps the analyzer's hits in the piece of p's text that starts
// at base to findings.
func appendHits(out []Finding, limit *ruleCap, doc *Document, p *Prose, hits []blameless.Hit, base int) []Finding {
	for _, h := range hits {
		h.Start += base
		h.End += base
		if h.Start < 0 || h.End > len(p.Text) || h.End < h.Start {
			continue
		}
		f := Finding{Check: CheckBlameless, Rule: h.Rule, Severity: Severity(h.Severity),
			Message: h.Message, Suggestion: h.Suggestion, Replacement: h.Replacement,
			Confidence: math.Round(h.Confidence*1000) / 1000}
		if f.Severity != SeverityWarning {
			f.Severity = SeverityError
		}
		start := p.FileOffset(h.Start)
		end := start
		if h.End > h.Start {
			end = p.FileOffset(h.End-1) + 1
		}
		f = doc.spanFinding(f, start, end)
		// A replacement only applies when the span is exactly the text
		// the analyzer saw (not across blanked markup or lines).
		if f.Replacement != "" && string(doc.Source[start:end]) != p.Text[h.Start:h.End] {
			f.Replacement = ""
		}
		if limit.admit(f) {
			out = append(out, f)
		}
	}
	return out
}
