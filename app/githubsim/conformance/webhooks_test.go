package conformance

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestAllExamplesValidate validates every embedded example payload. Each
// either passes or fails only for reasons in KnownExampleMismatches; every
// allowlist entry must still be needed.
func TestAllExamplesValidate(t *testing.T) {
	examples := Examples()
	used := make([]int, len(KnownExampleMismatches))
	counts := map[string][3]int{} // target -> pass, known, total
	for _, ex := range examples {
		c := counts[ex.Target]
		c[2]++
		err := ValidateWebhook(ex.Event, ex.Payload)
		switch {
		case err == nil:
			c[0]++
		default:
			entries, ok := KnownExampleMismatch(ex, err)
			if !ok {
				t.Errorf("%s %s: unexplained mismatch: %v", ex.Target, ex.Name, err)
				continue
			}
			c[1]++
			for _, i := range entries {
				used[i]++
			}
		}
		counts[ex.Target] = c
	}
	for target, c := range counts {
		t.Logf("%s: %d examples, %d valid, %d known mismatches", target, c[2], c[0], c[1])
	}
	for i, n := range used {
		if n == 0 {
			t.Errorf("KnownExampleMismatches[%d] (%s) is not needed any more", i, KnownExampleMismatches[i].Reason)
		}
	}
	if c := counts["api.github.com"]; c[2] < 300 || c[0] < c[2]/2 {
		t.Errorf("api.github.com: %v: too few examples or too few valid", c)
	}
}

func findExample(t testing.TB, target, event, action string) Example {
	t.Helper()
	for _, ex := range Examples() {
		if ex.Target == target && ex.Event == event && ex.Action == action {
			if err := ValidateWebhook(ex.Event, ex.Payload); err == nil {
				return ex
			}
		}
	}
	t.Fatalf("no valid %s %s.%s example", target, event, action)
	return Example{}
}

func TestValidateWebhookReportsMismatches(t *testing.T) {
	ex := findExample(t, "api.github.com", "issues", "opened")
	var payload map[string]any
	if err := json.Unmarshal(ex.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"missing number", func(m map[string]any) { delete(m["issue"].(map[string]any), "number") }, "/issue: missing property 'number'"},
		{"wrong type", func(m map[string]any) { m["issue"].(map[string]any)["number"] = "7" }, "/issue/number: got string, want integer"},
		{"state contradicts action", func(m map[string]any) { m["issue"].(map[string]any)["state"] = "closed" }, "/issue/state"},
		{"unknown top-level key", func(m map[string]any) { m["bogus"] = true }, "additional properties 'bogus' not allowed"},
		{"bad date", func(m map[string]any) { m["issue"].(map[string]any)["created_at"] = "2024-01-01" }, "/issue/created_at"},
		{"bad sender", func(m map[string]any) { m["sender"] = map[string]any{"login": "x"} }, "/sender: missing properties"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := deepCopy(t, payload)
			tc.mutate(m)
			b, _ := json.Marshal(m)
			err := ValidateWebhook("issues", b)
			var werr *WebhookError
			if !errors.As(err, &werr) {
				t.Fatalf("want *WebhookError, got %v", err)
			}
			if werr.Definition != "issues$opened" || werr.Action != "opened" {
				t.Errorf("definition %q action %q", werr.Definition, werr.Action)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}

	// The same payload sent as a different action or event is caught.
	m := deepCopy(t, payload)
	m["action"] = "closed"
	b, _ := json.Marshal(m)
	if err := ValidateWebhook("issues", b); err == nil || !strings.Contains(err.Error(), "issues$closed") {
		t.Errorf("opened payload relabelled closed: %v", err)
	}
	if err := ValidateWebhook("issue_comment", ex.Payload); err == nil {
		t.Error("issues payload accepted as issue_comment")
	}
	m["action"] = "frobnicated"
	b, _ = json.Marshal(m)
	if err := ValidateWebhook("issues", b); !errors.Is(err, ErrUnknownWebhook) {
		t.Errorf("unknown action: %v", err)
	}
	if err := ValidateWebhook("no_such_event", []byte(`{}`)); !errors.Is(err, ErrUnknownWebhook) {
		t.Errorf("unknown event: %v", err)
	}
	if err := ValidateWebhook("issues", []byte(`{"action":`)); err == nil || errors.Is(err, ErrUnknownWebhook) {
		t.Errorf("invalid JSON: %v", err)
	}
}

func TestWebhookDefinitions(t *testing.T) {
	for _, tc := range []struct{ event, action, want string }{
		{"issues", "opened", "issues$opened"},
		{"pull_request", "closed", "pull_request$closed"},
		{"check_run", "rerequested", "check_run$rerequested"},
		{"push", "", "push$event"},
		{"repository_dispatch", "on-demand-test", "repository_dispatch$event"},
		{"issues", "nope", ""},
		{"nope", "", ""},
	} {
		if got := WebhookDefinition(tc.event, tc.action); got != tc.want {
			t.Errorf("WebhookDefinition(%q, %q) = %q, want %q", tc.event, tc.action, got, tc.want)
		}
	}
	evs := WebhookEvents()
	if len(evs) < 200 || !sortedStrings(evs) {
		t.Errorf("WebhookEvents: %d entries", len(evs))
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}

func TestExamplesContent(t *testing.T) {
	examples := Examples()
	seen := map[string]bool{}
	perTarget := map[string]map[string]bool{}
	for _, ex := range examples {
		key := ex.Target + " " + ex.Name
		if seen[key] {
			t.Errorf("duplicate example %s", key)
		}
		seen[key] = true
		if !json.Valid(ex.Payload) {
			t.Errorf("%s: payload is not JSON", key)
		}
		if ex.GHES != (ex.Target != "api.github.com") {
			t.Errorf("%s: GHES=%v", key, ex.GHES)
		}
		if !strings.HasPrefix(ex.Name, ex.Event+".") {
			t.Errorf("%s: name does not start with event %s", key, ex.Event)
		}
		var probe struct {
			Action *string `json:"action"`
		}
		json.Unmarshal(ex.Payload, &probe)
		if (probe.Action == nil && ex.Action != "") || (probe.Action != nil && *probe.Action != ex.Action) {
			t.Errorf("%s: Action %q does not match payload", key, ex.Action)
		}
		if perTarget[ex.Target] == nil {
			perTarget[ex.Target] = map[string]bool{}
		}
		perTarget[ex.Target][ex.Event+"."+ex.Action] = true
	}
	// The events the App handles must be represented.
	for _, want := range []string{"issues.opened", "issues.labeled", "pull_request.opened",
		"pull_request.synchronize", "pull_request.closed", "check_run.rerequested", "check_suite.requested",
		"installation.created", "installation.deleted", "installation_repositories.added", "issue_comment.created", "push.", "ping."} {
		if !perTarget["api.github.com"][want] {
			t.Errorf("no api.github.com example for %s", want)
		}
	}
	if len(perTarget) != 2 {
		t.Errorf("targets: %v", len(perTarget))
	}
	// The slice is sorted: api.github.com first.
	if examples[0].GHES || !examples[len(examples)-1].GHES {
		t.Error("Examples not sorted api.github.com first")
	}
}
