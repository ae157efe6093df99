package sqldb

import (
	"context"
	"errors"
	"fmt"
)

// WithMigrationLock runs fn (creating or altering tables) while holding
// the database's migration lock, so replicas that start together migrate
// one after the other and the later ones find the tables made: on
// PostgreSQL a session advisory lock (keyed by the schema) on a connection
// of its own, released when fn returns; on SQLite an exclusive lock on a
// file beside the database (FILE-migrate.lock; SQLite's own locks cannot be
// held across River's migration, which runs on the single connection).
// CREATE … IF NOT EXISTS alone is not enough: two PostgreSQL sessions
// creating one table at once collide on the catalog's unique indexes.
func (db *DB) WithMigrationLock(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.pool == nil {
		if db.path == "" { // Wrap: the caller's database, the caller's concern
			return fn(ctx)
		}
		unlock, err := lockFile(ctx, db.path+"-migrate.lock")
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer unlock()
		return fn(ctx)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Release()
	key := "postmortem migrations " + db.schema
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", key); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	ferr := fn(ctx)
	_, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
	if uerr != nil {
		// The session still holds the lock: close it rather than return it
		// to the pool.
		conn.Conn().Close(context.WithoutCancel(ctx))
	}
	return errors.Join(ferr, uerr)
}
