package flows

import (
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The story of issue 17's "the files their follow-up PRs touched": the
// postmortem of incident A never names billing/retry.go, but the pull
// request that closed one of its follow-ups changed it. Once the record
// has run, incident B naming billing/retry.go gets the recurrence comment
// naming A.
func TestRecurrenceFromTheFilesAFollowUpsFixChanged(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	a, enq := mergeIncident(t, e, "Invoices sent late", "invoices/queue.go")
	job := enq[0].(jobs.RecordArgs)
	_, err := e.flows.Record(e.ctx, job)
	e.must(err)

	fus := e.followUpIssues(a)
	fix, _ := mergeChange(t, e.env, "retry", "Retry declined charges with backoff", "Fixes #"+itoa(fus[0].Number)+".",
		map[string]string{"billing/retry.go": "package billing\n\nconst retries = 3\n"})
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	// Another pull request only mentions a second follow-up, unmerged: not a fix.
	_, err = e.alice.PushFiles(flowRepo, "draft", map[string]string{"billing/ledger.go": "package billing\n"}, "Draft")
	e.must(err)
	_, err = e.alice.OpenPR(flowRepo, "draft", "main", "Ledger draft", "About #"+itoa(fus[1].Number)+".")
	e.must(err)
	e.must(e.alice.CloseIssue(flowRepo, fus[1].Number, "not_planned"))

	mark := e.mark()
	res, err := e.flows.Record(e.ctx, job)
	e.must(err)
	calls, _ := e.appCalls(mark)
	if res.Commit == "" || res.Read != 0 || res.FollowUps != 2 || len(res.Enqueued) != 0 {
		t.Fatalf("record after the follow-ups closed: %+v", res)
	}
	if calls["GET /repos/{owner}/{repo}/issues/{issue_number}/timeline"] != 2 || calls["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] != 1 {
		t.Fatalf("want 2 timelines and the files of #%d read:\n%s", fix, fmtCalls(calls))
	}
	ix := readIndex(t, e)
	p := ix.Postmortems[0]
	if len(ix.Postmortems) != 1 || !contains(p.FollowUpFiles, "billing/retry.go") || contains(p.FollowUpFiles, "billing/ledger.go") ||
		contains(p.Files, "billing/retry.go") || contains(p.Touched, "billing/retry.go") ||
		len(p.FollowUpsRead) != 2 {
		t.Fatalf("record: %+v", ix.Postmortems)
	}

	b, err := e.alice.OpenIssue(flowRepo, "Card payments stuck", "Charges loop in `billing/retry.go`.", "incident", "sev2")
	e.must(err)
	rec, err := e.flows.Recurrence(e.ctx, jobs.RecurrenceArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", Number: b})
	e.must(err)
	cs := e.commentsWith(b, MarkerRecurrence(b))
	if rec.Comment == 0 || len(cs) != 1 || !strings.Contains(cs[0].Body, "— shares: a follow-up's fix changed `billing/retry.go`.") ||
		!strings.Contains(cs[0].Body, "- #"+itoa(a)+" [Invoices sent late](") {
		t.Fatalf("recurrence: %+v %+v", rec, cs)
	}
}

// A follow-up examined is never looked at again: a second record run
// reads no timeline and no pull request's files. At most 4 closed
// follow-ups are examined a run; the rest wait for the run it enqueues.
// A postmortem read again keeps what its follow-ups' fixes changed.
func TestRecordExaminesEachClosedFollowUpOnce(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	a, enq := mergeIncident(t, e, "Invoices sent late", "invoices/queue.go")
	b, _ := mergeIncident(t, e, "Search results stale", "search/index.go")
	job := enq[0].(jobs.RecordArgs)
	_, err := e.flows.Record(e.ctx, job)
	e.must(err)
	var closed []int
	for _, n := range []int{a, b} {
		for _, fu := range e.followUpIssues(n) {
			e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
			closed = append(closed, fu.Number)
		}
	}
	mergeChange(t, e.env, "fix", "Drain the invoice queue", "Closes #"+itoa(closed[0])+" and #"+itoa(closed[4]),
		map[string]string{"billing/retry.go": "package billing\n"})
	e.must(err)

	timelines := func(calls map[string]int) int {
		return calls["GET /repos/{owner}/{repo}/issues/{issue_number}/timeline"] + calls["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"]
	}
	mark := e.mark()
	first, err := e.flows.Record(e.ctx, job)
	e.must(err)
	calls, _ := e.appCalls(mark)
	if first.FollowUps != maxFollowUpLookups || len(first.Enqueued) != 1 || timelines(calls) != 5 {
		t.Fatalf("first run (6 closed): %+v\n%s", first, fmtCalls(calls))
	}
	mark = e.mark()
	second, err := e.flows.Record(e.ctx, first.Enqueued[0].(jobs.RecordArgs))
	e.must(err)
	calls, _ = e.appCalls(mark)
	if second.FollowUps != 2 || len(second.Enqueued) != 0 || timelines(calls) != 3 {
		t.Fatalf("second run: %+v\n%s", second, fmtCalls(calls))
	}
	ix := readIndex(t, e)
	for _, p := range ix.Postmortems {
		if len(p.FollowUpsRead) != 3 || !contains(p.FollowUpFiles, "billing/retry.go") {
			t.Fatalf("entry %s: %+v", p.Path, p)
		}
	}

	mark = e.mark()
	third, err := e.flows.Record(e.ctx, job)
	e.must(err)
	calls, _ = e.appCalls(mark)
	if third.FollowUps != 0 || third.Skipped != "up to date" || timelines(calls) != 0 {
		t.Fatalf("third run: %+v\n%s", third, fmtCalls(calls))
	}

	// A postmortem edited on the default branch is read again; what its
	// follow-ups' fixes changed is the incident's and stays, unread.
	pm := "postmortems/" + ix.Postmortems[0].Path
	src := mustFile(t, e, pm)
	_, err = e.alice.PushFiles(flowRepo, "main", map[string]string{pm: src + "\nEdited after the review.\n"}, "Edit a postmortem")
	e.must(err)
	mark = e.mark()
	fourth, err := e.flows.Record(e.ctx, job)
	e.must(err)
	calls, _ = e.appCalls(mark)
	if fourth.Read != 1 || fourth.FollowUps != 0 || timelines(calls) != 0 {
		t.Fatalf("after an edit: %+v\n%s", fourth, fmtCalls(calls))
	}
	for _, p := range readIndex(t, e).Postmortems {
		if len(p.FollowUpsRead) != 3 || !contains(p.FollowUpFiles, "billing/retry.go") {
			t.Fatalf("entry %s after an edit: %+v", p.Path, p)
		}
	}
}
