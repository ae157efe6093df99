package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/blameless"
)

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Postmortem))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("postmortem.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("postmortem.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asJSON turns YAML into the JSON value a schema-aware editor validates.
func asJSON(t *testing.T, y string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(y), &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readmeConfig is the YAML block of the README's configuration section.
func readmeConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Configuration[^\n]*\n.*?```yaml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README has no yaml block under '## Configuration'")
	}
	return string(m[1])
}

func TestReadmeExampleParsesAndValidates(t *testing.T) {
	y := readmeConfig(t)
	cfg, err := checks.ParseConfig([]byte(y))
	if err != nil {
		t.Fatalf("checks.ParseConfig rejects the README example: %v", err)
	}
	if cfg.IncidentLabel == "" || len(cfg.Severities) == 0 {
		t.Fatalf("parsed %+v", cfg)
	}
	if err := compile(t).Validate(asJSON(t, y)); err != nil {
		t.Fatalf("the schema rejects the README example: %v", err)
	}
	// the README example shows every top-level key
	for _, k := range topKeys(reflect.TypeOf(checks.Config{})) {
		if !regexp.MustCompile(`(?m)^` + k + `:`).MatchString(y) {
			t.Errorf("the README example does not show %s", k)
		}
	}
}

// TestSchemaAndParserRejectTheSameMistakes: what checks.ParseConfig refuses, an editor with the
// schema underlines.
func TestSchemaAndParserRejectTheSameMistakes(t *testing.T) {
	s := compile(t)
	for name, y := range map[string]string{
		"typo'd key":         "incident_lable: incident\n",
		"typo'd nested key":  "follow_ups:\n  asign_owner: true\n",
		"unknown rule":       "completeness:\n  rules: {placeholdr: off}\n",
		"rule of the other":  "blameless:\n  rules: {completeness/placeholder: off}\n",
		"bad severity":       "blameless:\n  rules: {judgmental: loud}\n",
		"wrong type":         "close_incident: sometimes\n",
		"empty severities":   "severities: []\n",
		"empty label":        "incident_label: ''\n",
		"severities repeats": "severities: [SEV1, SEV1]\n",
		"bad period":         "follow_ups:\n  escalate_after: a month\n",
		"bad slo period":     "follow_ups:\n  slo: {P1: soon}\n",
		"bad digest":         "digest: weekly\n",
		"look_back no unit":  "look_back: 24\n",
		"bad escalate_to":    "follow_ups:\n  escalate_to: \"@@x\"\n",
		"reminders typo":     "follow_ups:\n  reminders: {befor: 3d}\n",
	} {
		if _, err := checks.ParseConfig([]byte(y)); err == nil {
			t.Errorf("%s: ParseConfig accepts %q", name, y)
		}
		if err := s.Validate(asJSON(t, y)); err == nil {
			t.Errorf("%s: the schema accepts %q", name, y)
		}
	}
	for name, y := range map[string]string{
		"empty file":          "",
		"full rule ids":       "completeness:\n  rules: {completeness/action-due: error}\nblameless:\n  rules: {blameless/custom: off}\n",
		"severity synonyms":   "blameless:\n  rules: {judgmental: warn, human-error: disabled}\n",
		"a path as template":  "template: .github/pm-template.md\n",
		"no follow-up labels": "follow_ups:\n  labels: []\n",
		"periods":             "follow_ups:\n  slo: {P3: 12 weeks, SEV1: 20 business days, P2: off}\n  escalate_after: 10bd\npostmortem: {due: 5 business days}\n",
		"digest scopes":       "digest: organization\n",
		"look_back":           "look_back: 12 hours\n",
		"look_back off":       "look_back: off\n",
	} {
		if _, err := checks.ParseConfig([]byte(y)); err != nil {
			t.Errorf("%s: ParseConfig rejects %q: %v", name, y, err)
		}
		if err := s.Validate(asJSON(t, y)); err != nil {
			t.Errorf("%s: the schema rejects %q: %v", name, y, err)
		}
	}
}

func topKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

// keyPaths lists every key of the configuration: "follow_ups.label", …
func keyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, prefix+tag)
		if f.Type.Kind() == reflect.Struct {
			out = append(out, keyPaths(f.Type, prefix+tag+".")...)
		}
	}
	return out
}

func schemaPaths(node map[string]any, prefix string) []string {
	var out []string
	props, _ := node["properties"].(map[string]any)
	for k, v := range props {
		out = append(out, prefix+k)
		out = append(out, schemaPaths(v.(map[string]any), prefix+k+".")...)
	}
	return out
}

// TestSchemaCoversEveryKey keeps the schema, the Config struct and the docs in step.
func TestSchemaCoversEveryKey(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(Postmortem, &doc); err != nil {
		t.Fatal(err)
	}
	want := keyPaths(reflect.TypeOf(checks.Config{}), "")
	got := schemaPaths(doc, "")
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("schema keys\n %v\nconfig keys\n %v", got, want)
	}
	ref, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range want {
		if !bytes.Contains(ref, []byte("`"+k+"`")) {
			t.Errorf("docs/configuration.md does not document `%s`", k)
		}
	}
	// rule ids: the schema's lists are the analyzers' rules
	rules := func(check string) []string {
		props := doc["properties"].(map[string]any)[check].(map[string]any)["properties"].(map[string]any)
		var out []string
		for _, v := range props["rules"].(map[string]any)["propertyNames"].(map[string]any)["enum"].([]any) {
			if s := v.(string); strings.HasPrefix(s, check+"/") {
				out = append(out, s)
			}
		}
		sort.Strings(out)
		return out
	}
	var comp, bl []string
	for _, r := range checks.CompletenessRules() {
		comp = append(comp, r.ID)
	}
	for _, r := range blameless.Rules() {
		bl = append(bl, r.ID)
	}
	sort.Strings(comp)
	sort.Strings(bl)
	if got := rules("completeness"); !reflect.DeepEqual(got, comp) {
		t.Errorf("schema completeness rules %v, analyzer %v", got, comp)
	}
	if got := rules("blameless"); !reflect.DeepEqual(got, bl) {
		t.Errorf("schema blameless rules %v, analyzer %v", got, bl)
	}
	for _, id := range append(comp, bl...) {
		if !bytes.Contains(ref, []byte("`"+id+"`")) {
			t.Errorf("docs/configuration.md does not list rule `%s`", id)
		}
	}
}

func TestDocsExampleParsesAndValidates(t *testing.T) {
	b, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A complete example\n.*?```yaml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("no example in docs/configuration.md")
	}
	cfg, err := checks.ParseConfig(m[1])
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if !cfg.CloseIncident || cfg.Completeness.Rules["completeness/timeline-range"] != checks.SeverityOff {
		t.Fatalf("parsed %+v", cfg)
	}
	if err := compile(t).Validate(asJSON(t, string(m[1]))); err != nil {
		t.Fatalf("schema: %v", err)
	}
}
