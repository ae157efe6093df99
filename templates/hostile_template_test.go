package templates

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/templates/safe"
)

// Issue 13: a repository template is a stranger's program. Each of these
// rendered (or ran) without bound before the restricted environment; each
// is now a clear error naming the line, before or while it runs.
func TestRenderHostileTemplates(t *testing.T) {
	inc := Incident{Title: "Checkout down", Number: 7, Labels: []string{"incident"}, Severity: "SEV2",
		Timeline: []TimelineEntry{{Time: time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC), Text: "paged"}}}
	cases := []struct {
		name, src string
		line      int
		want      string
	}{
		// The 56-byte template that rendered 1 GB (2.1 GB RSS).
		{"range over an integer", "## Summary\n{{range 1000000000}}TODO TODO TODO TODO{{end}}\n", 2, "range"},
		{"range over a variable", "{{$n := 100000000}}\n{{range $n}}x{{end}}", 2, "range"},
		{"range over a function's result", "{{range len .Title}}x{{end}}", 1, "range"},
		{"range over the issue number", "{{range .Number}}x{{end}}", 1, "range"},
		{"range over a string", "{{range .Title}}x{{end}}", 1, "range"},
		{"range over dot made an integer", "{{with 1000000}}{{range .}}x{{end}}{{end}}", 1, "range"},
		// 2^40 calls: a recursion that ends, but not in this life.
		{"recursion", `{{define "a"}}{{if lt (len .) 40}}{{template "a" (print . "x")}}{{template "a" (print . "x")}}{{end}}{{end}}{{template "a" ""}}`, 1, "define"},
		{"block", `{{block "a" .}}x{{end}}`, 1, "define"},
		// The 68-byte template that made the App commit a 30 MB postmortem,
		// and its kin: a string doubled by assignment, a huge printf width.
		{"doubling", "{{$x := \"TODO \"}}" + strings.Repeat("{{$x = print $x $x}}", 30) + "{{$x}}", 1, "limit"},
		{"printf width", "## Summary\n{{printf \"%0999999999d\" 0}}\n", 2, "widths"},
		{"printf star", "{{printf \"%*d\" 999999999 0}}", 1, "'*'"},
		{"huge output", strings.Repeat("{{.Title}}{{.Title}}{{.Title}}{{.Title}}\n", 10) + "{{range .Timeline}}" + strings.Repeat("x", 2<<20) + "{{end}}", 0, "limit"},
		{"nested ranges", "{{range .Timeline}}{{range $.Timeline}}{{range $.Timeline}}{{range $.Timeline}}x{{end}}{{end}}{{end}}{{end}}", 0, "work"},
	}
	many := inc
	for i := range 100 {
		many.Timeline = append(many.Timeline, TimelineEntry{Time: inc.Timeline[0].Time.Add(time.Duration(i) * time.Minute), Text: "x"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := inc
			if c.name == "nested ranges" {
				data = many
			}
			out, err := Render([]byte(c.src), data)
			if err == nil {
				t.Fatalf("rendered %d bytes", len(out))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if c.line > 0 && !strings.Contains(err.Error(), ":"+strconv.Itoa(c.line)+":") {
				t.Errorf("error %q does not name line %d", err, c.line)
			}
		})
	}
}

// The same template renders a small incident and refuses a huge one: the
// work bound follows the data.
func TestRenderWorkBoundFollowsData(t *testing.T) {
	src := []byte("{{range .Timeline}}{{range $.Timeline}}{{.Text}}{{end}}{{end}}")
	inc := Incident{}
	for i := range 10 {
		inc.Timeline = append(inc.Timeline, TimelineEntry{Time: time.Unix(int64(i+1)*60, 0), Text: "x"})
	}
	out, err := Render(src, inc)
	if err != nil || len(out) != 100 {
		t.Fatalf("10×10: %d bytes, %v", len(out), err)
	}
	for i := range 2000 {
		inc.Timeline = append(inc.Timeline, TimelineEntry{Time: time.Unix(int64(i+20)*60, 0), Text: "x"})
	}
	if _, err := Render(src, inc); !errors.Is(err, safe.ErrTooMuchWork) {
		t.Fatalf("2010×2010: %v", err)
	}
}

// Every preset renders a large incident well within the limits, and the
// restricted environment accepts what the presets and the docs use.
func TestPresetsWithinLimits(t *testing.T) {
	inc := Incident{Title: strings.Repeat("long title ", 50), Number: 123456, Labels: []string{"incident", "sev1"},
		Assignees: []string{"alice", "bob"}, CreatedAt: time.Unix(1e9, 0), ClosedAt: time.Unix(1e9+3600, 0)}
	for i := range 1000 {
		inc.Timeline = append(inc.Timeline, TimelineEntry{Time: time.Unix(1e9+int64(i), 0), Actor: "alice", Text: strings.Repeat("event text ", 10)})
	}
	for _, name := range Names() {
		src, _ := Preset(name)
		if _, err := Render(src, inc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, src := range []string{
		"{{with .Timeline}}{{range .}}{{.Text}}{{end}}{{end}}",
		"{{range $i, $e := .Timeline}}{{$i}} {{$e.Text}}{{end}}",
		"{{range .Labels}}{{.}}{{else}}none{{end}}",
		"{{printf \"%-10s|%05d\" .Title .Number}} {{print .Title}} {{.CreatedAt.Format \"2006\"}}",
		"{{if .Assignees}}{{range .Assignees}}{{mention .}}{{end}}{{end}}",
	} {
		if _, err := Render([]byte(src), inc); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}
