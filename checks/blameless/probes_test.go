package blameless

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Floors of the blind probe (testdata/probes), a little under what the
// shipped model reached when it was added (any finding P 0.91, R 0.53 in a
// document; errors P 1.00): one sentence moves a figure by about 0.008.
const (
	probeFloorPrecision = 0.85
	probeFloorRecall    = 0.45
)

// TestProbes scores the shipped analyzer, with its shipped minimum
// confidences, on the probes of the named patterns, each sentence
// alone, in no section.
func TestProbes(t *testing.T) {
	if defaultModel == nil {
		t.Skip("no shipped model")
	}
	a := mustNew(t, Config{})
	for _, name := range []string{"dev", "blind"} {
		src, err := os.ReadFile("testdata/probes/" + name + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		var ps []prediction
		var forms []int
		for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
			var p struct {
				labelled
				Form int `json:"form"`
			}
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				t.Fatal(err)
			}
			r := row{labelled: p.labelled}
			ps = append(ps, prediction{r: r, conf: shippedConfidenceIn(a, r.Text, SectionUnknown)})
			forms = append(forms, p.Form)
		}
		errs, any := scoreOf(ps, nil, DefaultMinConfidence), scoreOf(ps, nil, DefaultWarningConfidence)
		var right [13]int
		for k, p := range ps {
			if (p.conf >= DefaultWarningConfidence) == p.r.blame() {
				right[forms[k]]++
			}
		}
		var per []string
		for f := 1; f <= 12; f++ {
			per = append(per, fmt.Sprintf("%d:%d", f, right[f]))
		}
		logf(t, "probe %s: any finding %s", name, any)
		logf(t, "  errors %s", errs)
		logf(t, "  right of 20 per form: %s", strings.Join(per, " "))
		if name == "blind" {
			if any.p() < probeFloorPrecision || any.r() < probeFloorRecall {
				t.Errorf("blind probe: any finding P %.3f R %.3f, under %.2f / %.2f", any.p(), any.r(), probeFloorPrecision, probeFloorRecall)
			}
		}
	}
}
