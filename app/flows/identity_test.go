package flows

import (
	"errors"
	"fmt"
	"testing"
)

// requested is who is asked to review pull request n, read from GitHub.
func (e *flowEnv) requested(n int) []string {
	e.t.Helper()
	rs, _, err := e.alice.Client.PullRequests.ListReviewers(e.ctx, "acme", "services", n, nil)
	e.must(err)
	var out []string
	for _, u := range rs.Users {
		out = append(out, u.GetLogin())
	}
	return out
}

// Identity fails closed (issue 13): while the App's bot login is unknown (no
// GITHUB_APP_SLUG, GET /app failing) a stranger's copy of the App's
// pointer comment, naming a pull request of the stranger's choosing, is
// not the App's: the flow does nothing (ErrIdentityUnknown: the job waits)
// instead of taking the draft as done and asking the incident's assignee
// to review that pull request. Once the login is known the draft is
// opened, and the stranger's pull request is still left alone.
func TestIdentityFailsClosed(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	e.flows.BotLogin = ""                         // unknown: no slug, GET /app failed
	n := e.openIncident("DNS outage", "incident") // assigned to bob

	// alice's unrelated pull request, and mallory's fake pointer to it.
	_, err := e.alice.PushFiles(flowRepo, "feature", map[string]string{"README.md": "hello\n"}, "feature")
	e.must(err)
	other, err := e.alice.OpenPR(flowRepo, "feature", "main", "A feature", "")
	e.must(err)
	mallory := e.sim.As("mallory")
	_, err = mallory.Comment(flowRepo, n, fmt.Sprintf("%s\nA blameless postmortem for this incident is being drafted in #%d (branch `feature`).", MarkerPointer(n), other))
	e.must(err)

	res, err := e.flows.Incident(e.ctx, e.incident(n))
	if !errors.Is(err, ErrIdentityUnknown) {
		t.Fatalf("with the login unknown: %+v, %v; want ErrIdentityUnknown", res, err)
	}
	if got := e.requested(other); len(got) != 0 {
		t.Fatalf("reviewers requested on the stranger's pull request #%d: %v", other, got)
	}
	if len(e.pulls()) != 1 {
		t.Fatalf("%d pull requests with the login unknown, want only #%d", len(e.pulls()), other)
	}

	e.flows.SetBotLogin(flowBot) // GET /app answered
	res, err = e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.PullRequest == 0 || res.PullRequest == other || !res.Created {
		t.Fatalf("with the login known: %+v; want a drafted postmortem", res)
	}
	if got := e.requested(other); len(got) != 0 {
		t.Fatalf("reviewers requested on the stranger's pull request #%d: %v", other, got)
	}
	if got := e.requested(res.PullRequest); len(got) != 1 || got[0] != "bob" {
		t.Fatalf("the draft's reviewers: %v, want bob", got)
	}
}
