package redeliver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/sqldb"
)

// TestRedelivererOncePerFailureAcrossReplicas: deliveries that failed are
// redelivered exactly once by two passes running at once on one PostgreSQL
// schema (two replicas starting together); a GUID that later succeeded is
// left alone; a redelivery that fails again is picked up by the next pass.
func TestRedelivererOncePerFailureAcrossReplicas(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	sdb, sim, clients := failedLabels(t, "postgres", 3, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Header.Get("X-GitHub-Delivery")]++
		mu.Unlock()
	})
	ctx := context.Background()
	newPass := func() *Redeliverer {
		return &Redeliverer{App: clients.App(), DB: sdb}
	}
	if err := newPass().Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Failing again: the first redeliveries fail too.
	var wg sync.WaitGroup
	res := make([]*Result, 2)
	for i := range res {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := newPass().Run(ctx)
			if err != nil {
				t.Error(err)
			}
			res[i] = r
		}(i)
	}
	wg.Wait()
	sim.WaitIdle()
	if n := len(res[0].Redelivered) + len(res[1].Redelivered); n != 3 {
		t.Fatalf("two passes redelivered %d deliveries, want 3 (each failed labeled once): %+v %+v", n, res[0], res[1])
	}
	// Those redeliveries failed as well (the fault is still on). Fix the
	// App; the next pass redelivers the newest failed attempt of each.
	sim.Faults().Clear()
	r, err := newPass().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sim.WaitIdle()
	if len(r.Redelivered) != 3 {
		t.Fatalf("third pass redelivered %d, want 3", len(r.Redelivered))
	}
	r, err = newPass().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Redelivered) != 0 || r.Failed != 0 {
		t.Fatalf("a pass after success redelivered %d (failed %d), want nothing", len(r.Redelivered), r.Failed)
	}
	mu.Lock()
	defer mu.Unlock()
	labeled := 0
	for _, d := range sim.Deliveries() {
		if d.Action == "labeled" && d.OK() {
			labeled++
			if got[d.GUID] != 1 {
				t.Errorf("delivery %s received %d times, want 1", d.GUID, got[d.GUID])
			}
		}
	}
	if labeled != 3 {
		t.Errorf("%d labeled deliveries succeeded, want 3", labeled)
	}
}

// TestRedelivererLeavesAConcurrentPassesRedeliveries: a pass that began
// before another pass redelivered a GUID does not redeliver the attempt
// that redelivery made. Before, it took that fresh failed attempt for a new
// failure and redelivered it again (TestRedelivererOncePerFailureAcrossReplicas
// failed about one run in fifteen when one pass read the deliveries after
// the other's redeliveries).
func TestRedelivererLeavesAConcurrentPassesRedeliveries(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) { leavesConcurrentRedeliveries(t, dialect) })
	}
}

func leavesConcurrentRedeliveries(t *testing.T, dialect string) {
	sdb, sim, clients := failedLabels(t, dialect, 2, func(w http.ResponseWriter, r *http.Request) {})
	ctx := context.Background()
	began := time.Now() // the slow pass began here, before the other's claims
	fast := &Redeliverer{App: clients.App(), DB: sdb}
	if err := fast.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	r, err := fast.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sim.WaitIdle() // its redeliveries failed again: two fresh failed attempts
	if len(r.Redelivered) != 2 {
		t.Fatalf("the fast pass redelivered %d, want 2", len(r.Redelivered))
	}
	slow := &Redeliverer{App: clients.App(), DB: sdb, Now: func() time.Time { return began }}
	r, err = slow.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Redelivered) != 0 || r.Claimed != 2 {
		t.Fatalf("the slow pass redelivered %v (claimed %d), want nothing: the fast pass redelivered those GUIDs after it began", r.Redelivered, r.Claimed)
	}
}

// failedLabels starts a simulated GitHub whose App's webhook (recv) fails
// every issues.labeled delivery, and labels n incidents: n failed
// deliveries, with the database (dialect) a Redeliverer keeps its claims in.
func failedLabels(t *testing.T, dialect string, n int, recv http.HandlerFunc) (*sqldb.DB, *githubsim.Server, *ghclient.Clients) {
	t.Helper()
	sdb := dbtest.New(t, dialect).Open(t)
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	seed := flowtest.Seed(nil)
	seed.GitHub.Apps[0].WebhookURL = hook.URL
	seed.GitHub.Apps[0].WebhookSecret = "x"
	sim, err := githubsim.New(githubsim.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	t.Cleanup(sim.Close)
	key, _ := ghclient.ParsePrivateKey(sim.AppPrivateKey(flowtest.AppID))
	clients, err := ghclient.New(ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: sim.URL() + "/"})
	if err != nil {
		t.Fatal(err)
	}
	sim.Faults().AddHook(githubsim.HookFault{Event: "issues.labeled", Kind: githubsim.HookFail})
	alice := sim.As("alice")
	for i := 0; i < n; i++ {
		num, err := alice.OpenIssue(flowtest.Repo, "Outage", "x")
		if err != nil {
			t.Fatal(err)
		}
		if err := alice.AddLabels(flowtest.Repo, num, "incident"); err != nil {
			t.Fatal(err)
		}
	}
	sim.WaitIdle()
	return sdb, sim, clients
}
