//go:build !unix

package sqldb

import "context"

// lockFile is a no-op where flock is missing: SQLite there serves one
// process.
func lockFile(ctx context.Context, path string) (unlock func(), err error) { return func() {}, nil }
