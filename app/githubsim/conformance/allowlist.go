package conformance

import "strings"

// AllowEntry excuses violations that match all of its non-empty fields.
// Every entry must say why it exists.
type AllowEntry struct {
	Kind     Kind   // "" matches any kind
	Method   string // "" matches any method
	Route    string // path template; "" matches any route
	Status   int    // response status; 0 matches any
	Contains string // substring of the violation message; "" matches any
	Reason   string // required: why this departure is acceptable
}

func (e AllowEntry) matches(v Violation) bool {
	return (e.Kind == "" || e.Kind == v.Kind) &&
		(e.Method == "" || strings.EqualFold(e.Method, v.Method)) &&
		(e.Route == "" || e.Route == v.Route) &&
		(e.Status == 0 || e.Status == v.Status) &&
		(e.Contains == "" || strings.Contains(v.Message, e.Contains))
}

// DefaultAllowlist is applied by every Transport unless
// WithoutDefaultAllowlist is given. Keep it short; every entry needs a
// reason a reviewer can check.
var DefaultAllowlist = []AllowEntry{
	{
		Kind:     KindRequest,
		Method:   "POST",
		Route:    "/repos/{owner}/{repo}/issues/{issue_number}/labels",
		Contains: "request body",
		Reason: "go-github v62 Issues.AddLabelsToIssue sends a bare JSON array of names; the operation's " +
			"description says \"You can also pass an array of labels directly\" but its schema only " +
			"describes the {\"labels\": [...]} object form",
	},
	{
		Kind:     KindRequest,
		Method:   "PUT",
		Route:    "/repos/{owner}/{repo}/issues/{issue_number}/labels",
		Contains: "request body",
		Reason: "go-github v62 Issues.ReplaceLabelsForIssue sends a bare JSON array of names; the operation's " +
			"description allows \"an array of labels directly\" but its schema only describes objects",
	},
}

// AllowNullInstallationTokenBody excuses the JSON `null` body that
// ghinstallation (and go-github's Apps.CreateInstallationToken) send when
// given nil token options. It is NOT in DefaultAllowlist: callers should
// pass &github.InstallationTokenOptions{} instead. Add it only when the
// request is made by code you cannot change.
var AllowNullInstallationTokenBody = AllowEntry{
	Kind:     KindRequest,
	Method:   "POST",
	Route:    "/app/installations/{installation_id}/access_tokens",
	Contains: "request body",
	Reason: "nil *github.InstallationTokenOptions is JSON-encoded as null; GitHub accepts it, the " +
		"description (an optional object body) does not",
}
