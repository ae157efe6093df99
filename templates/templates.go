// Package templates holds the embedded postmortem templates and renders them
// for an incident.
//
// A template is Go text/template source producing Markdown with YAML front
// matter. The schema conventions the checks derive from a template are:
//
//   - every "##" (or deeper) heading is a required section unless its line
//     ends with "<!-- optional -->";
//   - every front matter key is required unless its line carries the YAML
//     comment "# optional";
//   - guidance for authors lives in HTML comments;
//   - placeholders are the uppercase tokens TODO and TBD: a blank render has
//     one in each required section and each required field.
//
// Rendering is safe for hostile incident data: values reach the template
// through a view whose text fields print as escaped single-line Markdown, and
// the funcs below quote values for YAML. Template funcs:
//
//	md X         X as inline Markdown: one line, Markdown/HTML metacharacters escaped
//	yaml X       X as a YAML scalar: a double-quoted string, a number, a flow sequence of strings
//	date T       "2006-01-02 15:04 UTC", or "" for the zero time
//	rfc3339 T    "2006-01-02T15:04:05Z", or "" for the zero time
//	mention L    "@login" for a valid GitHub login, else the escaped text
//	link U       U if it is an absolute http(s) URL, made safe inside "(...)"; else ""
//	default D X  X, or D when X is empty
//	placeholder H  "TODO: H" (H escaped)
//	join SEP XS  the escaped items joined by SEP
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/postmortem-app/postmortem/templates/safe"
)

//go:embed presets/*.md
var presets embed.FS

// DefaultPreset is the name of the preset used when nothing else is configured.
const DefaultPreset = "default"

// Incident is what the App knows about an incident when it drafts a
// postmortem. Zero values mean unknown.
type Incident struct {
	Title      string
	Number     int
	URL        string
	Repository string // owner/name
	Labels     []string
	Severity   string // e.g. "SEV2"
	CreatedAt  time.Time
	ClosedAt   time.Time
	Assignees  []string // GitHub logins
	Timeline   []TimelineEntry
}

// TimelineEntry is one event of the incident's history.
type TimelineEntry struct {
	Time  time.Time
	Text  string
	Actor string // GitHub login, optional
	URL   string // optional
}

// Names lists the embedded presets, sorted.
func Names() []string {
	entries, err := fs.ReadDir(presets, "presets")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			names = append(names, strings.TrimSuffix(e.Name(), ".md"))
		}
	}
	sort.Strings(names)
	return names
}

// Preset returns the source of the named embedded template.
func Preset(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	b, err := presets.ReadFile(path.Join("presets", name+".md"))
	if err != nil {
		return nil, false
	}
	return b, true
}

// Text is incident-supplied text. Printed by a template ({{.Title}}), it
// comes out as escaped single-line Markdown; the yaml func quotes the raw
// value instead.
type Text string

// String returns the text as safe inline Markdown.
func (t Text) String() string { return Markdown(string(t)) }

// View is the data a template sees: the incident with text fields typed as
// Text so that printing them is safe by default.
type View struct {
	Title      Text
	Number     int
	URL        string // sanitized: absolute http(s) or empty
	Repository Text
	Labels     []Text
	Severity   Text
	CreatedAt  time.Time
	ClosedAt   time.Time
	Assignees  []Text
	Timeline   []EntryView // sorted by time, entries without a time dropped
}

// EntryView is a timeline entry as a template sees it.
type EntryView struct {
	Time  time.Time
	Text  Text
	Actor Text
	URL   string // sanitized
}

func newView(inc Incident) View {
	v := View{
		Title:      Text(inc.Title),
		Number:     inc.Number,
		URL:        safeURL(inc.URL),
		Repository: Text(inc.Repository),
		Severity:   Text(inc.Severity),
		CreatedAt:  inc.CreatedAt.UTC(),
		ClosedAt:   inc.ClosedAt.UTC(),
	}
	if inc.CreatedAt.IsZero() {
		v.CreatedAt = time.Time{}
	}
	if inc.ClosedAt.IsZero() {
		v.ClosedAt = time.Time{}
	}
	for _, l := range inc.Labels {
		v.Labels = append(v.Labels, Text(l))
	}
	for _, a := range inc.Assignees {
		v.Assignees = append(v.Assignees, Text(a))
	}
	for _, e := range inc.Timeline {
		if e.Time.IsZero() {
			continue
		}
		v.Timeline = append(v.Timeline, EntryView{Time: e.Time.UTC(), Text: Text(e.Text), Actor: Text(e.Actor), URL: safeURL(e.URL)})
	}
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].Time.Before(v.Timeline[j].Time) })
	return v
}

// Funcs are the template funcs available to every template.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"md":          func(x any) string { return Markdown(plain(x)) },
		"yaml":        yamlValue,
		"date":        func(t time.Time) string { return formatTime(t, "2006-01-02 15:04 UTC") },
		"rfc3339":     func(t time.Time) string { return formatTime(t, time.RFC3339) },
		"mention":     mention,
		"link":        func(x any) string { return safeURL(plain(x)) },
		"default":     defaultValue,
		"placeholder": func(hint any) string { return "TODO: " + Markdown(plain(hint)) },
		"join":        join,
	}
}

// Limits bound the rendering of a template (see package safe): a team's
// template is a stranger's program to the App.
var Limits = safe.Limits{
	// MaxOutput: a postmortem of a megabyte is already far past any real
	// one, and the largest the checks are measured on.
	MaxOutput: 1 << 20,
	// MaxSteps: the presets take a few hundred steps per timeline entry.
	MaxSteps: 2_000_000,
	Timeout:  2 * time.Second,
}

// Render executes a template for an incident. tmpl may be an embedded preset
// (see Preset) or a team's own template read from a file. It runs in a
// restricted environment (package safe, within Limits): range only over the
// incident's lists, no {{template}} or {{define}}, output and work capped.
func Render(tmpl []byte, inc Incident) ([]byte, error) {
	t, err := safe.Parse("postmortem", string(tmpl), Funcs(), reflect.TypeFor[View]())
	if err != nil {
		return nil, err
	}
	return t.Execute(newView(inc), Limits)
}

func formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(layout)
}

// plain turns a template value into its raw string (Text unescaped).
func plain(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case Text:
		return string(v)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

func isEmpty(x any) bool {
	if x == nil {
		return true
	}
	if t, ok := x.(time.Time); ok {
		return t.IsZero()
	}
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func defaultValue(def, x any) any {
	if isEmpty(x) {
		return def
	}
	return x
}

func join(sep string, xs any) string {
	v := reflect.ValueOf(xs)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return Markdown(plain(xs))
	}
	parts := make([]string, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		parts = append(parts, Markdown(plain(v.Index(i).Interface())))
	}
	return strings.Join(parts, sep)
}

var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}(?:\[bot\])?$`)

// mention renders a GitHub login as "@login"; anything that is not a valid
// login is escaped text without the @.
func mention(x any) string {
	s := plain(x)
	if s == "" {
		return ""
	}
	if loginRE.MatchString(s) {
		return "@" + strings.ReplaceAll(strings.ReplaceAll(s, "[", `\[`), "]", `\]`)
	}
	return Markdown(s)
}

// safeURL keeps only absolute http(s) URLs and percent-encodes what could end
// a Markdown link destination or break a line.
func safeURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	out := u.String()
	var b strings.Builder
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == '\\' || c == '`' || c == '[' || c == ']':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dropRune reports runes removed from Markdown output: bidirectional
// overrides and isolates (which can make text read differently from how it
// parses), and other invisible format characters except ZWJ/ZWNJ.
func dropRune(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF, r == 0x200B:
		return true
	}
	return false
}

// Markdown returns s as a single line of inline Markdown that renders as
// the literal text: line breaks and control characters become spaces, runs
// of whitespace collapse, invalid UTF-8 becomes U+FFFD, and every character
// that could start Markdown or HTML syntax is escaped: "<", ">" and "&" as
// entities (so the output never contains "<!--" or "-->", even for naive
// scanners), the rest with a backslash (backticks, "#", "[x](y)", "|", ...).
func Markdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			r = unicode.ReplacementChar
		}
		if dropRune(r) {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == 0x2028 || r == 0x2029 {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch r {
		case '<':
			b.WriteString("&lt;")
			continue
		case '>':
			b.WriteString("&gt;")
			continue
		case '&':
			b.WriteString("&amp;")
			continue
		}
		if r < 0x80 && needsEscape(r, b.String()) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsEscape reports whether an ASCII character must be backslash-escaped
// given the text already written on the line: inline syntax always, block
// markers only where they would start a block.
func needsEscape(r rune, before string) bool {
	switch r {
	case '\\', '`', '*', '_', '[', ']', '#', '|', '~', '!', '{', '}', '$', '^':
		return true
	case '-', '+', '=':
		// list items, setext underlines, thematic breaks at line start.
		return before == ""
	case '.', ')':
		// "1." / "1)" ordered list markers at line start.
		return before != "" && strings.Trim(before, "0123456789") == ""
	}
	return false
}

// yamlValue renders x as a YAML flow value safe on one line: strings as
// double-quoted scalars with every non-printable or line-breaking character
// escaped, numbers as numbers, times as RFC 3339, slices as flow sequences.
func yamlValue(x any) string {
	switch v := x.(type) {
	case nil:
		return `""`
	case string:
		return YAMLQuote(v)
	case Text:
		return YAMLQuote(string(v))
	case time.Time:
		if v.IsZero() {
			return `""`
		}
		return v.UTC().Format(time.RFC3339)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		parts := make([]string, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			parts = append(parts, yamlValue(rv.Index(i).Interface()))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return YAMLQuote(plain(x))
}

// YAMLQuote returns s as a YAML double-quoted scalar on a single line.
func YAMLQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			b.WriteString(`\uFFFD`)
			continue
		}
		switch r {
		case '<', '>':
			// Keep "<!--" and "-->" out of the file even inside YAML, for
			// tools that look for HTML comments with a plain search.
			if (r == '<' && strings.HasPrefix(s[i:], "!")) || (r == '>' && strings.HasSuffix(s[:i-size], "--")) {
				fmt.Fprintf(&b, `\x%02X`, r)
			} else {
				b.WriteRune(r)
			}
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			switch {
			case r == ' ' || (unicode.IsPrint(r) && r != 0xFEFF && !dropRune(r)):
				b.WriteRune(r)
			case r <= 0xFFFF:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
