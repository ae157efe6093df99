package app

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
)

// TestE2EPostgres plays the whole story (webhooks over loopback, the four
// flows as River jobs) with the queue and the claims on PostgreSQL, in a
// schema of its own.
func TestE2EPostgres(t *testing.T) {
	db := newTestDB(t, "postgres")
	var out bytes.Buffer
	res, err := RunPlayground(context.Background(), PlaygroundOptions{
		Out: &out, DatabaseURL: db.url, Schema: db.schema, Transport: conformance.NewTransport(t, nil), StepTimeout: 15 * time.Second,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(res.FollowUps) != 3 {
		t.Fatalf("result %+v", res)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var followups, done int
	err = conn.QueryRow(ctx, "SELECT count(*) FILTER (WHERE item LIKE 'followup:%'), count(*) FILTER (WHERE result <> '') FROM "+
		pgx.Identifier{db.schema, "postmortem_claims"}.Sanitize()).Scan(&followups, &done)
	if err != nil {
		t.Fatal(err)
	}
	if followups != 3 || done < 3 {
		t.Errorf("claims in the schema: %d follow-ups, %d done", followups, done)
	}
}
