package blameless

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Analyzer finds blaming language in segments. It is immutable after New and
// safe for concurrent use.
type Analyzer struct {
	off      map[string]bool
	severity map[string]string
	custom   []phrase
	allow    []phrase
	// people: lower-case logins and name parts of Config.People
	people map[string]bool
	// model scores sentences; nil: the rules alone (a strong candidate is
	// a finding with confidence 1, a weak one is dropped). bareModel
	// gives the model of those whose section is unknown, when model is
	// set.
	model     *sentModel
	bareModel func() *sentModel
	minConf   float64 // errors at or above
	floor     float64 // warnings at or above, nothing below
	// collect, in tests only, receives every sentence's named features.
	collect func(f *fsink, s *sent)
	// bufs recycles *work between calls; hits keep no reference to
	// tokens, so a buffer is free again when Analyze returns.
	bufs sync.Pool
}

// work is the per-call state of Analyze, pooled so that neither the token
// buffer nor the segment the sentences point at is a new allocation.
type work struct {
	toks []token
	seg  Segment
	sink fsink
	// things: the segment's own names of things, when the segment
	// carries none of its document's
	things Things
}

type phrase struct {
	text  string
	words []string // lower-case tokens
}

// DefaultMinConfidence is the minimum confidence of an error: the calibrated
// point at which sentences judged blameful were right at least nine times in
// ten in grouped cross-validation (chosen with the model; see
// Config.MinConfidence).
const DefaultMinConfidence = modelMinConfidence

// DefaultWarningConfidence is the confidence from which a finding is
// reported as a warning: the calibrated point at which sentences judged
// blameful were right at least 82 times in 100 in grouped cross-validation
// (set with whole real postmortems in view: see warnPrecision).
const DefaultWarningConfidence = modelWarningConfidence

// WarningFloor is the confidence below which a finding is not reported at
// all, for a minimum confidence: DefaultWarningConfidence, or the minimum
// confidence when that is lower.
func WarningFloor(minConfidence float64) float64 {
	return min(DefaultWarningConfidence, minConfidence)
}

// New validates cfg and returns an Analyzer.
func New(cfg Config) (*Analyzer, error) {
	a := &Analyzer{off: map[string]bool{}, severity: map[string]string{}, model: defaultModel,
		bareModel: defaultBareModel, minConf: DefaultMinConfidence}
	if cfg.MinConfidence != 0 {
		if cfg.MinConfidence < 0 || cfg.MinConfidence > 1 || math.IsNaN(cfg.MinConfidence) {
			return nil, fmt.Errorf("blameless: min_confidence %v is not between 0 and 1", cfg.MinConfidence)
		}
		a.minConf = cfg.MinConfidence
	}
	a.floor = WarningFloor(a.minConf)
	for _, r := range rules {
		if r.DefaultOff {
			a.off[r.ID] = true
		}
	}
	for _, id := range cfg.Enable {
		if _, ok := ruleByID(id); !ok {
			return nil, fmt.Errorf("blameless: enable: unknown rule %q", id)
		}
		delete(a.off, id)
	}
	for _, id := range cfg.Disabled {
		if _, ok := ruleByID(id); !ok {
			return nil, fmt.Errorf("blameless: disabled: unknown rule %q", id)
		}
		a.off[id] = true
	}
	for id, sev := range cfg.Severity {
		if _, ok := ruleByID(id); !ok {
			return nil, fmt.Errorf("blameless: severity: unknown rule %q", id)
		}
		switch sev {
		case "error", "warning":
			a.severity[id] = sev
		case "off":
			a.off[id] = true
		default:
			return nil, fmt.Errorf("blameless: severity for %s: %q is not error, warning or off", id, sev)
		}
	}
	mk := func(kind string, list []string) ([]phrase, error) {
		var out []phrase
		for _, p := range list {
			var ws []string
			for _, t := range tokenize(p, nil) {
				if t.kind != tPunct || t.text == "-" {
					ws = append(ws, lower(t.text))
				}
			}
			if len(ws) == 0 {
				return nil, fmt.Errorf("blameless: %s phrase %q has no words", kind, p)
			}
			out = append(out, phrase{text: p, words: ws})
		}
		return out, nil
	}
	for _, p := range cfg.People {
		for _, w := range peopleWords(p) {
			if a.people == nil {
				a.people = map[string]bool{}
			}
			a.people[w] = true
		}
	}
	var err error
	if a.custom, err = mk("custom", cfg.Phrases); err != nil {
		return nil, err
	}
	if a.allow, err = mk("allow", cfg.Allow); err != nil {
		return nil, err
	}
	return a, nil
}

// Analyze returns the findings in one segment, ordered by position. Quoted
// segments (blockquotes) are quoted material and are not judged.
func (a *Analyzer) Analyze(seg Segment) []Hit { return a.analyze(seg, false) }

func (a *Analyzer) analyze(seg Segment, all bool) []Hit {
	if seg.Quoted || strings.TrimSpace(seg.Text) == "" {
		return nil
	}
	w, _ := a.bufs.Get().(*work)
	if w == nil {
		w = new(work)
	}
	w.seg = seg
	toks := w.toks[:0]
	if need := len(seg.Text)/4 + 8; cap(toks) < need {
		toks = make([]token, 0, need)
	}
	toks = tokenize(seg.Text, toks)
	if len(a.people) > 0 {
		for k := range toks {
			toks[k].person = toks[k].kind == tWord && a.people[toks[k].low]
		}
	}
	defer func() {
		if cap(toks) <= 1<<16 {
			clear(toks) // drop string references held by the pool
			w.toks = toks[:0]
			w.seg = Segment{}
			a.bufs.Put(w)
		}
	}()
	if seg.Things == nil {
		clear(w.things.words)
		scanThings(toks, w.things.add)
		w.seg.Things = &w.things
	}
	markQuotes(toks)
	markUnjudged(toks, &sent{a: a, seg: &w.seg})
	markMetadata(toks)
	for _, p := range a.allow {
		for _, m := range matchPhrase(toks, p.words) {
			for k := m[0]; k < m[1]; k++ {
				toks[k].allowed = true
			}
		}
	}
	var hits []Hit
	var sbuf [8][2]int
	prev := 0
	for _, r := range sentences(toks, sbuf[:0]) {
		s := sent{a: a, seg: &w.seg, t: toks[r[0]:r[1]], prev: toks[prev:r[0]], sink: &w.sink, all: all}
		prev = r[0]
		s.run()
		hits = append(hits, s.hits...)
	}
	for _, p := range a.custom {
		for _, m := range matchPhrase(toks, p.words) {
			if toks[m[0]].unjudged {
				continue
			}
			hits = append(hits, Hit{Rule: RuleCustom, Start: toks[m[0]].start, End: toks[m[1]-1].end, Confidence: 1, strong: true,
				Message: fmt.Sprintf("%q is on this repository's list of wording to avoid in postmortems.", p.text)})
		}
	}
	return a.finish(toks, hits, all)
}

// metadataLabels name the fields of an action item: "(owner: @alice, due:
// 2026-04-01, priority: P1)" says who owns the follow-up, not who is at fault.
var metadataLabels = map[string]bool{"owner": true, "owners": true, "assignee": true, "assignees": true,
	"assigned": true, "due": true, "priority": true, "status": true, "eta": true, "deadline": true, "tracking": true}

// markMetadata marks action-item metadata unjudged: a parenthesis or
// bracket holding a "label:" field, or the rest of the segment from such a
// field after a comma, dash, bar or semicolon.
func markMetadata(toks []token) {
	for k := 0; k+1 < len(toks); k++ {
		if toks[k].kind != tWord || toks[k+1].text != ":" || !metadataLabels[toks[k].low] {
			continue
		}
		from, to := -1, len(toks)
		for j := k - 1; j >= 0; j-- {
			if t := toks[j].text; t == "(" || t == "[" {
				from = j
				break
			} else if t == ")" || t == "]" {
				break
			}
		}
		if from >= 0 {
			for j := k + 1; j < len(toks); j++ {
				if t := toks[j].text; t == ")" || t == "]" {
					to = j + 1
					break
				}
			}
		} else if k > 0 {
			switch toks[k-1].text {
			case ",", "-", "–", "—", "|", ";":
				from = k
			}
		}
		if from < 0 {
			continue
		}
		for j := from; j < to; j++ {
			toks[j].unjudged = true
		}
		k = to - 1
	}
}

// peopleWords: the login and the parts of the display name, lower case,
// as the tokenizer would write them. A part of one letter is left out.
func peopleWords(p Person) []string {
	var out []string
	login := strings.TrimPrefix(strings.TrimSpace(p.Login), "@")
	if login != "" {
		out = append(out, lower(login))
	}
	for _, t := range tokenize(p.Name, nil) {
		if t.kind == tWord && len(t.low) > 1 {
			out = append(out, t.low)
		}
	}
	return out
}

func matchPhrase(toks []token, words []string) [][2]int {
	var out [][2]int
	for i := range toks {
		k, j := 0, i
		for ; k < len(words) && j < len(toks); j++ {
			if toks[j].kind == tPunct && toks[j].text != "-" {
				if k == 0 {
					break
				}
				continue
			}
			if toks[j].low != words[k] {
				break
			}
			k++
		}
		if k == len(words) {
			out = append(out, [2]int{i, j})
		}
	}
	return out
}

// finish drops disabled, allowed and unconfident hits, sets severities and
// keeps one hit per rule for overlapping spans. all keeps every candidate
// whatever its confidence (cross-validation sweeps the threshold).
func (a *Analyzer) finish(toks []token, hits []Hit, all bool) []Hit {
	floor := a.floor
	byConfidence := a.model != nil
	anyAllowed := false
	for k := range toks {
		if toks[k].allowed {
			anyAllowed = true
			break
		}
	}
	out := hits[:0]
	for _, h := range hits {
		if a.off[h.Rule] {
			continue
		}
		if anyAllowed && allowedIn(toks, h) {
			continue
		}
		if !all {
			if byConfidence && h.Confidence < floor || !byConfidence && !h.strong && h.Rule != RuleCustom {
				continue
			}
		}
		judged := byConfidence && h.Rule != RuleCustom && h.Rule != RuleCondescending
		switch sev, ok := a.severity[h.Rule]; {
		case ok:
			h.Severity = sev
		case judged && h.Confidence >= a.minConf:
			h.Severity = "error"
		case judged:
			h.Severity = "warning"
		case h.Severity == "":
			r, _ := ruleByID(h.Rule)
			h.Severity = r.Severity
		}
		if judged && h.Confidence < a.minConf {
			h.Severity = "warning" // an override makes a confident finding a warning, never a doubtful one an error
		}
		if h.Message == "" || h.Suggestion == "" {
			r, _ := ruleByID(h.Rule)
			if h.Message == "" {
				h.Message = r.Help
			}
			_ = r
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(x, y Hit) int { return cmp.Compare(x.Start, y.Start) })
	// One hit per rule for overlapping spans. Hits are ordered by start, so
	// a kept hit d (d.Start <= h.Start) overlaps a non-empty h exactly when
	// d.End > h.Start: the furthest end kept per rule answers it in constant
	// time (a pasted page of blameful lines has one hit per line).
	dedup := out[:0]
	// maxEnd: the furthest end kept per rule (few rules per segment: a
	// slice, not a map).
	type ruleEnd struct {
		rule string
		end  int
	}
	var endsBuf [8]ruleEnd
	maxEnd := endsBuf[:0]
	endOf := func(rule string) int {
		for k := range maxEnd {
			if maxEnd[k].rule == rule {
				return k
			}
		}
		return -1
	}
	for _, h := range out {
		dup := false
		if h.End > h.Start {
			k := endOf(h.Rule)
			dup = k >= 0 && maxEnd[k].end > h.Start
		} else {
			for _, d := range dedup {
				if d.Rule == h.Rule && d.Start < h.End && h.Start < d.End {
					dup = true
					break
				}
			}
		}
		if !dup {
			dedup = append(dedup, h)
			if k := endOf(h.Rule); k < 0 {
				maxEnd = append(maxEnd, ruleEnd{h.Rule, h.End})
			} else if h.End > maxEnd[k].end {
				maxEnd[k].end = h.End
			}
		}
	}
	if len(dedup) == 0 {
		return nil
	}
	return dedup
}

// allowedIn reports whether a token covered by an Allow phrase overlaps h.
// Tokens are ordered and disjoint: search the first ending after h.Start.
func allowedIn(toks []token, h Hit) bool {
	k := sort.Search(len(toks), func(k int) bool { return toks[k].end > h.Start })
	for ; k < len(toks) && toks[k].start < h.End; k++ {
		if toks[k].allowed {
			return true
		}
	}
	return false
}
