package app

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// flowCalls are the App's (installation token) calls since a mark, split
// into what GitHub counts against the rate limit and conditional hits (304,
// free).
type flowCalls struct {
	counted map[string]int
	hits    map[string]int
	total   int // counted
	free    int // 304s
}

func (e *flowEnv) callsSince(mark int) flowCalls {
	fc := flowCalls{counted: map[string]int{}, hits: map[string]int{}}
	for _, c := range e.sim.Calls()[mark:] {
		if c.TokenKind != "installation" {
			continue
		}
		if c.CacheHit || c.Status == 304 {
			fc.hits[c.Route]++
			fc.free++
			continue
		}
		fc.counted[c.Route]++
		fc.total++
	}
	return fc
}

func (fc flowCalls) String() string {
	var ks []string
	for k, v := range fc.counted {
		ks = append(ks, fmt.Sprintf("  %d× %s", v, k))
	}
	for k, v := range fc.hits {
		ks = append(ks, fmt.Sprintf("  %d× %s (304, free)", v, k))
	}
	sort.Strings(ks)
	return strings.Join(ks, "\n")
}

// flowBudget is one flow's GitHub calls: the minimum (each call justified
// below and in docs/BENCHMARKS.md), and the budget the flow is held to. A
// conditional read answered 304 is free (GitHub does not count it against
// the rate limit) and is reported apart, never in either number.
type flowBudget struct {
	flow   string
	min    int
	budget int
	why    string
}

// The minimum calls per flow, for a repository with .github/postmortem.yml,
// the default template, one postmortem file and three action items.
var flowBudgets = []flowBudget{
	{"incident labelled → postmortem PR (with checks of the draft)", 20, 20,
		"GET issue (current state and labels; the delivery's copy is only a hint) · GET config (first read of the installation; 304 after) · " +
			"GET issue comments (is the pointer comment there: the pull request was opened) · GET timeline (the draft's timeline) · " +
			"GET matching refs (a branch of an earlier run under another title) · GET branch (base commit and tree; the job carries the " +
			"default branch's name from the delivery) · " +
			"POST tree + POST commit + POST ref (the branch appears whole, atomically: 'already exists' means another worker won) · " +
			"POST pull · POST requested_reviewers (the incident's assignees) · 2× POST check-runs created completed · POST comment · " +
			"the look-back, 4 reads in parallel with the template and the base (issue 17): GET pulls (closed, most recently updated " +
			"first, one page of 50) · GET deployments (one page) · GET releases (one page) · GET actions/runs (created in the window) · " +
			"GET user per person of the incident (here its author and assignee; at most 10, in parallel with the draft): their display " +
			"names, kept in the pull request's body, tell the blameless check that a word names a person. " +
			"The draft's checks use what this run wrote (its commit adds one file, whose content it has) " +
			"instead of listing the PR's files and reading the postmortem back; there are no check runs of ours on a fresh claim."},
	{"incident redelivered (PR exists)", 2, 2,
		"GET issue · GET issue comments (finds the pointer; the run is recorded settled, so nothing is read ahead); config is a 304"},
	{"second incident, without the delivery's hints (resync, reopened)", 13, 13,
		"as labelled, plus GET repo (without the delivery's default branch the repository names it; its ETag changed with the first " +
			"incident's branch, so it is counted), minus GET branch, GET config and the 2 GET user, 304s (the default branch did not move since the first incident), " +
			"minus the look-back's 4 reads, 304s (nothing merged, deployed, released or run since the first incident)"},
	{"push → both check runs", 5, 5,
		"GET pull (head and state now) · GET files (which postmortems changed) · GET contents per changed postmortem · 2× POST check-runs " +
			"created completed with their first 50 annotations; config and the incident's comments (its people now: counted once when it has " +
			"new comments, with a GET user per new person) are 304s. The head's existing check runs are listed only on a claim " +
			"that is not fresh (taken over from a crashed worker, or abandoned after a failure that may have reached GitHub)."},
	{"same head again (redelivery)", 0, 0, "GET pull, a 304 when nothing changed (the claim on the head's check runs answers the rest without GitHub)"},
	{"merge → follow-ups (3 items)", 10, 10,
		"GET pull · GET contents of the postmortem at the merge commit · GET issues with the follow-up label (markers of earlier runs) · " +
			"per item POST issue + POST sub_issue (2×3) · POST tracking comment; files, incident comments and config are 304s " +
			"(read during the checks of the same head)."},
	{"merge → the record (README.md and index.json, one commit)", 7, 7,
		"GET branch (the job carries the default branch's name from the merged pull request) (head and tree, and whether it is protected) · " +
			"GET tree, recursive (every file of the postmortems directory with its blob: the record's own files are compared by blob, " +
			"so nothing else is read to know whether they changed) · GET blob of the merged postmortem (the only one whose blob is new) · " +
			"GET issues with the follow-up label (done and open per incident) · POST tree (both files, content inline: no POST blobs) · " +
			"POST commit · PATCH ref (fast-forward only); config is a 304. Nothing changed: the 4 reads, no write."},
	{"merge → the record again (duplicate delivery)", 3, 3,
		"GET branch · GET tree · GET blob of index.json (the entries and the blobs they were read from); nothing else is read: " +
			"the new README.md and index.json have the blobs the tree lists. The config and the follow-up issues are 304s. " +
			"Nothing written."},
	{"follow-up closed → tracking comment", 4, 4,
		"GET the closed issue (is it a follow-up, of which incident) · GET issues with the follow-up label (done count) · " +
			"GET incident comments (the tracking comment) · PATCH it; config is a 304."},
	{"incident labelled → recurrence comment (a similar earlier incident)", 5, 5,
		"its own job, after the incident flow's run (never delays the draft): GET issue (open, labelled; its title, labels and " +
			"description) · GET issue comments (the marker of an earlier comment; the paths people named) · GET contents of " +
			"postmortems/index.json (the record the record flow keeps: one read for every earlier postmortem, none of them read) · " +
			"GET issues with the follow-up label, open (the earlier incident's follow-ups open now) · POST comment; config is a 304 (issue 17)."},
	{"recurrence again (duplicate delivery)", 0, 0, "the claim says it commented: no GitHub call"},
	{"unrelated incident → no recurrence comment", 2, 2,
		"GET issue · GET issue comments; index.json and config are 304s; nothing similar, nothing written (the claim says so)."},
	{"follow-up fixed by a merged pull request → the record", 10, 10,
		"GET branch · GET tree · GET blob of index.json · GET issues with the follow-up label (two closed now) · per closed follow-up " +
			"not examined yet GET its timeline (2×: the cross-referenced pull requests; at most 4 a run) · GET pulls/N/files of the merged " +
			"one that closed it (1×: the other follow-up was closed by hand) · POST tree · POST commit · PATCH ref; config and the README.md blob " +
			"(is it the App's) are 304s. Before issue 17's follow-up fixes: 7 (no timeline, no files). At most 4+4 more reads a run."},
	{"the record again (the follow-ups examined)", 3, 3,
		"GET branch · GET tree · GET blob of index.json: the entry remembers the follow-ups it examined, so no timeline or files are " +
			"read again; the follow-up issues and config are 304s. Nothing written."},
}

// TestCallBudget runs each flow once against the simulator, as the job
// runner would, and fails if a flow makes more GitHub calls than its budget
// (or fewer than its stated minimum: then the minimum's reasoning is wrong
// and docs/BENCHMARKS.md must change with it).
func TestCallBudget(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	var err error

	got := map[string]flowCalls{}
	measure := func(flow string, f func()) {
		mark := e.mark()
		f()
		got[flow] = e.callsSince(mark)
	}
	var ires *flows.IncidentResult
	measure(flowBudgets[0].flow, func() {
		ires, err = e.flows.Incident(e.ctx, e.incident(n))
		e.must(err)
		if !ires.Created || ires.Checks == nil || ires.Checks.Blameless.ID == 0 {
			t.Fatalf("incident flow: %+v", ires)
		}
	})
	measure(flowBudgets[1].flow, func() {
		res, err := e.flows.Incident(e.ctx, e.incident(n))
		e.must(err)
		if res.PullRequest != ires.PullRequest || res.Created {
			t.Fatalf("redelivery: %+v", res)
		}
	})
	// The postmortem names the file of its root cause (the recurrence
	// comment of a later incident naming it is measured last).
	written := strings.Replace(fixedPostmortem(n, threeActions), "because it had no", "because `checkout/pool.go` had no", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, written, "Write the postmortem")
	e.must(err)
	// The second incident is opened in a later second than the first, as
	// it mostly is: the look-back's reads must still be 304s (the workflow
	// runs were once asked for to the second, and counted then).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	n2 := e.openIncident("Login outage", "incident", "sev3")
	measure(flowBudgets[2].flow, func() {
		res, err := e.flows.Incident(e.ctx, e.incidentBare(n2))
		e.must(err)
		if !res.Created || res.Checks == nil || res.Checks.Blameless.ID == 0 {
			t.Fatalf("incident flow without hints: %+v", res)
		}
	})
	measure(flowBudgets[3].flow, func() {
		res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
		e.must(err)
		if res.Completeness.Conclusion != "success" || res.Blameless.Conclusion != "success" {
			t.Fatalf("checks: %+v", res)
		}
	})
	measure(flowBudgets[4].flow, func() {
		res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
		e.must(err)
		if res.Completeness.ID != 0 {
			t.Fatalf("same head rechecked: %+v", res)
		}
	})
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	measure(flowBudgets[5].flow, func() {
		res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
		e.must(err)
		if res.FollowUps == nil || len(res.FollowUps.Created) != 3 {
			t.Fatalf("follow-ups: %+v", res.FollowUps)
		}
	})
	measure(flowBudgets[6].flow, func() {
		res, err := e.flows.Record(e.ctx, jobs.RecordArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo), DefaultBranch: "main"})
		e.must(err)
		if res.Commit == "" {
			t.Fatalf("record: %+v", res)
		}
	})
	measure(flowBudgets[7].flow, func() {
		res, err := e.flows.Record(e.ctx, jobs.RecordArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo), DefaultBranch: "main"})
		e.must(err)
		if res.Commit != "" || res.Skipped != "up to date" {
			t.Fatalf("record again: %+v", res)
		}
	})
	fus := e.followUpIssues(n)
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	measure(flowBudgets[8].flow, func() {
		res, err := e.flows.Tracking(e.ctx, e.trackingJob(fus[0].Number))
		e.must(err)
		if !res.CommentChanged || res.Done != 1 {
			t.Fatalf("tracking: %+v", res)
		}
	})

	measureRecurrence(t, e, measure)

	// A pull request that says it fixes the second follow-up is merged,
	// which is then closed: its files join the record.
	_, err = e.alice.PushFiles(flowRepo, "fix-pool", map[string]string{"checkout/limits.go": "package checkout\n"}, "Cap the pool")
	e.must(err)
	fix, err := e.alice.OpenPR(flowRepo, "fix-pool", "main", "Cap the pool", "Fixes #"+strconv.Itoa(fus[1].Number))
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, fix, "squash")
	e.must(err)
	e.must(e.alice.CloseIssue(flowRepo, fus[1].Number, "completed"))
	measure(flowBudgets[12].flow, func() {
		res, err := e.flows.Record(e.ctx, jobs.RecordArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo), DefaultBranch: "main"})
		e.must(err)
		if res.Commit == "" || res.FollowUps != 2 {
			t.Fatalf("record after a follow-up's fix: %+v", res)
		}
	})
	measure(flowBudgets[13].flow, func() {
		res, err := e.flows.Record(e.ctx, jobs.RecordArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo), DefaultBranch: "main"})
		e.must(err)
		if res.Commit != "" || res.FollowUps != 0 {
			t.Fatalf("record again: %+v", res)
		}
	})

	for _, b := range flowBudgets {
		c := got[b.flow]
		t.Logf("%-62s %2d calls (minimum %2d, budget %2d), %d conditional 304s (free)", b.flow, c.total, b.min, b.budget, c.free)
		switch {
		case c.total > b.budget:
			t.Errorf("%s: %d calls, over its budget of %d (minimum %d: %s)\n%s", b.flow, c.total, b.budget, b.min, b.why, c)
		case c.total < b.min:
			t.Errorf("%s: %d calls, under the stated minimum %d: fix the minimum and its reasoning here and in docs/BENCHMARKS.md\n%s", b.flow, c.total, b.min, c)
		case c.total < b.budget:
			t.Logf("%s: %d calls, under its budget %d: lower the budget", b.flow, c.total, b.budget)
		}
	}
}

// measureRecurrence measures the recurrence comment of an incident naming
// the merged postmortem's file, its duplicate, and an unrelated incident's
// run (flowBudgets 9 to 11).
func measureRecurrence(t *testing.T, e *flowEnv, measure func(string, func())) {
	recurrence := func(title, body string) (jobs.RecurrenceArgs, int) {
		n, err := e.alice.OpenIssue(flowRepo, title, body, "incident", "sev2")
		e.must(err)
		res, err := e.flows.Incident(e.ctx, e.incident(n))
		e.must(err)
		if len(res.Enqueued) != 1 {
			t.Fatalf("incident #%d enqueued %+v, want its recurrence job", n, res.Enqueued)
		}
		return res.Enqueued[0].(jobs.RecurrenceArgs), n
	}
	job, _ := recurrence("Checkout pool exhausted", "Errors in `checkout/pool.go` again.")
	measure(flowBudgets[9].flow, func() {
		res, err := e.flows.Recurrence(e.ctx, job)
		e.must(err)
		if res.Comment == 0 {
			t.Fatalf("recurrence: %+v", res)
		}
	})
	measure(flowBudgets[10].flow, func() {
		res, err := e.flows.Recurrence(e.ctx, job)
		e.must(err)
		if res.Skipped != "already looked" {
			t.Fatalf("recurrence again: %+v", res)
		}
	})
	quiet, _ := recurrence("Search results stale", "The indexer in `search/index.go` stopped.")
	measure(flowBudgets[11].flow, func() {
		res, err := e.flows.Recurrence(e.ctx, quiet)
		e.must(err)
		if res.Skipped != "nothing similar" {
			t.Fatalf("unrelated: %+v", res)
		}
	})
}
