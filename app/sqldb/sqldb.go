// Package sqldb opens the App's database, where the job queue, the claims
// and the redeliveries live: a SQLite file (one process; durable commits,
// one connection, prepared statements cached) or PostgreSQL (many
// replicas, optionally in a schema of their own). The App's own SQL is
// written with PostgreSQL's $1, $2… placeholders; Rebind adapts it.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultURL is the embedded default: a SQLite file in the working
// directory.
const DefaultURL = "postmortem.db"

// Options configure Open.
type Options struct {
	// Schema is the PostgreSQL schema the tables live in (created if
	// missing). Empty: the connection's search_path. Ignored for SQLite.
	Schema string
	// PoolConfig, when set, adjusts the PostgreSQL pool's configuration
	// before the pool is created (tests count round trips with it).
	PoolConfig func(*pgxpool.Config)
}

// DB is an open database.
type DB struct {
	sql     *sql.DB
	dialect string // "sqlite" or "postgres"
	schema  string
	pool    *pgxpool.Pool       // PostgreSQL
	stmts   *stmtCacheConnector // SQLite: prepared statements (stmtcache.go)
	path    string              // SQLite: the file
}

// IsPostgresURL reports whether a DATABASE_URL names PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// CheckURL says what is wrong with a DATABASE_URL that names neither a
// SQLite file nor PostgreSQL (nil when it is usable).
func CheckURL(u string) error {
	if IsPostgresURL(u) {
		return nil
	}
	_, err := sqlitePath(u)
	return RedactError(err, u)
}

// sqlitePath turns a DATABASE_URL into a file path.
func sqlitePath(u string) (string, error) {
	switch {
	case u == "":
		return DefaultURL, nil
	case strings.HasPrefix(u, "sqlite://"):
		u = strings.TrimPrefix(u, "sqlite://")
	case strings.HasPrefix(u, "sqlite:"):
		u = strings.TrimPrefix(u, "sqlite:")
	case strings.HasPrefix(u, "file:"):
		u = strings.TrimPrefix(u, "file:")
	case strings.Contains(u, "://"):
		return "", fmt.Errorf("DATABASE_URL %q: want a SQLite file path or a postgres:// URL", Redact(u))
	}
	if rePasswordKV.MatchString(u) {
		return "", fmt.Errorf("DATABASE_URL %q carries a password but is not a postgres:// URL (keyword DSNs are not read): give a postgres:// URL", Redact(u))
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	if u == "" || u == ":memory:" {
		return "", errors.New("DATABASE_URL: the queue must be durable; give a SQLite file path, not memory")
	}
	return u, nil
}

// Open opens the database a DATABASE_URL names: a SQLite file path (or
// sqlite:PATH, file:PATH; empty means DefaultURL), or a postgres:// /
// postgresql:// URL. Close it when done.
// Its errors never carry the URL's password.
func Open(ctx context.Context, databaseURL string, o Options) (*DB, error) {
	var db *DB
	var err error
	if IsPostgresURL(databaseURL) {
		db, err = openPostgres(ctx, databaseURL, o)
	} else {
		db, err = openSQLite(ctx, databaseURL)
	}
	if err != nil {
		return nil, RedactError(err, databaseURL)
	}
	return db, nil
}

func openPostgres(ctx context.Context, databaseURL string, o Options) (*DB, error) {
	pcfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if o.Schema != "" {
		// The App's own tables live in the schema too.
		pcfg.ConnConfig.RuntimeParams["search_path"] = o.Schema
	}
	if o.PoolConfig != nil {
		o.PoolConfig(pcfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	db := &DB{sql: stdlib.OpenDBFromPool(pool), dialect: "postgres", schema: o.Schema, pool: pool}
	if o.Schema != "" {
		// Under the migration lock: two replicas creating the schema at
		// once collide on pg_namespace's unique index, IF NOT EXISTS or not.
		err := db.WithMigrationLock(ctx, func(ctx context.Context) error {
			_, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{o.Schema}.Sanitize())
			return err
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("create schema %q: %w", o.Schema, err)
		}
	}
	return db, nil
}

// sqliteBusyTimeout is how long a statement waits out another connection's
// lock on the SQLite file (busy_timeout), and opening waits out SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

func openSQLite(ctx context.Context, databaseURL string) (*DB, error) {
	path, err := sqlitePath(databaseURL)
	if err != nil {
		return nil, err
	}
	// WAL with synchronous=FULL: a commit is on disk before we acknowledge.
	// immediate transactions take the write lock up front (no upgrade
	// deadlocks); busy_timeout waits out another process's lock.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(" + strconv.Itoa(int(sqliteBusyTimeout/time.Millisecond)) + ")&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	connector, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	// River's SQLite driver runs its queries by SQL text; the cache keeps
	// them prepared instead of parsing and planning each one per call.
	stmts := newStmtCacheConnector(connector, defaultStmtCacheSize)
	db := sql.OpenDB(stmts)
	// SQLite allows one writer at a time, and River runs maintenance in
	// parallel; one connection serialises them instead of failing with
	// SQLITE_BUSY. Jobs still run on several goroutines, only their queue
	// bookkeeping is serialised.
	db.SetMaxOpenConns(1)
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return &DB{sql: db, dialect: "sqlite", stmts: stmts, path: path}, nil
}

// pingSQLite opens the first connection, again while SQLite answers
// SQLITE_BUSY, for as long as busy_timeout would wait. Replicas started
// together open a new file at once: the one turning it to WAL holds a lock
// that the others' opening meets with SQLITE_BUSY at once, busy_timeout or
// not; a moment later the file is in WAL and opens.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(sqliteBusyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// Wrap is a database opened elsewhere, used as it is (its settings, no
// statement cache); dialect is "sqlite" or "postgres". Tests and
// benchmarks that want their own connection settings use it.
func Wrap(db *sql.DB, dialect string) *DB { return &DB{sql: db, dialect: dialect} }

// SQL is the database as database/sql: the SQLite file's single
// connection (statements wait their turn with the queue's; never hold a
// transaction across a GitHub call), or the PostgreSQL pool (in the
// schema).
func (db *DB) SQL() *sql.DB { return db.sql }

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Schema is the PostgreSQL schema given to Open ("" for SQLite).
func (db *DB) Schema() string { return db.schema }

// Pool is the PostgreSQL connection pool (nil for SQLite).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks the database is reachable (readiness).
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Close releases the database.
func (db *DB) Close() error {
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Rebind rewrites a query's $1, $2… placeholders for the dialect: SQLite
// takes them as ?1, ?2… (numbered, like PostgreSQL's).
func (db *DB) Rebind(query string) string {
	if db.dialect == "postgres" {
		return query
	}
	b := []byte(query)
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '$' && b[i+1] >= '1' && b[i+1] <= '9' {
			b[i] = '?'
		}
	}
	return string(b)
}

// CacheStats count what the SQLite statement cache did, over all its
// connections (zero for PostgreSQL).
type CacheStats struct {
	Prepares  int64 // statements prepared into the cache
	Hits      int64 // calls that ran a cached statement
	OneOffs   int64 // calls run as one-off statements (the cached one busy)
	Evictions int64 // statements closed to make room or after an error
}

// CacheStats reports the statement cache's counts.
func (db *DB) CacheStats() CacheStats {
	if db.stmts == nil {
		return CacheStats{}
	}
	s := &db.stmts.stats
	return CacheStats{Prepares: s.prepares.Load(), Hits: s.hits.Load(), OneOffs: s.oneOffs.Load(), Evictions: s.evictions.Load()}
}
