package checks

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	yaml "go.yaml.in/yaml/v3"
)

// FrontMatter is the block at the very top of the file: YAML fenced by
// "---" lines (Jekyll, MkDocs, the App's drafts) or TOML fenced by "+++"
// lines (Hugo, Zola).
type FrontMatter struct {
	// Format is "yaml" or "toml".
	Format string
	// Fields in the order they are written.
	Fields []Field
	// Line and EndLine are the lines of the opening and closing fences.
	Line, EndLine int
	// Start and End are the byte range of the whole block, fences included.
	Start, End int
}

// Field is one top-level key of the front matter.
type Field struct {
	Key string
	// Raw is the value as written for scalars (without quotes) and the source
	// text for lists and maps.
	Raw string
	// Value is the typed value as YAML decodes it (string, int, bool,
	// float64, time.Time, []any, map[string]any or nil).
	Value any
	// Null is true when the key has no value at all ("started_at:").
	Null bool
	// Line and Col locate the key; ValueLine and ValueCol the value (the key's
	// position when the value is empty).
	Line, Col           int
	ValueLine, ValueCol int
	// Comment is the YAML comment on the key's line, without "#".
	Comment string
	// Node is the YAML node of the value, with file line numbers; nil in
	// TOML front matter.
	Node *yaml.Node
}

// Get returns the field with the key (case-sensitive) or nil.
func (fm *FrontMatter) Get(key string) *Field {
	if fm == nil {
		return nil
	}
	for i := range fm.Fields {
		if fm.Fields[i].Key == key {
			return &fm.Fields[i]
		}
	}
	return nil
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

// fenceLine reports whether line (without newline) is the fence s, allowing
// trailing white space and a carriage return.
func fenceLine(line []byte, s string) bool {
	return string(bytes.TrimRight(line, " \t\r")) == s
}

// parseFrontMatter finds the front matter at start, records it in d, and
// blanks it in md (keeping newlines) so Markdown parsing ignores it.
// maxFrontMatterBytes bounds the front matter read: a YAML node costs
// about 200 bytes, so a megabyte of keys held 90 MB and took a second.
// Real front matter is a few hundred bytes.
const maxFrontMatterBytes = 64 << 10

func (d *Document) parseFrontMatter(start int, md []byte) {
	src := d.Source
	nl := bytes.IndexByte(src[start:], '\n')
	if nl < 0 {
		return
	}
	fence := "---"
	switch {
	case fenceLine(src[start:start+nl], "---"):
	case fenceLine(src[start:start+nl], "+++"):
		fence = "+++"
	default:
		return
	}
	yamlStart := start + nl + 1
	pos := yamlStart
	yamlEnd, end := -1, -1
	for pos <= len(src) {
		e := bytes.IndexByte(src[pos:], '\n')
		lineEnd := len(src)
		next := len(src) + 1
		if e >= 0 {
			lineEnd = pos + e
			next = lineEnd + 1
		}
		line := src[pos:lineEnd]
		if fenceLine(line, fence) || (fence == "---" && fenceLine(line, "...")) {
			yamlEnd = pos
			end = min(next, len(src))
			break
		}
		pos = next
	}
	if yamlEnd < 0 {
		d.Problems = append(d.Problems, Problem{Line: 1, Col: 1,
			Message: fmt.Sprintf("front matter opened with %s on line 1 is never closed; add a line with %s after the last field", fence, fence)})
		return
	}
	fm := &FrontMatter{Start: start, End: end, Format: "yaml"}
	fm.Line, _ = d.Position(start)
	fm.EndLine, _ = d.Position(yamlEnd)
	d.FrontMatter = fm
	for i := start; i < end; i++ {
		if md[i] != '\n' {
			md[i] = ' '
		}
	}
	firstLine, _ := d.Position(yamlStart)
	lineOff := firstLine - 1
	body := src[yamlStart:yamlEnd]
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	if len(body) > maxFrontMatterBytes {
		d.Problems = append(d.Problems, Problem{Line: firstLine, Col: 1,
			Message: fmt.Sprintf("front matter is %d bytes, more than the %d KB read: it is not read; keep it to the fields the template asks for", len(body), maxFrontMatterBytes>>10)})
		return
	}
	if fence == "+++" {
		fm.Format = "toml"
		d.parseTOML(fm, body, yamlStart, lineOff)
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		line, msg := YAMLErrorLine(body, err)
		if line == 0 {
			line = 1
		}
		d.Problems = append(d.Problems, Problem{Line: line + lineOff, Col: 1,
			Message: "front matter is not valid YAML: " + msg})
		return
	}
	shift(&doc, lineOff)
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		d.Problems = append(d.Problems, Problem{Line: top.Line, Col: top.Column,
			Message: "front matter must be a list of key: value fields"})
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		f := Field{Key: k.Value, Line: k.Line, Col: k.Column, ValueLine: v.Line, ValueCol: v.Column, Node: v}
		if prev, dup := seen[k.Value]; dup {
			d.Problems = append(d.Problems, Problem{Line: k.Line, Col: k.Column,
				Message: fmt.Sprintf("front matter key %q is repeated (first on line %d); keep one", k.Value, prev)})
			continue
		}
		seen[k.Value] = k.Line
		f.Comment = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(k.LineComment+" "+v.LineComment), "#"))
		switch v.Kind {
		case yaml.ScalarNode:
			f.Raw = v.Value
			f.Null = v.Tag == "!!null" && (v.Value == "" || v.Value == "~" || v.Value == "null")
		default:
			f.Raw = d.yamlSource(v)
		}
		if f.Null {
			f.ValueLine, f.ValueCol = k.Line, k.Column
		}
		var val any
		if err := v.Decode(&val); err == nil {
			f.Value = val
		} else {
			// yaml.v3 refuses aliases that expand too far ("billion laughs")
			d.Problems = append(d.Problems, Problem{Line: v.Line, Col: v.Column,
				Message: fmt.Sprintf("front matter field %q cannot be read: %s", k.Value, strings.TrimPrefix(err.Error(), "yaml: "))})
		}
		fm.Fields = append(fm.Fields, f)
	}
}

// yamlSource returns the source text of a non-scalar node: from its first
// line to the line before the next key, trimmed.
func (d *Document) yamlSource(v *yaml.Node) string {
	last := v.Line
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line > last {
			last = n.Line
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(v)
	var lines []string
	for l := v.Line; l <= last; l++ {
		lines = append(lines, d.Line(l))
	}
	s := strings.Join(lines, "\n")
	if len(lines) > 0 {
		first := d.Line(v.Line)
		if v.Column-1 <= len(first) {
			s = strings.Join(append([]string{first[v.Column-1:]}, lines[1:]...), "\n")
		}
	}
	return strings.TrimSpace(s)
}

func shift(n *yaml.Node, lines int) {
	if n.Line > 0 {
		n.Line += lines
	}
	for _, c := range n.Content {
		shift(c, lines)
	}
}

// YAMLErrorLine finds the line (1-based, in data; 0 when unknown) of the
// problem behind a yaml.v3 parse error of data, and the error's message
// without its "yaml: line N:" prefix. yaml.v3 reports some errors where it
// noticed them, which can be lines later (an unclosed quote at the end of
// the text, a key without a colon at the next key or at the end): the line
// is the first one (not blank, not a comment) after the longest prefix of
// whole lines that parses. Texts of more than
// 256 lines or 64 KB keep the reported line (each prefix is parsed once: the work is
// quadratic in the lines).
func YAMLErrorLine(data []byte, err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlErrLine.FindStringSubmatchIndex(msg); m != nil {
		if n, err := strconv.Atoi(msg[m[2]:m[3]]); err == nil {
			line = n
			msg = strings.TrimSpace(strings.TrimPrefix(msg[:m[0]]+msg[m[1]:], ":"))
			msg = strings.TrimPrefix(msg, ": ")
		}
	}
	starts := lineStarts(data)
	if len(starts) > 256 || len(data) > 64<<10 {
		return line, msg
	}
	good := 0 // lines in the longest parsing prefix
	for n := 1; n <= len(starts); n++ {
		end := len(data)
		if n < len(starts) {
			end = starts[n]
		}
		var v yaml.Node
		if yaml.Unmarshal(data[:end], &v) == nil {
			good = n
		}
		if end == len(data) {
			break
		}
	}
	// the first non-blank line after the good prefix
	bad := good + 1
	for bad <= len(starts) {
		s, e := starts[bad-1], len(data)
		if bad < len(starts) {
			e = starts[bad]
		}
		if t := bytes.TrimSpace(data[s:e]); len(t) > 0 && t[0] != '#' {
			break
		}
		bad++
	}
	if bad > len(starts) {
		return line, msg
	}
	return bad, msg
}

// tomlKey is a top-level "key = value" line of TOML front matter.
var tomlKey = regexp.MustCompile(`^[ \t]*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))[ \t]*=[ \t]*`)

// parseTOML reads TOML front matter with go-toml and locates each top-level
// key and value by its line (go-toml's decoded values carry no positions).
func (d *Document) parseTOML(fm *FrontMatter, body []byte, bodyStart, lineOff int) {
	var values map[string]any
	if err := toml.Unmarshal(body, &values); err != nil {
		line := 1
		msg := err.Error()
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ = de.Position()
			msg = de.Error()
		}
		d.Problems = append(d.Problems, Problem{Line: line + lineOff, Col: 1,
			Message: "front matter is not valid TOML: " + strings.TrimPrefix(msg, "toml: ")})
		return
	}
	starts := lineStarts(body)
	for i := range starts {
		end := len(body)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		text := strings.TrimRight(string(body[starts[i]:end]), "\r\n")
		if t := strings.TrimSpace(text); strings.HasPrefix(t, "[") {
			break // a table: the top-level keys are above it
		}
		m := tomlKey.FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		key := sub(text, m, 2) + sub(text, m, 4) + sub(text, m, 6)
		v, ok := values[key]
		if !ok {
			continue
		}
		line := i + 1 + lineOff
		rawText := strings.TrimSpace(stripTOMLComment(text[m[1]:]))
		f := Field{Key: key, Value: v, Line: line, Col: 1 + leadingSpace(text), ValueLine: line, ValueCol: m[1] + 1}
		if v := stripTOMLComment(text[m[1]:]); len(v) < len(text[m[1]:]) {
			f.Comment = strings.TrimSpace(text[m[1]+len(v)+1:])
		}
		switch x := v.(type) {
		case string:
			f.Raw = x
			if strings.HasPrefix(rawText, "\"") || strings.HasPrefix(rawText, "'") {
				f.ValueCol++
			}
		default:
			f.Raw = rawText
		}
		fm.Fields = append(fm.Fields, f)
	}
}

func sub(s string, m []int, i int) string {
	if m[i] < 0 {
		return ""
	}
	return s[m[i]:m[i+1]]
}

func leadingSpace(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

// stripTOMLComment cuts a "# comment" that is outside quotes.
func stripTOMLComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q != 0 && c == q:
			q = 0
		case q != 0 && c == '\\' && q == '"':
			i++
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case q == 0 && c == '#':
			return s[:i]
		}
	}
	return s
}
