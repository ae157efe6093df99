package sqldb

import (
	"context"
	"database/sql/driver"
	"reflect"
	"sync"
	"sync/atomic"
)

// A prepared-statement cache under database/sql, for the SQLite queue.
//
// River's SQLite driver runs every query through database/sql with its SQL
// text (Tx.QueryContext, DB.ExecContext), and modernc.org/sqlite prepares a
// new statement for each call and finalizes it afterwards: parsing and
// planning River's job insert cost about as much as running it. Neither
// database/sql nor modernc nor riversqlite caches statements. This
// connector wraps the driver's connections so that ExecContext and
// QueryContext look the SQL up in a per-connection LRU of prepared
// driver.Stmt and run that (modernc resets a statement it ran and keeps it
// prepared); a statement not yet cached is prepared once and kept.
//
// A cached statement is used by one call at a time: while rows of a query
// are open, the same SQL on the same connection (a nested query, or another
// transaction's statement) runs as a one-off statement, as without the
// cache. A statement whose execution fails is closed and dropped, so an
// error never leaves a statement in an unknown state in the cache. The
// statements are closed with their connection. SQLite re-prepares a
// statement by itself when the schema changed under it (sqlite3_prepare_v2).
//
// Everything else (BeginTx, Ping, ResetSession, IsValid, Prepare) goes to
// the driver's connection unchanged; explicitly prepared statements
// (DB.Prepare) are the caller's and are not cached.

// defaultStmtCacheSize bounds the statements kept per connection. River
// runs a few dozen distinct statements; the claims a dozen more.
const defaultStmtCacheSize = 128

// stmtCacheStats counts what the cache did, over all its connections.
type stmtCacheStats struct {
	prepares  atomic.Int64 // statements prepared into the cache
	hits      atomic.Int64 // calls that ran a cached statement
	oneOffs   atomic.Int64 // calls run as one-off statements (cached one busy)
	evictions atomic.Int64 // statements closed to make room or after an error
}

// stmtCacheConnector is a driver.Connector whose connections cache their
// prepared statements.
type stmtCacheConnector struct {
	base  driver.Connector
	size  int
	stats stmtCacheStats
}

func newStmtCacheConnector(base driver.Connector, size int) *stmtCacheConnector {
	if size <= 0 {
		size = defaultStmtCacheSize
	}
	return &stmtCacheConnector{base: base, size: size}
}

// stmtCacheInner is what the cache needs of the driver's connection (modernc
// implements all of it).
type stmtCacheInner interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// Connect opens a connection of the wrapped driver; one that lacks the
// context interfaces is returned as it is, uncached.
func (c *stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(stmtCacheInner)
	if !ok {
		return dc, nil
	}
	return &stmtCacheConn{inner: inner, connector: c, stmts: make(map[string]*cachedStmt)}, nil
}

// Driver is the wrapped driver.
func (c *stmtCacheConnector) Driver() driver.Driver { return c.base.Driver() }

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	exec  driver.StmtExecContext
	qry   driver.StmtQueryContext
	used  uint64 // the connection's clock at the last use (LRU)
	busy  bool   // rows of it are open, or it is running
	// dropped: no longer in the cache (evicted while busy, or never
	// admitted): closed when released.
	dropped bool
}

type stmtCacheConn struct {
	inner     stmtCacheInner
	connector *stmtCacheConnector

	// database/sql uses a connection from one goroutine at a time; the
	// mutex keeps the map sound whatever the caller.
	mu    sync.Mutex
	stmts map[string]*cachedStmt
	clock uint64
}

var (
	_ driver.Conn               = (*stmtCacheConn)(nil)
	_ driver.ConnBeginTx        = (*stmtCacheConn)(nil)
	_ driver.ConnPrepareContext = (*stmtCacheConn)(nil)
	_ driver.ExecerContext      = (*stmtCacheConn)(nil)
	_ driver.QueryerContext     = (*stmtCacheConn)(nil)
	_ driver.Pinger             = (*stmtCacheConn)(nil)
	_ driver.SessionResetter    = (*stmtCacheConn)(nil)
	_ driver.Validator          = (*stmtCacheConn)(nil)
)

func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }
func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

// Begin is driver.Conn's; database/sql calls BeginTx.
func (c *stmtCacheConn) Begin() (driver.Tx, error) { return c.inner.Begin() }
func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}
func (c *stmtCacheConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *stmtCacheConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *stmtCacheConn) IsValid() bool                          { return c.inner.IsValid() }

// Close closes the cached statements, then the connection.
func (c *stmtCacheConn) Close() error {
	c.mu.Lock()
	stmts := c.stmts
	c.stmts = map[string]*cachedStmt{}
	for _, e := range stmts {
		e.dropped = true
	}
	c.mu.Unlock()
	for _, e := range stmts {
		e.stmt.Close()
	}
	return c.inner.Close()
}

// acquire returns the cached statement for query, marked busy, preparing
// and caching it if it is not cached yet; nil when the cached one is busy
// (the caller runs a one-off statement).
func (c *stmtCacheConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	c.clock++
	if e, ok := c.stmts[query]; ok {
		if e.busy {
			c.mu.Unlock()
			c.connector.stats.oneOffs.Add(1)
			return nil, nil
		}
		e.busy = true
		e.used = c.clock
		c.mu.Unlock()
		c.connector.stats.hits.Add(1)
		return e, nil
	}
	c.mu.Unlock()

	st, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ex, ok1 := st.(driver.StmtExecContext)
	qr, ok2 := st.(driver.StmtQueryContext)
	if !ok1 || !ok2 {
		st.Close()
		c.connector.stats.oneOffs.Add(1)
		return nil, nil
	}
	c.connector.stats.prepares.Add(1)
	e := &cachedStmt{query: query, stmt: st, exec: ex, qry: qr, busy: true}

	var evicted *cachedStmt
	c.mu.Lock()
	e.used = c.clock
	if len(c.stmts) >= c.connector.size {
		for _, o := range c.stmts {
			if !o.busy && (evicted == nil || o.used < evicted.used) {
				evicted = o
			}
		}
		if evicted != nil {
			delete(c.stmts, evicted.query)
			evicted.dropped = true
		}
	}
	if _, dup := c.stmts[query]; !dup && len(c.stmts) < c.connector.size {
		c.stmts[query] = e
	} else {
		// Every cached statement is busy (or another call cached the same
		// SQL meanwhile): this one is a one-off, closed when released.
		e.dropped = true
	}
	c.mu.Unlock()
	if evicted != nil {
		c.connector.stats.evictions.Add(1)
		evicted.stmt.Close()
	}
	return e, nil
}

// release ends a use of e; failed drops it from the cache and closes it.
func (c *stmtCacheConn) release(e *cachedStmt, failed bool) {
	c.mu.Lock()
	e.busy = false
	closeIt := e.dropped
	if failed && !e.dropped {
		if c.stmts[e.query] == e {
			delete(c.stmts, e.query)
		}
		e.dropped = true
		closeIt = true
		c.connector.stats.evictions.Add(1)
	}
	c.mu.Unlock()
	if closeIt {
		e.stmt.Close()
	}
}

// ExecContext runs query with the cached statement.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.ExecContext(ctx, query, args)
	}
	res, err := e.exec.ExecContext(ctx, args)
	c.release(e, err != nil)
	return res, err
}

// QueryContext runs query with the cached statement; the statement stays
// busy until the rows are closed.
func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	rows, err := e.qry.QueryContext(ctx, args)
	if err != nil {
		c.release(e, true)
		return nil, err
	}
	return &stmtCacheRows{Rows: rows, c: c, e: e}, nil
}

// stmtCacheRows releases its statement when closed. The column-type methods
// pass through, with database/sql's own defaults when the driver's rows
// lack one.
type stmtCacheRows struct {
	driver.Rows
	c      *stmtCacheConn
	e      *cachedStmt
	closed bool
}

func (r *stmtCacheRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.c.release(r.e, err != nil)
	return err
}

func (r *stmtCacheRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *stmtCacheRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *stmtCacheRows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *stmtCacheRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *stmtCacheRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
