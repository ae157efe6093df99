package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBound: a body past the limit is cut at a line's end within it, says
// so, keeps its leading marker and re-adds the markers of the part cut; it
// is valid UTF-8, never ends inside an HTML comment and closes a fence.
func TestBound(t *testing.T) {
	const lead, tail = "<!-- postmortem:tracking incident=7 -->", "<!-- postmortem:unfiled=3 max=50 -->"
	row := "| ⬜ | #12 Harden the pipeline é | @alice | 2026-04-01 | open |\n"
	cases := map[string]string{
		"table":          lead + "\n" + strings.Repeat(row, 2000) + tail + "\n",
		"one long line":  lead + "\n" + strings.Repeat("é", MaxBody) + tail,
		"open comment":   lead + "\n" + strings.Repeat("x", MaxBody-3000) + "\n<!-- " + strings.Repeat("y", 5000) + " -->\n",
		"code fence":     lead + "\n```\n" + strings.Repeat("code line\n", 10000) + "```\n",
		"within the cap": lead + "\nshort\n",
	}
	for name, body := range cases {
		got := Bound(body, MaxBody)
		if len(got) > MaxBody || !utf8.ValidString(got) || !strings.HasPrefix(got, lead) {
			t.Errorf("%s: %d bytes, valid %v, lead kept %v", name, len(got), utf8.ValidString(got), strings.HasPrefix(got, lead))
		}
		if name == "within the cap" {
			if got != body {
				t.Errorf("%s: changed", name)
			}
			continue
		}
		if !strings.Contains(got, "cut here") {
			t.Errorf("%s: no note", name)
		}
		if strings.Contains(body, tail) && !strings.Contains(got, tail) {
			t.Errorf("%s: the unfiled marker was lost", name)
		}
		before, _, _ := strings.Cut(got, "\n\n*…cut here")
		if i := strings.LastIndex(before, "<!--"); i >= 0 && !strings.Contains(before[i:], "-->") {
			t.Errorf("%s: cut inside an HTML comment", name)
		}
		if strings.Count(before, "```")%2 != 0 {
			t.Errorf("%s: a code fence left open", name)
		}
	}
}
