package blameless

import "testing"

// sentenceEnds answers exactly what wholeSentence answers, for every pair.
func FuzzSentenceEnds(f *testing.F) {
	for _, s := range []string{`"(" "(" x.`, `He said "stop." Then "go"!`, `. "a" , "b" ?`, `(“x”) y “z”.`, `"(`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := tokenize(s, nil)
		if len(toks) > 200 {
			return
		}
		var e sentenceEnds
		ref := &sent{t: toks}
		for a := 0; a <= len(toks); a++ {
			for b := a; b <= len(toks); b++ {
				if got, want := e.whole(toks, a, b), ref.wholeSentence(a, b); got != want {
					t.Fatalf("%q [%d,%d): %v, want %v", s, a, b, got, want)
				}
			}
		}
	})
}
