package flows

import (
	"fmt"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/checks"
)

// placeholderFlood is a 111 KB postmortem for incident n whose summary is
// placeholders and blameful sentences, each its own paragraph: thousands
// of findings (a thousand of each rule, the checks' own cap) and hundreds
// of suggested rewordings.
func placeholderFlood(n int) string {
	doc := fixedPostmortem(n, threeActions)
	var b strings.Builder
	for b.Len() < 111<<10 {
		b.WriteString("TODO\n\nThe engineer was careless and should have checked the pool size before deploying.\n\n")
	}
	return strings.Replace(doc, "Checkout returned errors for 75 minutes", b.String()+"Checkout returned errors for 75 minutes", 1)
}

// TestFindingsFloodBoundedWrites pushes a 111 KB file of placeholders and
// blameful sentences to a postmortem pull request: the App writes each
// check run in one request (at most render.MaxAnnotations annotations,
// the rest counted in its summary) and one review of at most
// render.MaxSuggestions rewordings, whatever the number of findings.
// Before, every finding was an annotation sent 50 per PATCH: 40 update
// calls for this file, and a review of 700 comments.
func TestFindingsFloodBoundedWrites(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Flood of findings", "incident")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	doc := placeholderFlood(n)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, doc, "push placeholders")
	e.must(err)
	mark := e.mark()
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	calls, total := e.appCalls(mark)
	writes := 0
	for route, c := range calls {
		if !strings.HasPrefix(route, "GET ") {
			writes += c
		}
	}
	t.Logf("%d bytes: %d calls, %d writes:\n%s", len(doc), total, writes, fmtCalls(calls))
	if writes > 3 || calls["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"] != 0 {
		t.Errorf("%d writes, want at most 3 (two check runs, one review):\n%s", writes, fmtCalls(calls))
	}
	runs := e.sim.CheckRuns(flowRepo, res.HeadSHA)
	if len(runs) != 2 {
		t.Fatalf("%d check runs", len(runs))
	}
	for _, cr := range runs {
		if len(cr.Annotations) > render.MaxAnnotations {
			t.Errorf("%s: %d annotations, want at most %d", cr.Name, len(cr.Annotations), render.MaxAnnotations)
		}
		if len(cr.Annotations) > 0 && cr.Annotations[0].Level != "failure" {
			t.Errorf("%s: first annotation is a %s, want the errors first", cr.Name, cr.Annotations[0].Level)
		}
		if !strings.Contains(cr.Summary, "more findings are not annotated") || !strings.Contains(cr.Summary, "postmortem lint") {
			t.Errorf("%s: the summary does not say how many findings are not annotated:\n%.600s", cr.Name, cr.Summary)
		}
	}
	comp := res.Completeness
	if comp.Errors+comp.Warnings+comp.Notices <= render.MaxAnnotations || comp.Annotations != render.MaxAnnotations {
		t.Errorf("completeness %+v: want more findings than annotations, %d annotated", comp, render.MaxAnnotations)
	}
	if want := fmt.Sprintf("%d more findings are not annotated", comp.Errors+comp.Warnings+comp.Notices-render.MaxAnnotations); !strings.Contains(runs[0].Summary+runs[1].Summary, want) {
		t.Errorf("no summary says %q", want)
	}
	pull := e.pulls()[0]
	if len(pull.Reviews) != 1 || len(pull.Reviews[0].Comments) > render.MaxSuggestions || res.Suggestions > render.MaxSuggestions {
		t.Fatalf("%d suggestions in %d reviews, want one review of at most %d", res.Suggestions, len(pull.Reviews), render.MaxSuggestions)
	}
	if !strings.Contains(pull.Reviews[0].Body, "more rewordings are not suggested here") {
		t.Errorf("the review does not say more rewordings were not suggested: %q", pull.Reviews[0].Body)
	}
}

// manyActions are n open action items, each with an owner and a due date.
func manyActions(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "- [ ] Harden part %d of the pipeline (owner: @alice, due: 2026-04-01)\n", i)
	}
	return b.String()
}

// TestFollowUpsCapped: a postmortem with more open action items than
// follow_ups.max (default 50) gets a completeness finding saying so while
// its pull request is open, and on merge only the first 50 become issues;
// the tracking comment says how many were not filed, and keeps saying it
// when a follow-up closes. Before, 60 items made 60 issues with no word on
// the pull request (1 400 made 1 400; 10 000 exhausted the rate limit).
func TestFollowUpsCapped(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Too many action items", "incident")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(n, manyActions(60)), "60 action items")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	var finding *githubsim.Annotation
	for _, cr := range e.sim.CheckRuns(flowRepo, res.HeadSHA) {
		for i, a := range cr.Annotations {
			if a.Title == checks.RuleTooManyActions {
				finding = &cr.Annotations[i]
			}
		}
	}
	if finding == nil || !strings.Contains(finding.Message, "60 open action items") || !strings.Contains(finding.Message, "follow_ups.max") {
		t.Fatalf("no %s finding on the pull request: %+v", checks.RuleTooManyActions, finding)
	}
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	mres, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	fus := e.followUpIssues(n)
	if len(fus) != 50 || mres.FollowUps == nil || len(mres.FollowUps.Created) != 50 || mres.FollowUps.Items != 60 {
		t.Fatalf("%d follow-ups filed, want 50: %+v", len(fus), mres.FollowUps)
	}
	notFiled := "10 more action items were not filed"
	tracking := e.commentsWith(n, MarkerTracking(n))
	if len(tracking) != 1 || !strings.Contains(tracking[0].Body, notFiled) {
		t.Fatalf("the tracking comment does not say %q: %+v", notFiled, tracking)
	}
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	tres, err := e.flows.Tracking(e.ctx, e.trackingJob(fus[0].Number))
	e.must(err)
	tracking = e.commentsWith(n, MarkerTracking(n))
	if !tres.CommentChanged || !strings.Contains(tracking[0].Body, "1 of 50 done") || !strings.Contains(tracking[0].Body, notFiled) {
		t.Fatalf("after a follow-up closed the tracking comment reads:\n%s", tracking[0].Body)
	}
}

// TestFollowUpsMaxConfigured: follow_ups.max set lower files that many.
func TestFollowUpsMaxConfigured(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "follow_ups:\n  max: 2\n"}})
	n := e.openIncident("Three action items", "incident")
	e.mergedPostmortem(n, threeActions)
	res, err := e.flows.PullRequest(e.ctx, e.pr(e.pulls()[len(e.pulls())-1].Number), false)
	e.must(err)
	if fus := e.followUpIssues(n); len(fus) != 2 || len(res.FollowUps.Created) != 2 {
		t.Fatalf("%d follow-ups, want 2: %+v", len(fus), res.FollowUps)
	}
	if tr := e.commentsWith(n, MarkerTracking(n)); len(tr) != 1 || !strings.Contains(tr[0].Body, "1 more action item was not filed") {
		t.Fatalf("tracking: %+v", tr)
	}
}

// TestBodiesWithinGitHubsLimit: GitHub refuses a body past 65 536
// characters (the simulator too). 420 follow-ups with long titles made a
// tracking comment of 70 KB: before, the merge flow failed on it (a 422,
// retried for ever) and the incident had no tracking comment. Now the
// tracking comment lists the follow-ups that fit and counts the rest,
// within the limit, before and after a follow-up closes; every follow-up's
// body is within it too (an action item of 114 000 characters included).
func TestBodiesWithinGitHubsLimit(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "follow_ups:\n  max: 500\n"}})
	n := e.openIncident("Long follow-ups", "incident")
	var actions strings.Builder
	for i := 1; i <= 420; i++ {
		fmt.Fprintf(&actions, "- [ ] Harden part %d of the pipeline %s (owner: @alice, due: 2026-04-01)\n", i, strings.Repeat("so that it cannot fail again ", 6))
	}
	fmt.Fprintf(&actions, "- [ ] Rewrite everything: %s (owner: @bob, due: 2026-04-01)\n", strings.Repeat("and then some more ", 6000))
	e.mergedPostmortem(n, actions.String())
	res, err := e.flows.PullRequest(e.ctx, e.pr(e.pulls()[len(e.pulls())-1].Number), false)
	if err != nil {
		t.Fatalf("merge flow: %v", err)
	}
	fus := e.followUpIssues(n)
	if len(fus) != 421 || len(res.FollowUps.Created) != 421 {
		t.Fatalf("%d follow-ups filed, want 421: %+v", len(fus), res.FollowUps)
	}
	for _, is := range fus {
		if len(is.Body) > render.MaxBody || !strings.Contains(is.Body, "<!-- postmortem:followup incident=") {
			t.Errorf("follow-up #%d: body of %d bytes", is.Number, len(is.Body))
		}
	}
	check := func(when string) {
		t.Helper()
		tr := e.commentsWith(n, MarkerTracking(n))
		if len(tr) != 1 {
			t.Fatalf("%s: %d tracking comments", when, len(tr))
		}
		body := tr[0].Body
		t.Logf("%s: tracking comment of %d bytes", when, len(body))
		if len(body) > render.MaxBody || !strings.HasPrefix(body, MarkerTracking(n)) || !strings.Contains(body, "more follow-ups are not listed here") {
			t.Fatalf("%s: tracking comment of %d bytes:\n%.300s\n…\n%s", when, len(body), body, body[max(0, len(body)-600):])
		}
	}
	check("after the merge")
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	tres, err := e.flows.Tracking(e.ctx, e.trackingJob(fus[0].Number))
	e.must(err)
	if !tres.CommentChanged || tres.Done != 1 || !strings.Contains(e.commentsWith(n, MarkerTracking(n))[0].Body, "1 of 421 done") {
		t.Fatalf("tracking: %+v", tres)
	}
	check("after a follow-up closed")
}

// TestLongLineSuggestionSkipped: a suggested rewording repeats its whole
// line, so one line of 75 KB made a review comment past GitHub's limit and
// the review was refused (a 422, its job retried for ever). Now a line too
// long for one comment gets no suggestion (its findings stay in the check
// run); the review of the other lines is posted.
func TestLongLineSuggestionSkipped(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("A long line", "incident")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	sentence := "The engineer was careless and should have checked the pool size before deploying. "
	doc := strings.Replace(fixedPostmortem(n, threeActions), "Checkout returned errors for 75 minutes",
		strings.Repeat(sentence, 900)+"\n\n"+sentence+"\n\nCheckout returned errors for 75 minutes", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, doc, "one long line")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	if res.Review != nil || res.Suggestions != 1 {
		t.Fatalf("review: %v, %d suggestions, want the one short line's", res.Review, res.Suggestions)
	}
	for _, rv := range e.pulls()[0].Reviews {
		for _, c := range rv.Comments {
			if len(c.Body) > render.MaxBody {
				t.Errorf("a review comment of %d bytes", len(c.Body))
			}
		}
	}
}

// TestPostmortemsPerPullRequestCapped: a pull request adding 25
// postmortems gets the first render.MaxFilesChecked read and checked, and
// one finding in each check run saying how many were not (before: a read
// and a lint per file, however many; GitHub lists up to 3 000).
func TestPostmortemsPerPullRequestCapped(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	files := map[string]string{}
	for i := 1; i <= 25; i++ {
		files[fmt.Sprintf("postmortems/2026-03-%02d-outage.md", i)] = fixedPostmortem(i, threeActions)
	}
	sha, err := e.alice.PushFiles(flowRepo, "import", files, "import the archive")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "import", "main", "Import the archive", "")
	e.must(err)
	mark := e.mark()
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	calls, total := e.appCalls(mark)
	t.Logf("%d calls:\n%s", total, fmtCalls(calls))
	// The configuration and the template are two more contents reads.
	if got := calls["GET /repos/{owner}/{repo}/contents/{path...}"]; got > render.MaxFilesChecked+2 || len(res.Files) != render.MaxFilesChecked {
		t.Errorf("%d contents reads, %d files checked; want at most %d", got, len(res.Files), render.MaxFilesChecked)
	}
	for _, cr := range e.sim.CheckRuns(flowRepo, sha) {
		if cr.Conclusion != "failure" || !strings.Contains(cr.Summary, "5 more postmortems in this pull request were not checked") {
			t.Errorf("%s (%s) does not say 5 postmortems were not checked:\n%.800s", cr.Name, cr.Conclusion, cr.Summary)
		}
	}
}

// TestMergedPostmortemsReadCapped: a merged postmortem pull request adding
// 25 postmortems has the first render.MaxFilesChecked read for action items
// (as its checks were), not every one: before, the merge flow read each
// file GitHub listed (up to 3 000), whatever its checks had said.
func TestMergedPostmortemsReadCapped(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("An archive merged", "incident")
	files := map[string]string{}
	for i := 1; i <= 25; i++ {
		files[fmt.Sprintf("postmortems/2026-03-%02d-outage.md", i)] = fixedPostmortem(n, fmt.Sprintf("- [ ] Fix the pool of host %d (owner: @alice)\n", i))
	}
	branch := fmt.Sprintf("postmortem/%d-archive", n)
	_, err := e.alice.PushFiles(flowRepo, branch, files, "import the archive")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, branch, "main", "Import the archive", "")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, pr, "squash")
	e.must(err)
	mark := e.mark()
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	calls, total := e.appCalls(mark)
	t.Logf("%d calls:\n%s", total, fmtCalls(calls))
	if got := calls["GET /repos/{owner}/{repo}/contents/{path...}"]; got > render.MaxFilesChecked+2 {
		t.Errorf("%d contents reads on merge; want at most %d postmortems read", got, render.MaxFilesChecked)
	}
	if res.FollowUps == nil || res.FollowUps.Items != render.MaxFilesChecked || res.FollowUps.Unread != 5 {
		t.Fatalf("follow-ups: %+v; want %d items from the first %d postmortems, 5 unread", res.FollowUps, render.MaxFilesChecked, render.MaxFilesChecked)
	}
	if fus := e.followUpIssues(n); len(fus) != render.MaxFilesChecked {
		t.Errorf("%d follow-ups filed, want %d", len(fus), render.MaxFilesChecked)
	}
}
