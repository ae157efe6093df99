package vocab

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	var got []string
	Words("The on-call engineer didn’t see 'it' — Ärger, 3 times!", func(w string) { got = append(got, w) })
	want := []string{"the", "on", "call", "engineer", "didn't", "see", "it", "ärger", "times"}
	if !slices.Equal(got, want) {
		t.Errorf("Words: %q, want %q", got, want)
	}
}

func TestWriteRead(t *testing.T) {
	v := make([]float64, Dims)
	for k := range v {
		v[k] = float64(k%7) - 3
	}
	in := []Vector{Quantise("outage", v), Quantise("engineer", v[:Dims])}
	p := filepath.Join(t.TempDir(), "v.vec")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, in); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, in) {
		t.Fatalf("read back %v", out)
	}
	// a unit vector, within the quantisation step
	n := 0.0
	for _, x := range out[0].Float() {
		n += x * x
	}
	if n < 0.98 || n > 1.02 {
		t.Errorf("|v|² = %.4f, want 1", n)
	}
	if err := os.WriteFile(p, []byte("not vectors"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); err == nil {
		t.Error("Read accepted a file without the magic line")
	}
}
