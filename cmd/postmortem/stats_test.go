package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "2026"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "2026", "checkout.md"), readExample(t, "postmortem-good.md"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "search.md"), readExample(t, "postmortem-draft.md"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "README.md"), []byte("# not a postmortem\n"), 0o644))

	code, out, errOut := runCmd(t, "", "stats", dir)
	if code != 0 || !strings.HasPrefix(out, "2 postmortems, 2026-03 to 2026-04; median time to detect 14 min") {
		t.Fatalf("text: %d %q %s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "stats", dir, "--format", "json")
	var ix struct {
		Postmortems []struct{ Path, Severity string }
		Stats       struct{ Count int }
	}
	if code != 0 || json.Unmarshal([]byte(out), &ix) != nil || ix.Stats.Count != 2 || ix.Postmortems[1].Path != "2026/checkout.md" {
		t.Fatalf("json: %d %s", code, out)
	}
	code, out, _ = runCmd(t, "", "stats", "--format=markdown", dir)
	if code != 0 || !strings.Contains(out, "[Checkout API returned 502s for EU customers after a connection pool change](2026/checkout.md) | SEV2 | 1 h 49 min | 14 min | 1 h 35 min | 1/5 |") {
		t.Fatalf("markdown: %d %s", code, out)
	}
	for _, bad := range [][]string{{"stats"}, {"stats", dir, dir}, {"stats", dir, "--format", "xml"}, {"stats", filepath.Join(dir, "nope")}, {"stats", filepath.Join(dir, "search.md")}} {
		if code, _, errOut := runCmd(t, "", bad...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errOut)
		}
	}
}
