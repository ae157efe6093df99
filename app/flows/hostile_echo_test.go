package flows

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

// reLiveMention is a mention GitHub would link (and notify) in Markdown
// text: "@" after a start or a non-word character, then a login or an
// org/team.
var reLiveMention = regexp.MustCompile(`(^|[^\w\x60])@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][\w.-]*)?`)

// inert fails t when body, which the App wrote, holds a live mention of
// acme/security or an HTML comment (a marker) other than the App's own
// first one.
func inert(t *testing.T, what, body string) {
	t.Helper()
	if m := reLiveMention.FindString(body); m != "" && strings.Contains(m, "acme/security") {
		t.Errorf("%s mentions %q:\n%s", what, strings.TrimSpace(m), body)
	}
	rest := body
	if strings.HasPrefix(rest, "<!--") {
		rest = rest[strings.Index(rest, "-->")+3:]
	}
	if strings.Contains(rest, "<!--") {
		t.Errorf("%s carries an HTML comment it did not write:\n%s", what, body)
	}
}

// Issue 13: with filename '{{.Title}}.md', an incident's title was quoted
// unescaped into the App's configuration-error comment: it mentioned a
// team, and the pointer marker it carried (in the App's own comment) was
// taken for the pointer to a pull request, so the postmortem was never
// drafted, even once the configuration was fixed. Every string a stranger
// writes is escaped where the App echoes it.
func TestTitleInConfigErrorIsInert(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "filename: '{{.Title}}.md'\n"}})
	n := e.openIncident("DNS outage", "incident")
	title := fmt.Sprintf("../ cc @acme/security %s see #%d", MarkerPointer(n), n)
	_, _, err := e.alice.Client.Issues.Edit(e.ctx, "acme", "services", n, &github.IssueRequest{Title: github.String(title)})
	e.must(err)
	_, err = e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	got := e.commentsWith(n, MarkerConfigError)
	if len(got) != 1 {
		t.Fatalf("%d configuration error comments, want 1", len(got))
	}
	inert(t, "the configuration error comment", got[0].Body)
	if !strings.Contains(got[0].Body, "acme/security") {
		t.Errorf("the title is not shown:\n%s", got[0].Body)
	}

	// The configuration is fixed: the postmortem is drafted.
	_, err = e.alice.PushFiles(flowRepo, "main", map[string]string{".github/postmortem.yml": "filename: '{{.Slug}}.md'\n"}, "fix")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.PullRequest == 0 || !res.Created {
		t.Fatalf("after the fix: %+v; want a drafted postmortem", res)
	}
}

// Issue 13: the incident's title went raw into the draft's commit message,
// so a title could add a trailer (Co-authored-by:) or skip CI ([skip ci]).
// It goes on the subject line, one line, brackets defused; the pull
// request's title has no bidirectional override either.
func TestTitleInCommitMessageIsInert(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	title := "[skip ci] Checkout down \u202Efdp.exe\nCo-authored-by: Mallory <mallory@example.com>"
	n := e.openIncident(title, "incident")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.Branch == "" {
		t.Fatalf("no draft: %+v", res)
	}
	sha := e.sim.Commits(flowRepo, res.Branch)[0]
	c, _, err := e.alice.Client.Git.GetCommit(e.ctx, "acme", "services", sha)
	e.must(err)
	msg := c.GetMessage()
	for _, bad := range []string{"[skip ci]", "\nCo-authored-by:"} {
		if strings.Contains(msg, bad) {
			t.Errorf("the commit message holds %q:\n%s", bad, msg)
		}
	}
	if !strings.Contains(msg, "Checkout down") || strings.Contains(msg, "\u202E") {
		t.Errorf("the commit message does not name the incident, or holds an override:\n%q", msg)
	}
	if pulls := e.pulls(); len(pulls) != 1 || strings.ContainsAny(pulls[0].Title, "\u202E\n") {
		t.Errorf("the pull request's title holds an override or a line break: %+v", pulls)
	}
}

// Issue 13: a follow-up's title went raw into the incident's tracking
// comment. Edited to carry the completion marker, it was found in the
// App's own tracking comment and taken for the completion comment, which
// was never posted; a team in it was mentioned on every update.
func TestFollowUpTitleInTrackingIsInert(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Page the database team on pool exhaustion (owner: @alice, due: 2026-03-20)\n")
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.FollowUps == nil || len(res.FollowUps.Created) != 1 {
		t.Fatalf("follow-ups: %+v", res.FollowUps)
	}
	fu := res.FollowUps.Created[0]
	title := fmt.Sprintf("Page **now** cc @acme/security %s", MarkerComplete(n))
	_, _, err = e.bob.Client.Issues.Edit(e.ctx, "acme", "services", fu, &github.IssueRequest{Title: github.String(title)})
	e.must(err)
	_, err = e.flows.Tracking(e.ctx, e.trackingJob(fu))
	e.must(err)
	tracking := e.commentsWith(n, MarkerTracking(n))
	if len(tracking) != 1 {
		t.Fatalf("%d tracking comments", len(tracking))
	}
	inert(t, "the tracking comment", tracking[0].Body)

	e.must(e.alice.CloseIssue(flowRepo, fu, "completed"))
	tr, err := e.flows.Tracking(e.ctx, e.trackingJob(fu))
	e.must(err)
	completions := 0
	for _, c := range e.issue(n).Comments {
		if strings.HasPrefix(c.Body, MarkerComplete(n)) {
			completions++
		}
	}
	if completions != 1 {
		t.Fatalf("tracking %+v: %d completion comments, want 1", tr, completions)
	}
}

// Issue 13: a finding quotes the postmortem (a heading taken for a
// section), and the check run's summary showed it raw: a mention, an HTML
// comment.
func TestFindingTextInCheckRunIsInert(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident")
	pm := strings.Replace(fixedPostmortem(n, threeActions), "## Impact", "## Impact on @acme/security <!-- hidden -->", 1)
	_, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/2026-03-01-x.md": pm}, "pm")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	shown := false
	for _, cr := range e.sim.CheckRuns(flowRepo, res.HeadSHA) {
		inert(t, cr.Name+"'s summary", cr.Summary)
		shown = shown || strings.Contains(cr.Summary, "acme/security")
	}
	if !shown {
		t.Fatal("no check run quotes the heading: the test tests nothing")
	}
}
