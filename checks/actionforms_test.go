package checks

import (
	"reflect"
	"strings"
	"testing"
)

// actionFormsDoc has every action-item form of issue 14.
const actionFormsDoc = `# Disk full

## Follow-ups

### Task list

- [ ] Alert on disk space (owner: @alice, due: 2026-04-01, P1) #monitoring
- [x] Free space on db-1 @bob

### Plain bullets

- Add a disk-space exporter (owner: Jane Doe)
- ~~Page the on-call for the staging disk~~
- DONE: Rotate logs hourly

### Numbered

1. Document the runbook
2. Run a game day, due 2026-05-01

### Bold bullets

- **Alert on ZFS usage**: an exporter on every host, with a Slack alert @ops/sre
- **TODO** check disk space before importing

### Grouped

- Short term:
  - Cap the import size
  - Clean the tmp directory
- **Long term**
  - Move imports to a worker

## Corrective actions

| Status | Priority | Target date | Assignee | Follow-up |
|--------|----------|-------------|----------|-----------|
| Done | P2 | 2026-03-10 | charles, olivier | Revert the storage driver |
| In progress | P1 | March 20, 2026 | @carol | Migrate to QEMU VMs |
| Won't fix | | | TBD | Open a Proxmox ticket |
`

type formView struct {
	Form     ActionForm
	Title    string
	Done     bool
	Owners   string
	Due      string
	Priority string
	Labels   string
	Line     int
}

func formViews(d *Document) []formView {
	var out []formView
	for _, a := range d.Actions {
		v := formView{Form: a.Form, Title: a.Title, Done: a.Done, Priority: a.Priority,
			Owners: strings.Join(append(append([]string{}, a.Owners...), a.OwnerNames...), ","), Labels: strings.Join(a.Labels, ","), Line: a.Line}
		if a.HasDue {
			v.Due = a.Due.Format("2006-01-02")
		}
		out = append(out, v)
	}
	return out
}

// TestActionItemForms: one case per form, each read with its title, owners
// (handles, "Owner:" text, an Owner column), due date, priority, labels,
// done state (checkbox, Status column, strike-through, DONE marker) and line.
func TestActionItemForms(t *testing.T) {
	d := Parse([]byte(actionFormsDoc))
	want := []formView{
		{FormTask, "Alert on disk space", false, "@alice", "2026-04-01", "P1", "monitoring", 7},
		{FormTask, "Free space on db-1", true, "@bob", "", "", "", 8},
		{FormBullet, "Add a disk-space exporter (owner: Jane Doe)", false, "Jane Doe", "", "", "", 12},
		{FormBullet, "Page the on-call for the staging disk", true, "", "", "", "", 13},
		{FormBullet, "Rotate logs hourly", true, "", "", "", "", 14},
		{FormNumbered, "Document the runbook", false, "", "", "", "", 18},
		{FormNumbered, "Run a game day", false, "", "2026-05-01", "", "", 19},
		{FormBullet, "Alert on ZFS usage", false, "@ops/sre", "", "", "", 23},
		{FormBullet, "check disk space before importing", false, "", "", "", "", 24},
		{FormBullet, "Cap the import size", false, "", "", "", "", 29},
		{FormBullet, "Clean the tmp directory", false, "", "", "", "", 30},
		{FormBullet, "Move imports to a worker", false, "", "", "", "", 32},
		{FormTable, "Revert the storage driver", true, "charles,olivier", "2026-03-10", "P2", "", 38},
		{FormTable, "Migrate to QEMU VMs", false, "@carol", "2026-03-20", "P1", "", 39},
		{FormTable, "Open a Proxmox ticket", true, "", "", "", "", 40},
	}
	got := formViews(d)
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// The bold lead is the title; the whole text is the detail.
	if a := d.Actions[7]; a.Detail != "Alert on ZFS usage: an exporter on every host, with a Slack alert @ops/sre" {
		t.Errorf("detail %q", a.Detail)
	}
	// The legacy list: the task items and the table (its Assignee column
	// is one the App has always read), not the bullets.
	if len(d.ActionItems) != 5 || d.ActionItems[0].Title != "Alert on disk space" || d.ActionItems[2].Title != "Revert the storage driver" {
		t.Errorf("legacy items %+v", d.ActionItems)
	}
	if a := d.Actions[12]; a.Status != "Done" {
		t.Errorf("status %q", a.Status)
	}
}

func TestActionItemTables(t *testing.T) {
	cases := []struct {
		name  string
		table string
		want  []string // title|owners|done
	}{
		{"owner column with names", "| Action Item | Type | Owner | Status |\n|-|-|-|-|\n| Revert `vfs` | mitigate | olivier | **DONE** |\n| Open a ticket | process | charles | **TODO** |\n",
			[]string{"Revert|olivier|true", "Open a ticket|charles|false"}},
		{"owning team and issue", "| Description | Type | Owning Team | Issue # |\n|-|-|-|-|\n| Add retries | fix | Platform | #12 |\n",
			[]string{"Add retries|Platform|false"}},
		{"no action column, no owner: not actions", "| Host | Status |\n|-|-|\n| db-1 | down |\n", nil},
		{"status negations", "| Action | Status |\n|-|-|\n| a | not done |\n| b | incomplete |\n| c | resolved |\n",
			[]string{"a||false", "b||false", "c||true"}},
	}
	for _, c := range cases {
		d := Parse([]byte("# T\n\n## Action items\n\n" + c.table))
		var got []string
		for _, a := range d.Actions {
			got = append(got, strings.Join([]string{a.Title, strings.Join(append(a.Owners, a.OwnerNames...), ","), map[bool]string{true: "true", false: "false"}[a.Done]}, "|"))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestActionItemFindings: owners from names count; several items without
// any owner give one finding for the section; prose gives no-action-items.
func TestActionItemFindings(t *testing.T) {
	opts := Options{FrontMatter: FrontMatterOff, Schema: mustSchema(t, "# T\n\n## Follow-ups\n\nTODO\n")}
	cases := []struct {
		body string
		want []string
	}{
		{"- Add an alert (owner: Jane)\n- Fix the runbook @bob\n", nil},
		{"- Add an alert\n- Fix the runbook\n- Run a game day\n", []string{`none of the 3 open action items of "Follow-ups" has an owner`}},
		{"- Add an alert\n- Fix the runbook @bob\n", []string{`action item "Add an alert" has no owner`}},
		{"We will add alerts and fix the runbook.\n", []string{`the "Follow-ups" section has no action items`}},
		{"| Action | Owner | Due |\n|-|-|-|\n| Add an alert | ops | Q3 |\n", nil},
		{"| Action | Owner | Due |\n|-|-|-|\n| Add an alert | ops | 2026-13-45 |\n", []string{`action item "Add an alert" has an invalid due date "2026-13-45"`}},
	}
	for _, c := range cases {
		fs := Completeness(Parse([]byte("# T\n\n## Follow-ups\n\n"+c.body)), opts)
		var got []string
		for _, f := range fs {
			got = append(got, f.Message)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.body, got, c.want)
		}
	}
	// A template can make owners optional.
	opts.Schema = mustSchema(t, "# T\n\n## Follow-ups <!-- owners: optional -->\n\nTODO\n")
	if fs := Completeness(Parse([]byte("# T\n\n## Follow-ups\n\n- Add an alert\n")), opts); len(fs) != 0 {
		t.Errorf("owners optional: %v", fs)
	}
}

func mustSchema(t testing.TB, tmpl string) *Schema {
	t.Helper()
	s, err := SchemaFromTemplate([]byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
