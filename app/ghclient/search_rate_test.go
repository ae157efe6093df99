package ghclient_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
)

type remainingObserver struct {
	mu   sync.Mutex
	last map[int64]int
}

func (o *remainingObserver) GitHubRequest(method, route, status string) {}
func (o *remainingObserver) RateLimitRemaining(inst int64, remaining int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.last[inst] = remaining
}

// A search answer's X-RateLimit-Remaining is search's own budget (30 a
// minute): the installation's remaining budget (the gauge
// PostmortemRateLimitLow watches) stays the core one.
func TestSearchDoesNotReportItsBudgetAsTheCoreOne(t *testing.T) {
	sim := githubsim.MustStart(githubsim.Options{Seed: flowtest.Seed(nil)})
	t.Cleanup(sim.Close)
	key, err := ghclient.ParsePrivateKey(sim.AppPrivateKey(flowtest.AppID))
	if err != nil {
		t.Fatal(err)
	}
	o := &remainingObserver{last: map[int64]int{}}
	c, err := ghclient.New(ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: sim.URL() + "/", Observer: o,
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	gh, err := c.Installation(flowtest.InstID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := gh.Issues.ListByRepo(ctx, "acme", "services", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Search.Issues(ctx, "is:issue is:open label:incident org:acme", nil); err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if r := o.last[flowtest.InstID]; r < 4000 {
		t.Fatalf("installation's remaining budget %d after a search, want the core one (about 5 000)", r)
	}
}
