package flows

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks/record"
	"github.com/postmortem-app/postmortem/schema"
)

// postmortemOf is a complete postmortem of incident n naming file in its
// root cause, with actions.
func postmortemOf(n int, title, file, actions string) string {
	pm := flowtest.FixedPostmortem(n, actions)
	pm = strings.Replace(pm, `title: "Checkout outage"`, `title: "`+title+`"`, 1)
	return strings.Replace(pm, "because it had no validation for that field.", "because `"+file+"` had no validation for that field.", 1)
}

// mergeIncident drafts the postmortem of a new incident, writes it and
// merges it; the merge flow runs (the follow-ups are filed) and returns
// the jobs it enqueued.
func mergeIncident(t *testing.T, e *flowEnv, title, file string) (int, []jobs.Args) {
	t.Helper()
	n := e.openIncident(title, "incident", "sev2")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	_, err = e.alice.EditFile(flowRepo, res.PullRequest, res.Path, postmortemOf(n, title, file, threeActions), "Write the postmortem")
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, res.PullRequest, "squash")
	e.must(err)
	pr, err := e.flows.PullRequest(e.ctx, e.pr(res.PullRequest), false)
	e.must(err)
	if pr.FollowUps == nil || len(pr.FollowUps.Created) != 3 {
		t.Fatalf("merge of #%d: %+v", res.PullRequest, pr.FollowUps)
	}
	return n, pr.Enqueued
}

// recordCommits are the commits of the default branch that changed the
// record's index.json.
func recordCommits(t *testing.T, e *flowEnv) []*github.RepositoryCommit {
	t.Helper()
	cs, _, err := e.alice.Client.Repositories.ListCommits(e.ctx, "acme", "services", &github.CommitsListOptions{Path: "postmortems/index.json"})
	e.must(err)
	return cs
}

// readIndex reads index.json from the default branch, valid against the
// schema.
func readIndex(t *testing.T, e *flowEnv) *record.Index {
	t.Helper()
	src, err := e.sim.FileAt(flowRepo, "main", "postmortems/index.json")
	e.must(err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.Index))
	e.must(err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	e.must(c.AddResource(record.SchemaID, doc))
	s, err := c.Compile(record.SchemaID)
	e.must(err)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	e.must(err)
	if err := s.Validate(v); err != nil {
		t.Fatalf("index.json is not valid against the schema: %v\n%s", err, src)
	}
	ix, err := record.ParseIndex([]byte(src))
	e.must(err)
	return ix
}

// The story of issue 17's record: after each of two merges the index
// (README.md) and index.json list every postmortem, in one commit by the
// App on the default branch; a duplicate delivery, or two replicas at
// once, make no second commit; a follow-up closed is a change (one more
// commit).
func TestRecordKeepsTheIndexOnEachMerge(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n1, enq := mergeIncident(t, e, "Checkout outage", "checkout/pool.go")
	if len(enq) != 1 || enq[0] != (jobs.RecordArgs{InstallationID: flowtest.InstID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo), DefaultBranch: "main"}) {
		t.Fatalf("the merge enqueued %+v, want the record's job", enq)
	}
	a := enq[0].(jobs.RecordArgs)
	res, err := e.flows.Record(e.ctx, a)
	e.must(err)
	if res.Commit == "" || res.Postmortems != 1 || res.Read != 1 {
		t.Fatalf("first record: %+v", res)
	}
	ix := readIndex(t, e)
	if len(ix.Postmortems) != 1 || ix.Postmortems[0].Title != "Checkout outage" || ix.Postmortems[0].FollowUps.Total != 3 ||
		len(ix.Postmortems[0].FollowUps.Open) != 3 || !contains(ix.Postmortems[0].Files, "checkout/pool.go") {
		t.Fatalf("index after the first merge: %+v", ix.Postmortems)
	}

	// A duplicate delivery: nothing changed, nothing written.
	mark := e.mark()
	res, err = e.flows.Record(e.ctx, a)
	e.must(err)
	if res.Skipped != "up to date" || res.Commit != "" {
		t.Fatalf("duplicate: %+v", res)
	}
	if calls, _ := e.appCalls(mark); writes(calls) != 0 {
		t.Fatalf("a duplicate wrote:\n%s", fmtCalls(calls))
	}

	n2, enq := mergeIncident(t, e, "Login outage", "login/session.go")
	// Two replicas run the job at once: one writes, the other waits its
	// turn (a claim) and then finds the record up to date.
	var wg sync.WaitGroup
	results := make([]*RecordResult, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				results[i], errs[i] = e.flows.Record(e.ctx, enq[0].(jobs.RecordArgs))
				if !errors.Is(errs[i], claims.ErrInProgress) {
					return
				}
			}
		}()
	}
	wg.Wait()
	e.must(errors.Join(errs...))
	if (results[0].Commit == "") == (results[1].Commit == "") {
		t.Fatalf("two replicas: %+v and %+v, want one commit", results[0], results[1])
	}
	ix = readIndex(t, e)
	if len(ix.Postmortems) != 2 || ix.Stats.Count != 2 {
		t.Fatalf("index after the second merge: %+v", ix.Postmortems)
	}
	readme, err := e.sim.FileAt(flowRepo, "main", "postmortems/README.md")
	e.must(err)
	for _, w := range []string{record.IndexMarker, "[Checkout outage](", "[Login outage](", "```mermaid", "| 0/3 |"} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md lacks %q:\n%s", w, readme)
		}
	}
	if cs := recordCommits(t, e); len(cs) != 2 {
		t.Fatalf("%d commits of the record, want 2 (one per merge)", len(cs))
	}

	// A follow-up closed changes the record: the next run writes it once.
	fus := e.followUpIssues(n1)
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))
	res, err = e.flows.Record(e.ctx, a)
	e.must(err)
	if res.Commit == "" || res.Read != 0 {
		t.Fatalf("after a follow-up closed: %+v (no postmortem changed, none read)", res)
	}
	ix = readIndex(t, e)
	for _, p := range ix.Postmortems {
		if p.Title == "Checkout outage" && (p.FollowUps.Done != 1 || len(p.FollowUps.Open) != 2) {
			t.Errorf("follow-ups of #%d: %+v", n1, p.FollowUps)
		}
	}
	if len(recordCommits(t, e)) != 3 {
		t.Errorf("want 3 commits of the record")
	}
	t.Logf("postmortems/README.md after two merges and a follow-up closed:\n%s", mustFile(t, e, "postmortems/README.md"))
	_ = n2
}

// When branch protection refuses the App's commit, the record goes to a
// pull request from branch postmortem-index, opened once and moved when
// the record changes; a duplicate writes nothing.
func TestRecordOpensAPullRequestWhenTheBranchIsProtected(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	_, enq := mergeIncident(t, e, "Checkout outage", "checkout/pool.go")
	e.sim.ProtectBranch(flowRepo, "main")
	res, err := e.flows.Record(e.ctx, enq[0].(jobs.RecordArgs))
	e.must(err)
	if res.Commit != "" || res.PullRequest == 0 {
		t.Fatalf("protected: %+v", res)
	}
	src, err := e.sim.FileAt(flowRepo, RecordBranch, "postmortems/index.json")
	e.must(err)
	if !strings.Contains(src, "Checkout outage") {
		t.Fatalf("the branch's index.json:\n%s", src)
	}
	if _, err := e.sim.FileAt(flowRepo, "main", "postmortems/index.json"); err == nil {
		t.Fatal("the record reached the protected branch")
	}
	mark := e.mark()
	again, err := e.flows.Record(e.ctx, enq[0].(jobs.RecordArgs))
	e.must(err)
	if again.PullRequest != res.PullRequest {
		t.Fatalf("duplicate: %+v, want pull request #%d again", again, res.PullRequest)
	}
	calls, _ := e.appCalls(mark)
	for route, n := range calls {
		if strings.HasPrefix(route, "POST /repos/{owner}/{repo}/pulls") || strings.HasPrefix(route, "PATCH /repos/{owner}/{repo}/git/refs") ||
			strings.HasPrefix(route, "POST /repos/{owner}/{repo}/git/commits") {
			t.Errorf("a duplicate made %d× %s", n, route)
		}
	}
	open := 0
	for _, p := range e.pulls() {
		if p.Head == RecordBranch {
			open++
		}
	}
	if open != 1 {
		t.Errorf("%d pull requests from %s, want 1", open, RecordBranch)
	}
}

func mustFile(t *testing.T, e *flowEnv, p string) string {
	t.Helper()
	s, err := e.sim.FileAt(flowRepo, "main", p)
	e.must(err)
	return s
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// writes counts the calls of m that write (not GET).
func writes(m map[string]int) int {
	n := 0
	for route, c := range m {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

var _ = context.Background
