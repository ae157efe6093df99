package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"
)

// countingConnector sits between the statement cache and modernc: it counts
// what modernc is asked to prepare (explicit prepares, and the one-off
// statements an ExecContext/QueryContext of the connection prepares) and
// how many explicitly prepared statements are closed.
type countingConnector struct {
	driver.Connector
	prepares, oneOffs, closes atomic.Int64
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{stmtCacheInner: dc.(stmtCacheInner), c: c}, nil
}

type countingConn struct {
	stmtCacheInner
	c *countingConnector
}

type fullStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func (cc *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := cc.stmtCacheInner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cc.c.prepares.Add(1)
	return &countingStmt{fullStmt: st.(fullStmt), c: cc.c}, nil
}

func (cc *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cc.c.oneOffs.Add(1)
	return cc.stmtCacheInner.ExecContext(ctx, query, args)
}

func (cc *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cc.c.oneOffs.Add(1)
	return cc.stmtCacheInner.QueryContext(ctx, query, args)
}

type countingStmt struct {
	fullStmt
	c *countingConnector
}

func (s *countingStmt) Close() error {
	s.c.closes.Add(1)
	return s.fullStmt.Close()
}

// openCachedSQLite opens a SQLite file as the queue does (one connection,
// WAL, synchronous=FULL) through the statement cache over a counter.
func openCachedSQLite(t *testing.T, size int) (*sql.DB, *stmtCacheConnector, *countingConnector) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	base, err := sqlite.NewConnector("file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	counting := &countingConnector{Connector: base}
	cache := newStmtCacheConnector(counting, size)
	db := sql.OpenDB(cache)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v, CHECK (length(k) < 10))`); err != nil {
		t.Fatal(err)
	}
	return db, cache, counting
}

// prepared is how many statements modernc prepared, cached or one-off.
func (c *countingConnector) prepared() int64 { return c.prepares.Load() + c.oneOffs.Load() }

// cachedStmts is the number of statements cached on db's connection.
func cachedStmts(t *testing.T, db *sql.DB) int {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	conn.Raw(func(dc any) error {
		c := dc.(*stmtCacheConn)
		c.mu.Lock()
		n = len(c.stmts)
		c.mu.Unlock()
		return nil
	})
	return n
}

func TestStmtCacheReusesPrepared(t *testing.T) {
	db, cache, counting := openCachedSQLite(t, 16)
	ctx := context.Background()
	before := counting.prepared()
	const insert = `INSERT INTO kv (k, v) VALUES (?, ?)`
	const get = `SELECT v FROM kv WHERE k = ?`
	// Values of different types through the same statements: each run
	// binds its own arguments, nothing left over from the previous one.
	values := []any{int64(7), "text", []byte("blob\x00z"), nil, 2.5, strings.Repeat("long ", 200)}
	for i, v := range values {
		if _, err := db.ExecContext(ctx, insert, fmt.Sprint("k", i), v); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range values {
		var got any
		if err := db.QueryRowContext(ctx, get, fmt.Sprint("k", i)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if b, ok := got.([]byte); ok && v != nil {
			if _, isStr := v.(string); isStr {
				got = string(b)
			}
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", v) {
			t.Errorf("k%d = %#v, want %#v", i, got, v)
		}
	}
	// Transactions use the cache too (same connection).
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, insert, "tx", 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := counting.prepared() - before; got != 2 {
		t.Errorf("modernc prepared %d statements for 13 calls of 2 SQL texts, want 2", got)
	}
	if h := cache.stats.hits.Load(); h != 11 {
		t.Errorf("cache hits = %d, want 11", h)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != len(values)+1 {
		t.Fatalf("count = %d, %v; want %d", n, err, len(values)+1)
	}
}

// A query run while rows of the same query are still open on the same
// connection gets its own statement; both give the right rows, and the
// cached statement is reused afterwards.
func TestStmtCacheNestedRowsOfSameQuery(t *testing.T) {
	db, cache, counting := openCachedSQLite(t, 16)
	ctx := context.Background()
	for i := range 5 {
		if _, err := db.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint("k", i), i); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT k, v FROM kv WHERE v >= ? ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var k string
		var v int
		if err := outer.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		// Same SQL while the outer rows are open.
		inner, err := tx.QueryContext(ctx, q, v+2)
		if err != nil {
			t.Fatal(err)
		}
		var ks []string
		for inner.Next() {
			var k2 string
			var v2 int
			if err := inner.Scan(&k2, &v2); err != nil {
				t.Fatal(err)
			}
			ks = append(ks, k2)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, k+":"+strings.Join(ks, ","))
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	want := "k1:k3,k4 k2:k4 k3: k4:"
	if got := strings.Join(pairs, " "); got != want {
		t.Errorf("nested rows = %q, want %q", got, want)
	}
	if o := cache.stats.oneOffs.Load(); o != 4 {
		t.Errorf("one-off statements = %d, want 4 (one per nested query)", o)
	}
	// The outer statement went back to the cache: reused, not prepared.
	before := counting.prepared()
	for range 3 {
		rows, err := tx.QueryContext(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 5 {
			t.Fatalf("%d rows, want 5", n)
		}
	}
	if got := counting.prepared() - before; got != 0 {
		t.Errorf("modernc prepared %d statements after the nested ones closed, want 0", got)
	}
}

// A statement whose run fails is dropped and closed; the next call of the
// same SQL prepares a fresh one and works, with the same error a call
// without the cache gets.
func TestStmtCacheErrorsDoNotPoison(t *testing.T) {
	db, cache, counting := openCachedSQLite(t, 16)
	ctx := context.Background()
	const insert = `INSERT INTO kv (k, v) VALUES (?, ?)`
	if _, err := db.ExecContext(ctx, insert, "a", 1); err != nil {
		t.Fatal(err)
	}
	before := counting.prepared()
	_, err := db.ExecContext(ctx, insert, "a", 2) // primary key taken
	if err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed") {
		t.Fatalf("duplicate insert: %v, want a UNIQUE constraint error", err)
	}
	if _, err := db.ExecContext(ctx, insert, "much too long", 2); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Fatalf("long key: %v, want a CHECK constraint error", err)
	}
	if _, err := db.ExecContext(ctx, insert, "b", 2); err != nil {
		t.Fatalf("insert after errors: %v", err)
	}
	if _, err := db.ExecContext(ctx, insert, "c", 3); err != nil {
		t.Fatal(err)
	}
	// Failed runs: 2 statements dropped, each next call prepared anew; the
	// last call reused the one the third prepared.
	if got := counting.prepared() - before; got != 2 {
		t.Errorf("modernc prepared %d statements, want 2 (after each failure)", got)
	}
	if e := cache.stats.evictions.Load(); e != 2 {
		t.Errorf("evictions = %d, want 2", e)
	}

	// A query failing while it steps (malformed JSON), then the same
	// query with good input.
	const q = `SELECT json_extract(?, '$.a')`
	var v any
	if err := db.QueryRowContext(ctx, q, "{not json").Scan(&v); err == nil || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("bad JSON: %v, want malformed JSON", err)
	}
	if err := db.QueryRowContext(ctx, q, `{"a": 5}`).Scan(&v); err != nil || v != int64(5) {
		t.Fatalf("good JSON: %v, %v; want 5", v, err)
	}
	// A cancelled context fails the call; the statement works afterwards.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.ExecContext(cctx, insert, "d", 4); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := db.ExecContext(ctx, insert, "d", 4); err != nil {
		t.Fatalf("after a cancelled call: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("count = %d, %v; want 4 (a b c d)", n, err)
	}
	// SQL that does not prepare is an error, and nothing is cached.
	if _, err := db.ExecContext(ctx, `INSERT INTO nowhere VALUES (1)`); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("bad SQL: %v", err)
	}
}

// The cache holds at most its size, evicting the least recently used
// statement, and every statement it prepared is closed with the connection.
func TestStmtCacheBoundedAndClosed(t *testing.T) {
	db, cache, counting := openCachedSQLite(t, 4)
	ctx := context.Background()
	run := func(i int) {
		t.Helper()
		var got int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d + ?`, i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("SELECT %d + 1 = %d, %v", i, got, err)
		}
	}
	for i := range 4 {
		run(i)
	}
	run(0) // 0 is now the most recently used; 1 the least
	if n := cachedStmts(t, db); n != 4 {
		t.Fatalf("%d cached statements, want 4", n)
	}
	ev := cache.stats.evictions.Load()
	run(4) // evicts 1
	run(5) // evicts 2
	if got := cache.stats.evictions.Load() - ev; got != 2 {
		t.Errorf("evictions = %d, want 2", got)
	}
	if n := cachedStmts(t, db); n != 4 {
		t.Fatalf("%d cached statements, want 4", n)
	}
	before := counting.prepared()
	run(0) // still cached
	if got := counting.prepared() - before; got != 0 {
		t.Errorf("the most recently used statement was evicted (%d prepares)", got)
	}
	run(1) // evicted: prepared again
	if got := counting.prepared() - before; got != 1 {
		t.Errorf("%d prepares for an evicted statement, want 1", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if p, c := counting.prepares.Load(), counting.closes.Load(); p != c {
		t.Errorf("%d statements prepared, %d closed", p, c)
	}
}
