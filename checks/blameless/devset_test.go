package blameless

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

type labelled struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	Label      string `json:"label"`
	Cue        string `json:"cue"`
	Borderline bool   `json:"borderline"`
	Note       string `json:"note"`
	Section    string `json:"section"` // only in holdout.jsonl, where the writer knew it
}

func loadJSONL(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var sectionNames = map[string]Section{
	"": SectionOther, "other": SectionOther, "summary": SectionSummary, "timeline": SectionTimeline, "cause": SectionCause,
	"resolution": SectionResolution, "followups": SectionFollowUps, "lessons": SectionLessons,
}

type score struct {
	tp, fp, fn, tn   int
	cueTotal, cueHit map[string]int
	misses, falsePos []string
}

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }
func (s score) f1() float64 {
	p, r := s.precision(), s.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// evaluate runs every sentence as one segment; any hit counts as "blame".
// skipBorderline leaves out the sentences marked borderline.
func evaluate(t testing.TB, a *Analyzer, set []labelled, skipBorderline bool) score {
	sc := score{cueTotal: map[string]int{}, cueHit: map[string]int{}}
	for _, l := range set {
		if skipBorderline && l.Borderline {
			continue
		}
		sec, ok := sectionNames[l.Section]
		if !ok {
			t.Fatalf("%s: unknown section %q", l.ID, l.Section)
		}
		hits := a.Analyze(Segment{Text: l.Text, Section: sec})
		var rules []string
		for _, h := range hits {
			rules = append(rules, strings.TrimPrefix(h.Rule, "blameless/")+"["+l.Text[h.Start:h.End]+"]")
		}
		got := len(hits) > 0
		switch {
		case l.Label == "blame" && got:
			sc.tp++
		case l.Label == "blame":
			sc.fn++
			sc.misses = append(sc.misses, fmt.Sprintf("%s (%s) %q", l.ID, l.Cue, l.Text))
		case got:
			sc.fp++
			sc.falsePos = append(sc.falsePos, fmt.Sprintf("%s %v %q", l.ID, rules, l.Text))
		default:
			sc.tn++
		}
		if l.Label == "blame" {
			sc.cueTotal[l.Cue]++
			if got {
				sc.cueHit[l.Cue]++
			}
		}
	}
	return sc
}

func report(t *testing.T, name string, sc score) {
	line := fmt.Sprintf("%s: precision %.3f recall %.3f F1 %.3f (tp %d fp %d fn %d tn %d)",
		name, sc.precision(), sc.recall(), sc.f1(), sc.tp, sc.fp, sc.fn, sc.tn)
	t.Log(line)
	if testing.Verbose() {
		fmt.Println(line)
	}
	var cues []string
	for c := range sc.cueTotal {
		cues = append(cues, c)
	}
	sort.Strings(cues)
	for _, c := range cues {
		t.Logf("  recall %-18s %d/%d", c, sc.cueHit[c], sc.cueTotal[c])
	}
	for _, m := range sc.misses {
		t.Logf("  MISS %s", m)
	}
	for _, m := range sc.falsePos {
		t.Logf("  FALSE POSITIVE %s", m)
	}
}

func TestDevSet(t *testing.T) {
	a := mustNewRules(t, Config{})
	set := loadJSONL(t, "testdata/dev.jsonl")
	if len(set) < 150 {
		t.Fatalf("dev set has %d sentences, want 153", len(set))
	}
	all := evaluate(t, a, set, false)
	report(t, "dev (all, SectionOther)", all)
	report(t, "dev (without borderline)", evaluate(t, a, set, true))
	if all.precision() < 0.85 || all.recall() < 0.75 {
		t.Errorf("dev set below the floor: precision %.3f (want ≥ 0.85), recall %.3f (want ≥ 0.75)", all.precision(), all.recall())
	}
}

func TestHoldoutSet(t *testing.T) {
	a := mustNewRules(t, Config{})
	set := loadJSONL(t, "testdata/holdout.jsonl")
	if len(set) < 60 {
		t.Fatalf("holdout set has %d sentences, want 60+", len(set))
	}
	all := evaluate(t, a, set, false)
	report(t, "holdout (all)", all)
	report(t, "holdout (without borderline)", evaluate(t, a, set, true))
	if all.precision() < 0.85 || all.recall() < 0.75 {
		t.Errorf("holdout set below the floor: precision %.3f, recall %.3f", all.precision(), all.recall())
	}
}
