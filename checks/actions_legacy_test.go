package checks

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// archiveDocs are the real postmortems of testdata/postmortems (whatever is
// there) and the example documents.
func archiveDocs(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pat := range []string{"testdata/postmortems/*.md", "testdata/*.md"} {
		files, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = src
		}
	}
	return out
}

// legacyView is what the App reads of an action item, and the position.
type legacyView struct {
	Title, Owner, DueRaw, Priority, Raw string
	Owners, Labels                      []string
	HasDue, FromTable                   bool
	Due                                 string
	Line, Col, Offset                   int
	Done                                bool
}

func viewOf(a ActionItem, withDone bool) legacyView {
	v := legacyView{Title: a.Title, Owner: a.Owner, DueRaw: a.DueRaw, Priority: a.Priority, Raw: a.Raw,
		Owners: a.Owners, Labels: a.Labels, HasDue: a.HasDue, FromTable: a.FromTable, Due: a.Due.String(),
		Line: a.Line, Col: a.Col, Offset: a.Offset}
	if withDone {
		v.Done = a.Done
	}
	return v
}

// checkLegacy compares Document.ActionItems with the first version's
// extraction: the same items; identical for task items; for rows of tables
// whose columns the first version knew all of, identical but for Done,
// which now reads "not done", "incomplete" and "in progress" as open and
// "resolved", "won't fix", "failed"... as closed.
func checkLegacy(t testing.TB, name string, src []byte) {
	d := Parse(src)
	want := d.legacyActionItemsRef()
	if len(d.ActionItems) != len(want) {
		t.Fatalf("%s: %d legacy items, the reference reads %d", name, len(d.ActionItems), len(want))
	}
	for i := range want {
		if d.ActionItems[i].wider {
			continue
		}
		got, w := viewOf(d.ActionItems[i], !want[i].FromTable), viewOf(want[i], !want[i].FromTable)
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("%s: item %d:\n got %+v\nwant %+v", name, i, got, w)
		}
		if d.ActionItems[i].Form != FormTask && d.ActionItems[i].Form != FormTable {
			t.Fatalf("%s: legacy item of form %s", name, d.ActionItems[i].Form)
		}
	}
}

func TestLegacyActionItemsUnchanged(t *testing.T) {
	docs := archiveDocs(t)
	docs["mixed"] = []byte(actionFormsDoc)
	docs["label"] = []byte("# T\n\n## Summary\n\n- **Action items**:\n  - [ ] not filed before @a\n\n## Follow-ups\n\n- [ ] filed @b\n")
	for name, src := range docs {
		checkLegacy(t, name, src)
	}
}

func FuzzLegacyActionItems(f *testing.F) {
	f.Add([]byte(actionFormsDoc))
	f.Add([]byte("## Follow-ups\n\n- [ ] Fix X (owner: Jane Doe, due 2026-04-01) @a #l P1\n  - [x] sub @b\n"))
	f.Add([]byte("## Action items\n\n| Owner | Action | Owner | Due |\n|-|-|-|-|\n| a | b | @c | 2026-01-01 |\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		checkLegacy(t, "fuzz", src)
	})
}
