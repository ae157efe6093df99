package flows

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks/record"
)

// recurrenceJob is the recurrence job the incident flow's run of n
// enqueued (failing when it enqueued none).
func recurrenceJob(t *testing.T, res *IncidentResult) jobs.RecurrenceArgs {
	t.Helper()
	for _, j := range res.Enqueued {
		if a, ok := j.(jobs.RecurrenceArgs); ok {
			return a
		}
	}
	t.Fatalf("the incident flow enqueued %+v, no recurrence job", res.Enqueued)
	return jobs.RecurrenceArgs{}
}

// changesSection is the "Changes before the incident" section of a draft.
func changesSection(doc string) string {
	i := strings.Index(doc, "## Changes before the incident")
	if i < 0 {
		return ""
	}
	s := doc[i:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	return s
}

// The story of issue 17's "what happened before": a first incident, whose
// suspect change touched checkout/pool.go, merged its postmortem with
// follow-ups still open; a second incident naming the same file gets one
// comment naming the first and its open follow-ups. A duplicate delivery,
// a retry without claims and the incident flow run again add nothing; an
// unrelated incident gets no comment.
func TestRecurrenceNamesTheEarlierIncident(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	clk := clock.NewOffset(at("2026-03-01T11:00:00Z"))
	e := newFlowEnv(t, flowEnvOpts{clock: clk})
	mergeChange(t, e.env, "pool", "Lower the checkout pool size", "Sets the pool in `checkout/pool.go` to 20.",
		map[string]string{"checkout/pool.go": "package checkout\n\nconst poolSize = 20\n"})
	clk.Set(at("2026-03-01T12:00:00Z"))
	n1, err := e.alice.OpenIssue(flowRepo, "Checkout returns 502s", "The pool in `checkout/pool.go` runs dry under load.", "incident", "sev2")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n1))
	e.must(err)
	// The first incident: nothing in the record yet, so nothing said.
	rec, err := e.flows.Recurrence(e.ctx, recurrenceJob(t, res))
	e.must(err)
	if rec.Skipped != "nothing similar" || len(e.commentsWith(n1, MarkerRecurrence(n1))) != 0 {
		t.Fatalf("first incident: %+v", rec)
	}
	// People write the postmortem, keeping the suspect change of the draft.
	draft, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	suspects := changesSection(draft)
	if !strings.Contains(suspects, "Lower the checkout pool size") || !strings.Contains(suspects, "`checkout/pool.go`") {
		t.Fatalf("the draft's changes:\n%s", suspects)
	}
	pm := postmortemOf(n1, "Checkout returns 502s", "the connection pool", threeActions) + "\n" + suspects
	_, err = e.alice.EditFile(flowRepo, res.PullRequest, res.Path, pm, "Write the postmortem")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, res.PullRequest, "squash")
	e.must(err)
	merged, err := e.flows.PullRequest(e.ctx, e.pr(res.PullRequest), false)
	e.must(err)
	_, err = e.flows.Record(e.ctx, merged.Enqueued[0].(jobs.RecordArgs))
	e.must(err)
	fus := e.followUpIssues(n1)
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))

	clk.Set(at("2026-03-20T09:00:00Z"))
	n2, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted", "502s again; `checkout/pool.go` @bob", "incident", "sev2")
	e.must(err)
	res2, err := e.flows.Incident(e.ctx, e.incident(n2))
	e.must(err)
	job := recurrenceJob(t, res2)
	rec, err = e.flows.Recurrence(e.ctx, job)
	e.must(err)
	if rec.Comment == 0 || len(rec.Earlier) != 1 || rec.Earlier[0] != n1 || rec.Compared != 1 {
		t.Fatalf("second incident: %+v", rec)
	}
	cs := e.commentsWith(n2, MarkerRecurrence(n2))
	if len(cs) != 1 {
		t.Fatalf("%d recurrence comments on #%d, want 1", len(cs), n2)
	}
	body := cs[0].Body
	t.Logf("the recurrence comment:\n%s", body)
	for _, w := range []string{
		"**1 earlier incident involved `checkout/pool.go`;** follow-ups #" + itoa(fus[1].Number) + " and #" + itoa(fus[2].Number) + " are still open.",
		"- #" + itoa(n1) + " [Checkout returns 502s](", "/acme/services/blob/HEAD/postmortems/2026-03-01-",
		"(SEV2, 2026-03-01) — shares: named `checkout/pool.go`",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("the comment lacks %q", w)
		}
	}
	if strings.Contains(body, "#"+itoa(fus[0].Number)+" ") || strings.Contains(body, "#"+itoa(fus[0].Number)+",") {
		t.Errorf("the comment names the closed follow-up #%d", fus[0].Number)
	}

	// A duplicate delivery, the incident flow again, a run without claims
	// (the marker is found): no GitHub call for the first, no write for any.
	mark := e.mark()
	again, err := e.flows.Recurrence(e.ctx, job)
	e.must(err)
	if calls, n := e.appCalls(mark); again.Skipped != "already looked" || n != 0 {
		t.Fatalf("duplicate: %+v, %d calls:\n%s", again, n, fmtCalls(calls))
	}
	res2, err = e.flows.Incident(e.ctx, e.incident(n2))
	e.must(err)
	if len(res2.Enqueued) != 0 {
		t.Fatalf("the incident flow again enqueued %+v", res2.Enqueued)
	}
	noClaims := &Flows{Clients: e.flows.Clients, BotLogin: flowBot, Now: e.flows.Now}
	mark = e.mark()
	again, err = noClaims.Recurrence(e.ctx, job)
	e.must(err)
	if calls, _ := e.appCalls(mark); again.Skipped != "already commented" || writes(calls) != 0 {
		t.Fatalf("without claims: %+v\n%s", again, fmtCalls(calls))
	}
	if n := len(e.commentsWith(n2, MarkerRecurrence(n2))); n != 1 {
		t.Fatalf("%d recurrence comments after the duplicates, want 1", n)
	}

	// An unrelated incident: quiet, and it stays quiet.
	n3, err := e.alice.OpenIssue(flowRepo, "Search results stale", "The indexer in `search/index.go` stopped.", "incident", "sev3")
	e.must(err)
	res3, err := e.flows.Incident(e.ctx, e.incident(n3))
	e.must(err)
	rec, err = e.flows.Recurrence(e.ctx, recurrenceJob(t, res3))
	e.must(err)
	if rec.Skipped != "nothing similar" || rec.Compared != 1 || len(e.commentsWith(n3, "postmortem:recurrence")) != 0 {
		t.Fatalf("unrelated incident: %+v", rec)
	}
	if res3, err = e.flows.Incident(e.ctx, e.incident(n3)); err != nil || len(res3.Enqueued) != 0 {
		t.Fatalf("the unrelated incident again: %+v, %v", res3, err)
	}
}

// Two replicas run the recurrence job of one incident at once: one
// comment.
func TestRecurrenceOnceAcrossReplicas(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n1, enq := mergeIncident(t, e, "Checkout outage", "checkout/pool.go")
	_, err := e.flows.Record(e.ctx, enq[0].(jobs.RecordArgs))
	e.must(err)
	n2, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted", "Again `checkout/pool.go`.", "incident", "sev2")
	e.must(err)
	job := jobs.RecurrenceArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", Number: n2}
	var wg sync.WaitGroup
	results := make([]*RecurrenceResult, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				results[i], errs[i] = e.flows.Recurrence(e.ctx, job)
				if !errors.Is(errs[i], claims.ErrInProgress) {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	e.must(errors.Join(errs...))
	made := 0
	for _, r := range results {
		if r.Comment != 0 {
			made++
		}
	}
	cs := e.commentsWith(n2, MarkerRecurrence(n2))
	if made != 1 || len(cs) != 1 || !strings.Contains(cs[0].Body, "#"+itoa(n1)) {
		t.Fatalf("%d runs commented, %d comments: %+v", made, len(cs), results)
	}
}

// A postmortem that never names the file still brings the incident back
// when its suspect change touched it: the record reads the files of the
// pull requests its "Changes before the incident" section keeps.
func TestRecurrenceFromTheFilesASuspectChangeTouched(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	clk := clock.NewOffset(at("2026-03-01T11:00:00Z"))
	e := newFlowEnv(t, flowEnvOpts{clock: clk})
	pool, _ := mergeChange(t, e.env, "pool", "Lower the pool size", "", map[string]string{"checkout/pool.go": "package checkout\n\nconst poolSize = 20\n"})
	clk.Set(at("2026-03-01T12:00:00Z"))
	n1, err := e.alice.OpenIssue(flowRepo, "Payments fail", "Most payments fail with 502.", "incident", "sev2")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n1))
	e.must(err)
	draft, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	suspects := changesSection(draft)
	if strings.Contains(suspects, "pool.go") || !strings.Contains(suspects, "/pull/"+itoa(pool)+")") {
		t.Fatalf("the draft's changes:\n%s", suspects)
	}
	_, err = e.alice.EditFile(flowRepo, res.PullRequest, res.Path, postmortemOf(n1, "Payments fail", "the pool size", threeActions)+"\n"+suspects, "Write it")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, res.PullRequest, "squash")
	e.must(err)
	merged, err := e.flows.PullRequest(e.ctx, e.pr(res.PullRequest), false)
	e.must(err)
	rr, err := e.flows.Record(e.ctx, merged.Enqueued[0].(jobs.RecordArgs))
	e.must(err)
	ix := readIndex(t, e)
	if rr.Read != 2 || len(ix.Postmortems) != 1 || !contains(ix.Postmortems[0].SuspectPulls, "acme/services#"+itoa(pool)) ||
		!contains(ix.Postmortems[0].Touched, "checkout/pool.go") || contains(ix.Postmortems[0].Files, "checkout/pool.go") {
		t.Fatalf("record (%d read): %+v", rr.Read, ix.Postmortems)
	}

	n2, err := e.alice.OpenIssue(flowRepo, "Orders time out", "The pool in `checkout/pool.go` is at its limit.", "incident", "sev3")
	e.must(err)
	rec, err := e.flows.Recurrence(e.ctx, jobs.RecurrenceArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", Number: n2})
	e.must(err)
	cs := e.commentsWith(n2, MarkerRecurrence(n2))
	if rec.Comment == 0 || len(cs) != 1 || !strings.Contains(cs[0].Body, "**1 earlier incident involved `checkout/pool.go`;**") ||
		!strings.Contains(cs[0].Body, "- #"+itoa(n1)+" [Payments fail](") {
		t.Fatalf("recurrence: %+v %+v", rec, cs)
	}
}

// An index.json anyone with write access edited by hand: thousands of
// entries, each naming the incident's file, with titles that mention,
// link and format. The comment names three, escaped, and stays small; an
// index.json that does not parse is no record (quiet), never an error.
func TestRecurrenceHostileRecord(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	var es []record.Entry
	for i := range 3000 {
		es = append(es, record.Entry{Path: fmt.Sprintf("p%d.md", i), Incident: "100000",
			Title:     fmt.Sprintf("@alice [click](javascript:alert(1)) <img src=x> #%d %s", i, strings.Repeat("x", 300)),
			Files:     []string{"checkout/pool.go"},
			FollowUps: record.FollowUps{Open: []int{999999}}})
	}
	_, err := e.alice.PushFiles(flowRepo, "main", map[string]string{"postmortems/index.json": string(record.Build(es).JSON())}, "a hand-made record")
	e.must(err)
	n, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted", "`checkout/pool.go` again", "incident", "sev2")
	e.must(err)
	rec, err := e.flows.Recurrence(e.ctx, jobs.RecurrenceArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", Number: n})
	e.must(err)
	cs := e.commentsWith(n, MarkerRecurrence(n))
	if rec.Comment == 0 || rec.Compared != 3000 || len(rec.Earlier) != 3 || len(cs) != 1 {
		t.Fatalf("hostile record: %+v, %d comments", rec, len(cs))
	}
	body := cs[0].Body
	if len(body) > 4000 || strings.Contains(body, "@alice") || strings.Contains(body, "[click](") || strings.Contains(body, "<img") ||
		strings.Contains(body, "999999") || strings.Count(body, "\n- ") != 3 {
		t.Fatalf("the comment (%d bytes) echoes the record unescaped or unbounded:\n%s", len(body), body)
	}

	// Unparsable, or over 8 MiB (not read at all): no record.
	huge := string(record.Build(es).JSON())
	huge = huge[:len(huge)-1] + strings.Repeat(" ", record.MaxIndexBytes) + "\n"
	for _, bad := range []string{"{not json", huge} {
		_, err = e.alice.PushFiles(flowRepo, "main", map[string]string{"postmortems/index.json": bad}, "broken")
		e.must(err)
		n2, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted again", "`checkout/pool.go`", "incident", "sev2")
		e.must(err)
		mark := e.mark()
		rec, err = e.flows.Recurrence(e.ctx, jobs.RecurrenceArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", Number: n2})
		if calls, _ := e.appCalls(mark); err != nil || rec.Skipped != "nothing similar" || len(e.commentsWith(n2, "postmortem:recurrence")) != 0 ||
			calls["GET /repos/{owner}/{repo}/git/blobs/{file_sha}"] != 0 {
			t.Fatalf("a record of %d bytes: %+v, %v\n%s", len(bad), rec, err, fmtCalls(calls))
		}
	}
}
