package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadGoodExample(t *testing.T) {
	src, err := os.ReadFile("../../examples/postmortem-good.md")
	if err != nil {
		t.Fatal(err)
	}
	e := Read("2026-03-01-481-checkout.md", src)
	if e.Title != "Checkout API returned 502s for EU customers after a connection pool change" || e.Severity != "SEV2" {
		t.Fatalf("title/severity: %+v", e)
	}
	if e.Incident != "https://github.com/acme/shop/issues/481" {
		t.Errorf("incident %q", e.Incident)
	}
	if e.StartedAt == nil || e.StartedAt.Format("15:04") != "13:48" || e.ResolvedAt == nil {
		t.Fatalf("times: %+v", e)
	}
	// 13:48 → 14:02 → 15:37
	if *e.TimeToDetectMinutes != 14 || *e.TimeToResolveMinutes != 95 || *e.DurationMinutes != 109 {
		t.Errorf("durations: %d %d %d", *e.TimeToDetectMinutes, *e.TimeToResolveMinutes, *e.DurationMinutes)
	}
	if e.FollowUps.Total == 0 {
		t.Errorf("no follow-ups read")
	}
	if strings.Join(e.Labels, ",") != "incident,sev2" || len(e.Services) != 2 {
		t.Errorf("labels %v services %v", e.Labels, e.Services)
	}
}

func TestReadPlaceholdersAndOrder(t *testing.T) {
	src := "---\ntitle: TODO\nseverity: sev3\nstarted_at: 2026-04-02T09:10:00Z\ndetected_at: 2026-04-02 09:00 UTC\nresolved_at: TODO\n---\n\n# Postmortem: Search was empty\n\n## Follow-ups\n\n- [x] one\n- [ ] two\n"
	e := Read("a.md", []byte(src))
	if e.Title != "Search was empty" || e.Severity != "SEV3" {
		t.Errorf("title %q severity %q", e.Title, e.Severity)
	}
	if e.ResolvedAt != nil || e.DetectedAt == nil {
		t.Errorf("times %+v", e)
	}
	if e.TimeToDetectMinutes != nil {
		t.Errorf("detected before started gives no time to detect, got %d", *e.TimeToDetectMinutes)
	}
	if e.FollowUps.Done != 1 || e.FollowUps.Total != 2 {
		t.Errorf("follow-ups %+v", e.FollowUps)
	}
	if d := Read("b.md", []byte("---\ntitle: x\ndate: '2014-05-28T05:16:39+00:00'\n---\nbody\n")); d.Date().Format("2006-01-02") != "2014-05-28" {
		t.Errorf("page date: %+v", d)
	}
}

func TestPaths(t *testing.T) {
	text := "The pool in `checkout/pool.go` and `deploy/values.yaml`, not `v1.2.3`, `kubectl rollout undo`, `https://x.test/a.go`, `../etc/passwd`; `checkout/pool.go` again, `Makefile.am`, `pool.go`."
	got := strings.Join(Paths(text, 10), " ")
	if got != "checkout/pool.go deploy/values.yaml Makefile.am pool.go" {
		t.Errorf("paths: %s", got)
	}
	if n := len(Paths(strings.Repeat("`a/b.go` `c/d.go` ", 200), 50)); n != 2 {
		t.Errorf("repeated paths: %d", n)
	}
}

// archive makes n postmortems over the months before 2026-06 with every
// severity, some without times.
func archive(n int) map[string][]byte {
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		month := 1 + i%12
		year := 2025 + (i/12)%2
		sev := fmt.Sprintf("SEV%d", 1+i%4)
		times := fmt.Sprintf("started_at: %d-%02d-%02dT10:%02d:00Z\ndetected_at: %d-%02d-%02dT10:%02d:00Z\nresolved_at: %d-%02d-%02dT%02d:00:00Z\n",
			year, month, 1+i%28, i%30, year, month, 1+i%28, 30+i%30, year, month, 1+i%28, 11+i%12)
		if i%17 == 0 {
			times = "started_at: TODO\n"
		}
		out[fmt.Sprintf("%d-%04d.md", year, i)] = []byte(fmt.Sprintf(`---
title: "Incident %d: checkout | payments <b>slow</b> @alice"
incident: %d
severity: %s
status: final
%slabels: [incident, checkout]
---

# Postmortem

## Summary

The pool in `+"`checkout/pool%d.go`"+` ran dry.

## Timeline

- 10:00 UTC — alerts fire
- 10:30 UTC — rollback

## Root cause

A configuration change lowered the pool size.

## Follow-ups

- [x] Add an alert on pool saturation (owner: @alice, due: 2026-07-01)
- [ ] Load test the pool (owner: @bob)
- [ ] Document the rollback (owner: @carol)
`, i, 100+i, sev, times, i%5))
	}
	return out
}

func buildArchive(files map[string][]byte) *Index {
	var es []Entry
	for name, src := range files {
		if IsPostmortem(name) {
			es = append(es, Read(name, src))
		}
	}
	return Build(es)
}

func TestIndexOfArchive(t *testing.T) {
	files := archive(40)
	files["README.md"] = []byte(IndexMarker + "\n# Postmortems\n")
	ix := buildArchive(files)
	if ix.Stats.Count != 40 || len(ix.Postmortems) != 40 {
		t.Fatalf("count %d", ix.Stats.Count)
	}
	if ix.Stats.BySeverity["SEV1"] != 10 || ix.Stats.Undated != 3 {
		t.Errorf("by severity %v, undated %d", ix.Stats.BySeverity, ix.Stats.Undated)
	}
	if len(ix.Stats.Months) != 24 || ix.Stats.Months[0].Month != "2025-01" {
		t.Errorf("months: %d from %s", len(ix.Stats.Months), ix.Stats.Months[0].Month)
	}
	if ix.Stats.FollowUps.Done != 40 || ix.Stats.FollowUps.Total != 120 {
		t.Errorf("follow-ups %+v", ix.Stats.FollowUps)
	}
	for i := 1; i < len(ix.Postmortems); i++ {
		if ix.Postmortems[i].Date().After(ix.Postmortems[i-1].Date()) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	md := string(ix.Markdown())
	for _, want := range []string{IndexMarker, "| Date | Title | Severity | Duration | Time to detect | Time to resolve | Follow-ups |",
		"```mermaid\n%%{init:", "xychart-beta", "pie showData", "## Time to resolve over time", `checkout \| payments \<b\>slow\</b\> @` + "\u200b" + `alice`} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// The same record, in another order, gives the same bytes.
	again := buildArchive(files)
	if !bytes.Equal(ix.JSON(), again.JSON()) || !bytes.Equal(ix.Markdown(), again.Markdown()) {
		t.Error("the index is not the same for the same archive")
	}
	back, err := ParseIndex(ix.JSON())
	if err != nil || !bytes.Equal(back.JSON(), ix.JSON()) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestUpsert(t *testing.T) {
	ix := Build(nil)
	if !strings.Contains(string(ix.Markdown()), "No postmortems yet.") {
		t.Error("empty index")
	}
	e := Read("a.md", []byte("---\ntitle: A\nseverity: SEV2\nstarted_at: 2026-03-01T10:00:00Z\n---\n"))
	ix, changed := ix.Upsert(e)
	if !changed || ix.Stats.Count != 1 {
		t.Fatal("first upsert")
	}
	if _, changed := ix.Upsert(e); changed {
		t.Error("the same entry again changed the index")
	}
	e.Severity = "SEV1"
	ix, changed = ix.Upsert(e)
	if !changed || ix.Stats.Count != 1 || ix.Stats.BySeverity["SEV1"] != 1 || ix.Stats.BySeverity["SEV2"] != 0 {
		t.Errorf("edited entry: %v %+v", changed, ix.Stats)
	}
	var v map[string]any
	if err := json.Unmarshal(ix.JSON(), &v); err != nil || v["$schema"] != SchemaID {
		t.Errorf("json: %v %v", err, v["$schema"])
	}
}

func TestRealArchive(t *testing.T) {
	dir := "../testdata/postmortems"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	for _, d := range ents {
		if !IsPostmortem(d.Name()) {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, Read(d.Name(), src))
	}
	ix := Build(es)
	if ix.Stats.Count < 40 || ix.Stats.Count-ix.Stats.Undated < 10 {
		t.Errorf("real archive: %d postmortems, %d undated", ix.Stats.Count, ix.Stats.Undated)
	}
	if len(ix.Stats.Months) > maxMonths {
		t.Errorf("%d months", len(ix.Stats.Months))
	}
}

// BenchmarkStats1000 is `postmortem stats` on an archive of 1 000
// postmortems in memory: read every entry, build the index, render it in
// the three formats.
func BenchmarkStats1000(b *testing.B) {
	files := archive(1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := buildArchive(files)
		_ = ix.JSON()
		_ = ix.Markdown()
		_ = ix.Text()
	}
}
