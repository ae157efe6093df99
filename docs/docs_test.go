// Package docs holds the documentation; its tests keep the examples in it working.
package docs

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

func block(t *testing.T, file, heading, lang string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)" + regexp.QuoteMeta(heading) + "\n.*?```" + lang + "\n(.*?)\n```").FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no %s block under %q", file, lang, heading)
	}
	return string(m[1]) + "\n"
}

// TestTemplateExample: the template in templates.md renders, its conventions give the schema the
// page describes, a blank render fails the check and a filled-in postmortem passes it.
func TestTemplateExample(t *testing.T) {
	tmpl := []byte(block(t, "templates.md", "## A template of your own", "markdown"))
	blank, err := templates.Render(tmpl, templates.Incident{})
	if err != nil {
		t.Fatal(err)
	}
	schema, err := checks.SchemaFromTemplate(blank)
	if err != nil {
		t.Fatal(err)
	}
	var required, optional []string
	for _, s := range schema.Sections {
		if s.Required {
			required = append(required, s.Heading)
		} else {
			optional = append(optional, s.Heading)
		}
	}
	if strings.Join(required, "|") != "What happened|Timeline|Why it happened|Action items" || strings.Join(optional, "|") != "Notes" {
		t.Errorf("sections: required %q optional %q", required, optional)
	}
	fields := map[string]bool{}
	for _, f := range schema.Fields {
		fields[f.Key] = f.Required
	}
	if req, ok := fields["customer_facing"]; !ok || !req {
		t.Errorf("customer_facing should be required: %v", fields)
	}
	if req, ok := fields["ticket"]; !ok || req {
		t.Errorf("ticket should be optional: %v", fields)
	}

	opts := checks.Options{Schema: schema}
	errs := func(doc []byte) []checks.Finding {
		var out []checks.Finding
		for _, f := range checks.Lint(doc, opts) {
			if f.Severity == checks.SeverityError {
				out = append(out, f)
			}
		}
		return out
	}
	if len(errs(blank)) == 0 {
		t.Error("a blank render passes the completeness check")
	}
	filled := `---
title: "Checkout outage"
incident: "https://github.com/acme/shop/issues/7"
severity: SEV2
started_at: 2026-03-01T13:55:00Z
detected_at: 2026-03-01T14:00:00Z
resolved_at: 2026-03-01T15:10:00Z
customer_facing: yes
ticket: ""
---

# Checkout outage

## What happened

Checkout failed for 75 minutes after a configuration change shrank the database pool.

## Timeline

- 2026-03-01 13:55 UTC — a configuration change reduced the pool size
- 2026-03-01 14:00 UTC — the error-rate alert paged the on-call engineer
- 2026-03-01 15:10 UTC — the change was rolled back and errors stopped

## Why it happened

The configuration pipeline accepted a pool size of 2: it had no validation for that field.

## Action items

- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
`
	if e := errs([]byte(filled)); len(e) != 0 {
		t.Errorf("a complete postmortem fails: %+v", e)
	}
}
