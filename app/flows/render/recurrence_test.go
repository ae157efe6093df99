package render

import (
	"strings"
	"testing"
)

// What the record holds is a stranger's text: the comment echoes titles
// escaped (no Markdown, no @mention, no #reference) and paths and labels
// in code spans; it names at most ten open follow-ups per line.
func TestRecurrenceCommentEscapes(t *testing.T) {
	var open []int
	for i := range 12 {
		open = append(open, 100+i)
	}
	body := RecurrenceComment([]Earlier{
		{Incident: 4, Title: "Pool @alice [click](https://evil) #9 <b>", Severity: "SEV1", Date: "2026-03-01", URL: "https://x/blob/HEAD/p.md",
			Files: []string{"checkout/pool.go"}, Labels: []string{"check`out"}, Open: open},
		{Title: "No incident", Words: []string{"checkout", "pool"}},
	}, 7, "postmortems/index.json")
	for _, bad := range []string{"@alice", "[click](https://evil)", "#9", "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the comment echoes %q:\n%s", bad, body)
		}
	}
	for _, want := range []string{
		"**1 earlier incident involved `checkout/pool.go` (and 1 other looks like this one);** follow-ups #100, #101",
		"#108, #109 and 2 more are still open.",
		"- #4 [Pool @\u2060alice \\[click\\]\\(https://evil\\) #\u20609 &lt;b&gt;](https://x/blob/HEAD/p.md) (SEV1, 2026-03-01) — shares: named `checkout/pool.go`; labelled ``check`out``. Still open:",
		"- No incident — shares: title words `checkout`, `pool`. Follow-ups: all closed.",
		"with the 7 merged postmortems of `postmortems/index.json`",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, body)
		}
	}
}

// A file only a follow-up's fix changed says so; the headline counts it
// like any file shared.
func TestRecurrenceCommentNamesAFollowUpsFix(t *testing.T) {
	body := RecurrenceComment([]Earlier{
		{Incident: 4, Title: "Invoices sent late", Files: []string{"billing/retry.go", "billing/queue.go"}, Fixed: []string{"billing/retry.go"}},
	}, 2, "postmortems/index.json")
	for _, want := range []string{
		"**1 earlier incident involved `billing/retry.go`;** their follow-ups are all closed.",
		"- #4 Invoices sent late — shares: named `billing/queue.go`; a follow-up's fix changed `billing/retry.go`. Follow-ups: all closed.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, body)
		}
	}
}
