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
