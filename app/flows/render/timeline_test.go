package render

import (
	"strings"
	"testing"
	"time"
)

func TestInsertTimelineEntry(t *testing.T) {
	doc := "# P\n\n## Timeline\n\n- 2026-03-01 13:55 UTC — a push\n- 2026-03-01 14:40 UTC — found it\n  on a second line\n- 2026-03-01 15:10 UTC — rolled back\n\n## Root cause\n\nX.\n"
	at := time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)
	line := TimelineLine(at, "the  failover\nstarted <!-- x", "bob")
	if line != "- 2026-03-01 14:05 UTC — the failover started &lt;!-- x (@bob)" {
		t.Fatalf("line = %q", line)
	}
	out, ok := InsertTimelineEntry([]byte(doc), line, at)
	if !ok || !strings.Contains(string(out), "a push\n"+line+"\n- 2026-03-01 14:40") {
		t.Fatalf("middle:\n%s", out)
	}
	late := time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)
	out, ok = InsertTimelineEntry([]byte(doc), TimelineLine(late, "postmortem scheduled", "bob"), late)
	if !ok || !strings.Contains(string(out), "rolled back\n- 2026-03-01 16:00 UTC — postmortem scheduled (@bob)\n\n## Root cause") {
		t.Fatalf("end:\n%s", out)
	}
	out, ok = InsertTimelineEntry([]byte("# P\n\n## Timeline\n\nTODO\n\n## Impact\n"), line, at)
	if !ok || !strings.Contains(string(out), "## Timeline\n\n"+line+"\n\nTODO") {
		t.Fatalf("empty:\n%s", out)
	}
	if _, ok := InsertTimelineEntry([]byte("# P\n\n## Impact\n\nBad.\n"), line, at); ok {
		t.Fatal("no timeline: inserted")
	}
}
