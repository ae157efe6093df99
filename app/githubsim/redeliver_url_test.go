package githubsim

import (
	"errors"
	"testing"

	"github.com/google/go-github/v62/github"
)

// GitHub redelivers to the hook's current URL (and signs with its current
// secret), not to where the failed delivery went: an App that moved (a new
// replica address, a new ingress) gets its missed deliveries.
func TestRedeliverGoesToTheCurrentWebhookURL(t *testing.T) {
	e := newEnv(t)
	e.hooks.mu.Lock()
	e.hooks.status = 503 // the old address is failing
	e.hooks.mu.Unlock()
	if _, err := e.srv.As("alice").OpenIssue(testRepo, "outage", "body"); err != nil {
		t.Fatal(err)
	}
	e.srv.WaitIdle()
	var failed Delivery
	for _, d := range e.srv.Deliveries() {
		if d.Event == "issues" && !d.OK() {
			failed = d
		}
	}
	if failed.ID == 0 {
		t.Fatal("no failed delivery")
	}
	moved := newHookSink(t)
	e.srv.SetWebhook(testAppID, moved.srv.URL, testSecret)
	before := len(e.hooks.all())

	_, _, err := e.app.Apps.RedeliverHookDelivery(bg, failed.ID)
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("redeliver: %v", err)
	}
	e.srv.WaitIdle()
	if got := moved.all(); len(got) != 1 || got[0].guid != failed.GUID {
		t.Fatalf("the current URL received %v, want the redelivery of %s", moved.names(), failed.GUID)
	}
	if n := len(e.hooks.all()); n != before {
		t.Fatalf("the old URL received %d more deliveries, want none", n-before)
	}
	ds := e.srv.Deliveries()
	if last := ds[len(ds)-1]; !last.Redelivery || !last.OK() || last.URL != moved.srv.URL {
		t.Fatalf("redelivery = %+v", last)
	}
	// The exported driver does the same.
	e.srv.SetWebhook(testAppID, e.hooks.srv.URL, testSecret)
	e.hooks.mu.Lock()
	e.hooks.status = 200
	e.hooks.mu.Unlock()
	if !e.srv.Redeliver(failed.ID) {
		t.Fatal("Redeliver: not found")
	}
	e.srv.WaitIdle()
	if len(moved.all()) != 1 || len(e.hooks.all()) != before+1 {
		t.Fatalf("Redeliver went to the old hook (%d) instead of the current one (%d)", len(moved.all())-1, len(e.hooks.all())-before)
	}
}
