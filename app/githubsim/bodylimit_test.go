package githubsim

import (
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
)

// wantTooLong checks GitHub's 422 for a body past 65 536 characters: the
// error's resource, code, field and message as GitHub answers them.
func wantTooLong(t *testing.T, resp *github.Response, err error, resource, code, field, message string) {
	t.Helper()
	wantStatus(t, resp, err, 422)
	er, ok := err.(*github.ErrorResponse)
	if !ok || er.Message != "Validation Failed" || len(er.Errors) != 1 {
		t.Fatalf("error = %#v", err)
	}
	got := er.Errors[0]
	if got.Resource != resource || got.Code != code || got.Field != field || got.Message != message {
		t.Fatalf("error = %+v, want %s/%s/%s %q", got, resource, code, field, message)
	}
}

// TestBodyLimit: bodies of issues, pull requests, comments and reviews are
// refused past 65 536 characters (counted as characters: 65 536 "é" are
// fine), and check run summaries past 65 535, as GitHub does; nothing is
// written.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	ok := strings.Repeat("é", MaxBodyChars)
	long := strings.Repeat("a", MaxBodyChars+1)
	const issueMsg, commentMsg = "body is too long (maximum is 65536 characters)", "Body is too long (maximum is 65536 characters)"

	_, resp, err := e.inst.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x"), Body: &long})
	wantTooLong(t, resp, err, "Issue", "custom", "body", issueMsg)
	if n := len(e.srv.Issues(testRepo)); n != 0 {
		t.Fatalf("%d issues after the refusal", n)
	}
	is := must[*github.Issue](t)(e.inst.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x"), Body: &ok}))
	_, resp, err = e.inst.Issues.Edit(bg, "acme", "services", is.GetNumber(), &github.IssueRequest{Body: &long})
	wantTooLong(t, resp, err, "Issue", "custom", "body", issueMsg)

	_, resp, err = e.inst.Issues.CreateComment(bg, "acme", "services", is.GetNumber(), &github.IssueComment{Body: &long})
	wantTooLong(t, resp, err, "IssueComment", "unprocessable", "data", commentMsg)
	c := must[*github.IssueComment](t)(e.inst.Issues.CreateComment(bg, "acme", "services", is.GetNumber(), &github.IssueComment{Body: &ok}))
	_, resp, err = e.inst.Issues.EditComment(bg, "acme", "services", c.GetID(), &github.IssueComment{Body: &long})
	wantTooLong(t, resp, err, "IssueComment", "unprocessable", "data", commentMsg)
	if snap := e.srv.Issues(testRepo); snap[0].Body != ok || len(snap[0].Comments) != 1 || snap[0].Comments[0].Body != ok {
		t.Fatal("a refused write changed the issue or its comment")
	}

	head, err := e.srv.As("alice").PushFiles(testRepo, "pm", map[string]string{"postmortems/db.md": "# DB\n\nline\n"}, "pm")
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err = e.inst.PullRequests.Create(bg, "acme", "services", &github.NewPullRequest{
		Title: github.String("pm"), Head: github.String("pm"), Base: github.String("main"), Body: &long})
	wantTooLong(t, resp, err, "PullRequest", "custom", "body", issueMsg)
	pr := must[*github.PullRequest](t)(e.inst.PullRequests.Create(bg, "acme", "services", &github.NewPullRequest{
		Title: github.String("pm"), Head: github.String("pm"), Base: github.String("main"), Body: &ok}))
	_, resp, err = e.inst.PullRequests.Edit(bg, "acme", "services", pr.GetNumber(), &github.PullRequest{Body: &long})
	wantTooLong(t, resp, err, "PullRequest", "custom", "body", issueMsg)
	// A review's 422 lists its errors as strings (validation-error-simple).
	for _, rv := range []*github.PullRequestReviewRequest{
		{Event: github.String("COMMENT"), Body: &long},
		{Event: github.String("COMMENT"), Body: github.String("see"), Comments: []*github.DraftReviewComment{
			{Path: github.String("postmortems/db.md"), Line: github.Int(1), Side: github.String("RIGHT"), Body: &long}}},
	} {
		_, resp, err = e.inst.PullRequests.CreateReview(bg, "acme", "services", pr.GetNumber(), rv)
		wantStatus(t, resp, err, 422)
		if !strings.Contains(err.Error(), commentMsg) {
			t.Fatalf("err = %v", err)
		}
	}
	if p := e.srv.Pulls(testRepo)[0]; p.Body != ok || len(p.Reviews) != 0 {
		t.Fatal("a refused write changed the pull request")
	}

	// The API description says so too (maxLength): the conformance
	// transport is told this request breaks it on purpose.
	// (GitHub answers it with a 422 the description does not declare).
	ct := conformance.NewTransport(t, nil, conformance.WithAllowlist(append(simAllowlist, conformance.AllowEntry{
		Method: "POST", Route: "/repos/{owner}/{repo}/check-runs", Contains: "maximum string length is 65535",
		Reason: "TestBodyLimit sends a summary past its maxLength on purpose, to see it refused as GitHub does",
	}, conformance.AllowEntry{
		Method: "POST", Route: "/repos/{owner}/{repo}/check-runs", Status: 422, Contains: "is not declared",
		Reason: "GitHub's answer to that summary, a 422 the description does not list",
	})...))
	atr, err := ghinstallation.NewAppsTransport(ct, testAppID, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	itr := ghinstallation.NewFromAppsTransport(atr, testInstID)
	itr.BaseURL = e.srv.URL()
	itr.InstallationTokenOptions = &github.InstallationTokenOptions{}
	inst := client(t, e.srv, itr)
	summary := strings.Repeat("s", MaxCheckOutputChars+1)
	_, resp, err = inst.Checks.CreateCheckRun(bg, "acme", "services", github.CreateCheckRunOptions{Name: "x", HeadSHA: head,
		Output: &github.CheckRunOutput{Title: github.String("t"), Summary: &summary}})
	wantStatus(t, resp, err, 422)
	if !strings.Contains(err.Error(), "Only 65535 characters are allowed; 65536 were supplied.") {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.srv.CheckRuns(testRepo, head)); n != 0 {
		t.Fatalf("%d check runs after the refusal", n)
	}
}
