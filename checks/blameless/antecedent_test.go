package blameless

import "testing"

// sentsOf splits text into sentences as Analyze does, each with the one
// before it as context.
func sentsOf(t *testing.T, a *Analyzer, text string) []*sent {
	t.Helper()
	seg := &Segment{Text: text}
	toks := tokenize(text, nil)
	var out []*sent
	prev := 0
	for _, r := range sentences(toks, nil) {
		out = append(out, &sent{a: a, seg: seg, t: toks[r[0]:r[1]], prev: toks[prev:r[0]]})
		prev = r[0]
	}
	return out
}

func TestPluralPronounAntecedent(t *testing.T) {
	a, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text   string
		pron   string
		person bool
	}{
		{"The servers failed. They were returning 404s.", "they", false},
		{"The engineers ignored the alert. They should have known.", "they", true},
		{"Instead of falling back to the English version of the pages, they were returning a 404.", "they", false},
		{"Our reports to Cloudflare were rejected due to them being unable to confirm phishing.", "them", false},
		{"We paged the on-call team. They did not respond.", "they", true},
		{"Alice and Bob were paged, but they ignored it.", "they", true},
		{"They should have checked.", "they", true}, // no antecedent: as before
		{"The requests timed out because their retries were too aggressive.", "their", false},
	}
	for _, c := range cases {
		ss := sentsOf(t, a, c.text)
		found := false
		for _, s := range ss {
			for i := range s.t {
				if s.t[i].low != c.pron {
					continue
				}
				found = true
				thing := s.thingAntecedent(i)
				if thing == c.person {
					t.Errorf("%q: %q thing antecedent %v, want person %v", c.text, c.pron, thing, c.person)
				}
				if c.pron != "their" {
					if got := s.classOf(i).person(); got != c.person {
						t.Errorf("%q: %q person %v, want %v", c.text, c.pron, got, c.person)
					}
				}
			}
		}
		if !found {
			t.Errorf("%q: no %q", c.text, c.pron)
		}
	}
}
