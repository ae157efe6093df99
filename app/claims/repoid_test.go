package claims

import (
	"context"
	"errors"
	"testing"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/sqldb"
)

// TestClaimsByRepositoryID: claims belong to a repository's id. A
// repository renamed or transferred (same id, another name, another
// installation) finds its claims, and they follow it to its new
// installation; one created again under a deleted one's name (a new id)
// finds none. A key without an id is refused.
func TestClaimsByRepositoryID(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := openClaimsDB(t, dialect)
			ctx := context.Background()
			k := Key{InstallationID: 1, RepoID: 500, Repo: "acme/services", Incident: 1, Item: "comment:pr"}
			cl, err := c.Claim(ctx, k)
			if err != nil || cl.State != Acquired {
				t.Fatalf("claim = %+v, %v", cl, err)
			}
			if err := c.Complete(ctx, cl, "77"); err != nil {
				t.Fatal(err)
			}
			renamed := Key{InstallationID: 2, RepoID: 500, Repo: "other/platform", Incident: 1, Item: "comment:pr"}
			if got, err := c.Claim(ctx, renamed); err != nil || got.State != Done || got.Result != "77" {
				t.Fatalf("renamed and transferred = %+v, %v, want done 77", got, err)
			}
			again := Key{InstallationID: 1, RepoID: 501, Repo: "acme/services", Incident: 1, Item: "comment:pr"}
			if got, err := c.Claim(ctx, again); err != nil || got.State != Acquired || !got.Fresh {
				t.Fatalf("re-created = %+v, %v, want fresh", got, err)
			}
			if _, err := c.Claim(ctx, Key{InstallationID: 1, Repo: "acme/services", Incident: 1, Item: "x"}); !errors.Is(err, ErrNoRepoID) {
				t.Fatalf("no id: %v", err)
			}
			// The transferred repository's claims went with it: uninstalling
			// the installation it left takes only the re-created one's.
			if n, err := c.ForgetInstallation(ctx, 1); err != nil || n != 1 {
				t.Fatalf("forget installation 1: %d rows, %v; want 1 (repository 501's)", n, err)
			}
			if got, _ := c.Claim(ctx, renamed); got.State != Done {
				t.Fatalf("the transferred repository's claim after the old installation's uninstall = %+v", got)
			}
			if n, err := c.ForgetRepository(ctx, 2, 500, "other/platform"); err != nil || n != 1 {
				t.Fatalf("forget repository 500: %d rows, %v", n, err)
			}
		})
	}
}

// legacySchema is the claims table of versions before repository ids.
const legacySchema = `CREATE TABLE postmortem_claims (
	installation_id BIGINT NOT NULL,
	repo TEXT NOT NULL,
	incident BIGINT NOT NULL,
	item TEXT NOT NULL,
	token TEXT NOT NULL,
	claimed_at BIGINT NOT NULL,
	result TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (installation_id, repo, incident, item)
)`

// TestMigrateFromNames: a database of the earlier version (claims keyed by
// installation and name) is migrated on a real SQLite file and PostgreSQL:
// its remembered deliveries are carried at once (a replay is still
// refused), and a repository's claims are adopted by the first run on that
// name, under its id, then no longer looked up by name: the repository
// renamed keeps them, another repository given the name later does not get
// them. Migrating twice changes nothing.
func TestMigrateFromNames(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.New(t, dialect).Open(t)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
					t.Fatal(err)
				}
			}
			exec(legacySchema)
			ins := `INSERT INTO postmortem_claims VALUES ($1, $2, $3, $4, '', $5, $6)`
			exec(ins, 1, "acme/services", 3, "comment:pr", 1, "91")
			exec(ins, 1, "acme/services", 3, "incident:settled", 1, "#4")
			exec(ins, 1, "acme/web", 3, "comment:pr", 1, "92")
			exec(ins, 2, "acme/services", 3, "comment:pr", 1, "93") // another installation's
			exec(ins, 1, DeliveryRepo, 0, "delivery:abc", 9_000_000_000_000, "queued")

			c := New(db)
			if err := c.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c2 := New(db) // a second replica starting
			if err := c2.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "postmortem_claims"); n != 4 {
				t.Fatalf("%d name-keyed rows left after migrating, want the 4 repositories' rows", n)
			}
			if _, ok, err := c.BeginDelivery(ctx, 1, "abc"); err != nil || ok {
				t.Fatalf("a delivery remembered before the upgrade: ok %v, %v; want refused", ok, err)
			}
			svc := Key{InstallationID: 1, RepoID: 700, Repo: "acme/services", Incident: 3}
			res, err := c.Results(ctx, svc, "")
			if err != nil || res["comment:pr"] != "91" || res["incident:settled"] != "#4" || len(res) != 2 {
				t.Fatalf("adopted results = %v, %v", res, err)
			}
			if n := count(t, db, "postmortem_claims"); n != 2 {
				t.Fatalf("%d name-keyed rows left after adopting acme/services, want 2", n)
			}
			// The other replica, its own first look at the repository by
			// its new name: the claims are its id's.
			ren := svc
			ren.Repo, ren.Item = "acme/platform", "comment:pr"
			if got, err := c2.Claim(ctx, ren); err != nil || got.State != Done || got.Result != "91" {
				t.Fatalf("renamed after adoption = %+v, %v", got, err)
			}
			// A new repository named acme/services now: nothing of the old one.
			fresh := Key{InstallationID: 1, RepoID: 701, Repo: "acme/services", Incident: 3, Item: "comment:pr"}
			if got, err := c.Claim(ctx, fresh); err != nil || got.State != Acquired || !got.Fresh {
				t.Fatalf("new repository of the old name = %+v, %v", got, err)
			}
			if err := c.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// acme/services's 2 adopted, the delivery, the new repository's.
			if n := count(t, db, Table); n != 4 {
				t.Fatalf("%d id-keyed rows, want 4", n)
			}
		})
	}
}

// count is the number of rows of table.
func count(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
