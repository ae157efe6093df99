package sqldb

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestOpenTogether: replicas started together open one new SQLite file at
// once. Each must get its database: the first to turn the file to WAL
// holds a lock the others' opening can meet, and SQLite answers
// SQLITE_BUSY there without waiting out busy_timeout.
func TestOpenTogether(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "postmortem.db")
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				db, err := Open(context.Background(), path, Options{})
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = db.SQL().Exec("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
				db.Close()
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d of %d: %v", round, i, n, err)
			}
		}
	}
}
