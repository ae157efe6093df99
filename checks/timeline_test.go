package checks

import (
	"strings"
	"testing"
	"time"
)

func TestTimelineFormats(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	utc := time.UTC
	at := func(y int, m time.Month, d, h, min, s int, loc *time.Location) time.Time {
		return time.Date(y, m, d, h, min, s, 0, loc)
	}
	cases := []struct {
		fm      string // front matter lines
		entry   string // list item text (after "- ")
		time    time.Time
		hasDate bool
		hasZone bool
		dated   bool
		text    string
		col     int // column of the timestamp in "- " + entry
	}{
		{"", "2026-03-01 14:02 UTC — paged", at(2026, 3, 1, 14, 2, 0, utc), true, true, true, "paged", 3},
		{"", "2026-03-01T14:02:00Z: paged", at(2026, 3, 1, 14, 2, 0, utc), true, true, true, "paged", 3},
		{"", "2026-03-01T14:02:00.5+01:00 | paged", time.Date(2026, 3, 1, 14, 2, 0, 5e8, time.FixedZone("", 3600)), true, true, true, "paged", 3},
		{"", "2026-03-01 14:02 - paged", at(2026, 3, 1, 14, 2, 0, utc), true, false, true, "paged", 3},
		{"", "2026-03-01 — deploy day", at(2026, 3, 1, 0, 0, 0, utc), true, false, true, "deploy day", 3},
		{"started_at: 2026-03-01 13:00 UTC", "14:02 — paged", at(2026, 3, 1, 14, 2, 0, utc), false, false, true, "paged", 3},
		{"started_at: 2026-03-01 13:00 UTC", "14:02 UTC - paged", at(2026, 3, 1, 14, 2, 0, utc), false, true, true, "paged", 3},
		{"started_at: 2026-03-01 13:00 UTC", "14:02:30 paged", at(2026, 3, 1, 14, 2, 30, utc), false, false, true, "paged", 3},
		{"started_at: 2026-03-01 13:00 UTC", "2:02 PM — paged", at(2026, 3, 1, 14, 2, 0, utc), false, false, true, "paged", 3},
		{"started_at: 2026-03-01 13:00 UTC", "**14:02** — paged", at(2026, 3, 1, 14, 2, 0, utc), false, false, true, "paged", 5},
		{"started_at: 2026-03-01 13:00 UTC", "`14:02` paged", at(2026, 3, 1, 14, 2, 0, utc), false, false, true, "paged", 4},
		{"started_at: 2026-03-01 13:00 UTC", "Mar 1 14:02 — paged", at(2026, 3, 1, 14, 2, 0, utc), true, false, true, "paged", 3},
		{"", "March 1, 2026 at 14:02 PST: paged", at(2026, 3, 1, 22, 2, 0, utc), true, true, true, "paged", 3},
		{"", "14:02 — no date anywhere", at(1, 1, 1, 14, 2, 0, utc), false, false, false, "no date anywhere", 3},
		{"started_at: 2026-03-01 13:00 UTC\ntimezone: Europe/Berlin", "14:02 — paged", at(2026, 3, 1, 14, 2, 0, berlin), false, false, true, "paged", 3},
		{"timezone: Europe/Berlin", "2026-03-01 14:02 — paged", at(2026, 3, 1, 14, 2, 0, berlin), true, false, true, "paged", 3},
		{"", "2026-03-01 14:02 Europe/Berlin — paged", at(2026, 3, 1, 14, 2, 0, berlin), true, true, true, "paged", 3},
	}
	for _, c := range cases {
		src := "---\n" + c.fm + "\n---\n# T\n## Timeline\n\n- " + c.entry + "\n"
		d := Parse([]byte(src))
		if len(d.Timeline) != 1 {
			t.Errorf("%q: %d entries", c.entry, len(d.Timeline))
			continue
		}
		e := d.Timeline[0]
		line := 6 + strings.Count(c.fm, "\n") + 1
		if !e.Time.Equal(c.time) || e.HasDate != c.hasDate || e.HasZone != c.hasZone || e.Dated != c.dated || e.Text != c.text || e.Line != line || e.Col != c.col {
			t.Errorf("%q:\n got %v date=%v zone=%v dated=%v %q %d:%d\nwant %v date=%v zone=%v dated=%v %q %d:%d",
				c.entry, e.Time, e.HasDate, e.HasZone, e.Dated, e.Text, e.Line, e.Col,
				c.time, c.hasDate, c.hasZone, c.dated, c.text, line, c.col)
		}
	}
}

func TestTimelineNotEntries(t *testing.T) {
	for _, s := range []string{
		"the deploy at 14:02 failed",   // does not start with a time
		"25:99 nothing",                // not a time
		"2026-02-30 14:02 not a day",   // no such date
		"14:02abc glued",               // no separator
		"v1.2.3 released",              // not a time
		"<YYYY-MM-DD HH:MM> — <event>", // a template hint
		"13:61 bad minute",
	} {
		d := Parse([]byte("## Timeline\n\n- " + s + "\n"))
		if len(d.Timeline) != 0 {
			t.Errorf("%q parsed as entry %+v", s, d.Timeline[0])
		}
	}
	// Entries outside a timeline section are not timeline entries.
	if d := Parse([]byte("## Summary\n\n- 14:02 — paged\n")); len(d.Timeline) != 0 {
		t.Errorf("entry outside timeline: %+v", d.Timeline)
	}
}

func TestTimelineInference(t *testing.T) {
	src := `---
started_at: 2026-03-01 22:00 UTC
---
## Timeline

- 23:50 — first
- 00:10 — after midnight
- 2026-03-03 09:00 — a later day
- 09:30 — same day as the entry before
- 09:20 — out of order

### Chronology details

| Date | Time | What |
|------|------|------|
| 2026-03-03 | 10:00 | table with date and time columns |
| 10:15 | plain row |
| not a time | ignored |
`
	d := Parse([]byte(src))
	want := []struct {
		t    string
		line int
		text string
	}{
		{"2026-03-01 23:50", 6, "first"},
		{"2026-03-02 00:10", 7, "after midnight"},
		{"2026-03-03 09:00", 8, "a later day"},
		{"2026-03-03 09:30", 9, "same day as the entry before"},
		{"2026-03-03 09:20", 10, "out of order"},
		{"2026-03-03 10:00", 16, "table with date and time columns"},
		{"2026-03-03 10:15", 17, "plain row"},
	}
	if len(d.Timeline) != len(want) {
		t.Fatalf("%d entries: %+v", len(d.Timeline), d.Timeline)
	}
	for i, w := range want {
		e := d.Timeline[i]
		if got := e.Time.Format("2006-01-02 15:04"); got != w.t || e.Line != w.line || e.Text != w.text {
			t.Errorf("entry %d = %s line %d %q, want %s line %d %q", i, got, e.Line, e.Text, w.t, w.line, w.text)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in      string
		ok      bool
		hasZone bool
		utc     string
	}{
		{"2026-03-01T14:02:00Z", true, true, "2026-03-01 14:02"},
		{"2026-03-01T14:02:00+01:00", true, true, "2026-03-01 13:02"},
		{"2026-03-01 14:02 UTC", true, true, "2026-03-01 14:02"},
		{"2026-03-01 14:02 +01:00", true, true, "2026-03-01 13:02"},
		{"2026-03-01 14:02 Europe/Berlin", true, true, "2026-03-01 13:02"},
		{"2026-03-01 14:02", true, false, "2026-03-01 14:02"},
		{"2026-03-01", false, false, ""},
		{"14:02 UTC", false, false, ""},
		{"yesterday", false, false, ""},
		{"2026-03-01 14:02 UTC and more", false, false, ""},
		{"2026-13-01 14:02 UTC", false, false, ""},
	} {
		tm, hasZone, ok := ParseTime(c.in, nil)
		if ok != c.ok || hasZone != c.hasZone || (ok && tm.UTC().Format("2006-01-02 15:04") != c.utc) {
			t.Errorf("ParseTime(%q) = %v %v %v", c.in, tm, hasZone, ok)
		}
	}
}
