package checks

import (
	"flag"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	f.Add(mustReadNoT("testdata/complete.md"))
	f.Add(mustReadNoT("testdata/blameful.md"))
	f.Add(DefaultTemplate())
	f.Add([]byte(smallTemplate))
	f.Add([]byte("\xef\xbb\xbf---\r\nseverity: SEV1\r\n---\r\n# T\r\n## Timeline\r\n- 14:02 — x\r\n"))
	f.Add([]byte("---\n"))
	f.Add([]byte("---\na: [\n---\n"))
	f.Add([]byte("## Follow-ups\n- [ ] a @b due 2026-02-30 P1 #x\n| Action | Owner |\n|---|---|\n| x | @y |\n"))
	f.Add([]byte("<!-- postmortem-disable -->\n## Summary\nTODO <x>\n"))
}

// checkFindings asserts the invariants every finding keeps.
func checkFindings(t *testing.T, d *Document, fs []Finding) {
	t.Helper()
	n := d.LineCount()
	for i, f := range fs {
		if f.Line < 1 || f.Line > n || f.EndLine < f.Line || f.EndLine > n || f.Column < 1 || f.EndColumn < 1 ||
			(f.EndLine == f.Line && f.EndColumn < f.Column) {
			t.Fatalf("finding out of range (lines=%d): %+v", n, f)
		}
		if f.Rule == "" || f.Message == "" || (f.Severity != SeverityError && f.Severity != SeverityWarning && f.Severity != SeverityNotice) {
			t.Fatalf("incomplete finding %+v", f)
		}
		if i > 0 && (fs[i-1].Line > f.Line || fs[i-1].Line == f.Line && fs[i-1].Column > f.Column) {
			t.Fatalf("findings not sorted: %+v then %+v", fs[i-1], f)
		}
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		d := Parse(src)
		for _, p := range d.Prose() {
			if utf8.ValidString(string(src)) && !utf8.ValidString(p.Text) {
				// Blanking is byte-wise inside kept runs only; it must not
				// split characters of valid input.
				t.Fatalf("prose is not valid UTF-8: %q", p.Text)
			}
			for i := 0; i < len(p.Text); i++ {
				if c := p.Text[i]; c != ' ' && c != '\n' {
					if off := p.FileOffset(i); off < 0 || off >= len(src) || src[off] != c {
						t.Fatalf("prose byte %d does not map back", i)
					}
				}
			}
		}
		for _, s := range d.AllSections() {
			if s.Line < 1 || s.Line > d.LineCount() || s.BodyEndLine > d.LineCount() {
				t.Fatalf("section out of range %+v", s.Heading)
			}
		}
		for _, e := range d.Timeline {
			if e.Offset < 0 || e.End > len(src) || e.End <= e.Offset {
				t.Fatalf("timeline entry span %+v", e)
			}
		}
		for _, a := range d.ActionItems {
			if a.Line < 1 || a.Line > d.LineCount() {
				t.Fatalf("action item %+v", a)
			}
		}
	})
}

// Per input, FuzzLint fails an input whose lint allocates more than
// fuzzAllocBase + fuzzAllocPerByte bytes per input byte (the crafted
// constructs of hostileConstructs allocate at most 623 KB at 1 KB and 334
// bytes per byte at 16-256 KB: a third of the limit or less) and, while
// fuzzing (not when the seed corpus runs in go test), one that takes longer
// than fuzzTimeBase + fuzzTimePerByte per byte of wall time.
const (
	fuzzAllocBase    = 4 << 20
	fuzzAllocPerByte = 1024
	fuzzTimeBase     = 2 * time.Second
	fuzzTimePerByte  = 10 * time.Microsecond
)

func FuzzLint(f *testing.F) {
	addSeeds(f)
	// Every crafted construct, small, for the fuzzer to grow and mix.
	for _, c := range hostileConstructs {
		f.Add(hostileDoc(c, 2<<10))
	}
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	f.Fuzz(func(t *testing.T, src []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := time.Now()
		d := Parse(src)
		fs := LintDocument(d, Options{RequireDueDates: true})
		took := time.Since(start)
		runtime.ReadMemStats(&m1)
		if alloc, limit := m1.TotalAlloc-m0.TotalAlloc, uint64(fuzzAllocBase+fuzzAllocPerByte*len(src)); alloc > limit {
			t.Fatalf("%d bytes allocated for %d bytes of input (limit %d)", alloc, len(src), limit)
		}
		if limit := fuzzTimeBase + time.Duration(len(src))*fuzzTimePerByte; fuzzing && took > limit {
			t.Fatalf("%v for %d bytes of input (limit %v)", took, len(src), limit)
		}
		checkFindings(t, d, fs)
		for _, x := range fs {
			if x.Replacement != "" {
				start, end := d.Offset(x.Line, x.Column), d.Offset(x.EndLine, x.EndColumn)
				if end < start {
					t.Fatalf("replacement span reversed %+v", x)
				}
			}
		}
	})
}

func FuzzTimeline(f *testing.F) {
	for _, s := range []string{"2026-03-01 14:02 UTC — x", "2026-03-01T14:02:00Z: x", "14:02", "**14:02** | x", "Mar 1 14:02 — x",
		"2:02 PM PDT - x", "2026-03-01 14:02 Europe/Berlin x", "12:00 AM", "2026-02-29 10:00", "Sept 31 1:00"} {
		f.Add(s, "2026-03-01 13:00 UTC", "Europe/Berlin")
	}
	f.Fuzz(func(t *testing.T, entry, started, tz string) {
		if strings.ContainsAny(started+tz, "\n\r") {
			return
		}
		src := "---\nstarted_at: \"" + strings.ReplaceAll(started, `"`, "") + "\"\ntimezone: \"" + strings.ReplaceAll(tz, `"`, "") + "\"\n---\n## Timeline\n\n- " + entry + "\n- " + entry + "\n"
		d := Parse([]byte(src))
		for _, e := range d.Timeline {
			if e.Text != strings.TrimSpace(e.Text) || e.Line < 1 {
				t.Fatalf("entry %+v", e)
			}
			if e.HasDate && e.Dated && e.Time.Year() < 1000 {
				t.Fatalf("dated entry without a real date %+v", e)
			}
		}
		if st, ok := scanStamp(entry); ok && (st.end > len(entry) || st.hour > 23 || st.min > 59) {
			t.Fatalf("scanStamp(%q) = %+v", entry, st)
		}
		checkFindings(t, d, LintDocument(d, Options{}))
	})
}

func FuzzActionItem(f *testing.F) {
	for _, s := range []string{"[ ] Add alert (owner: @alice, due: 2026-04-01, priority: P1) #ops", "[x] x @org/team due 2026-13-01",
		"[ ] mail a@b.co #1 https://x/#y", "[ ] (", "[ ] @", "[ ] due: 2026-1-1 P0 [P3]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, item string) {
		d := Parse([]byte("## Follow-ups\n\n- " + item + "\n"))
		for _, a := range d.ActionItems {
			if a.Title != strings.TrimSpace(a.Title) || (a.Owner == "") != (len(a.Owners) == 0) {
				t.Fatalf("item %+v", a)
			}
			for _, o := range a.Owners {
				if !strings.HasPrefix(o, "@") || len(o) < 2 {
					t.Fatalf("owner %q", o)
				}
			}
			if a.Priority != "" && (len(a.Priority) != 2 || a.Priority[0] != 'P') {
				t.Fatalf("priority %q", a.Priority)
			}
			if a.HasDue && a.DueRaw == "" {
				t.Fatalf("due without raw %+v", a)
			}
		}
		var a ActionItem
		parseActionText(item, &a)
	})
}

func FuzzConfig(f *testing.F) {
	f.Add([]byte("incident_label: outage\nseverities: [P1]\ncompleteness:\n  rules:\n    placeholder: off\n"))
	f.Add([]byte("blameless:\n  phrases: [x]\n  allow: [y]\nfollow_ups:\n  labels: [a]\n"))
	f.Add([]byte("filename: \"{{.Slug}}.md\"\ndirectory: a/b\n"))
	f.Add([]byte("a: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(c.Severities) == 0 || c.IncidentLabel == "" || checkRelPath(c.Directory) != nil || checkRelPath(c.Template) != nil {
			t.Fatalf("accepted invalid config %+v", c)
		}
		o := c.Options(nil)
		_ = Lint([]byte("## Summary\n\nTODO\n"), o)
	})
}
