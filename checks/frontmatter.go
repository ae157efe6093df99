package checks

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FrontMatter is the YAML block fenced by "---" lines at the very top.
type FrontMatter struct {
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
	// Node is the YAML node of the value, with file line numbers.
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
func (d *Document) parseFrontMatter(start int, md []byte) {
	src := d.Source
	nl := bytes.IndexByte(src[start:], '\n')
	if nl < 0 || !fenceLine(src[start:start+nl], "---") {
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
		if fenceLine(line, "---") || fenceLine(line, "...") {
			yamlEnd = pos
			end = min(next, len(src))
			break
		}
		pos = next
	}
	if yamlEnd < 0 {
		d.Problems = append(d.Problems, Problem{Line: 1, Col: 1,
			Message: "front matter opened with --- on line 1 is never closed; add a line with --- after the last field"})
		return
	}
	fm := &FrontMatter{Start: start, End: end}
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
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := firstLine
		if m := yamlErrLine.FindStringSubmatchIndex(msg); m != nil {
			if n, err := strconv.Atoi(msg[m[2]:m[3]]); err == nil {
				line = n + lineOff
				msg = strings.TrimSpace(strings.TrimPrefix(msg[:m[0]]+msg[m[1]:], ":"))
				msg = strings.TrimPrefix(msg, ": ")
			}
		}
		d.Problems = append(d.Problems, Problem{Line: line, Col: 1,
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
