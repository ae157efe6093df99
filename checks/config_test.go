package checks

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/checks/blameless"
)

func TestParseConfigDefaults(t *testing.T) {
	for _, src := range []string{"", "\n", "# only a comment\n"} {
		c, err := ParseConfig([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c, DefaultConfig()) {
			t.Errorf("%q: %+v", src, c)
		}
	}
	d := DefaultConfig()
	if d.IncidentLabel != "incident" || d.Directory != "postmortems/" || d.Filename != "{{.Date}}-{{.Number}}-{{.Slug}}.md" ||
		d.CompleteLabel != "postmortem-complete" || d.FollowUps.Label != "follow-up" || !d.FollowUps.AssignOwner || len(d.Severities) != 4 ||
		d.FollowUps.Max != 50 || d.Options(nil).MaxActionItems != 50 {
		t.Errorf("defaults %+v", d)
	}
}

func TestParseConfigFull(t *testing.T) {
	src := `
incident_label: outage
directory: docs/postmortems
filename: "{{.Year}}/{{.Number}}-{{.Slug}}.md"
template: .github/postmortem-template.md
severities: [P1, P2, P3]
completeness:
  require_due_dates: true
  rules:
    completeness/timeline-range: off
    action-owner: warning
blameless:
  rules:
    blameless/judgmental: warning
    condescending: error
  phrases: ["cowboy"]
  allow: ["Lazy Loader"]
follow_ups:
  label: action-item
  labels: [postmortem]
  assign_owner: false
close_incident: true
complete_label: pm-done
`
	c, err := ParseConfig([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.IncidentLabel != "outage" || c.Directory != "docs/postmortems/" || c.Template != ".github/postmortem-template.md" ||
		!reflect.DeepEqual(c.Severities, []string{"P1", "P2", "P3"}) || !c.Completeness.RequireDueDates ||
		c.FollowUps.Label != "action-item" || c.FollowUps.AssignOwner || !c.CloseIncident || c.CompleteLabel != "pm-done" {
		t.Errorf("%+v", c)
	}
	name, err := c.FileName(FilenameData{Year: "2026", Number: 7, Slug: "db-down"})
	if err != nil || name != "2026/7-db-down.md" {
		t.Errorf("FileName = %q, %v", name, err)
	}
	o := c.Options(nil)
	want := map[string]Severity{
		RuleTimelineRange: SeverityOff, RuleActionOwner: SeverityWarning,
		blameless.RuleJudgmental: SeverityWarning, blameless.RuleCondescending: SeverityError,
	}
	if !reflect.DeepEqual(o.Rules, want) || !o.RequireDueDates || len(o.Severities) != 3 ||
		!reflect.DeepEqual(o.Blameless.Phrases, []string{"cowboy"}) || !reflect.DeepEqual(o.Blameless.Allow, []string{"Lazy Loader"}) {
		t.Errorf("options %+v", o)
	}
	// The options work end to end: the condescending rule is enabled by its override.
	fs := LintOnly([]byte("## Summary\n\nObviously the cowboy deploy broke it.\n"), o, CheckBlameless)
	rules := map[string]bool{}
	for _, f := range fs {
		rules[f.Rule] = true
	}
	if !rules[blameless.RuleCustom] {
		t.Errorf("custom phrase not reported: %+v", fs)
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"incident_label: x\nunknown_key: 1\n", `line 2: unknown key "unknown_key"`},
		{"completeness:\n  require_due_dates: maybe\n", `line 2: completeness.require_due_dates: str value "maybe" where true or false is expected`},
		{"completeness:\n  rulez: {}\n", `line 2: unknown key "rulez"`},
		{"close_incident: [1]\n", "line 1: close_incident: a list where true or false is expected"},
		{"severities: []\n", "line 1: severities must list at least one"},
		{"severities: [SEV1, sev1]\n", "listed twice"},
		{"directory: /abs\n", "line 1: directory \"/abs\" must be relative"},
		{"directory: a/../../b\n", `must not contain ".."`},
		{"template: ../../etc/passwd\n", `line 1: template "../../etc/passwd" must not contain ".."`},
		{"filename: \"{{.Nope}}\"\n", "line 1: filename:"},
		{"filename: \"{{.Slug\"\n", "line 1: filename:"},
		{"filename: \"../{{.Slug}}.md\"\n", `must not contain ".."`},
		{"\ncompleteness:\n  rules:\n    completeness/nope: off\n", `line 4: unknown completeness rule "completeness/nope"`},
		{"blameless:\n  rules:\n    blameless/judgmental: loud\n", `line 3: rule "blameless/judgmental": severity "loud" must be error, warning or off`},
		{"blameless:\n  rules:\n    completeness/placeholder: off\n", "unknown blameless rule"},
		{"blameless:\n  phrases: [\"\"]\n", "line 2: blameless.phrases must not contain an empty phrase"},
		{"incident_label: \"\"\n", "line 1: incident_label must not be empty"},
		{"follow_ups:\n  label: \"\"\n", "line 2: follow_ups.label must not be empty"},
		{"follow_ups:\n  max: 0\n", "line 2: follow_ups.max must be between 1 and 500, not 0"},
		{"follow_ups:\n  max: 10000\n", "line 2: follow_ups.max must be between 1 and 500, not 10000"},
		{"follow_ups:\n  max: many\n", "line 2: follow_ups.max"},
		{"- a\n- b\n", "line 1: the configuration must be a mapping"},
		{"a: [\n", "line "},
		{"incident_label: x\nincident_label: y\n", "line 2: "},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseConfig(%q) = %v, want error containing %q", c.src, err, c.want)
		}
	}
}

// TestConfigErrorsAtOnce: unknown keys, wrong types and invalid values are
// all reported in one go, in line order, each at its line.
func TestConfigErrorsAtOnce(t *testing.T) {
	in := "incident_label: \"\"\nsevrity: [a]\nfront_matter: maybe\ncompleteness:\n  rules:\n    nope: error\nfollow_ups:\n  assign_owner: sure\n"
	_, err := ParseConfig([]byte(in))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"line 1: incident_label must not be empty",
		`line 2: unknown key "sevrity"`,
		`line 3: front_matter "maybe" must be required, optional or off`,
		`line 6: unknown completeness rule "nope"`,
		`line 8: follow_ups.assign_owner: str value "sure" where true or false is expected`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d errors:\n%s", len(lines), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want %q", i, lines[i], w)
		}
	}
	// Broken YAML: at the offending line.
	_, err = ParseConfig([]byte("incident_label: x\nthis is not yaml\nseverities: [a]\n"))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 2 {
		t.Errorf("broken YAML: %v", err)
	}
	cfg, err := ParseConfig([]byte("front_matter: optional\n"))
	if err != nil || cfg.FrontMatter != FrontMatterOptional || cfg.Options(nil).FrontMatter != FrontMatterOptional {
		t.Errorf("front_matter: %v %+v", err, cfg)
	}
	if d := DefaultConfig(); d.FrontMatter != FrontMatterRequired {
		t.Errorf("default front_matter %q", d.FrontMatter)
	}
}
