package flows

import (
	"fmt"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/flows/render"
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
