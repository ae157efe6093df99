package conformance

import (
	"errors"
	"fmt"
	"regexp"
)

// ExampleMismatch excuses one kind of disagreement between GitHub's example
// payloads (@octokit/webhooks-examples) and the webhook schema
// (@octokit/webhooks-schemas). An example whose every failure cause matches
// some entry counts as a known mismatch; anything else fails the test that
// validates all examples.
type ExampleMismatch struct {
	Target string         // "" for any target, else "api.github.com" or the GHES directory
	Event  string         // "" for any event
	Cause  *regexp.Regexp // matched against each cause, "<pointer>: <message>"
	Reason string
}

// staleFields lists properties GitHub added to payload objects after many
// of the examples were recorded; the schema (generated from today's API)
// requires them.
const staleFields = `is_template|web_commit_signoff_required|topics|visibility|custom_properties|` +
	`active_lock_reason|reactions|auto_merge|draft|performed_via_github_app|` +
	`start_line|original_start_line|original_line|line|start_side|side|suspended_at|suspended_by|` +
	`cvss|cwes|cve_id|run_attempt|created_at|workflow_name|head_branch|` +
	`actor|triggering_actor|path|display_title|is_one_time|is_custom_amount|html_url`

func missing(fields string) *regexp.Regexp {
	return regexp.MustCompile(`: missing propert(y|ies) ('(` + fields + `)'(, )?)+$`)
}

// KnownExampleMismatches is the allowlist for [Examples] payloads that do
// not validate with [ValidateWebhook]. Every entry says why.
var KnownExampleMismatches = []ExampleMismatch{
	{Cause: missing(staleFields),
		Reason: "example recorded before GitHub added these properties; the schema requires them"},
	{Cause: regexp.MustCompile(`^(/label|/(issue|pull_request)/labels/\d+): missing property 'description'$`),
		Reason: "label objects in old examples lack `description` (added to labels in 2018)"},
	{Cause: regexp.MustCompile(`: got (object|array|string|number|boolean), want null$`),
		Reason: "the null branch of a nullable oneOf/anyOf; the real mismatch is reported beside it, and an example only counts as known when that one is allowlisted too"},
	{Cause: regexp.MustCompile(`/(created|updated)_at: '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d' is not valid date-time`),
		Reason: "old check_run/check_suite examples render the app's timestamps as 'YYYY-MM-DD hh:mm:ss', not RFC 3339"},
	{Target: "ghes-35", Cause: regexp.MustCompile(`^/: additional properties 'enterprise' not allowed$`),
		Reason: "GHES deliveries carry an `enterprise` object; the schema describes api.github.com payloads"},
	{Target: "ghes-35", Cause: regexp.MustCompile(`/permissions: additional properties ('(repository|organization)_pre_receive_hooks'(, )?)+ not allowed$`),
		Reason: "pre-receive hook permissions exist only on GHES"},
	{Event: "release", Cause: regexp.MustCompile(`^/release/(name|body): got null, want string$`),
		Reason: "GitHub sends null name/body for releases created without them; the schema says string"},
	{Event: "workflow_run", Cause: regexp.MustCompile(`^/workflow_run/conclusion: got null, want string$`),
		Reason: "example marks a completed run with a null conclusion; the schema requires one for `completed`"},
	{Event: "installation_repositories", Cause: regexp.MustCompile(`^/: missing property 'requester'$`),
		Reason: "example omits `requester` (null when the owner made the change); the schema requires the key"},
	{Event: "ping", Cause: missing(`deliveries_url`),
		Reason: "hook objects in ping examples predate `deliveries_url`"},
	{Event: "deployment", Cause: regexp.MustCompile(`^/: missing properties ('(workflow|workflow_run)'(, )?)+$`),
		Reason: "example predates the `workflow`/`workflow_run` keys (null for non-Actions deployments)"},
	{Event: "discussion_comment", Cause: regexp.MustCompile(`^/: missing property 'installation'$`),
		Reason: "example was recorded from a repository webhook, not an App; the schema requires `installation`"},
	{Event: "code_scanning_alert", Cause: regexp.MustCompile(`^/alert: additional properties ('(updated_at|fixed_at)'(, )?)+ not allowed$|^/: missing property 'sender'$`),
		Reason: "code scanning examples carry alert timestamps the schema forbids and, on GHES, no sender"},
	{Event: "repository_vulnerability_alert", Cause: regexp.MustCompile(`^/alert: missing propert(y|ies) ('(number|node_id|state)'(, )?)+$|^/sender/avatar_url: value must be `),
		Reason: "deprecated event; example predates alert number/node_id/state, and the schema pins the Dependabot sender's avatar URL to a newer value"},
	{Event: "secret_scanning_alert_location", Cause: regexp.MustCompile(`^/: missing property 'sender'$|^/alert: missing properties ('(url|html_url|state)'(, )?)+$|^/location: additional properties ('(details|type)'(, )?)+ not allowed$`),
		Reason: "GHES example uses an older shape of the location event (no sender, flat location)"},
	{Target: "ghes-35", Cause: regexp.MustCompile(`^(cache_sync|enterprise|user)( action "[a-z_]+")?: no schema$`),
		Reason: "GHES-only events; the schema describes api.github.com"},
	{Target: "ghes-35", Cause: regexp.MustCompile(`^(deployment|deployment_status): no schema$`),
		Reason: "GHES 3.5 deployment examples have no `action`; api.github.com sends action \"created\""},
	{Target: "ghes-35", Event: "issues", Cause: regexp.MustCompile(`^/: missing property 'milestone'$`),
		Reason: "GHES (de)milestoned examples omit the `milestone` key the schema requires"},
}

// KnownExampleMismatch reports whether err (from ValidateWebhook on ex)
// is fully explained by KnownExampleMismatches, and by which entries
// (indexes into the slice).
func KnownExampleMismatch(ex Example, err error) (entries []int, ok bool) {
	var causes []string
	var werr *WebhookError
	switch {
	case errors.As(err, &werr):
		causes = werr.Causes
	case errors.Is(err, ErrUnknownWebhook):
		what := ex.Event
		if ex.Action != "" {
			what += fmt.Sprintf(" action %q", ex.Action)
		}
		causes = []string{what + ": no schema"}
	default:
		return nil, false
	}
	used := map[int]bool{}
	for _, cause := range causes {
		found := false
		for i, m := range KnownExampleMismatches {
			if (m.Target == "" || m.Target == ex.Target) && (m.Event == "" || m.Event == ex.Event) && m.Cause.MatchString(cause) {
				found = true
				used[i] = true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	for i := range KnownExampleMismatches {
		if used[i] {
			entries = append(entries, i)
		}
	}
	return entries, true
}
