package blameless

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tWord   tokKind = iota
	tHandle         // @alice, @org/team
	tNum            // 14:02, 4.5, v3.8.1 starts with a letter and stays a word
	tPunct
)

// token is one word, handle, number or punctuation mark of a segment.
type token struct {
	start, end int
	text       string // as written
	low        string // lower case, curly apostrophe folded to '
	kind       tokKind
	cap        bool   // first letter upper case, rest not all upper case (a Name, not an ACRONYM)
	acronym    bool   // two or more letters, all upper case
	camel      bool   // upper case letter after the first (RamNode)
	poss       bool   // ends in 's / s' (possessive)
	quoted     bool   // inside quotation marks
	unjudged   bool   // inside a mentioned, outside-voice or machine-output quotation (quotes.go)
	allowed    bool   // covered by a Config.Allow phrase
	person     bool   // one of Config.People's words (never an adverb in -ly: "Scully")
	f          uint32 // word classes from lex
	spaceAfter bool   // followed by white space (or end of text)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// asciiWord and asciiSpace answer isWordRune and unicode.IsSpace for ASCII
// without the unicode tables (most of a postmortem is ASCII).
var asciiWord, asciiSpace = func() (w, sp [utf8.RuneSelf]bool) {
	for c := rune(0); c < utf8.RuneSelf; c++ {
		w[c] = c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c)
		sp[c] = unicode.IsSpace(c)
	}
	return
}()

// decodeRune is utf8.DecodeRuneInString with the ASCII case inline.
func decodeRune(s string) (rune, int) {
	if len(s) > 0 && s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	return utf8.DecodeRuneInString(s)
}

// tokenize splits text into tokens. It keeps together contractions
// (didn't, wasn’t), possessives, hyphenated words (on-call, fat-fingered),
// @handles and @org/team, versions (v3.8.1), decimals (4.5) and times (14:02).
//
// An ASCII word is scanned, shaped and looked up in one pass over its bytes
// (asciiWord); a capitalised word of the lexicon takes the lexicon's
// lower-case string, and the other ASCII words with an upper-case letter
// are lowered into one string shared by the call. tokenizeRef (tests) is the
// plain version it must match token for token.
func tokenize(s string, dst []token) []token {
	lowBytes := 0 // bytes of the ASCII words still to lower
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				i++
				continue
			}
			if asciiWord[c] {
				if t, ok := asciiWordAt(s, i); ok {
					if t.low == "" {
						lowBytes += len(t.text)
					}
					dst = append(dst, t)
					i = t.end
					continue
				}
				j := scanWord(s, i)
				dst = append(dst, wordToken(s, i, j))
				i = j
				continue
			}
		}
		r, w := decodeRune(s[i:])
		switch {
		case r >= utf8.RuneSelf && unicode.IsSpace(r):
			i += w
			continue
		case r == '@' && i+w < len(s) && (i == 0 || !isWordBefore(s, i)):
			r2, _ := utf8.DecodeRuneInString(s[i+w:])
			if isWordRune(r2) {
				j := i + w
				for j < len(s) {
					c, cw := utf8.DecodeRuneInString(s[j:])
					if isWordRune(c) {
						j += cw
						continue
					}
					if (c == '-' || c == '/' || c == '.') && j+cw < len(s) {
						n, _ := utf8.DecodeRuneInString(s[j+cw:])
						if isWordRune(n) {
							j += cw
							continue
						}
					}
					break
				}
				dst = append(dst, token{start: i, end: j, text: s[i:j], low: strings.ToLower(s[i:j]), kind: tHandle,
					spaceAfter: spaceAt(s, j)})
				i = j
				continue
			}
		case r >= utf8.RuneSelf && isWordRune(r):
			j := scanWord(s, i)
			dst = append(dst, wordToken(s, i, j))
			i = j
			continue
		}
		if r == '*' || r == '`' {
			i += w // Markdown emphasis left in by the caller
			continue
		}
		dst = append(dst, token{start: i, end: i + w, text: s[i : i+w], low: s[i : i+w], kind: tPunct,
			spaceAfter: spaceAt(s, i+w)})
		i += w
	}
	if lowBytes == 0 {
		return dst
	}
	var b strings.Builder
	b.Grow(lowBytes)
	for k := range dst {
		if t := &dst[k]; t.low == "" {
			for x := 0; x < len(t.text); x++ {
				b.WriteByte(lowerASCII[t.text[x]])
			}
		}
	}
	lows := b.String()
	off := 0
	for k := range dst {
		if t := &dst[k]; t.low == "" {
			t.low = lows[off : off+len(t.text)]
			off += len(t.text)
			t.poss = isPossessive(t.low)
		}
	}
	return dst
}

// spaceAt reports whether s[i] starts white space or i is the end of s.
func spaceAt(s string, i int) bool { return i >= len(s) || isSpaceAt(s, i) }

// isPossessive: a lower-case word ending in 's that is not a contraction.
func isPossessive(low string) bool {
	return strings.HasSuffix(low, "'s") && len(low) > 2 && !isContractionS(low)
}

// Classes of ASCII bytes in words.
const (
	cNone uint8 = iota
	cLower
	cUpper
	cDigit
	cUnderscore
)

var asciiClass, lowerASCII = func() (cl [utf8.RuneSelf]uint8, lo [256]byte) {
	for c := range lo {
		lo[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		cl[c] = cLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		cl[c] = cUpper
		lo[c] = byte(c) + 'a' - 'A'
	}
	for c := '0'; c <= '9'; c++ {
		cl[c] = cDigit
	}
	cl['_'] = cUnderscore
	return
}()

// asciiWordAt scans the word that starts at s[i] (an ASCII word byte) as
// scanWord does, and makes its token in the same pass, when the word and
// what joins it are ASCII; ok is false (nothing done) otherwise. low is left
// empty for a word with an upper-case letter that is not in the lexicon.
func asciiWordAt(s string, i int) (t token, ok bool) {
	j := i
	upper, letters := 0, 0
	camel, digits := false, true
scan:
	for j < len(s) {
		c := s[j]
		if c >= utf8.RuneSelf {
			if r, _ := decodeRune(s[j:]); r == '’' || isWordRune(r) {
				return t, false
			}
			break
		}
		switch asciiClass[c] {
		case cLower:
			letters++
			digits = false
			j++
			continue
		case cUpper:
			letters++
			upper++
			if j > i {
				camel = true
			}
			digits = false
			j++
			continue
		case cDigit:
			j++
			continue
		case cUnderscore:
			digits = false
			j++
			continue
		}
		if j+1 >= len(s) {
			break
		}
		n := s[j+1]
		switch c {
		case '\'', '-', '.', '/', ':', ',':
			if n >= utf8.RuneSelf {
				return t, false // joined or not by a non-ASCII rune: the general path
			}
		default:
			break scan
		}
		switch c {
		case '\'':
			if cl := asciiClass[n]; cl == cLower || cl == cUpper {
				j++
				continue
			}
		case '-', '.', '/':
			if asciiWord[n] {
				j++
				continue
			}
		case ':', ',':
			if asciiClass[s[j-1]] == cDigit && asciiClass[n] == cDigit {
				j++
				continue
			}
		}
		break
	}
	t = token{start: i, end: j, text: s[i:j], kind: tWord, spaceAfter: spaceAt(s, j)}
	if digits {
		t.kind = tNum
	}
	t.acronym = letters >= 2 && upper == letters
	t.cap = asciiClass[s[i]] == cUpper && !t.acronym
	t.camel = camel && !t.acronym
	if upper == 0 {
		t.low = t.text
		t.f = lexFlags(t.low)
		t.poss = isPossessive(t.low)
	} else if key, f, found := lexFold(t.text); found {
		t.low, t.f = key, f
		t.poss = isPossessive(t.low)
	} // else: lowered by tokenize; not in the lexicon, so no classes
	return t, true
}

// wordToken makes the token of the word s[i:j] that has non-ASCII bytes.
func wordToken(s string, i, j int) token {
	t := token{start: i, end: j, text: s[i:j], kind: tWord, spaceAfter: spaceAt(s, j)}
	if isDigits(t.text) {
		t.kind = tNum
	}
	t.low = lower(t.text)
	first, _ := utf8.DecodeRuneInString(t.text)
	upper, letters := 0, 0
	for k := 0; k < len(t.text); {
		c, w := decodeRune(t.text[k:])
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				letters++
			} else if 'A' <= c && c <= 'Z' {
				letters++
				upper++
				if k > 0 {
					t.camel = true
				}
			}
		} else if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				upper++
				if k > 0 {
					t.camel = true
				}
			}
		}
		k += w
	}
	t.acronym = letters >= 2 && upper == letters
	t.cap = unicode.IsUpper(first) && !t.acronym
	if t.acronym {
		t.camel = false
	}
	t.poss = isPossessive(t.low)
	t.f = lexFlags(t.low)
	return t
}

// scanWord returns the end of the word that starts at s[i] (a word rune):
// word runes, joined by an apostrophe before a letter, by - . / before a
// word rune, and by : , between digits (14:02, 1,000 but not "items: 3").
func scanWord(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		cw := 1
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				j++
				continue
			}
		} else {
			var r rune
			r, cw = decodeRune(s[j:])
			if isWordRune(r) {
				j += cw
				continue
			}
			if r != '’' {
				break
			}
			c = '\''
		}
		if j+cw >= len(s) {
			break
		}
		switch c {
		case '\'':
			if n, _ := decodeRune(s[j+cw:]); unicode.IsLetter(n) {
				j += cw
				continue
			}
		case '-', '.', '/':
			if n, _ := decodeRune(s[j+cw:]); isWordRune(n) {
				j += cw
				continue
			}
		case ':', ',':
			p, _ := utf8.DecodeLastRuneInString(s[:j])
			n, _ := decodeRune(s[j+cw:])
			if unicode.IsDigit(p) && unicode.IsDigit(n) {
				j += cw
				continue
			}
		}
		break
	}
	return j
}

// isDigits reports whether a word has no word rune other than a digit.
func isDigits(w string) bool {
	for k := 0; k < len(w); {
		c := w[k]
		if c < utf8.RuneSelf {
			if asciiWord[c] && (c < '0' || c > '9') {
				return false
			}
			k++
			continue
		}
		r, n := decodeRune(w[k:])
		if isWordRune(r) && !unicode.IsDigit(r) {
			return false
		}
		k += n
	}
	return true
}

// isContractionS reports whether a word ending in 's is a contraction (it's,
// that's, let's) rather than a possessive.
func isContractionS(low string) bool {
	switch low {
	case "it's", "that's", "there's", "here's", "what's", "who's", "let's", "he's", "she's", "where's":
		return true
	}
	return false
}

func isWordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWordRune(r)
}

func isSpaceAt(s string, i int) bool {
	if s[i] < utf8.RuneSelf {
		return asciiSpace[s[i]]
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// lower lower-cases and folds the curly apostrophe, without allocating for
// text that is already plain lower case ASCII.
func lower(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || (c >= 'A' && c <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return strings.ReplaceAll(strings.ToLower(s), "’", "'")
}

// DoubleQuote is whether a double quotation is open after mark, given open
// before it: '"' toggles, '“', '«' and '„' open, '”' and '»' close; ok is
// false (and open unchanged) for any other mark. The analyzer's quoting and
// the cuts of a long paragraph (checks.chunkEnd) read quotes alike.
func DoubleQuote(mark string, open bool) (after, ok bool) {
	switch mark {
	case "\"":
		return !open, true
	case "“", "«", "„":
		return true, true
	case "”", "»":
		return false, true
	}
	return open, false
}

// markQuotes sets token.quoted for tokens between quotation marks. Straight
// single quotes and ’ only open or close a quotation when they stand at a word
// edge; inside a word they are apostrophes (already part of the word token).
func markQuotes(toks []token) {
	inDouble, inSingle := false, false
	for k := range toks {
		t := &toks[k]
		if t.kind != tPunct {
			t.quoted = inDouble || inSingle
			continue
		}
		if after, ok := DoubleQuote(t.text, inDouble); ok {
			inDouble = after
			t.quoted = true
			continue
		}
		switch t.text {
		case "‘":
			inSingle = true
			t.quoted = true
		case "'", "’":
			if inSingle {
				inSingle = false
				t.quoted = true
			} else if t.spaceAfter == false && (k == 0 || toks[k-1].spaceAfter || toks[k-1].kind == tPunct) &&
				k+1 < len(toks) && toks[k+1].kind != tPunct && hasClosingSingle(toks[k+1:]) {
				inSingle = true
				t.quoted = true
			} else if k > 0 && !toks[k-1].spaceAfter && toks[k-1].kind == tWord && strings.HasSuffix(toks[k-1].low, "s") {
				// engineers' laptop: plural possessive
				toks[k-1].poss = true
			}
		default:
			t.quoted = inDouble || inSingle
		}
	}
}

// hasClosingSingle reports whether a closing single quote follows at a word
// edge, so that a lone apostrophe ('90s) is not taken for an opening quote.
func hasClosingSingle(rest []token) bool {
	for k, t := range rest {
		if t.kind == tPunct && (t.text == "'" || t.text == "’") {
			return k > 0
		}
		if t.kind == tPunct && (t.text == "." || t.text == "!" || t.text == "?") && k+1 < len(rest) && rest[k+1].cap {
			return false
		}
	}
	return false
}

var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "mr": true, "mrs": true, "ms": true,
	"dr": true, "prof": true, "inc": true, "ltd": true, "co": true, "jr": true, "sr": true,
	"st": true, "approx": true, "no": true, "fig": true, "cf": true, "al": true, "a.m": true,
	"p.m": true, "u.s": true, "v": true, "ca": true, "est": true, "min": true, "max": true,
	"sec": true, "dept": true, "corp": true, "resp": true, "ref": true,
}

// sentences returns [from, to) token index ranges of the sentences in toks.
func sentences(toks []token, dst [][2]int) [][2]int {
	from := 0
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case ".", "!", "?", "…":
		default:
			continue
		}
		if t.text == "." && k > 0 {
			prev := toks[k-1]
			if prev.end == t.start && prev.kind == tWord && (abbreviations[prev.low] || (len(prev.text) == 1 && prev.cap)) {
				continue
			}
		}
		end := k + 1
		// absorb runs like "?!", "...", closing quotes and brackets
		for end < len(toks) && toks[end].kind == tPunct && toks[end].start == toks[end-1].end {
			switch toks[end].text {
			case ".", "!", "?", "…", "\"", "”", "’", "'", ")", "]", "»", "*", "_":
				end++
				continue
			}
			break
		}
		if end < len(toks) {
			n := toks[end]
			startsNew := n.cap || n.acronym || n.kind == tNum || n.kind == tHandle || n.kind == tPunct || n.low == "i"
			if !startsNew || !toks[end-1].spaceAfter {
				continue
			}
		}
		dst = append(dst, [2]int{from, end})
		from = end
		k = end - 1
	}
	if from < len(toks) {
		dst = append(dst, [2]int{from, len(toks)})
	}
	// The rules look around each word within its sentence, so a "sentence"
	// of a whole pasted log (no full stop in 200 000 words) would take
	// quadratic time: cut runs longer than any real sentence.
	for i := 0; i < len(dst); i++ {
		if r := dst[i]; r[1]-r[0] > maxSentenceTokens {
			dst = append(dst, [2]int{})
			copy(dst[i+2:], dst[i+1:])
			dst[i] = [2]int{r[0], r[0] + maxSentenceTokens}
			dst[i+1] = [2]int{r[0] + maxSentenceTokens, r[1]}
		}
	}
	return dst
}

// maxSentenceTokens bounds a sentence (words and punctuation); longer runs
// are judged in pieces.
const maxSentenceTokens = 200
