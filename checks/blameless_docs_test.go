package checks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWholePostmortems lints the complete real postmortems of
// testdata/postmortems and testdata/postmortems-unseen (each MANIFEST.tsv
// lists them with their source and licence; labels.jsonl labels their
// blameful sentences and hard negatives) with the default configuration,
// lists every blameless finding with its verdict, and counts false
// positives: a finding that is not inside a sentence labelled blame.
// Target: at most 1 per 10 documents, in each set. The unseen set was
// measured before anything was changed for it (see its README).
// BLAMELESS_DOCS_MIN=0.3 lists what a lower minimum confidence would add;
// BLAMELESS_DOCS_DIR lints another such set instead.
func TestWholePostmortems(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "postmortems"), filepath.Join("testdata", "postmortems-unseen")}
	if d := os.Getenv("BLAMELESS_DOCS_DIR"); d != "" {
		dirs = []string{d}
	}
	for _, dir := range dirs {
		docs, fps, msg := lintDocSet(t, dir)
		t.Log(msg)
		if os.Getenv("BLAMELESS_CV_PRINT") != "" {
			fmt.Println(msg)
		}
		// The target of issue 12 is at most 1 false positive per 10
		// documents at the default configuration (warnings included).
		if opts := os.Getenv("BLAMELESS_DOCS_MIN"); opts == "" && docs > 0 && 10*float64(fps)/float64(docs) > 1.0 {
			t.Errorf("%s: more than 1 false positive per 10 documents", msg)
		}
	}
}

// lintDocSet lints the documents of dir (see TestWholePostmortems) and
// returns their number, the false positives and a summary.
func lintDocSet(t *testing.T, dir string) (int, int, string) {
	man, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	type label struct {
		File, Text, Label, Cue string
	}
	blame := map[string][]string{}
	lf, err := os.Open(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	sc := bufio.NewScanner(lf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l label
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if l.Label == "blame" {
			blame[l.File] = append(blame[l.File], norm(l.Text))
		}
	}
	docs, fps, tps, labelled, found, errFP, errTP := 0, 0, 0, 0, 0, 0, 0
	for _, line := range strings.Split(string(man), "\n")[1:] {
		file := strings.SplitN(line, "\t", 2)[0]
		if file == "" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		docs++
		lines := strings.Split(string(src), "\n")
		hitLabel := map[int]bool{}
		opts := Options{Schema: DefaultSchema()}
		if v, err := strconv.ParseFloat(os.Getenv("BLAMELESS_DOCS_MIN"), 64); err == nil {
			opts.Blameless.MinConfidence = v // to list what a lower minimum confidence would add
		}
		for _, f := range Lint(src, opts) {
			if f.Check != CheckBlameless {
				continue
			}
			verdict := "FALSE POSITIVE"
			at := ""
			if f.Line >= 1 && f.Line <= len(lines) {
				at = lines[f.Line-1]
			}
			if k := labelOf(blame[file], at, f.Excerpt); k >= 0 {
				verdict = "right"
				hitLabel[k] = true
			}
			if verdict == "right" {
				tps++
				if f.Severity == SeverityError {
					errTP++
				}
			} else {
				fps++
				if f.Severity == SeverityError {
					errFP++
				}
			}
			t.Logf("%s:%d %s %s %.2f %q: %s", file, f.Line, f.Severity, f.Rule, f.Confidence, f.Excerpt, verdict)
		}
		labelled += len(blame[file])
		found += len(hitLabel)
	}
	return docs, fps, fmt.Sprintf("%s: %d whole postmortems: %d findings right, %d false positives (%.1f per 10 documents); errors alone: %d right, %d false positives; %d of %d labelled blameful sentences found",
		filepath.Base(dir), docs, tps, fps, 10*float64(fps)/float64(max(docs, 1)), errTP, errFP, found, labelled)
}

// labelOf: the blame label (normalised) that holds a finding's excerpt, in
// the words around it on its line (the finding's line, line), so that a
// short excerpt ("Preston") is not found right in another sentence naming
// the same person; -1 when none does.
func labelOf(labels []string, line, excerpt string) int {
	ctx := norm(excerpt)
	if i := strings.Index(line, excerpt); i >= 0 {
		before, after := norm(line[:i]), norm(line[i+len(excerpt):])
		before = before[max(0, len(before)-20):]
		after = after[:min(len(after), 20)]
		// not past the sentence's ends, nor a list item's marker
		for _, end := range []string{". ", "! ", "? ", ": "} {
			if k := strings.LastIndex(before, end); k >= 0 {
				before = before[k+len(end):]
			}
			if k := strings.Index(after, end); k >= 0 {
				after = after[:k]
			}
		}
		before = strings.TrimLeft(before, "-+># ") // a list item's or a quotation's marker
		// a space where the line has one (not inside a word, not before a
		// full stop)
		if before != "" && strings.HasSuffix(line[:i], " ") {
			before += " "
		}
		if strings.HasPrefix(line[i+len(excerpt):], " ") {
			after = " " + after
		}
		ctx = strings.TrimSpace(before + ctx + after)
	}
	for k, b := range labels {
		if strings.Contains(b, ctx) {
			return k
		}
	}
	return -1
}

func norm(s string) string {
	s = strings.NewReplacer("*", "", "`", "", "_", " ", "’", "'").Replace(s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// TestNamesOfThingsAcrossTheDocument: a name the document gives a thing in
// one section ("the Apollo cluster") is no person in another, where the
// sentence alone would read as a person's fault; a person's name stays one.
func TestNamesOfThingsAcrossTheDocument(t *testing.T) {
	const cause = "## Root cause\n\nApollo deleted the old replicas by mistake, which broke the builds.\n\nPriya deleted the old replicas by mistake, which broke the builds.\n"
	named := func(src string) map[string]bool {
		out := map[string]bool{}
		for _, f := range Blameless(Parse([]byte(src)), Options{Schema: DefaultSchema()}) {
			if f.Rule == "blameless/named-individual" {
				out[strings.Fields(f.Excerpt)[0]] = true
			}
		}
		return out
	}
	if got := named("# Incident\n\n" + cause); !got["Apollo"] || !got["Priya"] {
		t.Fatalf("without the cluster: %v; the test needs both names found", got)
	}
	got := named("# Incident\n\n## Summary\n\nThe Apollo cluster runs our CI.\n\n" + cause)
	if got["Apollo"] {
		t.Error("the summary names the Apollo cluster; the root cause still blames a person Apollo")
	}
	if !got["Priya"] {
		t.Error("Priya, a person, lost her finding")
	}
}
