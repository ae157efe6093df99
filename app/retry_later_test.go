package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows"
)

// snoozed is the snooze retryLaterAt makes of err at now (a failure when it
// is not one).
func snoozed(t *testing.T, err error, now time.Time) time.Duration {
	t.Helper()
	var sn *rivertype.JobSnoozeError
	if !errors.As(retryLaterAt(err, now), &sn) {
		t.Fatalf("%v: not snoozed", err)
	}
	return sn.Duration
}

// A job that met a claim another worker holds is snoozed for about 5 s
// while the claim is young (its holder is creating now), for longer the
// older the claim (its holder is slow or dead: a try every 5 s until the
// lease runs out is a re-read of GitHub for nothing), and not past the
// lease's end. The other snoozes are as they were.
func TestRetryLaterWaitsLongerForOlderClaims(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c, heldFor := claimsHeldAt(t, now)
	fresh := snoozed(t, heldFor("followup:fresh", time.Second), now)
	old := snoozed(t, heldFor("followup:old", time.Minute), now)
	dying := snoozed(t, heldFor("followup:dying", c.Lease-2*time.Second), now)
	if fresh < 5*time.Second || fresh > 6*time.Second {
		t.Errorf("claim 1 s old: snoozed %s, want about 5 s", fresh)
	}
	if old < 30*time.Second || old > 34*time.Second || old <= fresh {
		t.Errorf("claim 60 s old: snoozed %s, want about 30 s (longer than %s)", old, fresh)
	}
	if dying < 2*time.Second || dying > 4*time.Second {
		t.Errorf("claim 2 s before its lease's end: snoozed %s, want until the end", dying)
	}
	// A lock found done (no holder to wait for) and an unknown identity
	// snooze as before.
	if d := snoozed(t, fmt.Errorf("lock: %w", claims.ErrInProgress), now); d != 5*time.Second {
		t.Errorf("ErrInProgress without a claim's times: snoozed %s, want 5 s", d)
	}
	if d := snoozed(t, flows.ErrIdentityUnknown, now); d != identityWait {
		t.Errorf("identity unknown: snoozed %s, want %s", d, identityWait)
	}
}

// claimsHeldAt holds claims in a real claims Store (returned) for the
// test: the function it returns claims item age before now and returns the
// error of a run that meets the claim at now, as a flow wraps it.
func claimsHeldAt(t *testing.T, now time.Time) (*claims.Store, func(item string, age time.Duration) error) {
	c := openClaimsDB(t, "sqlite")
	ctx := context.Background()
	clock := now
	c.Now = func() time.Time { return clock }
	return c, func(item string, age time.Duration) error {
		k := claims.Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: item}
		clock = now.Add(-age)
		if cl, err := c.Claim(ctx, k); err != nil || cl.State != claims.Acquired {
			t.Fatalf("claim %s = %+v, %v", item, cl, err)
		}
		clock = now
		cl, err := c.Claim(ctx, k)
		if err != nil || cl.State != claims.Held {
			t.Fatalf("claim %s again = %+v, %v", item, cl, err)
		}
		return fmt.Errorf("open follow-ups: %w", cl.InProgress()) // as a flow wraps it
	}
}

// A job whose run met several held claims (joined: the incident flow's
// check runs and pointer comment in parallel) is snoozed until the one
// that frees soonest, in whatever order they are joined, even with another
// error among them (a held claim is a snooze, as before).
func TestRetryLaterWaitsForTheSoonestClaim(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	_, heldFor := claimsHeldAt(t, now)
	old, young := heldFor("checks:abc", time.Minute), heldFor("comment:pr", time.Second)
	other := errors.New("request reviewers: 502 Bad Gateway")
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"old, then young", errors.Join(nil, old, young)},
		{"young, then old", errors.Join(young, nil, old)},
		{"another error, old, then young", errors.Join(other, old, fmt.Errorf("pointer: %w", young))},
	} {
		if d := snoozed(t, tc.err, now); d < 5*time.Second || d > 6*time.Second {
			t.Errorf("%s: snoozed %s, want about 5 s (the young claim's wait, not the old one's 30 s)", tc.name, d)
		}
	}
}
