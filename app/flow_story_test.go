package app

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/flows/render"
)

// TestFlowStory walks the four flows in order, calling them as the job
// runner would, and asserts GitHub's state after each.
func TestFlowStory(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{
		".github/postmortem.yml": "close_incident: true\n",
	}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	prNum, path := ires.PullRequest, ires.Path
	if ires.Checks.Completeness.Conclusion != "failure" || ires.Checks.Completeness.Annotations == 0 {
		t.Fatalf("draft completeness = %+v", ires.Checks.Completeness)
	}

	// A person writes the postmortem, with one blameful sentence.
	blameful := strings.Replace(fixedPostmortem(n, threeActions),
		"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
	_, err = e.alice.EditFile(flowRepo, prNum, path, blameful, "Write the postmortem")
	e.must(err)
	mark := e.mark()
	pres, err := e.flows.PullRequest(e.ctx, e.pr(prNum), false)
	e.must(err)
	if pres.Completeness.Conclusion != "success" {
		t.Errorf("completeness = %+v", pres.Completeness)
	}
	if pres.Blameless.Conclusion != "failure" || pres.Blameless.Annotations == 0 {
		t.Errorf("blameless = %+v", pres.Blameless)
	}
	if pres.Suggestions != 1 {
		t.Errorf("suggestions = %d, want 1", pres.Suggestions)
	}
	calls, total := e.appCalls(mark)
	// GET pull, list files, contents of the config (repo; found), contents
	// of the postmortem, the incident's comments (its people now; the
	// pointer comment came after the draft read them, so this read is
	// counted), list review comments, POST review, 2× POST check-runs. No
	// list of the head's check runs: the claim on them is fresh, so none of
	// ours can exist.
	want := map[string]int{
		"GET /repos/{owner}/{repo}/issues/{issue_number}/comments": 1,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}":            1,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/files":      1,
		"GET /repos/{owner}/{repo}/contents/{path...}":             2,
		"GET /repos/{owner}/{repo}/commits/{ref}/check-runs":       0,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/comments":   1,
		"POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews":   1,
		"POST /repos/{owner}/{repo}/check-runs":                    2,
	}
	if total != 9 {
		t.Errorf("pull request flow made %d calls, want 9:\n%s", total, fmtCalls(calls))
	}
	for k, v := range want {
		if calls[k] != v {
			t.Errorf("%s: %d calls, want %d (all:\n%s)", k, calls[k], v, fmtCalls(calls))
		}
	}
	pull := e.pulls()[0]
	if len(pull.Reviews) != 1 || len(pull.Reviews[0].Comments) != 1 ||
		!strings.Contains(pull.Reviews[0].Comments[0].Body, "```suggestion\nThe pool size was not checked") {
		t.Fatalf("reviews = %+v", pull.Reviews)
	}
	// The same head again: nothing is called but GET pull (a 200 here: the
	// review changed it) and, read together with it, the files and the
	// configuration, both conditional 304s (free).
	mark = e.mark()
	again, err := e.flows.PullRequest(e.ctx, e.pr(prNum), false)
	e.must(err)
	if fc := e.callsSince(mark); fc.total+fc.free != 3 || fc.counted["GET /repos/{owner}/{repo}/pulls/{pull_number}"]+fc.hits["GET /repos/{owner}/{repo}/pulls/{pull_number}"] != 1 ||
		fc.hits["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] != 1 || fc.hits["GET /repos/{owner}/{repo}/contents/{path...}"] != 1 || again.Completeness.ID != 0 {
		t.Errorf("same head rechecked: %d counted calls, %d 304s, %+v\n%s", fc.total, fc.free, again, fc)
	}
	// Rerequested: new check runs, but the suggestion is not repeated.
	rr, err := e.flows.PullRequest(e.ctx, e.pr(prNum), true)
	e.must(err)
	if rr.Blameless.ID == 0 || rr.Suggestions != 0 || len(e.pulls()[0].Reviews) != 1 {
		t.Errorf("rerequest: %+v, reviews %d", rr, len(e.pulls()[0].Reviews))
	}

	// Fixed: both pass.
	_, err = e.alice.EditFile(flowRepo, prNum, path, fixedPostmortem(n, threeActions), "Blameless wording")
	e.must(err)
	pres, err = e.flows.PullRequest(e.ctx, e.pr(prNum), false)
	e.must(err)
	if pres.Completeness.Conclusion != "success" || pres.Blameless.Conclusion != "success" {
		t.Fatalf("fixed: %+v", pres)
	}

	// Merge → follow-ups.
	_, err = e.bob.MergePR(flowRepo, prNum, "squash")
	e.must(err)
	mres, err := e.flows.PullRequest(e.ctx, e.pr(prNum), false)
	e.must(err)
	fu := mres.FollowUps
	if fu == nil || fu.Items != 3 || len(fu.Created) != 3 {
		t.Fatalf("follow-ups = %+v", fu)
	}
	issues := e.followUpIssues(n)
	if len(issues) != 3 {
		t.Fatalf("%d follow-up issues", len(issues))
	}
	byTitle := map[string]int{}
	for _, is := range issues {
		byTitle[is.Title] = is.Number
		if is.Parent != n {
			t.Errorf("#%d parent = %d, want %d", is.Number, is.Parent, n)
		}
	}
	first := e.issue(byTitle["Validate pool sizes in the configuration pipeline"])
	if strings.Join(first.Assignees, ",") != "alice" || !hasAll(first.Labels, "follow-up", "P1") || !strings.Contains(first.Body, "2026-04-01") {
		t.Errorf("first follow-up = %+v", first)
	}
	second := e.issue(byTitle["Add an alert on connection pool saturation"])
	if !hasAll(second.Labels, "follow-up", "observability", "P2") {
		t.Errorf("second follow-up labels = %v", second.Labels)
	}
	team := e.issue(byTitle["Document the rollback runbook"])
	if len(team.Assignees) != 0 || !strings.Contains(team.Body, "teams cannot be assigned") {
		t.Errorf("team follow-up = %+v", team)
	}
	if got := e.commentsWith(n, flows.MarkerTracking(n)); len(got) != 1 || !strings.Contains(got[0].Body, "0 of 3 done") {
		t.Fatalf("tracking = %+v", got)
	}
	// Merge flow again (a redelivered webhook): nothing new.
	mres, err = e.flows.PullRequest(e.ctx, e.pr(prNum), false)
	e.must(err)
	if len(mres.FollowUps.Created) != 0 || len(e.followUpIssues(n)) != 3 {
		t.Fatalf("rerun created %v", mres.FollowUps.Created)
	}

	// Close two, one as not planned.
	e.must(e.alice.CloseIssue(flowRepo, first.Number, "completed"))
	e.must(e.alice.CloseIssue(flowRepo, team.Number, "not_planned"))
	tr, err := e.flows.Tracking(e.ctx, e.trackingJob(first.Number))
	e.must(err)
	if !tr.CommentChanged || tr.Done != 2 || tr.Completed {
		t.Fatalf("tracking after two closed = %+v", tr)
	}
	body := e.commentsWith(n, flows.MarkerTracking(n))[0].Body
	if !strings.Contains(body, "2 of 3 done") || !strings.Contains(body, "not planned") {
		t.Errorf("tracking body:\n%s", body)
	}
	// Unchanged: no edit.
	mark = e.mark()
	tr, err = e.flows.Tracking(e.ctx, e.trackingJob(team.Number))
	e.must(err)
	if tr.CommentChanged {
		t.Error("tracking edited without a change")
	}
	if calls, _ := e.appCalls(mark); calls["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"] != 0 {
		t.Error("PATCH without a change")
	}

	// The last one: the incident completes and closes.
	e.must(e.bob.CloseIssue(flowRepo, second.Number, "completed"))
	tr, err = e.flows.Tracking(e.ctx, e.trackingJob(second.Number))
	e.must(err)
	if !tr.Completed || !tr.IncidentClosed || !tr.LabelledDone {
		t.Fatalf("final tracking = %+v", tr)
	}
	inc := e.issue(n)
	if inc.State != "closed" || !hasAll(inc.Labels, "postmortem-complete") || len(e.commentsWith(n, flows.MarkerComplete(n))) != 1 {
		t.Fatalf("incident = %+v", inc)
	}

	// Reopened: tracking goes back, the complete label comes off.
	e.must(e.bob.ReopenIssue(flowRepo, second.Number))
	tr, err = e.flows.Tracking(e.ctx, e.trackingJob(second.Number))
	e.must(err)
	if tr.Completed || !tr.LabelRemovedNow || tr.Done != 2 {
		t.Fatalf("after reopen = %+v", tr)
	}
	if hasAll(e.issue(n).Labels, "postmortem-complete") {
		t.Error("complete label still on")
	}
	// Done again: no second completion comment.
	e.must(e.bob.CloseIssue(flowRepo, second.Number, "completed"))
	_, err = e.flows.Tracking(e.ctx, e.trackingJob(second.Number))
	e.must(err)
	if got := len(e.commentsWith(n, flows.MarkerComplete(n))); got != 1 {
		t.Errorf("%d completion comments", got)
	}
	// Not a follow-up: ignored.
	tr, err = e.flows.Tracking(e.ctx, e.trackingJob(n))
	e.must(err)
	if tr.Skipped != "not a follow-up" {
		t.Errorf("incident as follow-up: %+v", tr)
	}
}

func hasAll(labels []string, want ...string) bool {
	have := map[string]bool{}
	for _, l := range labels {
		have[strings.ToLower(l)] = true
	}
	for _, w := range want {
		if !have[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

func TestFlowFollowUpsConcurrentExactlyOnce(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Cache stampede", "incident")
	pr := e.mergedPostmortem(n, threeActions)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.flows.PullRequest(e.ctx, e.pr(pr), false)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Logf("backed off: %v", err)
			_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
			e.must(err)
		}
	}
	if got := len(e.followUpIssues(n)); got != 3 {
		t.Fatalf("%d follow-up issues, want 3", got)
	}
	if got := len(e.commentsWith(n, flows.MarkerTracking(n))); got != 1 {
		t.Fatalf("%d tracking comments, want 1", got)
	}
	if subs := e.issue(n).SubIssues; len(subs) != 3 {
		t.Fatalf("sub-issues = %v", subs)
	}
}

func TestFlowFollowUpsCrashBetweenClaimAndCreate(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Disk full", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Add disk usage alerts (owner: @carol, due: 2026-06-01)\n")
	// A worker claimed the item, then died before creating the issue.
	key := claims.Key{InstallationID: flowInstID, RepoID: e.sim.RepoID(flowRepo), Repo: flowRepo, Incident: n, Item: "followup:" + flows.ItemKey("Add disk usage alerts", 0)}
	cl, err := e.claims.Claim(e.ctx, key)
	e.must(err)
	if cl.State != claims.Acquired {
		t.Fatalf("claim = %+v", cl)
	}
	// Within the lease the claim is respected (another worker may be busy).
	_, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	if err == nil || !strings.Contains(err.Error(), claims.ErrInProgress.Error()) {
		t.Fatalf("err = %v, want in progress", err)
	}
	if len(e.followUpIssues(n)) != 0 {
		t.Fatal("created while another worker held the claim")
	}
	// Once the lease has expired the retry takes over and creates it.
	e.claims.Now = func() time.Time { return time.Now().Add(e.claims.Lease) }
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if len(res.FollowUps.Created) != 1 || len(e.followUpIssues(n)) != 1 {
		t.Fatalf("after takeover: %+v, %d issues", res.FollowUps, len(e.followUpIssues(n)))
	}
	is := e.followUpIssues(n)[0]
	if strings.Join(is.Assignees, ",") != "carol" || is.Parent != n {
		t.Errorf("follow-up = %+v", is)
	}
}

func TestFlowClosedUnmergedAndNoActionItems(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Slow builds", "incident")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	// Closed without merge: no follow-ups, nothing done.
	closed := "closed"
	_, _, err = e.alice.Client.PullRequests.Edit(e.ctx, "acme", "services", ires.PullRequest, &github.PullRequest{State: &closed})
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	if res.Skipped != "closed without merge" || len(e.followUpIssues(n)) != 0 {
		t.Fatalf("closed PR: %+v", res)
	}

	// A postmortem with no action items: no follow-ups; the tracking comment
	// says so and the postmortem is complete.
	m := e.openIncident("Flaky DNS", "incident")
	pr := e.mergedPostmortem(m, "None: the fix was already in place.\n")
	res, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.FollowUps == nil || res.FollowUps.Items != 0 || len(e.followUpIssues(m)) != 0 {
		t.Fatalf("no items: %+v", res.FollowUps)
	}
	if got := e.commentsWith(m, flows.MarkerTracking(m)); len(got) != 1 || !strings.Contains(got[0].Body, "no open action items") {
		t.Fatalf("tracking = %+v", got)
	}
	if !hasAll(e.issue(m).Labels, "postmortem-complete") || e.issue(m).State != "open" {
		t.Errorf("incident = %+v (close_incident defaults to false)", e.issue(m))
	}
}

func TestFlowPullRequestBrokenConfigFailsChecks(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "directory: [oops\n"}})
	sha, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/x.md": fixedPostmortem(1, "")}, "pm")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.Completeness.Conclusion != "failure" || res.Blameless.Conclusion != "failure" {
		t.Fatalf("res = %+v", res)
	}
	runs := e.sim.CheckRuns(flowRepo, sha)
	if len(runs) != 2 || !strings.Contains(runs[0].Summary, ".github/postmortem.yml line 1") || len(runs[0].Annotations) != 1 || runs[0].Annotations[0].Path != ".github/postmortem.yml" {
		t.Fatalf("runs = %+v", runs)
	}
}

func TestFlowPullRequestWithoutPostmortemIsNotChecked(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	sha, err := e.alice.PushFiles(flowRepo, "feature", map[string]string{"main.go": "package main\n"}, "code")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "feature", "main", "Feature", "")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.Skipped != "no postmortem changed" || len(e.sim.CheckRuns(flowRepo, sha)) != 0 {
		t.Fatalf("res = %+v", res)
	}
}

// TestFlowManyAnnotationsAreCapped: past render.MaxAnnotations findings a
// check run is still one request, its summary counting the rest.
func TestFlowManyAnnotationsAreCapped(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	var b strings.Builder
	b.WriteString(fixedPostmortem(1, "- [ ] Fix things (owner: @alice, due: 2026-04-01)\n"))
	b.WriteString("\n## Lessons learned\n\n")
	for i := 0; i < 60; i++ {
		b.WriteString("The engineer failed to validate the configuration.\n\n")
	}
	sha, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/x.md": b.String()}, "pm")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
	e.must(err)
	mark := e.mark()
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	found := res.Blameless.Errors + res.Blameless.Warnings + res.Blameless.Notices
	if found < 60 || res.Blameless.Annotations != render.MaxAnnotations {
		t.Fatalf("blameless = %+v", res.Blameless)
	}
	calls, _ := e.appCalls(mark)
	if got := calls["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"]; got != 0 {
		t.Errorf("%d PATCHes, want none", got)
	}
	for _, cr := range e.sim.CheckRuns(flowRepo, sha) {
		if cr.Name != flows.CheckRunBlameless {
			continue
		}
		if len(cr.Annotations) != render.MaxAnnotations {
			t.Errorf("%d annotations stored, want %d", len(cr.Annotations), render.MaxAnnotations)
		}
		if want := fmt.Sprintf("%d more findings are not annotated", found-render.MaxAnnotations); !strings.Contains(cr.Summary, want) {
			t.Errorf("summary does not say %q:\n%s", want, cr.Summary)
		}
	}
	// One review; each suggestion once even though the line repeats 60
	// times (each line is its own place, so 60 comments are fine).
	if len(e.pulls()[0].Reviews) != 1 {
		t.Errorf("%d reviews", len(e.pulls()[0].Reviews))
	}
}
