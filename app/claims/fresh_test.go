package claims

import (
	"context"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// TestClaimFreshness: only a claim that did not exist is Fresh; a released
// claim is fresh again (nothing was sent), an abandoned one (a write may have
// reached GitHub) and a taken-over one (its creator crashed) are not.
func TestClaimFreshness(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			ctx := context.Background()
			now := time.Unix(1_700_000_000, 0)
			c.Now = func() time.Time { return now }
			c.Lease = time.Minute
			k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: "checks:abc"}

			a, err := c.Claim(ctx, k)
			if err != nil || a.State != Acquired || !a.Fresh {
				t.Fatalf("first claim = %+v, %v", a, err)
			}
			if err := c.Release(ctx, a); err != nil {
				t.Fatal(err)
			}
			a, _ = c.Claim(ctx, k)
			if a.State != Acquired || !a.Fresh {
				t.Fatalf("after release = %+v, want fresh", a)
			}
			if err := c.Abandon(ctx, a); err != nil {
				t.Fatal(err)
			}
			b, _ := c.Claim(ctx, k) // at once, no lease to wait for
			if b.State != Acquired || b.Fresh || b.Token == a.Token {
				t.Fatalf("after abandon = %+v, want acquired, not fresh", b)
			}
			// The old holder's abandon no longer touches the new claim.
			if err := c.Abandon(ctx, a); err != nil {
				t.Fatal(err)
			}
			if h, _ := c.Claim(ctx, k); h.State != Held {
				t.Fatalf("stale abandon expired the new claim: %+v", h)
			}
			now = now.Add(2 * time.Minute) // b's holder crashed
			tk, _ := c.Claim(ctx, k)
			if tk.State != Acquired || tk.Fresh {
				t.Fatalf("takeover = %+v, want acquired, not fresh", tk)
			}
			if err := c.Complete(ctx, tk, "42"); err != nil {
				t.Fatal(err)
			}
			if err := c.Abandon(ctx, tk); err != nil {
				t.Fatal(err)
			}
			if d, _ := c.Claim(ctx, k); d.State != Done || d.Result != "42" {
				t.Fatalf("abandon after done = %+v", d)
			}
		})
	}
}
