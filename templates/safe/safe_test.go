package safe

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type data struct {
	Items []string
	Name  string
	N     int
}

func TestTimeBudget(t *testing.T) {
	tm, err := Parse("t", "{{range .Items}}{{.}}{{end}}", nil, reflect.TypeFor[data]())
	if err != nil {
		t.Fatal(err)
	}
	d := data{Items: make([]string, 1000)}
	if _, err := tm.Execute(d, Limits{Timeout: time.Nanosecond}); !errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v, want the time budget", err)
	}
	if _, err := tm.Execute(d, Limits{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFormat(t *testing.T) {
	for f, ok := range map[string]bool{"%d": true, "%05d": true, "%-256s": true, "%.2f": true, "%%": true, "%[1]d": true,
		"%257d": false, "%.999s": false, "%*d": false, "%.*d": false, "%0999999999999999999999d": false} {
		if err := checkFormat(f); (err == nil) != ok {
			t.Errorf("checkFormat(%q) = %v", f, err)
		}
	}
}

// The work bound is counted per range depth: a node nested in two ranges
// counts the longest list squared.
func TestWorkBound(t *testing.T) {
	tm, err := Parse("t", "a{{range .Items}}b{{range $.Items}}c{{end}}{{end}}", nil, reflect.TypeFor[data]())
	if err != nil {
		t.Fatal(err)
	}
	small, big := tm.Work(data{Items: make([]string, 100)}), tm.Work(data{Items: make([]string, 1000)})
	if r := big / small; r < 90 || r > 110 {
		t.Errorf("work 100 items %v, 1000 items %v: ratio %v, want about 100", small, big, r)
	}
	out, err := tm.Execute(data{Items: make([]string, 3)}, Limits{MaxSteps: 1000})
	if err != nil || string(out) != "a"+strings.Repeat("b"+strings.Repeat("c", 3), 3) {
		t.Fatalf("%q %v", out, err)
	}
}
