package app

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
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

// TestFollowUpOnceWhenItsAnswerIsLostDuringAnotherRun is the ordering behind
// a duplicate follow-up seen in TestChaos: run B lists the incident's
// follow-ups (none yet); run A opens one, GitHub makes it and A's answer is
// lost, so A fails; then B claims that item. B's list is stale, so only
// the claim can tell B that the issue may exist: A's lost answer must leave
// it not fresh, and B must look before it opens the issue again.
func TestFollowUpOnceWhenItsAnswerIsLostDuringAnotherRun(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident", "sev2")
	pr := e.mergedPostmortem(n, threeActions)
	key, err := ghclient.ParsePrivateKey(e.sim.AppPrivateKey(flowtest.AppID))
	e.must(err)
	run := func(g gate) *flows.Flows {
		g.base = http.DefaultTransport
		cs, err := ghclient.New(ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: e.sim.URL() + "/", Base: g,
			Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second}})
		e.must(err)
		return &flows.Flows{Clients: cs, Claims: e.claims, BotLogin: flowBot, Watch: e.env.Watch}
	}
	isCreate := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repos/"+flowRepo+"/issues")
	}
	isList := func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/repos/"+flowRepo+"/issues") && r.URL.Query().Get("labels") != ""
	}
	bListed, aDone := make(chan struct{}), make(chan struct{})
	var onceA, onceB sync.Once
	a := run(gate{before: func(r *http.Request) {
		if isCreate(r) {
			onceA.Do(func() { <-bListed })
		}
	}})
	b := run(gate{after: func(r *http.Request) {
		if isList(r) {
			onceB.Do(func() { close(bListed); <-aDone })
		}
	}})
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues", Kind: githubsim.LostAnswer, Count: 1, TokenKind: "installation"})

	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(aDone)
		_, errA = a.PullRequest(e.ctx, e.pr(pr), false)
	}()
	go func() { defer wg.Done(); _, errB = b.PullRequest(e.ctx, e.pr(pr), false) }()
	wg.Wait()
	if errA == nil {
		t.Fatal("run A did not fail: its answer was not lost")
	}
	if errB != nil {
		t.Fatalf("run B: %v", errB)
	}
	if hits := e.sim.Faults().Hits(); hits[0] != 1 {
		t.Fatalf("the lost answer hit %d requests, want 1", hits[0])
	}
	// The job runner retries A; everything settles.
	if _, err := a.PullRequest(e.ctx, e.pr(pr), false); err != nil {
		t.Fatal(err)
	}
	fus := e.followUpIssues(n)
	if len(fus) != 3 {
		var titles []string
		for _, fu := range fus {
			titles = append(titles, fu.Title)
		}
		t.Fatalf("%d follow-up issues for 3 action items: %q", len(fus), titles)
	}
	if inc := e.issue(n); len(inc.SubIssues) != 3 {
		t.Errorf("incident sub-issues = %v", inc.SubIssues)
	}
}
