package checks

import (
	"reflect"
	"strings"
	"testing"
)

func TestActionItems(t *testing.T) {
	cases := []struct {
		item     string
		title    string
		done     bool
		owners   []string
		due      string // DueRaw
		hasDue   bool
		priority string
		labels   []string
	}{
		{"[ ] Add an alert on queue depth (owner: @alice, due: 2026-04-01, priority: P1)", "Add an alert on queue depth", false, []string{"@alice"}, "2026-04-01", true, "P1", nil},
		{"[x] Fix config @bob (due 2026-03-02)", "Fix config", true, []string{"@bob"}, "2026-03-02", true, "", nil},
		{"[X] Canary stage @acme/platform due 2026-04-15 P2 #reliability #ci", "Canary stage", true, []string{"@acme/platform"}, "2026-04-15", true, "P2", []string{"reliability", "ci"}},
		{"[ ] Document the runbook", "Document the runbook", false, nil, "", false, "", nil},
		{"[ ] Mail ops@example.com about issue #123 and see https://x.io/#frag", "Mail about issue #123 and see", false, nil, "", false, "", nil},
		{"[ ] Rotate keys [P0] @sec-team, @bob due: 2026-02-30", "Rotate keys", false, []string{"@sec-team", "@bob"}, "2026-02-30", false, "P0", nil},
		{"[ ] Review `@notowner` and C#sharp code **now** #a", "Review and C#sharp code now", false, nil, "", false, "", []string{"a"}},
		{"[ ] Add [dashboard](https://grafana/d#panel) for @carol", "Add dashboard for", false, []string{"@carol"}, "", false, "", nil},
		{"[ ] Upgrade to P4 engine — owner: @dan", "Upgrade to P4 engine", false, []string{"@dan"}, "", false, "", nil},
	}
	for _, c := range cases {
		src := "# T\n\n## Action items\n\n- " + c.item + "\n"
		d := Parse([]byte(src))
		if len(d.ActionItems) != 1 {
			t.Errorf("%q: %d items", c.item, len(d.ActionItems))
			continue
		}
		a := d.ActionItems[0]
		if a.Title != c.title || a.Done != c.done || !reflect.DeepEqual(a.Owners, c.owners) || a.DueRaw != c.due ||
			a.HasDue != c.hasDue || a.Priority != c.priority || !reflect.DeepEqual(a.Labels, c.labels) || a.Line != 5 || a.Col != 3 {
			t.Errorf("%q:\n got %q done=%v owners=%v due=%q/%v prio=%q labels=%v %d:%d",
				c.item, a.Title, a.Done, a.Owners, a.DueRaw, a.HasDue, a.Priority, a.Labels, a.Line, a.Col)
		}
		if c.owners != nil && a.Owner != c.owners[0] {
			t.Errorf("%q: owner %q", c.item, a.Owner)
		}
		if a.Raw != strings.TrimSpace(c.item) {
			t.Errorf("raw %q", a.Raw)
		}
	}
}

func TestActionItemsScope(t *testing.T) {
	src := `# T

## Summary

- [ ] a task list outside follow-ups is not an action item

## Remediation

- plain bullet, no checkbox
- [ ] top level @a
  - [ ] nested @b

### Short term

- [ ] in a subsection @c

## Corrective actions

| Action | Owner | Due | Status |
|--------|-------|-----|--------|
| Add alerting | @dana | 2026-05-01 | done |
| Fix **docs** | | | open |
`
	d := Parse([]byte(src))
	var got []string
	for _, a := range d.ActionItems {
		got = append(got, a.Title+"|"+a.Owner+"|"+a.DueRaw)
	}
	want := []string{"top level|@a|", "nested|@b|", "in a subsection|@c|", "Add alerting|@dana|2026-05-01", "Fix docs||"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if !d.ActionItems[3].Done || d.ActionItems[4].Done || !d.ActionItems[3].FromTable || d.ActionItems[3].Line != 21 || d.ActionItems[3].Col != 3 {
		t.Errorf("table rows: %+v", d.ActionItems[3:])
	}
}
