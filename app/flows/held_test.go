package flows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// Each place a run meets a claim another worker holds (a creation, an
// incident's lock, a command) says so with an error that is ErrInProgress,
// names the claim, and carries when it was claimed and when its lease runs
// out, so that the job is snoozed for as long as the claim's age suggests.
func TestHeldClaimErrorsSayWhen(t *testing.T) {
	c := openClaimsDB(t, "sqlite")
	claimed := time.Unix(1_700_000_000, 0)
	now := claimed
	c.Now = func() time.Time { return now }
	r := &run{f: &Flows{Claims: c}, inst: 1, owner: "acme", repo: "svc", repoID: 100}
	ctx := context.Background()
	a := jobs.CommandArgs{InstallationID: 1, Owner: "acme", Repo: "svc", RepoID: 100, CommentID: 55, Number: 7}
	items := []string{"followup:abc", "lock:tracking", "command:55"}
	for _, item := range items {
		k := claims.Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: item}
		if cl, err := c.Claim(ctx, k); err != nil || cl.State != claims.Acquired {
			t.Fatalf("claim %s = %+v, %v", k, cl, err)
		}
	}
	now = claimed.Add(time.Minute) // the holders are slow, or dead
	_, createErr := r.createOnce(ctx, 7, items[0], func(context.Context) (string, error) {
		t.Error("created under a held claim")
		return "", nil
	})
	_, _, lockErr := r.lockIncident(ctx, 7, items[1])
	_, _, commandErr := r.commandClaim(ctx, a, &CommandResult{})
	for i, err := range []error{createErr, lockErr, commandErr} {
		var held *claims.HeldError
		if !errors.Is(err, claims.ErrInProgress) || !errors.As(err, &held) {
			t.Errorf("%s: %v, want a claims.HeldError (ErrInProgress)", items[i], err)
			continue
		}
		if !held.Claimed.Equal(claimed) || !held.Expires.Equal(claimed.Add(c.Lease)) {
			t.Errorf("%s: held since %s until %s, want %s until %s", items[i], held.Claimed, held.Expires, claimed, claimed.Add(c.Lease))
		}
		if !strings.Contains(err.Error(), items[i]) || !strings.Contains(err.Error(), "acme/svc") {
			t.Errorf("%s: error %q does not name the claim", items[i], err)
		}
	}
}
