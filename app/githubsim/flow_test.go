package githubsim

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestIssuesFlow(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice")
	is := must[*github.Issue](t)(alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{
		Title: github.String("DB outage"), Body: github.String("primary down"), Labels: &[]string{"incident"}, Assignees: &[]string{"bob"}}))
	if is.GetNumber() != 1 || is.GetUser().GetLogin() != "alice" || len(is.Labels) != 1 || is.Assignees[0].GetLogin() != "bob" {
		t.Fatalf("issue = %+v", is)
	}
	// unassignable user
	_, resp, err := alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x"), Assignees: &[]string{"carol"}})
	wantStatus(t, resp, err, 422)
	_, resp, err = alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("")})
	wantStatus(t, resp, err, 422)

	must[[]*github.Label](t)(e.inst.Issues.AddLabelsToIssue(bg, "acme", "services", 1, []string{"sev1", "postmortem-needed"}))
	ok(t)(e.inst.Issues.RemoveLabelForIssue(bg, "acme", "services", 1, "sev1"))
	_, err = e.inst.Issues.RemoveLabelForIssue(bg, "acme", "services", 1, "sev1")
	if err == nil {
		t.Fatal("removing an absent label succeeded")
	}
	cm := must[*github.IssueComment](t)(e.inst.Issues.CreateComment(bg, "acme", "services", 1, &github.IssueComment{Body: github.String("Drafting the postmortem")}))
	must[*github.IssueComment](t)(e.inst.Issues.EditComment(bg, "acme", "services", cm.GetID(), &github.IssueComment{Body: github.String("Drafted")}))
	got := must[*github.IssueComment](t)(e.inst.Issues.GetComment(bg, "acme", "services", cm.GetID()))
	if got.GetBody() != "Drafted" || got.GetUser().GetLogin() != "postmortem[bot]" {
		t.Fatalf("comment = %q by %s", got.GetBody(), got.GetUser().GetLogin())
	}
	// second issue referencing the first, sub-issue by database id
	two := must[*github.Issue](t)(alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("Follow-up: add alerting"), Body: github.String("From #1")}))
	req, _ := e.inst.NewRequest("POST", "repos/acme/services/issues/1/sub_issues", map[string]any{"sub_issue_id": two.GetID()})
	ok(t)(e.inst.Do(bg, req, nil))
	req, _ = e.inst.NewRequest("POST", "repos/acme/services/issues/1/sub_issues", map[string]any{"sub_issue_id": two.GetNumber()})
	_, err = e.inst.Do(bg, req, nil)
	if err == nil {
		t.Fatal("sub-issue by number accepted")
	}
	var subs []*github.Issue
	req, _ = e.inst.NewRequest("GET", "repos/acme/services/issues/1/sub_issues", nil)
	ok(t)(e.inst.Do(bg, req, &subs))
	if len(subs) != 1 || subs[0].GetNumber() != 2 {
		t.Fatalf("sub issues = %v", subs)
	}
	// list filters
	list := must[[]*github.Issue](t)(e.inst.Issues.ListByRepo(bg, "acme", "services", &github.IssueListByRepoOptions{Labels: []string{"incident"}}))
	if len(list) != 1 || list[0].GetNumber() != 1 {
		t.Fatalf("by label = %d", len(list))
	}
	list = must[[]*github.Issue](t)(e.inst.Issues.ListByRepo(bg, "acme", "services", &github.IssueListByRepoOptions{Creator: "alice", Direction: "asc"}))
	if len(list) != 2 || list[0].GetNumber() != 1 {
		t.Fatalf("by creator = %d", len(list))
	}
	// close as not planned, reopen
	closed := must[*github.Issue](t)(alice.Issues.Edit(bg, "acme", "services", 2, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")}))
	if closed.GetState() != "closed" || closed.GetStateReason() != "not_planned" || closed.ClosedAt == nil {
		t.Fatalf("closed = %s %s", closed.GetState(), closed.GetStateReason())
	}
	list = must[[]*github.Issue](t)(e.inst.Issues.ListByRepo(bg, "acme", "services", &github.IssueListByRepoOptions{State: "closed"}))
	if len(list) != 1 {
		t.Fatalf("closed list = %d", len(list))
	}
	reopened := must[*github.Issue](t)(alice.Issues.Edit(bg, "acme", "services", 2, &github.IssueRequest{State: github.String("open")}))
	if reopened.GetStateReason() != "reopened" {
		t.Fatalf("state_reason = %s", reopened.GetStateReason())
	}
	// events and timeline
	evs := must[[]*github.IssueEvent](t)(e.inst.Issues.ListIssueEvents(bg, "acme", "services", 1, nil))
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.GetEvent())
	}
	if strings.Join(kinds, ",") != "labeled,assigned,labeled,labeled,unlabeled,sub_issue_added" {
		t.Fatalf("events = %v", kinds)
	}
	tl := must[[]*github.Timeline](t)(e.inst.Issues.ListIssueTimeline(bg, "acme", "services", 1, nil))
	var tk []string
	for _, ev := range tl {
		tk = append(tk, ev.GetEvent())
	}
	if !strings.Contains(strings.Join(tk, ","), "commented") || !strings.Contains(strings.Join(tk, ","), "cross-referenced") {
		t.Fatalf("timeline = %v", tk)
	}
	// webhooks, including the bot's own echo
	e.srv.WaitIdle()
	names := strings.Join(e.hooks.names(), " ")
	for _, want := range []string{"issues.opened", "issues.labeled", "issues.unlabeled", "issues.assigned", "issue_comment.created", "issue_comment.edited", "issues.closed", "issues.reopened"} {
		if !strings.Contains(names, want) {
			t.Errorf("no %s webhook in %s", want, names)
		}
	}
	sawBot := false
	for _, r := range e.hooks.all() {
		if ev, ok := r.parsed.(*github.IssueCommentEvent); ok && ev.GetSender().GetType() == "Bot" && ev.GetInstallation().GetID() == testInstID {
			sawBot = true
		}
	}
	if !sawBot {
		t.Error("no issue_comment echo with a Bot sender")
	}
	snap := e.srv.Issues(testRepo)
	if len(snap) != 2 || snap[1].Parent != 1 || len(snap[0].Comments) != 1 {
		t.Fatalf("snapshot = %+v", snap)
	}
}

func TestPullRequestFlow(t *testing.T) {
	e := newEnv(t)
	alice := e.srv.As("alice")
	head, err := alice.PushFiles(testRepo, "postmortem/1-db", map[string]string{"postmortems/db.md": "# DB outage\n\nline two\nline three\n"}, "Draft postmortem")
	if err != nil {
		t.Fatal(err)
	}
	pr := must[*github.PullRequest](t)(e.inst.PullRequests.Create(bg, "acme", "services", &github.NewPullRequest{
		Title: github.String("Postmortem: DB outage"), Head: github.String("postmortem/1-db"), Base: github.String("main"), Body: github.String("Closes #1")}))
	if pr.GetHead().GetSHA() != head || pr.GetNumber() != 1 {
		t.Fatalf("pr head %s number %d", pr.GetHead().GetSHA(), pr.GetNumber())
	}
	_, resp, err := e.inst.PullRequests.Create(bg, "acme", "services", &github.NewPullRequest{
		Title: github.String("again"), Head: github.String("acme:postmortem/1-db"), Base: github.String("main")})
	wantStatus(t, resp, err, 422)
	if !strings.Contains(err.Error(), "A pull request already exists for acme:postmortem/1-db.") {
		t.Fatalf("err = %v", err)
	}
	_, resp, err = e.inst.PullRequests.Create(bg, "acme", "services", &github.NewPullRequest{Title: github.String("x"), Head: github.String("nope"), Base: github.String("main")})
	wantStatus(t, resp, err, 422)
	// PRs share the issue number sequence and show up in issues with pull_request
	is := must[*github.Issue](t)(e.inst.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("after")}))
	if is.GetNumber() != 2 {
		t.Fatalf("issue number = %d", is.GetNumber())
	}
	all := must[[]*github.Issue](t)(e.inst.Issues.ListByRepo(bg, "acme", "services", nil))
	if len(all) != 2 || !all[1].IsPullRequest() {
		t.Fatalf("issues list = %d, pr flagged %v", len(all), len(all) == 2 && all[1].IsPullRequest())
	}
	list := must[[]*github.PullRequest](t)(e.inst.PullRequests.List(bg, "acme", "services", &github.PullRequestListOptions{Head: "acme:postmortem/1-db"}))
	if len(list) != 1 {
		t.Fatalf("pulls by head = %d", len(list))
	}
	// second commit → synchronize; files show the diff
	head2, err := alice.EditFile(testRepo, 1, "postmortems/db.md", "# DB outage\n\nline 2\nline three\n", "Edit")
	if err != nil {
		t.Fatal(err)
	}
	files := must[[]*github.CommitFile](t)(e.inst.PullRequests.ListFiles(bg, "acme", "services", 1, nil))
	if len(files) != 1 || files[0].GetStatus() != "added" || files[0].GetAdditions() != 4 || !strings.HasPrefix(files[0].GetPatch(), "@@ -0,0 +1,4 @@") {
		t.Fatalf("files = %+v", files)
	}
	// review with a suggestion on a diff line; a line outside the diff is refused
	suggestion := "```suggestion\nline two\n```"
	rv := must[*github.PullRequestReview](t)(e.inst.PullRequests.CreateReview(bg, "acme", "services", 1, &github.PullRequestReviewRequest{
		Event: github.String("COMMENT"), Body: github.String("Wording"),
		Comments: []*github.DraftReviewComment{{Path: github.String("postmortems/db.md"), Line: github.Int(3), Side: github.String("RIGHT"), Body: &suggestion}}}))
	if rv.GetState() != "COMMENTED" || rv.GetCommitID() != head2 {
		t.Fatalf("review = %s on %s", rv.GetState(), rv.GetCommitID())
	}
	_, resp, err = e.inst.PullRequests.CreateReview(bg, "acme", "services", 1, &github.PullRequestReviewRequest{
		Event: github.String("COMMENT"), Body: github.String("x"),
		Comments: []*github.DraftReviewComment{{Path: github.String("postmortems/db.md"), Line: github.Int(99), Body: github.String("x")}}})
	wantStatus(t, resp, err, 422)
	rcs := must[[]*github.PullRequestComment](t)(e.inst.PullRequests.ListComments(bg, "acme", "services", 1, nil))
	if len(rcs) != 1 || rcs[0].GetLine() != 3 || rcs[0].GetBody() != suggestion {
		t.Fatalf("review comments = %+v", rcs)
	}
	// reviewers, approval, merge
	must[*github.PullRequest](t)(e.inst.PullRequests.RequestReviewers(bg, "acme", "services", 1, github.ReviewersRequest{Reviewers: []string{"alice"}}))
	_, resp, err = e.inst.PullRequests.RequestReviewers(bg, "acme", "services", 1, github.ReviewersRequest{Reviewers: []string{"carol"}})
	wantStatus(t, resp, err, 422)
	if err := e.srv.As("bob").ApprovePR(testRepo, 1, "LGTM"); err != nil {
		t.Fatal(err)
	}
	_, resp, err = e.inst.PullRequests.Merge(bg, "acme", "services", 1, "", &github.PullRequestOptions{SHA: head})
	wantStatus(t, resp, err, 409)
	res := must[*github.PullRequestMergeResult](t)(e.inst.PullRequests.Merge(bg, "acme", "services", 1, "", &github.PullRequestOptions{SHA: head2}))
	if !res.GetMerged() {
		t.Fatal("not merged")
	}
	merged := must[*github.PullRequest](t)(e.inst.PullRequests.Get(bg, "acme", "services", 1))
	if !merged.GetMerged() || merged.GetState() != "closed" || merged.GetMergeCommitSHA() != res.GetSHA() || merged.MergedAt == nil {
		t.Fatalf("merged pr = %v %s", merged.GetMerged(), merged.GetState())
	}
	mc := must[*github.Commit](t)(e.inst.Git.GetCommit(bg, "acme", "services", res.GetSHA()))
	if len(mc.Parents) != 2 || mc.Parents[1].GetSHA() != head2 {
		t.Fatalf("merge commit parents = %d", len(mc.Parents))
	}
	if got, _ := e.srv.FileAt(testRepo, "main", "postmortems/db.md"); !strings.Contains(got, "line 2") {
		t.Fatalf("main file = %q", got)
	}
	_, resp, err = e.inst.PullRequests.Merge(bg, "acme", "services", 1, "", nil)
	wantStatus(t, resp, err, 405)

	e.srv.WaitIdle()
	names := strings.Join(e.hooks.names(), " ")
	for _, want := range []string{"push", "pull_request.opened", "pull_request.synchronize", "pull_request_review.submitted", "pull_request.closed", "check_suite.requested", "pull_request.review_requested"} {
		if !strings.Contains(names, want) {
			t.Errorf("no %s webhook in %s", want, names)
		}
	}
	for _, r := range e.hooks.all() {
		if ev, ok := r.parsed.(*github.PullRequestEvent); ok && ev.GetAction() == "closed" && !ev.GetPullRequest().GetMerged() {
			t.Error("closed event without merged: true")
		}
	}
	p := e.srv.Pulls(testRepo)
	if len(p) != 1 || !p[0].Merged || len(p[0].Reviews) != 2 || p[0].Reviews[0].Comments[0].Line != 3 {
		t.Fatalf("pulls snapshot = %+v", p)
	}
}

func TestSquashMergeAndConflict(t *testing.T) {
	e := newEnv(t)
	alice := e.srv.As("alice")
	if _, err := alice.PushFiles(testRepo, "a", map[string]string{"README.md": "A\n"}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.PushFiles(testRepo, "b", map[string]string{"README.md": "B\n"}, "b"); err != nil {
		t.Fatal(err)
	}
	na, _ := alice.OpenPR(testRepo, "a", "main", "A", "")
	nb, _ := alice.OpenPR(testRepo, "b", "main", "B", "")
	sha, err := alice.MergePR(testRepo, na, "squash")
	if err != nil {
		t.Fatal(err)
	}
	mc := must[*github.Commit](t)(e.inst.Git.GetCommit(bg, "acme", "services", sha))
	if len(mc.Parents) != 1 || !strings.HasPrefix(mc.GetMessage(), "A (#1)") {
		t.Fatalf("squash commit: %d parents, %q", len(mc.Parents), mc.GetMessage())
	}
	pb := must[*github.PullRequest](t)(e.inst.PullRequests.Get(bg, "acme", "services", nb))
	if pb.GetMergeable() || pb.GetMergeableState() != "dirty" {
		t.Fatalf("conflicting PR mergeable=%v state=%s", pb.GetMergeable(), pb.GetMergeableState())
	}
	if _, err := alice.MergePR(testRepo, nb, ""); err == nil {
		t.Fatal("conflicting merge succeeded")
	}
}

func TestChecks(t *testing.T) {
	e := newEnv(t)
	sha := e.srv.RefSHA(testRepo, "main")
	start := time.Now()
	run := must[*github.CheckRun](t)(e.inst.Checks.CreateCheckRun(bg, "acme", "services", github.CreateCheckRunOptions{
		Name: "postmortem/completeness", HeadSHA: sha, Status: github.String("in_progress"), StartedAt: &github.Timestamp{Time: start},
		Output: &github.CheckRunOutput{Title: github.String("Checking"), Summary: github.String("...")}}))
	anns := func(n int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for i := 0; i < n; i++ {
			out = append(out, &github.CheckRunAnnotation{Path: github.String("README.md"), StartLine: github.Int(1), EndLine: github.Int(1),
				AnnotationLevel: github.String("warning"), Message: github.String("blame")})
		}
		return out
	}
	// 51 annotations violate the schema on purpose: through a client without the conformance check
	raw := e.rawClient(e.srv.InstallationToken(testInstID))
	_, resp, err := raw.Checks.UpdateCheckRun(bg, "acme", "services", run.GetID(), github.UpdateCheckRunOptions{Name: "postmortem/completeness",
		Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: anns(51)}})
	wantStatus(t, resp, err, 422)
	for i := 0; i < 2; i++ {
		must[*github.CheckRun](t)(e.inst.Checks.UpdateCheckRun(bg, "acme", "services", run.GetID(), github.UpdateCheckRunOptions{Name: "postmortem/completeness",
			Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: anns(50)}}))
	}
	done := must[*github.CheckRun](t)(e.inst.Checks.UpdateCheckRun(bg, "acme", "services", run.GetID(), github.UpdateCheckRunOptions{Name: "postmortem/completeness",
		Conclusion: github.String("failure"), Output: &github.CheckRunOutput{Title: github.String("3 findings"), Summary: github.String("s"), Annotations: anns(3)}}))
	if done.GetStatus() != "completed" || done.GetConclusion() != "failure" || done.GetOutput().GetAnnotationsCount() != 103 {
		t.Fatalf("run = %s %s %d", done.GetStatus(), done.GetConclusion(), done.GetOutput().GetAnnotationsCount())
	}
	got := must[[]*github.CheckRunAnnotation](t)(e.inst.Checks.ListCheckRunAnnotations(bg, "acme", "services", run.GetID(), &github.ListOptions{PerPage: 100}))
	if len(got) != 100 {
		t.Fatalf("annotations page = %d", len(got))
	}
	list := must[*github.ListCheckRunsResults](t)(e.inst.Checks.ListCheckRunsForRef(bg, "acme", "services", "main", &github.ListCheckRunsOptions{CheckName: github.String("postmortem/completeness")}))
	if list.GetTotal() != 1 {
		t.Fatalf("runs for ref = %d", list.GetTotal())
	}
	suites := must[*github.ListCheckSuiteResults](t)(e.inst.Checks.ListCheckSuitesForRef(bg, "acme", "services", sha, nil))
	if suites.GetTotal() != 1 || suites.CheckSuites[0].GetConclusion() != "failure" {
		t.Fatalf("suites = %d", suites.GetTotal())
	}
	ok(t)(e.inst.Checks.ReRequestCheckSuite(bg, "acme", "services", suites.CheckSuites[0].GetID()))
	// users cannot create check runs
	_, resp, err = e.user(t, "alice").Checks.CreateCheckRun(bg, "acme", "services", github.CreateCheckRunOptions{Name: "x", HeadSHA: sha})
	wantStatus(t, resp, err, 403)
	e.srv.WaitIdle()
	names := strings.Join(e.hooks.names(), " ")
	for _, want := range []string{"check_run.created", "check_run.completed", "check_suite.completed", "check_suite.rerequested"} {
		if !strings.Contains(names, want) {
			t.Errorf("no %s webhook in %s", want, names)
		}
	}
	cr := e.srv.CheckRuns(testRepo, "main")
	if len(cr) != 1 || len(cr[0].Annotations) != 103 || cr[0].Title != "3 findings" {
		t.Fatalf("snapshot = %+v", cr)
	}
}
