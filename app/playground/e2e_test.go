package playground

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// TestE2EPostgres plays the whole story (webhooks over loopback, the four
// flows as River jobs) with the queue and the claims on PostgreSQL, in a
// schema of its own.
func TestE2EPostgres(t *testing.T) {
	db := dbtest.New(t, "postgres")
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{
		Out: &out, DatabaseURL: db.URL, Schema: db.Schema, Transport: conformance.NewTransport(t, nil), StepTimeout: 15 * time.Second,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(res.FollowUps) != 3 {
		t.Fatalf("result %+v", res)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var followups, done int
	err = conn.QueryRow(ctx, "SELECT count(*) FILTER (WHERE item LIKE 'followup:%'), count(*) FILTER (WHERE result <> '') FROM "+
		pgx.Identifier{db.Schema, "postmortem_repo_claims"}.Sanitize()).Scan(&followups, &done)
	if err != nil {
		t.Fatal(err)
	}
	if followups != 3 || done < 3 {
		t.Errorf("claims in the schema: %d follow-ups, %d done", followups, done)
	}
}
