package blameless

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestExplain prints, for each line of the file BLAMELESS_EXPLAIN names, the
// confidence of the model that reads a sentence alone (model_bare_gen.go's:
// a line has no section) and every feature with that model's weight
// (largest first; with BLAMELESS_EXPLAIN_ALL set, those the model gives no
// weight too): a tool for error analysis, skipped without the variable.
func TestExplain(t *testing.T) {
	file := os.Getenv("BLAMELESS_EXPLAIN")
	if file == "" {
		t.Skip("BLAMELESS_EXPLAIN=file lists the features of each of its lines")
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w := map[string]float64{}
	for _, nw := range bareModelWeights {
		w[nw.name] = float64(nw.w)
	}
	a := mustNew(t, Config{})
	for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		var names []string
		var confs []string
		a.collect = func(f *fsink, s *sent) {
			names = append(names, f.names...)
			confs = append(confs, fmt.Sprintf("%.3f", f.confidence()))
		}
		hits := a.analyze(Segment{Text: line}, true)
		slices.SortFunc(names, func(x, y string) int {
			return cmpAbs(w[y], w[x])
		})
		fmt.Printf("%s %q\n", strings.Join(confs, " "), line)
		for _, h := range hits {
			fmt.Printf("   hit %s %.3f %q\n", h.Rule, h.Confidence, line[h.Start:h.End])
		}
		for _, n := range names {
			if w[n] != 0 || os.Getenv("BLAMELESS_EXPLAIN_ALL") != "" {
				fmt.Printf("   %+.3f %s\n", w[n], n)
			}
		}
	}
}

func cmpAbs(a, b float64) int {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
