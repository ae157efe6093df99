package flows

import (
	"strings"
	"sync"
	"testing"
)

func TestFlowIncidentDraftsPostmortemPR(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout API: 502s after config push!", "incident", "SEV-2")
	_, err := e.alice.Comment(flowRepo, n, "Rolling back the config change now.")
	e.must(err)

	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.PullRequest == 0 || !res.Created {
		t.Fatalf("result = %+v, want a created pull request", res)
	}
	wantBranch := "postmortem/1-checkout-api-502s-after-config-push"
	if res.Branch != wantBranch {
		t.Errorf("branch = %q, want %q", res.Branch, wantBranch)
	}
	prs := e.pulls()
	if len(prs) != 1 {
		t.Fatalf("%d pull requests, want 1", len(prs))
	}
	pr := prs[0]
	if pr.Head != wantBranch || pr.User != flowBot || !strings.Contains(pr.Body, "<!-- postmortem:incident=1 -->") {
		t.Errorf("pull request = %+v", pr)
	}
	doc, err := e.sim.FileAt(flowRepo, wantBranch, res.Path)
	e.must(err)
	for _, want := range []string{`severity: "SEV2"`, "Checkout API", "@alice", "commented: Rolling back the config change now.", "added the label incident"} {
		if !strings.Contains(doc, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, doc)
		}
	}
	if !strings.HasPrefix(res.Path, "postmortems/") || !strings.HasSuffix(res.Path, "-1-checkout-api-502s-after-config-push.md") {
		t.Errorf("path = %q", res.Path)
	}
	if got := e.commentsWith(n, "<!-- postmortem:pr incident=1 -->"); len(got) != 1 || got[0].User != flowBot {
		t.Fatalf("pointer comments = %+v", got)
	}
	// The draft is checked right away: both checks fail on the TODOs.
	if res.Checks == nil || res.Checks.Completeness.Conclusion != "failure" {
		t.Fatalf("checks = %+v", res.Checks)
	}
	runs := e.sim.CheckRuns(flowRepo, pr.HeadSHA)
	if len(runs) != 2 {
		t.Fatalf("%d check runs, want 2", len(runs))
	}
	for _, cr := range runs {
		if cr.Status != "completed" || len(cr.Annotations) == 0 && cr.Name == CheckRunCompleteness {
			t.Errorf("check run %+v", cr)
		}
	}

	// Second run: nothing new, a handful of reads.
	mark := e.mark()
	res2, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res2.PullRequest != pr.Number || res2.Created {
		t.Errorf("rerun result = %+v", res2)
	}
	calls, total := e.appCalls(mark)
	if total > 4 {
		t.Errorf("rerun made %d calls, want ≤ 4:\n%s", total, fmtCalls(calls))
	}
	if len(e.pulls()) != 1 || len(e.commentsWith(n, "postmortem:pr")) != 1 {
		t.Error("rerun duplicated something")
	}
}

func TestFlowIncidentIgnoresNonIncidents(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n, err := e.alice.OpenIssue(flowRepo, "Typo in README", "", "docs")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.Skipped == "" || len(e.pulls()) != 0 {
		t.Fatalf("result %+v, pulls %d", res, len(e.pulls()))
	}
	// Closed incident: nothing.
	m := e.openIncident("Old outage", "incident")
	e.must(e.alice.CloseIssue(flowRepo, m, "completed"))
	res, err = e.flows.Incident(e.ctx, e.incident(m))
	e.must(err)
	if res.Skipped != "issue is closed" || len(e.pulls()) != 0 {
		t.Fatalf("closed: result %+v", res)
	}
}

func TestFlowIncidentConcurrentRunsMakeOneOfEverything(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Queue backlog", "incident", "sev3")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.flows.Incident(e.ctx, e.incident(n))
		}()
	}
	wg.Wait()
	// A run that found another one mid-way backs off (the queue snoozes it);
	// its retry completes whatever is left.
	for i, err := range errs {
		if err != nil {
			t.Logf("run %d: %v", i, err)
			if _, err := e.flows.Incident(e.ctx, e.incident(n)); err != nil {
				t.Fatalf("retry: %v", err)
			}
		}
	}
	if got := len(e.pulls()); got != 1 {
		t.Fatalf("%d pull requests, want 1", got)
	}
	if got := len(e.commentsWith(n, "postmortem:pr incident=")); got != 1 {
		t.Fatalf("%d pointer comments, want 1", got)
	}
	if runs := e.sim.CheckRuns(flowRepo, e.pulls()[0].HeadSHA); len(runs) != 2 {
		t.Fatalf("%d check runs, want 2", len(runs))
	}
}

func TestFlowIncidentLabelRemovedAndReAdded(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("DNS outage", "incident")
	_, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	e.must(e.alice.RemoveLabel(flowRepo, n, "incident"))
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if res.Skipped == "" {
		t.Errorf("unlabelled: %+v", res)
	}
	e.must(e.alice.AddLabels(flowRepo, n, "incident"))
	e.must(e.alice.AddLabels(flowRepo, n, "incident")) // twice
	_, err = e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if len(e.pulls()) != 1 || len(e.commentsWith(n, "postmortem:pr incident=")) != 1 {
		t.Fatalf("pulls %d, pointer comments %d", len(e.pulls()), len(e.commentsWith(n, "postmortem:pr incident=")))
	}
}

func TestFlowIncidentBrokenConfigIsReported(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{
		".github/postmortem.yml": "incident_label: outage\nclose_incidnet: true\n",
	}})
	n := e.openIncident("Broken config incident", "outage")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if len(e.pulls()) != 0 {
		t.Fatal("a pull request was opened despite the broken configuration")
	}
	got := e.commentsWith(n, MarkerConfigError)
	if len(got) != 1 {
		t.Fatalf("result %+v; %d config error comments, want 1", res, len(got))
	}
	if !strings.Contains(got[0].Body, ".github/postmortem.yml line 2") || !strings.Contains(got[0].Body, "close_incidnet") {
		t.Errorf("comment does not say what and where:\n%s", got[0].Body)
	}
	// Twice: still one comment.
	_, err = e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if len(e.commentsWith(n, MarkerConfigError)) != 1 {
		t.Fatal("config error reported twice")
	}
}
