package queue

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/riverqueue/river"
)

// countingNetConn counts the writes a PostgreSQL connection makes: pgx
// sends each round trip's messages in one write, so writes are round trips.
type countingNetConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingNetConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// openCountingPG opens an insert-only queue on PostgreSQL whose connections
// count their writes.
func openCountingPG(t *testing.T) (*Queue, *atomic.Int64) {
	t.Helper()
	db := dbtest.New(t, "postgres")
	writes := new(atomic.Int64)
	sdb, err := sqldb.Open(context.Background(), db.URL, sqldb.Options{
		Schema: db.Schema,
		PoolConfig: func(c *pgxpool.Config) {
			dial := c.ConnConfig.DialFunc
			c.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
				nc, err := dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingNetConn{nc, writes}, nil
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	q, err := Open(context.Background(), sdb, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return q, writes
}

// A lone delivery's enqueue on PostgreSQL costs one round trip: River's
// insert statement, committed on its own (no BEGIN, no COMMIT).
func TestPostgresEnqueueRoundTrips(t *testing.T) {
	q, writes := openCountingPG(t)
	ctx := context.Background()
	enqueue := func(n int) jobs.EnqueueResult {
		t.Helper()
		r, err := q.Enqueue(ctx, jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: n},
			jobs.InstallationArgs{InstallationID: int64(n)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	enqueue(1) // warms the connection and pgx's statement cache
	enqueue(2)
	for n := 3; n <= 12; n++ {
		before := writes.Load()
		if r := enqueue(n); r.Inserted != 2 {
			t.Fatalf("enqueue %d: %+v", n, r)
		}
		// River may add a pg_notify for the queue (at most one per
		// FetchCooldown), as it does inside a transaction.
		if rt := writes.Load() - before; rt > 2 {
			t.Errorf("enqueue %d: %d round trips, want 1 (the insert)", n, rt)
		}
	}
	commits, held := q.GroupCommits()
	if commits != 12 || held != 12 {
		t.Errorf("GroupCommits = %d, %d; want 12, 12", commits, held)
	}
	// A duplicate is merged, committed on its own too.
	if r := enqueue(5); r.Duplicates != 2 || r.Inserted != 0 {
		t.Errorf("duplicate: %+v", r)
	}
}

// Deliveries that share a commit share one transaction: BEGIN, their
// inserts, COMMIT (autocommit is for a lone delivery only).
func TestPostgresGroupIsOneTransaction(t *testing.T) {
	q, writes := openCountingPG(t)
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, jobs.InstallationArgs{InstallationID: 1}); err != nil { // warm up
		t.Fatal(err)
	}
	req := func(js ...jobs.Args) *groupReq {
		params := make([]river.InsertManyParams, len(js))
		for i, j := range js {
			params[i] = river.InsertManyParams{Args: j, InsertOpts: insertOptsWithDelivery(ctx, j)}
		}
		return &groupReq{ctx: ctx, insertDelivery: insertDelivery{js: js, params: params}, done: make(chan struct{})}
	}
	batch := []*groupReq{
		req(jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 1}),
		req(jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 2}, jobs.InstallationArgs{InstallationID: 2}),
		req(jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 1, HeadSHA: "other"}),
	}
	before := writes.Load()
	q.group.commit(batch)
	rt := writes.Load() - before
	for i, r := range batch {
		<-r.done
		if r.err != nil {
			t.Fatalf("delivery %d: %v", i, r.err)
		}
	}
	if got := [3]jobs.EnqueueResult{batch[0].res, batch[1].res, batch[2].res}; got != [3]jobs.EnqueueResult{{Inserted: 1}, {Inserted: 2}, {Duplicates: 1}} {
		t.Errorf("results = %+v", got)
	}
	// BEGIN, the inserts (at most one per delivery), COMMIT.
	if rt < 3 || rt > 2+int64(len(batch))+1 {
		t.Errorf("%d round trips for a group of %d", rt, len(batch))
	}
	t.Logf("group of %d: %d round trips", len(batch), rt)
}
