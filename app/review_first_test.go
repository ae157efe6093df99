package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

// TestCheckRunsNeverWaitOnTheReview: GitHub refuses the review of
// suggested rewordings (422). The check runs are posted all the same, the
// refusal is logged and counted, and the review is retried by its own job,
// which posts it without creating or changing a check run.
func TestCheckRunsNeverWaitOnTheReview(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	var logs lockedBuffer
	e.flows.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	blameful := strings.Replace(fixedPostmortem(n, threeActions),
		"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, blameful, "Write the postmortem")
	e.must(err)

	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
		Kind: githubsim.Status5xx, Status: 422, Count: 1, TokenKind: "installation"})
	res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	if err != nil {
		t.Fatalf("a refused review failed the pull request flow: %v", err)
	}
	if e.sim.Faults().Hits()[0] != 1 {
		t.Fatal("the review was never attempted")
	}
	head := res.HeadSHA
	runs := e.sim.CheckRuns(flowRepo, head)
	if len(runs) != 2 || res.Completeness.ID == 0 || res.Blameless.Conclusion != "failure" {
		t.Fatalf("check runs on %.7s: %d (%+v), want both, blameless failing", head, len(runs), res)
	}
	if res.Review == nil || len(e.pulls()[0].Reviews) != 0 {
		t.Fatalf("review error = %v, reviews %d: want the refusal recorded and no review", res.Review, len(e.pulls()[0].Reviews))
	}
	want := jobs.ReviewArgs{InstallationID: e.pr(ires.PullRequest).InstallationID, Owner: "acme", Repo: "services", RepoID: e.sim.RepoID(flowRepo),
		Number: ires.PullRequest, HeadSHA: head}
	if len(res.Enqueued) != 1 || res.Enqueued[0] != want {
		t.Fatalf("enqueued %+v, want the review's own job %+v", res.Enqueued, want)
	}
	if l := logs.lines(t, "review of suggested rewordings not posted; the check runs are; retried on its own job"); len(l) != 1 ||
		l[0]["level"] != "WARN" || !strings.Contains(l[0]["err"].(string), "422") {
		t.Errorf("the refusal is not logged as one warning: %v", l)
	}

	// The review's own job: the review, and not one check-run request.
	mark := e.mark()
	rres, err := e.flows.Review(e.ctx, want)
	e.must(err)
	fc := e.callsSince(mark)
	for route := range fc.counted {
		if strings.Contains(route, "check-runs") {
			t.Errorf("the review job touched the check runs: %s", fc)
		}
	}
	pull := e.pulls()[0]
	if rres.Suggestions != 1 || len(pull.Reviews) != 1 || !strings.Contains(pull.Reviews[0].Comments[0].Body, "```suggestion") {
		t.Fatalf("review job: %+v, reviews %+v", rres, pull.Reviews)
	}
	if got := len(e.sim.CheckRuns(flowRepo, head)); got != 2 {
		t.Errorf("%d check runs after the review job, want 2", got)
	}
	// Run again (a duplicate job): nothing new.
	again, err := e.flows.Review(e.ctx, want)
	e.must(err)
	if again.Suggestions != 0 || len(e.pulls()[0].Reviews) != 1 {
		t.Errorf("review job again: %+v, %d reviews", again, len(e.pulls()[0].Reviews))
	}
	// A head that moved on: skipped.
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(n, threeActions), "Blameless wording")
	e.must(err)
	if moved, err := e.flows.Review(e.ctx, want); err != nil || !strings.Contains(moved.Skipped, "head moved") {
		t.Errorf("review of an old head: %+v, %v", moved, err)
	}
}

// TestRefusedReviewRetriedOnItsOwnJob runs the same through the queue: the
// pull request's job completes with its check runs, the refusal is
// counted, and the review job it queued posts the review after a retry.
func TestRefusedReviewRetriedOnItsOwnJob(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	blameful := strings.Replace(fixedPostmortem(n, threeActions),
		"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, blameful, "Write the postmortem")
	e.must(err)
	// Refused twice: by the pull request's job, then by the review job's first attempt.
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
		Kind: githubsim.Status5xx, Status: 422, Count: 2, TokenKind: "installation"})

	m := NewMetrics()
	w := queue.NewWorkers()
	if err := handleJobs(w, e.flows, nil, nil, m); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q, _ := openQueueAt(t, ctx, filepath.Join(t.TempDir(), "q.db"), w, queue.Config{Observer: m, PollInterval: 20 * time.Millisecond})
	defer q.Stop(context.Background())
	events, unsub := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer unsub()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, e.pr(ires.PullRequest)); err != nil {
		t.Fatal(err)
	}
	seen := map[string][]river.EventKind{}
	for len(seen[jobs.KindReview]) == 0 || seen[jobs.KindReview][len(seen[jobs.KindReview])-1] != river.EventKindJobCompleted {
		select {
		case ev := <-events:
			seen[ev.Job.Kind] = append(seen[ev.Job.Kind], ev.Kind)
			if ev.Kind == river.EventKindJobFailed && ev.Job.Kind == jobs.KindReview {
				if err := q.Retry(ctx, ev.Job.ID); err != nil { // now, not after the backoff
					t.Fatal(err)
				}
			}
		case <-ctx.Done():
			t.Fatalf("the review job never completed: %v", seen)
		}
	}
	if got := seen[jobs.KindPullRequest]; len(got) != 1 || got[0] != river.EventKindJobCompleted {
		t.Errorf("pull request job: %v, want one completed run", got)
	}
	if got := seen[jobs.KindReview]; len(got) != 2 {
		t.Errorf("review job: %v, want failed then completed", got)
	}
	pull := e.pulls()[0]
	if got := len(e.sim.CheckRuns(flowRepo, pull.HeadSHA)); got != 2 || len(pull.Reviews) != 1 {
		t.Errorf("%d check runs, %d reviews: want 2 and 1", got, len(pull.Reviews))
	}
	wantMetric(t, scrape(t, m), `postmortem_secondary_writes_failed_total{write="review"} 2`)
}
