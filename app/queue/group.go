package queue

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Group commit. A durable commit costs an fsync (SQLite, synchronous=FULL)
// or a WAL flush and a round trip (PostgreSQL) whatever it holds, so
// concurrent deliveries share one: the jobs of every Enqueue that arrives
// while a commit is in flight go into the next transaction together, each
// delivery's jobs inserted by its own statements (a job two deliveries both
// carry is merged as it is across transactions). Every caller returns only
// after the transaction holding ITS jobs committed: the acknowledgement rule
// (202 means durable) is unchanged. A lone delivery does not wait for
// company: with nothing in flight it commits at once. If a shared
// transaction fails, each delivery of the group is retried in a
// transaction of its own, so one bad delivery cannot fail the others.

// insertFunc inserts jobs inside the current transaction.
type insertFunc func(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)

// txRunner runs fn in one transaction and commits it when fn returns nil.
type txRunner func(ctx context.Context, fn func(insert insertFunc) error) error

// sqliteTxRunner: ctx bounds the wait for the connection (River's
// maintenance and workers share it). The statements themselves run without
// ctx's deadline: modernc.org/sqlite watches a cancellable context with a
// goroutine per statement (BEGIN, each insert, COMMIT), which costs more
// than the statements' own bookkeeping, and a SQLite statement's only wait,
// for another process's lock, is bounded by busy_timeout (10 s, the group
// timeout) anyway.
func sqliteTxRunner(db *sql.DB, client *river.Client[*sql.Tx]) txRunner {
	return func(ctx context.Context, fn func(insertFunc) error) error {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		ctx = context.WithoutCancel(ctx)
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(func(_ context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return client.InsertManyTx(ctx, tx, p)
		}); err != nil {
			return err
		}
		return tx.Commit()
	}
}

func pgxTxRunner(begin func(context.Context) (pgx.Tx, error), client *river.Client[pgx.Tx]) txRunner {
	return func(ctx context.Context, fn func(insertFunc) error) error {
		tx, err := begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(func(ctx context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return client.InsertManyTx(ctx, tx, p)
		}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
}

// pgxAutocommitRunner runs fn without a transaction block: each statement
// commits on its own when it completes. A lone delivery's jobs are one
// River insert statement, atomic by itself, so BEGIN and COMMIT would only
// add two round trips to PostgreSQL: with synchronous_commit on, the
// statement's answer arrives after its commit is flushed, exactly as
// COMMIT's would. (A follow-up run for a job that is running is a second
// statement, committed after the first; the first inserted nothing new
// for that job.)
func pgxAutocommitRunner(pool *pgxpool.Pool, client *river.Client[pgx.Tx]) txRunner {
	return func(ctx context.Context, fn func(insertFunc) error) error {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		tx := autocommitTx{c}
		return fn(func(ctx context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return client.InsertManyTx(ctx, tx, p)
		})
	}
}

// autocommitTx gives River's InsertManyTx a pgx.Tx whose statements run on
// a pooled connection outside any transaction block (see
// pgxAutocommitRunner). Commit and Rollback have nothing to end.
type autocommitTx struct{ c *pgxpool.Conn }

// Begin starts a real transaction on the connection.
func (t autocommitTx) Begin(ctx context.Context) (pgx.Tx, error) { return t.c.Begin(ctx) }
func (t autocommitTx) Commit(context.Context) error              { return nil }
func (t autocommitTx) Rollback(context.Context) error {
	return errors.New("queue: autocommit: statements already committed, nothing to roll back")
}
func (t autocommitTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.c.CopyFrom(ctx, table, cols, src)
}
func (t autocommitTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}
func (t autocommitTx) LargeObjects() pgx.LargeObjects {
	panic("queue: autocommit: large objects need a transaction")
}
func (t autocommitTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.c.Conn().Prepare(ctx, name, sql)
}
func (t autocommitTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.c.Exec(ctx, sql, args...)
}
func (t autocommitTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.c.Query(ctx, sql, args...)
}
func (t autocommitTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}
func (t autocommitTx) Conn() *pgx.Conn { return t.c.Conn() }

type groupReq struct {
	ctx context.Context // the caller's (delivery id, deadline)
	insertDelivery
	err  error
	done chan struct{}
}

type groupCommitter struct {
	q   *Queue
	run txRunner
	// runOne, if set, commits a group of one delivery instead of run.
	runOne txRunner
	// groupTimeout bounds one shared transaction.
	groupTimeout time.Duration

	mu      sync.Mutex
	pending []*groupReq
	leading bool // a goroutine is committing groups
	// groups and grouped count commits and the deliveries they held
	// (tests: proof that deliveries shared a commit).
	groups, grouped int
}

// enqueue hands the jobs to the next group commit and waits for it.
func (g *groupCommitter) enqueue(ctx context.Context, js []jobs.Args, params []river.InsertManyParams) (jobs.EnqueueResult, error) {
	r := &groupReq{ctx: ctx, insertDelivery: insertDelivery{js: js, params: params}, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.lead()
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		// Not acknowledged: the jobs may still commit with the group, which
		// a redelivery then merges into.
		return jobs.EnqueueResult{}, ctx.Err()
	}
}

// lead commits groups until none is pending. The caller's own group is the
// first; later groups are handed to a new goroutine so that the caller can
// answer as soon as its own commit is done.
func (g *groupCommitter) lead() {
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.groups++
	g.grouped += len(batch)
	g.mu.Unlock()

	g.commit(batch)

	g.mu.Lock()
	more := len(g.pending) > 0
	if !more {
		g.leading = false
	}
	g.mu.Unlock()
	if more {
		go g.lead()
	}
}

func (g *groupCommitter) commit(batch []*groupReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := g.commitTogether(live)
	if err != nil && len(live) > 1 {
		// One delivery may have spoiled the group: each on its own.
		for _, r := range live {
			r.err = g.commitTogether([]*groupReq{r})
			close(r.done)
		}
		return
	}
	for _, r := range live {
		r.err = err
		close(r.done)
	}
}

func (g *groupCommitter) commitTogether(batch []*groupReq) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), g.groupTimeout)
	defer cancel()
	run := g.run
	if len(batch) == 1 && g.runOne != nil {
		run = g.runOne
	}
	ds := make([]*insertDelivery, len(batch))
	for i, r := range batch {
		ds[i] = &r.insertDelivery
	}
	return run(ctx, func(insert insertFunc) error {
		return g.q.insertGroup(ctx, insert, ds) // queue_combine.go
	})
}

// GroupCommits reports how many commits Enqueue made and how many Enqueue
// calls they held (deliveries per commit = held / commits).
func (q *Queue) GroupCommits() (commits, held int) {
	if q.group == nil {
		return 0, 0
	}
	q.group.mu.Lock()
	defer q.group.mu.Unlock()
	return q.group.groups, q.group.grouped
}
