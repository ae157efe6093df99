package checks

import (
	"errors"
	"strings"
	"testing"
)

// Hostile or broken configuration files: each is a *ConfigError naming the
// line, never a panic and never an accepted path outside the repository.
func TestHostileConfigs(t *testing.T) {
	cases := map[string]struct {
		src  string
		line int
		want string
	}{
		"unknown key":              {"incident_label: outage\ncolour: red\n", 2, "colour"},
		"unknown nested key":       {"blameless:\n  phrase: [x]\n", 2, "phrase"},
		"wrong type (list)":        {"incident_label: [a, b]\n", 1, "incident_label"},
		"wrong type (map)":         {"severities: {a: 1}\n", 1, "severities"},
		"wrong type (bool)":        {"close_incident: sometimes\n", 1, "close_incident"},
		"template traversal":       {"template: ../../etc/passwd\n", 1, ".."},
		"template absolute":        {"template: /etc/passwd\n", 1, "relative"},
		"template windows":         {"template: 'C:\\Windows\\win.ini'\n", 1, "relative"},
		"template backslashes":     {"template: '..\\..\\etc\\passwd'\n", 1, ".."},
		"template control char":    {"template: \"a\\u0007b.md\"\n", 1, "control"},
		"directory traversal":      {"directory: docs/../../..\n", 1, ".."},
		"directory .git":           {"directory: .git/hooks\n", 1, ".git"},
		"filename traversal":       {"filename: \"../{{.Slug}}.md\"\n", 1, ".."},
		"filename bad template":    {"filename: \"{{.Nope}}.md\"\n", 1, "filename"},
		"filename unclosed":        {"filename: \"{{.Slug\"\n", 1, "filename"},
		"not a mapping":            {"- a\n- b\n", 1, ""},
		"scalar document":          {"just text\n", 1, ""},
		"broken yaml":              {"incident_label: \"open\n", 0, ""},
		"tabs":                     {"blameless:\n\tphrases: [x]\n", 2, ""},
		"binary":                   {"\x00\x01\x02\xff\xfe", 0, ""},
		"anchors and aliases":      {"a: &a [x]\nincident_label: *a\n", 0, ""},
		"two documents":            {"incident_label: a\n---\nincident_label: b\n", 0, ""},
		"empty label":              {"incident_label: \"  \"\n", 1, "incident_label"},
		"severity twice":           {"severities: [SEV1, sev1]\n", 1, "twice"},
		"unknown rule":             {"completeness:\n  rules:\n    no-such-rule: off\n", 3, "no-such-rule"},
		"bad severity":             {"blameless:\n  rules:\n    judgmental: loud\n", 3, "loud"},
		"huge phrase list":         {"blameless:\n  phrases: [" + strings.Repeat("\"\", ", 1000) + "\"\"]\n", 2, "empty"},
		"billion laughs (aliases)": {laughs, 0, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(c.src))
			if err == nil {
				t.Fatalf("accepted: %+v", cfg)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *ConfigError", err, err)
			}
			if c.line > 0 && ce.Line != c.line {
				t.Errorf("line %d, want %d (%v)", ce.Line, c.line, err)
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// laughs expands to a billion elements if aliases are followed naively.
const laughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
blameless:
  phrases: *i
`

// A huge but valid file parses (the App caps what it reads, not this).
func TestHugeConfigParses(t *testing.T) {
	var b strings.Builder
	b.WriteString("blameless:\n  phrases:\n")
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("    - \"phrase number " + strings.Repeat("x", i%50) + "\"\n")
	}
	if _, err := ParseConfig([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

// The filename pattern over hostile titles: a clean relative path or an
// error, never control characters, ".." or a .git directory.
func TestFileNameHostileTitles(t *testing.T) {
	c := DefaultConfig()
	c.Filename = "{{.Title}}.md"
	for _, title := range []string{"../../etc/passwd", "a/../../b", "x\x00y", "bell\x07", "esc\x1b[0m", "tab\tx", "/abs", `..\..\x`,
		".git/config", "a/.GIT/b", "nbsp\u0085x", "ok title"} {
		name, err := c.FileName(FilenameData{Title: title, Slug: "x", Number: 1})
		if err != nil {
			continue
		}
		if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x85 }) ||
			strings.HasPrefix(name, "/") || strings.Contains("/"+name+"/", "/../") || strings.Contains(strings.ToLower("/"+name+"/"), "/.git/") {
			t.Errorf("FileName(%q) = %q", title, name)
		}
	}
	if name, err := c.FileName(FilenameData{Title: "ok title"}); err != nil || name != "ok title.md" {
		t.Errorf("plain title: %q %v", name, err)
	}
}
