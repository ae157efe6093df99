// Package dbtest is test support (only tests import it): the databases the
// App's tests run on, a SQLite file in t.TempDir() or a fresh PostgreSQL
// schema dropped at the end.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postmortem-app/postmortem/app/sqldb"
)

// Dialects are the databases the App runs on.
var Dialects = []string{"sqlite", "postgres"}

// PostgresURL is the test PostgreSQL; tests needing it skip when it is not
// reachable unless POSTMORTEM_TEST_DATABASE_URL is set (CI sets it).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("POSTMORTEM_TEST_DATABASE_URL")
	explicit := u != ""
	if !explicit {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		if explicit {
			tb.Fatalf("PostgreSQL at POSTMORTEM_TEST_DATABASE_URL: %v", err)
		}
		tb.Skipf("PostgreSQL not reachable at %s: %v", u, err)
	}
	conn.Close(ctx)
	return u
}

// DB names one database for one test.
type DB struct {
	Dialect string // "sqlite" or "postgres"
	URL     string // a SQLite file path or the PostgreSQL URL
	Schema  string // the PostgreSQL schema ("" for SQLite)
}

var schemaSeq struct {
	sync.Mutex
	n int
}

// New names a database of dialect for the test: a SQLite file in
// tb.TempDir(), or a fresh PostgreSQL schema dropped when the test ends.
func New(tb testing.TB, dialect string) DB {
	tb.Helper()
	if dialect == "sqlite" {
		return DB{Dialect: dialect, URL: filepath.Join(tb.TempDir(), "queue.db")}
	}
	u := PostgresURL(tb)
	schemaSeq.Lock()
	schemaSeq.n++
	schema := fmt.Sprintf("pm_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.n)
	schemaSeq.Unlock()
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	return DB{Dialect: dialect, URL: u, Schema: schema}
}

// Open opens the database as the App does (sqldb.Open), closed when the
// test ends.
func (d DB) Open(tb testing.TB) *sqldb.DB {
	tb.Helper()
	db, err := sqldb.Open(context.Background(), d.URL, sqldb.Options{Schema: d.Schema})
	if err != nil {
		tb.Fatalf("open %s: %v", d.Dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// CountJobs counts river_job rows through a connection of its own, so it
// sees only what is committed.
func (d DB) CountJobs(tb testing.TB, where string) int {
	tb.Helper()
	query := "SELECT count(*) FROM river_job"
	if where != "" {
		query += " WHERE " + where
	}
	if d.Dialect == "sqlite" {
		db, err := sql.Open("sqlite", "file:"+d.URL+"?_pragma=busy_timeout(5000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(query).Scan(&n); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
		return n
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{d.Schema}.Sanitize()); err != nil {
		tb.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}
