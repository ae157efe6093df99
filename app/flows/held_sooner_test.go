package flows

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/checks"
)

// holdClaims stops the claims' clock at now and returns a function that
// has another worker hold the claim (scope, item) of the repository,
// taken age before now.
func holdClaims(e *flowEnv) (now time.Time, hold func(scope int, item string, age time.Duration)) {
	now = time.Now().Truncate(time.Second)
	clock := now
	e.claims.Now = func() time.Time { return clock }
	return now, func(scope int, item string, age time.Duration) {
		e.t.Helper()
		k := claims.Key{InstallationID: flowInstID, RepoID: e.sim.RepoID(flowRepo), Repo: flowRepo, Incident: scope, Item: item}
		clock = now.Add(-age)
		if cl, err := e.claims.Claim(e.ctx, k); err != nil || cl.State != claims.Acquired {
			e.t.Fatalf("claim %s = %+v, %v", k, cl, err)
		}
		clock = now
	}
}

// wantHeldBy fails unless err is ErrInProgress reporting the claim
// (scope, item): the one the run's job is snoozed by.
func wantHeldBy(t *testing.T, err error, scope int, item string) {
	t.Helper()
	var held *claims.HeldError
	if !errors.Is(err, claims.ErrInProgress) || !errors.As(err, &held) {
		t.Fatalf("run's error %v, want a held claim", err)
	}
	if held.Key.Incident != scope || held.Key.Item != item {
		t.Errorf("run's error is the claim %d %s (claimed %s), want the young claim %d %s: %v",
			held.Key.Incident, held.Key.Item, held.Claimed.Format(time.TimeOnly), scope, item, err)
	}
}

// A merge whose follow-ups are being opened by another worker, one claimed
// a second ago and one a minute ago (its holder slow or dead), is snoozed
// by the young claim (about 5 s), not by the old one (30 s), whichever
// item comes first.
func TestFollowUpsSnoozeForTheSoonestClaim(t *testing.T) {
	const actions = "- [ ] Validate pool sizes (owner: @alice, due: 2026-03-18, priority: P1)\n" +
		"- [ ] Alert on pool saturation (owner: @bob, due: 2026-03-20, priority: P2)\n"
	var items []string
	for _, a := range checks.Parse([]byte(fixedPostmortem(1, actions))).Actions {
		items = append(items, "followup:"+ItemKey(a.Title, 0))
	}
	if len(items) != 2 {
		t.Fatalf("action items %v, want 2", items)
	}
	for young := range items {
		t.Run(fmt.Sprintf("young claim on item %d", young+1), func(t *testing.T) {
			e := newFlowEnv(t, flowEnvOpts{})
			n := e.openIncident("Pool exhausted", "incident")
			pr := e.mergedPostmortem(n, actions)
			_, hold := holdClaims(e)
			for i, item := range items {
				age := time.Minute
				if i == young {
					age = time.Second
				}
				hold(n, item, age)
			}
			_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
			wantHeldBy(t, err, n, items[young])
			if fus := e.followUpIssues(n); len(fus) != 0 {
				t.Errorf("%d follow-ups opened under claims another worker holds", len(fus))
			}
		})
	}
}

// A reminder pass that meets four claims other passes hold, two
// follow-ups' reminders and two owed postmortems' (three claimed a minute
// or more ago, one a second ago), is snoozed by the young claim, wherever
// it is among them.
func TestReminderPassSnoozesForTheSoonestClaim(t *testing.T) {
	for young := range 4 {
		t.Run(fmt.Sprintf("young claim %d", young+1), func(t *testing.T) {
			e, clk := remindEnv(t, "postmortem:\n  required_for: [SEV1]\n  due: 5 business days\n")
			n := e.openIncident("Pool exhausted", "incident")
			pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, due: 2026-03-09, priority: P1)\n"+
				"- [ ] Alert on pool saturation (owner: @bob, due: 2026-03-09, priority: P2)\n")
			_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
			e.must(err)
			fus := e.followUpIssues(n)
			if len(fus) != 2 {
				t.Fatalf("%d follow-ups, want 2", len(fus))
			}
			owed := []int{e.openIncident("Checkout down", "incident", "sev1"), e.openIncident("Login down", "incident", "sev1")}
			for _, o := range owed {
				e.must(e.alice.CloseIssue(flowRepo, o, "completed")) // Monday: due Monday 9 March
			}
			type claim struct {
				scope int
				item  string
			}
			held := []claim{
				{fus[0].Number, "remind:2026-03-09:due"}, {fus[1].Number, "remind:2026-03-09:due"},
				{owed[0], "owed:2026-03-09:due"}, {owed[1], "owed:2026-03-09:due"},
			}
			on(clk, "2026-03-09")
			_, hold := holdClaims(e)
			for i, c := range held {
				age := time.Minute + time.Duration(i)*10*time.Second // 30 s to 45 s
				if i == young {
					age = time.Second // 5 s
				}
				hold(c.scope, c.item, age)
			}
			_, err = e.flows.Remind(e.ctx, e.remindJob())
			wantHeldBy(t, err, held[young].scope, held[young].item)
		})
	}
}
