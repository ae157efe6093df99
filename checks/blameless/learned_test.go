package blameless

import (
	"hash/fnv"
	"math"
)

// The learned comparator: a logistic regression over the words of the
// sentence alone (lower-case unigrams and bigrams, hashed), plus the word
// classes of the lexicon (role, system noun, error verb, judgmental word,
// modal, negator, pronoun class). It has no subject, no clause and no span:
// it says whether the sentence reads like blame, not who is at fault, so it
// could not give a finding an excerpt or a message. It is measured in the
// same cross-validation to see what the rules' structure is worth.

const bowBits = 16

func bowFeatures(text string) []int32 {
	toks := tokenize(text, nil)
	seen := map[int32]bool{}
	var out []int32
	add := func(s string) {
		h := fnv.New32a()
		h.Write([]byte(s))
		f := int32(h.Sum32()&(1<<bowBits-1)) + 1 // 0 is the bias
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	out = append(out, 0)
	prev := "<s>"
	for _, t := range toks {
		if t.kind == tPunct && t.text != "?" && t.text != "!" {
			continue
		}
		w := t.low
		if t.kind == tHandle {
			w = "<handle>"
		} else if t.kind == tNum {
			w = "<num>"
		}
		add("u:" + w)
		add("b:" + prev + " " + w)
		prev = w
		switch {
		case t.f&fRole != 0 || personBits(t.low)&pNoun != 0 && t.f&fSystem == 0:
			add("c:role")
		case t.f&fSystem != 0:
			add("c:system")
		}
		if errVerbs[t.low] != "" {
			add("c:errverb")
		}
		if judgmental[t.low] != "" {
			add("c:judgmental")
		}
		if t.f&fNeg != 0 {
			add("c:neg")
		}
		if t.f&fModal != 0 {
			add("c:modal")
		}
		if c, ok := pronouns[t.low]; ok {
			add("c:pron" + string(rune('0'+c)))
		}
		if t.cap && personBits(t.low)&(pName|pAmbiName) != 0 {
			add("c:name")
		}
	}
	return out
}

// fitLRGD: L2 logistic regression by full-batch AdaGrad (for the hashed
// features, too many for Newton's method).
func fitLRGD(xs [][]int32, ys []float64, n int, lambda float64, iters int) []float64 {
	w := make([]float64, n)
	g := make([]float64, n)
	acc := make([]float64, n)
	touched := map[int32]bool{}
	for _, x := range xs {
		for _, f := range x {
			touched[f] = true
		}
	}
	const eta = 0.5
	for it := 0; it < iters; it++ {
		clear(g)
		for k, x := range xs {
			z := 0.0
			for _, f := range x {
				z += w[f]
			}
			r := sigmoid(z) - ys[k]
			for _, f := range x {
				g[f] += r
			}
		}
		for f := range touched {
			gf := g[f]
			if f != 0 {
				gf += lambda * w[f]
			}
			acc[f] += gf * gf
			w[f] -= eta * gf / (math.Sqrt(acc[f]) + 1e-8)
		}
	}
	return w
}

var learned = method{name: "learned", fit: func(rows []row, _ []candRow, train []int) fitted {
	feats := make(map[int][]int32)
	fx := func(i int) []int32 {
		if f, ok := feats[i]; ok {
			return f
		}
		f := bowFeatures(rows[i].Text)
		feats[i] = f
		return f
	}
	fit := func(idx []int) []float64 {
		var xs [][]int32
		var ys []float64
		for _, i := range idx {
			xs = append(xs, fx(i))
			y := 0.0
			if rows[i].blame() {
				y = 1
			}
			ys = append(ys, y)
		}
		return fitLRGD(xs, ys, 1<<bowBits+1, lambda, 300)
	}
	conf := func(w []float64, i int) float64 {
		z := 0.0
		for _, f := range fx(i) {
			z += w[f]
		}
		return sigmoid(z)
	}
	// the threshold from an inner grouped cross-validation, as for hybrid
	sub := make([]row, len(train))
	for k, i := range train {
		sub[k] = rows[i]
	}
	oof := make([]float64, len(train))
	blame := make([]bool, len(train))
	for _, test := range folds(sub, func(r row) string { return r.Org }, 4) {
		in := map[int]bool{}
		for _, k := range test {
			in[k] = true
		}
		var tr []int
		for k, i := range train {
			if !in[k] {
				tr = append(tr, i)
			}
		}
		w := fit(tr)
		for _, k := range test {
			oof[k] = conf(w, train[k])
		}
	}
	for k, i := range train {
		blame[k] = rows[i].blame()
	}
	th := chooseThreshold(oof, blame, targetPrecision)
	w := fit(train)
	return fitted{
		conf:      func(i int) float64 { return conf(w, i) },
		rulesAt:   func(int, float64) []string { return nil },
		threshold: th,
	}
}}
