package flows

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/githubsim"
)

// A creator that is still creating when its claim's lease runs out would
// race the worker taking the claim over: createOnce gives up at the claim's
// deadline (before the lease ends), releasing the claim, and a claim left by
// a worker that died (no release) is taken over once the lease has run out
// and the object is created exactly once.
func TestCreateOnceEndsBeforeLease(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			c.Lease = 600 * time.Millisecond
			r := &run{f: &Flows{Claims: c}, inst: 1, owner: "acme", repo: "svc", repoID: 100}
			ctx := context.Background()

			// The create's context ends before the lease does. Checked on
			// the deadline it was given (when it fired depends on the
			// machine's load, not on createOnce).
			start := time.Now()
			var deadline time.Time
			made, err := r.createOnce(ctx, 7, "comment:pr", func(ctx context.Context) (string, error) {
				deadline, _ = ctx.Deadline()
				<-ctx.Done() // a create call that hangs
				return "", ctx.Err()
			})
			if made || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("hanging create: made %v err %v, want the claim's deadline", made, err)
			}
			if deadline.IsZero() || !deadline.Before(start.Add(c.Lease)) {
				t.Fatalf("hanging create had deadline %v after the claim, not before the %s lease ran out", deadline.Sub(start), c.Lease)
			}
			// Its error released the claim: the retry creates at once.
			creates := 0
			create := func(ctx context.Context) (string, error) {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("create runs without the claim's deadline")
				}
				creates++
				return "11", nil
			}
			if made, err := r.createOnce(ctx, 7, "comment:pr", create); !made || err != nil {
				t.Fatalf("retry after a released claim: made %v err %v", made, err)
			}

			// A worker SIGKILLed between claim and create: no release.
			k := claims.Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: "followup:abc"}
			dead, err := c.Claim(ctx, k)
			if err != nil || dead.State != claims.Acquired {
				t.Fatalf("claim = %+v, %v", dead, err)
			}
			if _, err := r.createOnce(ctx, 7, "followup:abc", create); !errors.Is(err, claims.ErrInProgress) {
				t.Fatalf("within the dead worker's lease: %v, want ErrInProgress", err)
			}
			time.Sleep(c.Lease)
			if made, err := r.createOnce(ctx, 7, "followup:abc", create); !made || err != nil {
				t.Fatalf("after the lease: made %v err %v, want the claim taken over", made, err)
			}
			if made, err := r.createOnce(ctx, 7, "followup:abc", create); made || err != nil {
				t.Fatalf("once done: made %v err %v, want nothing created", made, err)
			}
			if creates != 2 {
				t.Fatalf("%d creations, want 2 (one per object)", creates)
			}
		})
	}
}

// A follow-up left unlinked from its incident (its link failed, the run
// went on or a concurrent run wrote the tracking comment) is linked by the
// next run of the merge flow, although its claim is done and the tracking
// comment exists: the level-triggered flow re-checks the links every run
// (one list call), not only before the tracking comment exists.
func TestFollowUpsRelinkedAfterTrackingExists(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, threeActions)
	// The first link answers 404 once (an API blip): the run goes on, the
	// tracking comment is written, one follow-up stays unlinked.
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", Kind: githubsim.Status5xx, Status: http.StatusNotFound, Count: 1})
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if len(res.FollowUps.Created) != 3 || res.FollowUps.Tracking == nil {
		t.Fatalf("first run: %+v", res.FollowUps)
	}
	unlinked := 0
	for _, f := range e.followUpIssues(n) {
		if f.Parent != n {
			unlinked++
		}
	}
	if unlinked != 1 {
		t.Fatalf("%d follow-ups unlinked after the blip, want 1 (the fault did not hit?)", unlinked)
	}
	res, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if len(res.FollowUps.Created) != 0 || len(res.FollowUps.Existing) != 3 {
		t.Fatalf("second run: %+v", res.FollowUps)
	}
	for _, f := range e.followUpIssues(n) {
		if f.Parent != n {
			t.Errorf("follow-up #%d: parent %d after a second run, want #%d", f.Number, f.Parent, n)
		}
	}
	// Everything linked: a third run links nothing (and lists once).
	mark := e.mark()
	_, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	calls, _ := e.appCalls(mark)
	for k, v := range calls {
		if strings.Contains(k, "POST") && strings.Contains(k, "sub_issues") {
			t.Errorf("third run: %s ×%d, want no link call", k, v)
		}
	}
}
