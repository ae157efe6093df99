package checks

import (
	"strings"
	"testing"
)

// timelineOf returns the entries of a document as "2006-01-02 15:04 MST
// text" in UTC (dated) or "15:04 text" (undated), and its order findings.
func timelineOf(t *testing.T, src string) ([]string, []string) {
	t.Helper()
	d := Parse([]byte(src))
	var got []string
	for _, e := range d.Timeline {
		if e.Dated {
			got = append(got, e.Time.UTC().Format("2006-01-02 15:04")+" "+e.Text)
		} else {
			got = append(got, e.Time.Format("15:04")+" "+e.Text)
		}
	}
	var order []string
	for _, f := range Completeness(d, Options{FrontMatter: FrontMatterOff}) {
		if f.Rule == RuleTimelineOrder {
			order = append(order, f.Message)
		}
	}
	return got, order
}

// TestTimelineForms: one case per way people write timelines (issue 14).
func TestTimelineForms(t *testing.T) {
	cases := []struct {
		form  string
		src   string
		want  []string
		order int // timeline-order findings
	}{
		{"days as sub-headings", "## Timeline\n\n### 2023-07-20\n\n- 23:10 deploy\n\n### 2023-07-21\n\n- 09:00 paged\n- 09:05 rolled back\n",
			[]string{"2023-07-20 23:10 deploy", "2023-07-21 09:00 paged", "2023-07-21 09:05 rolled back"}, 0},
		{"day-first sub-headings with a zone", "## Timeline\n\n#### 29-09-2021 (All times CEST)\n\n- 15:46 switch\n\n### 03-10-2021 (All times CEST)\n\n- 02:17 alert\n- 9:23 message\n",
			[]string{"2021-09-29 13:46 switch", "2021-10-03 00:17 alert", "2021-10-03 07:23 message"}, 0},
		{"date and time columns, date carried", "## Timeline\n\n| Date | Time | Event |\n|-|-|-|\n| 2024-03-17 | 22:00 | down |\n| | 23:30 | back |\n| 2024-03-18 | 01:00 | done |\n",
			[]string{"2024-03-17 22:00 down", "2024-03-17 23:30 back", "2024-03-18 01:00 done"}, 0},
		{"date after the time", "## Timeline\n\n- 10:00 7th Nov 2023: deploy\n- 09:00 8th Nov 2023: paged\n- 11:00 on Nov 8 - fixed\n",
			[]string{"2023-11-07 10:00 deploy", "2023-11-08 09:00 paged", "2023-11-08 11:00 fixed"}, 0},
		{"month names and ordinals", "## Timeline\n\n- November 7th, 2023 10:00 — deploy\n- 8 Nov 2023 09:00 — paged\n- Wednesday, 8th of November 2023 at 10:00 — fixed\n",
			[]string{"2023-11-07 10:00 deploy", "2023-11-08 09:00 paged", "2023-11-08 10:00 fixed"}, 0},
		{"12-hour clocks", "## Timeline\n\n- 2023-08-15 @ 11:50 AM ET: alert\n- 2023-08-15 @ 2:05 PM ET: fixed\n- 2023-08-15 3pm ET: closed\n",
			[]string{"2023-08-15 15:50 alert", "2023-08-15 18:05 fixed", "2023-08-15 19:00 closed"}, 0},
		{"12-hour clock without AM/PM", "## Timeline\n\n### 2025-03-05\n\n- 11:57 - stuck\n- 1:17 - found\n- 2:40 - fixed\n",
			[]string{"2025-03-05 11:57 stuck", "2025-03-05 13:17 found", "2025-03-05 14:40 fixed"}, 0},
		{"zone in the heading", "## Timeline (times in BST)\n\n- 2024-06-01 10:00 up\n- 2024-06-01 10:30 UTC other zone\n",
			[]string{"2024-06-01 09:00 up", "2024-06-01 10:30 other zone"}, 0},
		{"zone abbreviations in entries", "## Timeline\n\n- 2024-01-10 09:00 PST deploy\n- 2024-01-10 18:00 CET paged\n",
			[]string{"2024-01-10 17:00 deploy", "2024-01-10 17:00 paged"}, 0},
		{"lines of a paragraph", "## Timeline (all times in PST/PDT)\n\n**2016-11-07**\n\n**10:02** build red<br>**10:30** reverted<br>\n*11:00* green\\\n",
			[]string{"2016-11-07 18:02 build red", "2016-11-07 18:30 reverted", "2016-11-07 19:00 green"}, 0},
		{"day that cannot be known: not compared", "## Timeline\n\n### Day 1\n\n- 22:00 deploy\n- 23:00 alert\n\n### Day 2\n\n- 08:00 fixed\n",
			[]string{"22:00 deploy", "23:00 alert", "08:00 fixed"}, 0},
		{"numeric dates of unknown order: not compared", "## Timeline\n\n- 03/04/2021 10:00 one\n- 02/05/2021 09:00 two\n",
			[]string{"10:00 one", "09:00 two"}, 0},
		{"numeric dates whose order shows", "## Timeline\n\n- 13/04/2021 10:00 one\n- 02/05/2021 09:00 two\n",
			[]string{"2021-04-13 10:00 one", "2021-05-02 09:00 two"}, 0},
		{"a real order problem is still found", "## Timeline\n\n- 2023-07-20 10:00 one\n- 2023-07-20 09:00 two\n",
			[]string{"2023-07-20 10:00 one", "2023-07-20 09:00 two"}, 1},
	}
	for _, c := range cases {
		got, order := timelineOf(t, "# T\n\n"+c.src)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") || len(order) != c.order {
			t.Errorf("%s:\n got %q (order findings %q)\nwant %q (%d)", c.form, got, order, c.want, c.order)
		}
	}
}

// FuzzTimelineDocument: whole timelines (sub-headings, tables, paragraph
// lines, lists) parse without a position outside the source.
func FuzzTimelineDocument(f *testing.F) {
	for _, s := range []string{
		"## Timeline\n\n### 2023-07-20\n\n- 10:00 7th Nov 2023 x\n",
		"## Timeline (UTC)\n\n| Date | Time | Event |\n|-|-|-|\n| | 10:00 | x |\n",
		"## Timeline\n\n**10:02** a<br>**3pm PT** b\\\n- Monday, 03/10/2021 @ 11:50 AM ET: c\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2048 {
			return
		}
		d := Parse([]byte(s))
		for _, e := range d.Timeline {
			if e.Line < 1 || e.Offset < 0 || e.End < e.Offset || e.End > len(s) {
				t.Fatalf("entry out of the source: %+v", e)
			}
		}
		checkFindings(t, d, LintDocument(d, Options{}))
	})
}

func FuzzScanStamp(f *testing.F) {
	for _, s := range []string{"10:00 7th Nov 2023", "2023-08-15 @ 2:05 PM ET:", "03-10-2021 (All times CEST)", "Wed, 8th of November 2023 at 10am"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, ok := scanStamp(s)
		if !ok {
			return
		}
		if st.end < 0 || st.end > len(s) || st.hour > 23 || st.min > 59 {
			t.Fatalf("%q: %+v", s, st)
		}
	})
}

// FuzzActionTable: follow-ups tables of any header and cells give items
// inside the source, in file order.
func FuzzActionTable(f *testing.F) {
	f.Add("Action | Owner | Due | Status", "Add `x` @a | olivier, b | 2026-01-01 | done")
	f.Add("Status | Target date | Assignee | Follow-up", "Won't fix | March 3 | TBD | x")
	f.Add("Description | Owning Team | Issue #", "| | |")
	f.Fuzz(func(t *testing.T, header, row string) {
		if len(header)+len(row) > 1024 || strings.ContainsAny(header+row, "\n\r") {
			return
		}
		cols := strings.Count(header, "|") + 1
		src := "## Action items\n\n| " + header + " |\n" + strings.Repeat("|-", cols) + "|\n| " + row + " |\n| " + row + " |\n"
		d := Parse([]byte(src))
		last := 0
		for _, a := range d.Actions {
			if a.Offset < last || a.Offset > len(src) || a.Line < 1 || !a.FromTable {
				t.Fatalf("item %+v", a)
			}
			last = a.Offset
		}
		checkFindings(t, d, LintDocument(d, Options{}))
	})
}
