package app

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// gate is a transport that lets a test order two runs' requests: before
// (or after) a request it matches, it calls the test's hook.
type gate struct {
	base   http.RoundTripper
	before func(*http.Request)
	after  func(*http.Request)
}

func (g gate) RoundTrip(req *http.Request) (*http.Response, error) {
	if g.before != nil {
		g.before(req)
	}
	resp, err := g.base.RoundTrip(req)
	if g.after != nil {
		g.after(req)
	}
	return resp, err
}

// TestOnceWhenAnAnswerIsLostDuringAnotherRun is the ordering behind a
// duplicate follow-up seen in TestChaos: run B reads what exists (the
// incident's follow-ups, or its comments: none yet); run A makes the
// object, GitHub makes it and A's answer is lost, so A fails; then B claims
// that object. B's read is stale, so only the claim can tell B that the
// object may exist: A's lost answer must leave it not fresh, and B must look
// before it makes the object again.
func TestOnceWhenAnAnswerIsLostDuringAnotherRun(t *testing.T) {
	issuesPath := "/repos/" + flowRepo + "/issues"
	for _, c := range []struct {
		name, route string
		// made: A's write whose answer is lost; read: B's read that then
		// waits for A.
		made, read func(*http.Request) bool
	}{
		{"follow-up", "POST /repos/{owner}/{repo}/issues",
			func(r *http.Request) bool {
				return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, issuesPath)
			},
			func(r *http.Request) bool {
				return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, issuesPath) && r.URL.Query().Get("labels") != ""
			}},
		{"tracking comment", "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
			func(r *http.Request) bool {
				return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/comments")
			},
			func(r *http.Request) bool {
				return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/comments")
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newFlowEnv(t, flowEnvOpts{})
			n := e.openIncident("Checkout outage", "incident", "sev2")
			pr := e.mergedPostmortem(n, threeActions)
			var errA error
			a := lostDuringRead(e, c.route, c.made, c.read,
				func(a *flows.Flows) (err error) { _, errA = a.PullRequest(e.ctx, e.pr(pr), false); return nil },
				func(b *flows.Flows) error { _, err := b.PullRequest(e.ctx, e.pr(pr), false); return err })
			if errA == nil {
				t.Fatal("run A did not fail: its answer was not lost")
			}
			// The job runner retries A; everything settles.
			if _, err := a.PullRequest(e.ctx, e.pr(pr), false); err != nil {
				t.Fatal(err)
			}
			if fus := e.followUpIssues(n); len(fus) != 3 {
				var titles []string
				for _, fu := range fus {
					titles = append(titles, fu.Title)
				}
				t.Errorf("%d follow-up issues for 3 action items: %q", len(fus), titles)
			}
			if inc := e.issue(n); len(inc.SubIssues) != 3 {
				t.Errorf("incident sub-issues = %v", inc.SubIssues)
			}
			if got := len(e.commentsWith(n, flows.MarkerTracking(n))); got != 1 {
				t.Errorf("%d tracking comments", got)
			}
		})
	}
}

// lostDuringRead runs A (runA) and B (runB) at once, ordered so: B's read
// (read) answers, then B waits until A is done; A's write (made) waits for
// B's read, and GitHub makes it but its answer is lost (a fault on route).
// It fails the test when runA or runB does, or the fault hit anything but
// that write, and returns A's flows for the job runner's retry.
func lostDuringRead(e *flowEnv, route string, made, read func(*http.Request) bool, runA, runB func(*flows.Flows) error) *flows.Flows {
	e.t.Helper()
	bRead, aDone := make(chan struct{}), make(chan struct{})
	var onceA, onceB sync.Once
	a := raceRun(e, gate{before: func(r *http.Request) {
		if made(r) {
			onceA.Do(func() { <-bRead })
		}
	}})
	b := raceRun(e, gate{after: func(r *http.Request) {
		if read(r) {
			onceB.Do(func() { close(bRead); <-aDone })
		}
	}})
	e.sim.Faults().Add(githubsim.Fault{Route: route, Kind: githubsim.LostAnswer, Count: 1, TokenKind: "installation"})
	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(aDone)
		errA = runA(a)
	}()
	go func() { defer wg.Done(); errB = runB(b) }()
	wg.Wait()
	if errA != nil || errB != nil {
		e.t.Fatalf("run A: %v; run B: %v", errA, errB)
	}
	if hits := e.sim.Faults().Hits(); hits[0] != 1 {
		e.t.Fatalf("the lost answer hit %d requests, want 1", hits[0])
	}
	return a
}

// raceRun is the flows on a client of their own whose requests pass g.
func raceRun(e *flowEnv, g gate) *flows.Flows {
	e.t.Helper()
	g.base = http.DefaultTransport
	return &flows.Flows{Clients: flowtest.Clients(e.t, e.sim, g), Claims: e.claims, BotLogin: flowBot, Watch: e.env.Watch}
}

// TestReviewOnceWhenItsAnswerIsLostDuringAnotherRun: the same ordering for
// the review of suggested rewordings. Run B (the review's own job) reads
// the bot's review comments (none); run A, checking the push, posts the
// review and its answer is lost; then B claims the review.
func TestReviewOnceWhenItsAnswerIsLostDuringAnotherRun(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	prs := e.pulls()
	if len(prs) != 1 || ires.Path == "" {
		t.Fatalf("%d pull requests, path %q", len(prs), ires.Path)
	}
	prN := prs[0].Number
	blameful := strings.Replace(fixedPostmortem(n, threeActions),
		"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
	_, err = e.alice.EditFile(flowRepo, prN, ires.Path, blameful, "Write the postmortem")
	e.must(err)
	heads := e.headsOf(prN)
	job := e.pr(prN)
	review := jobs.ReviewArgs{InstallationID: job.InstallationID, Owner: job.Owner, Repo: job.Repo, RepoID: job.RepoID,
		Number: prN, HeadSHA: heads[len(heads)-1]}

	isPost := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/reviews")
	}
	isRead := func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/comments")
	}
	var resA *flows.PullRequestResult
	a := lostDuringRead(e, "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", isPost, isRead,
		func(a *flows.Flows) (err error) { resA, err = a.PullRequest(e.ctx, job, false); return err },
		func(b *flows.Flows) error { _, err := b.Review(e.ctx, review); return err })
	if resA.Review == nil {
		t.Fatal("run A's review was posted: its answer was not lost")
	}
	// The job runner runs A's review job; everything settles.
	for _, j := range resA.Enqueued {
		if _, err := a.Review(e.ctx, j.(jobs.ReviewArgs)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range e.pulls() {
		if len(p.Reviews) != 1 {
			t.Errorf("#%d: %d suggestion reviews, want 1", p.Number, len(p.Reviews))
		}
	}
}
