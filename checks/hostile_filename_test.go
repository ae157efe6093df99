package checks

import (
	"errors"
	"strings"
	"testing"
)

// Issue 13: the filename pattern is a template a stranger writes in
// .github/postmortem.yml, run in ParseConfig and on every job. A looping
// pattern took 40 s and 4.4 GB inside ParseConfig; each of these is now a
// *ConfigError at the filename line, found without running the loop.
func TestHostileFilenamePatterns(t *testing.T) {
	cases := map[string]struct{ pattern, want string }{
		"range over an integer": {`{{range 100000000}}{{end}}{{.Slug}}.md`, "range"},
		"range over the number": {`{{range .Number}}a{{end}}.md`, "range"},
		"range over a variable": {`{{$n := 50000000}}{{range $n}}{{end}}x.md`, "range"},
		"range over a string":   {`{{range .Title}}a{{end}}.md`, "range"},
		"recursion":             {`{{define "a"}}{{if lt (len .) 40}}{{template "a" (print . "x")}}{{template "a" (print . "x")}}{{end}}{{end}}{{template "a" ""}}.md`, "define"},
		"doubling":              {`{{$x := "aaaaaaaa"}}` + strings.Repeat(`{{$x = print $x $x}}`, 28) + `{{$x}}.md`, "limit"},
		"printf width":          {`{{printf "%0999999999d" 1}}.md`, "widths"},
		"long name":             {strings.Repeat(`{{.Title}}`, 2000) + `.md`, "limit"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := "incident_label: incident\nfilename: '" + c.pattern + "'\n"
			cfg, err := ParseConfig([]byte(src))
			if err == nil {
				t.Fatalf("accepted %q", cfg.Filename)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Line != 2 {
				t.Fatalf("%v: not a ConfigError at line 2", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v does not say %q", err, c.want)
			}
		})
	}
}

// Patterns people write still work, with the builtins they use.
func TestFilenamePatternsStillWork(t *testing.T) {
	data := FilenameData{Date: "2026-03-01", Year: "2026", Month: "03", Day: "01", Number: 42, Slug: "db-down", Title: "DB down"}
	for pattern, want := range map[string]string{
		DefaultFilename: "2026-03-01-42-db-down.md",
		"{{.Year}}/{{.Month}}/{{printf \"%05d\" .Number}}-{{.Slug}}.md": "2026/03/00042-db-down.md",
		"{{if .Slug}}{{.Slug}}{{else}}untitled{{end}}.md":               "db-down.md",
		"{{with .Slug}}{{.}}{{end}}-{{print .Number}}.md":               "db-down-42.md",
	} {
		c := DefaultConfig()
		c.Filename = pattern
		got, err := c.FileName(data)
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", pattern, got, err, want)
		}
	}
}

// Issue 13: drafts could be written under .github/workflows/, as
// .gitattributes, or under names with bidirectional overrides, through the
// directory or the filename pattern (a title included). Each is a
// *ConfigError at its line; a rendered file name is refused by FileName.
func TestDraftPathsConfined(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"workflows directory":  {"directory: .github/workflows/\n", "hidden"},
		"dot directory inside": {"directory: docs/.hidden/\n", "hidden"},
		"gitattributes":        {"directory: ''\nfilename: .gitattributes\n", "hidden"},
		"workflow by pattern":  {"filename: '../.github/workflows/{{.Slug}}.yml'\n", ".."},
		"dot file by pattern":  {"filename: '{{.Year}}/.{{.Slug}}.md'\n", "hidden"},
		"bidi override":        {"filename: \"{{.Slug}}\u202egpj.md\"\n", "U+202E"},
		"isolate":              {"directory: \"post\u2066mortems/\"\n", "U+2066"},
		"zero width":           {"directory: \"post\u200bmortems/\"\n", "U+200B"},
		"byte order mark":      {"filename: \"\ufeff{{.Slug}}.md\"\n", "U+FEFF"},
	} {
		t.Run(name, func(t *testing.T) {
			src := "incident_label: incident\n" + c.yaml
			cfg, err := ParseConfig([]byte(src))
			if err == nil {
				t.Fatalf("accepted directory %q, filename %q", cfg.Directory, cfg.Filename)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Line < 2 {
				t.Fatalf("%v: not a ConfigError at its line", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v does not say %q", err, c.want)
			}
		})
	}
	// A title rendered into the name is checked the same way.
	c := DefaultConfig()
	c.Filename = "{{.Title}}.md"
	for _, title := range []string{".github/workflows/ci", "invoice\u202efdp.exe", "a/.gitattributes", "x\u200dy"} {
		if got, err := c.FileName(FilenameData{Title: title, Slug: "x"}); err == nil {
			t.Errorf("title %q: file name %q accepted", title, got)
		}
	}
	for _, title := range []string{"DB down", "ünïcode 2026.03"} {
		if _, err := c.FileName(FilenameData{Title: title, Slug: "x"}); err != nil {
			t.Errorf("title %q refused: %v", title, err)
		}
	}
	if _, err := ParseConfig([]byte("directory: ./\n")); err != nil {
		t.Errorf("directory ./ refused: %v", err)
	}
}
