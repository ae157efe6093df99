package sqldb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRebindNumbersPlaceholdersForSQLite(t *testing.T) {
	q := `UPDATE t SET a = $1 WHERE b = $2 AND c = $12 AND d = '$x'`
	if got := (&DB{dialect: "postgres"}).Rebind(q); got != q {
		t.Errorf("postgres: %q", got)
	}
	want := `UPDATE t SET a = ?1 WHERE b = ?2 AND c = ?12 AND d = '$x'`
	if got := (&DB{dialect: "sqlite"}).Rebind(q); got != want {
		t.Errorf("sqlite: %q, want %q", got, want)
	}
}

func TestOpenRefusesMemoryAndOtherSchemes(t *testing.T) {
	for _, u := range []string{":memory:", "sqlite::memory:", "mysql://x/y", "file:"} {
		if err := CheckURL(u); err == nil {
			t.Errorf("CheckURL(%q) = nil", u)
		}
		if db, err := Open(context.Background(), u, Options{}); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", u)
		}
	}
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := Open(context.Background(), "sqlite:"+path+"?mode=rwc", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != "sqlite" || db.Pool() != nil {
		t.Errorf("dialect %q", db.Dialect())
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || !strings.EqualFold(mode, "wal") {
		t.Errorf("journal_mode %q, %v", mode, err)
	}
}
