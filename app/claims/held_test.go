package claims

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// TestHeldWait: a run that meets a held claim waits about 5 s while the
// claim is young (its holder is creating right now), about half the claim's
// age once it is older (its holder is slow or dead), never past the lease's
// end by more than a second, never under a second.
func TestHeldWait(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	lease := 2 * time.Minute
	held := func(age time.Duration) *HeldError {
		claimed := now.Add(-age)
		return &HeldError{Claimed: claimed, Expires: claimed.Add(lease)}
	}
	for _, tc := range []struct {
		name     string
		err      *HeldError
		min, max time.Duration
	}{
		{"just claimed", held(0), 5 * time.Second, 5 * time.Second},
		{"claimed 3 s ago", held(3 * time.Second), 5 * time.Second, 5 * time.Second},
		{"claimed 60 s ago", held(60 * time.Second), 29 * time.Second, 31 * time.Second},
		{"nearly expired", held(lease - 2*time.Second), 2 * time.Second, 3 * time.Second},
		{"expired (a takeover race)", held(lease + 10*time.Second), time.Second, time.Second},
		{"claimed ahead of our clock", held(-30 * time.Second), 5 * time.Second, 5 * time.Second},
		{"no claim time", &HeldError{}, 5 * time.Second, 5 * time.Second},
	} {
		if got := tc.err.Wait(now); got < tc.min || got > tc.max {
			t.Errorf("%s: wait %s, want %s–%s", tc.name, got, tc.min, tc.max)
		}
	}
}

// TestHeldClaimSaysWhen: a held claim reports when it was claimed and when
// its lease runs out, on both databases; its error is ErrInProgress, names
// the claim, and says to wait longer the older the claim.
func TestHeldClaimSaysWhen(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			ctx := context.Background()
			start := time.Unix(1_700_000_000, 0)
			now := start
			c.Now = func() time.Time { return now }
			k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: "followup:abc"}
			if a, err := c.Claim(ctx, k); err != nil || a.State != Acquired {
				t.Fatalf("first claim = %+v, %v", a, err)
			}
			now = start.Add(time.Second)
			young, err := c.Claim(ctx, k)
			if err != nil || young.State != Held {
				t.Fatalf("second claim = %+v, %v", young, err)
			}
			if !young.Claimed.Equal(start) || !young.Expires.Equal(start.Add(2*time.Minute)) {
				t.Fatalf("held claim says claimed %s, expires %s; want %s, %s", young.Claimed, young.Expires, start, start.Add(2*time.Minute))
			}
			yerr := young.InProgress()
			if !errors.Is(yerr, ErrInProgress) || !strings.Contains(yerr.Error(), k.String()) || !strings.Contains(yerr.Error(), ErrInProgress.Error()) {
				t.Fatalf("held claim's error %q: want ErrInProgress naming %s", yerr, k)
			}
			now = start.Add(80 * time.Second) // the holder crashed, it seems
			old, _ := c.Claim(ctx, k)
			if old.State != Held || !old.Claimed.Equal(start) {
				t.Fatalf("claim 80 s on = %+v", old)
			}
			var yh, oh *HeldError
			if !errors.As(yerr, &yh) || !errors.As(old.InProgress(), &oh) {
				t.Fatalf("held claims' errors %v, %v: not HeldError", yerr, old.InProgress())
			}
			if yw, ow := yh.Wait(start.Add(time.Second)), oh.Wait(now); ow <= yw {
				t.Errorf("wait at 80 s %s, not longer than at 1 s %s", ow, yw)
			}
		})
	}
}

// TestWaitingOutACrashedHolder: a run that meets the claim of a holder that
// crashed at once, and waits as its error says each time, takes the claim
// over after the lease in a handful of tries (every 5 s it took 25: each one
// a re-read of GitHub for nothing).
func TestWaitingOutACrashedHolder(t *testing.T) {
	c := openClaimsDB(t, "sqlite")
	ctx := context.Background()
	start := time.Unix(1_700_000_000, 0)
	now := start
	c.Now = func() time.Time { return now }
	k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: "comment:pr"}
	if a, _ := c.Claim(ctx, k); a.State != Acquired {
		t.Fatalf("first claim = %+v", a)
	}
	tries := 0
	for {
		tries++
		cl, err := c.Claim(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if cl.State == Acquired {
			break
		}
		var held *HeldError
		if !errors.As(cl.InProgress(), &held) || tries > 30 {
			t.Fatalf("try %d: %+v", tries, cl)
		}
		now = now.Add(held.Wait(now))
	}
	if late := now.Sub(start.Add(c.Lease)); late < 0 || late > 2*time.Second {
		t.Errorf("took the claim over %s after the lease's end, want within 2 s", late)
	}
	if tries > 10 {
		t.Errorf("%d tries to wait out a 2-minute lease, want at most 10", tries)
	}
	t.Logf("%d tries to wait out a 2-minute lease, taken over %s after it ended", tries, now.Sub(start.Add(c.Lease)))
}
