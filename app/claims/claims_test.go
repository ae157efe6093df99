package claims

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// openClaimsDB opens the claims on a real database: a SQLite file, or the
// test PostgreSQL in a fresh schema.
func openClaimsDB(t *testing.T, dialect string) *Store {
	t.Helper()
	ctx := context.Background()
	c := New(dbtest.New(t, dialect).Open(t))
	if err := c.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Migrate(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	return c
}

func TestClaims(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			ctx := context.Background()
			now := time.Unix(1_700_000_000, 0)
			c.Now = func() time.Time { return now }
			c.Lease = time.Minute
			k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: "followup:abc"}

			a, err := c.Claim(ctx, k)
			if err != nil || a.State != Acquired || a.Token == "" {
				t.Fatalf("first claim = %+v, %v", a, err)
			}
			b, err := c.Claim(ctx, k)
			if err != nil || b.State != Held {
				t.Fatalf("second claim = %+v, %v", b, err)
			}
			// Other repositories are independent, whatever their name.
			if o, _ := c.Claim(ctx, Key{InstallationID: 1, RepoID: 101, Repo: "acme/svc", Incident: 7, Item: "followup:abc"}); o.State != Acquired {
				t.Fatalf("other repository = %+v", o)
			}
			// Released: claimable at once.
			if err := c.Release(ctx, a); err != nil {
				t.Fatal(err)
			}
			a, _ = c.Claim(ctx, k)
			if a.State != Acquired {
				t.Fatalf("after release = %+v", a)
			}
			// The holder crashed: after the lease another worker takes over,
			// and the old holder's release no longer removes the claim.
			now = now.Add(2 * time.Minute)
			taken, _ := c.Claim(ctx, k)
			if taken.State != Acquired || taken.Token == a.Token {
				t.Fatalf("takeover = %+v", taken)
			}
			if err := c.Release(ctx, a); err != nil {
				t.Fatal(err)
			}
			if again, _ := c.Claim(ctx, k); again.State != Held {
				t.Fatalf("stale release removed the new claim: %+v", again)
			}
			// Done: reported with its result forever, never re-acquired.
			if err := c.Complete(ctx, taken, "42"); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Hour)
			d, _ := c.Claim(ctx, k)
			if d.State != Done || d.Result != "42" {
				t.Fatalf("done claim = %+v", d)
			}
			res, err := c.Results(ctx, k, "followup:")
			if err != nil || res["followup:abc"] != "42" || len(res) != 1 {
				t.Fatalf("results = %v, %v", res, err)
			}
			if err := c.Forget(ctx, k); err != nil {
				t.Fatal(err)
			}
			if f, _ := c.Claim(ctx, k); f.State != Acquired {
				t.Fatalf("after forget = %+v", f)
			}
		})
	}
}

func TestClaimsConcurrentExactlyOneWinner(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			ctx := context.Background()
			k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 1, Item: "comment:tracking"}
			var mu sync.Mutex
			won := 0
			var wg sync.WaitGroup
			for i := 0; i < 16; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cl, err := c.Claim(ctx, k)
					if err != nil {
						t.Error(err)
						return
					}
					if cl.State == Acquired {
						mu.Lock()
						won++
						mu.Unlock()
						if err := c.Complete(ctx, cl, "1"); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if won != 1 {
				t.Fatalf("%d winners, want 1", won)
			}
		})
	}
}
