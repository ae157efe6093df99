package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/postmortem-app/postmortem/checks/record"
)

func compileIndex(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Index))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(record.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(record.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The index the record writes (of the 62 real postmortems, the examples and
// an empty archive) is valid against schema/postmortem-index.v1.schema.json,
// and the schema is strict enough to reject what it must.
func TestIndexMatchesItsSchema(t *testing.T) {
	s := compileIndex(t)
	var es []record.Entry
	for _, dir := range []string{"../checks/testdata/postmortems", "../examples"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ents {
			if !record.IsPostmortem(d.Name()) {
				continue
			}
			src, err := os.ReadFile(filepath.Join(dir, d.Name()))
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, record.Read(filepath.Base(dir)+"/"+d.Name(), src))
		}
	}
	for name, ix := range map[string]*record.Index{"archive": record.Build(es), "empty": record.Build(nil)} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(ix.JSON()))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s index: %v", name, err)
		}
	}
	if got := record.Build(es).Stats.Count; got < 43 {
		t.Errorf("read %d postmortems", got)
	}
	for _, bad := range []string{
		`{"$schema":"` + record.SchemaID + `","version":2,"postmortems":[],"stats":{"count":0,"by_severity":{},"months":[],"follow_ups":{"done":0,"total":0},"undated":0}}`,
		`{"$schema":"` + record.SchemaID + `","version":1,"postmortems":[{"path":"a.md","title":"A","follow_ups":{"done":0,"total":0},"duration_minutes":-5}],"stats":{"count":1,"by_severity":{},"months":[],"follow_ups":{"done":0,"total":0},"undated":1}}`,
		`{"$schema":"` + record.SchemaID + `","version":1,"postmortems":[],"stats":{"count":0,"by_severity":{},"months":[{"month":"2026-13","count":0,"by_severity":{}}],"follow_ups":{"done":0,"total":0},"undated":0},"extra":1}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if s.Validate(v) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
	// Every field the record writes is described (additionalProperties is
	// false throughout, so a new field without a schema change fails above
	// only if it is written: write them all).
	full := record.Read("x.md", []byte("---\ntitle: X\nincident: 7\nseverity: SEV1\nstatus: final\nstarted_at: 2026-01-01T00:00:00Z\ndetected_at: 2026-01-01T00:10:00Z\nresolved_at: 2026-01-01T01:00:00Z\nlabels: [a]\nservices: [b]\n---\n\n`a/b.go`\n\n## Follow-ups\n\n- [ ] x\n"))
	full.FollowUps.Open = []int{12}
	day := record.Read("y.md", []byte("---\ntitle: Y\ndate: 2020-01-02\n---\n"))
	b, _ := json.Marshal(record.Build([]record.Entry{full, day}))
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err := s.Validate(v); err != nil {
		t.Errorf("a full entry: %v", err)
	}
}
