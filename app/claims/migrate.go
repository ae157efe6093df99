package claims

import (
	"context"
	"fmt"
)

// Table is the claims table, keyed by repository id.
const Table = "postmortem_repo_claims"

// legacyTable is the claims table as it was before repository ids: keyed
// by installation and repository name. It is never written any more; its
// rows move to Table (adopt) and it stays, empty, for replicas of the
// earlier version still running during an upgrade.
const legacyTable = "postmortem_claims"

// Schema is the claims table (portable between SQLite and PostgreSQL).
// The primary key is the repository's id, not the installation's: a
// repository transferred to another account keeps its claims.
// Deliveries (DeliveryRepo) are under repo_id 0.
const Schema = `CREATE TABLE IF NOT EXISTS ` + Table + ` (
	installation_id BIGINT NOT NULL,
	repo_id BIGINT NOT NULL,
	repo TEXT NOT NULL,
	incident BIGINT NOT NULL,
	item TEXT NOT NULL,
	token TEXT NOT NULL,
	claimed_at BIGINT NOT NULL,
	result TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (repo_id, incident, item)
)`

// schemaIndex serves the prunes by installation (uninstalled).
const schemaIndex = `CREATE INDEX IF NOT EXISTS ` + Table + `_installation ON ` + Table + ` (installation_id)`

// Migrate creates the claims table if it does not exist, and carries over
// the claims of the name-keyed table of earlier versions: the remembered
// deliveries at once (they are not a repository's), the rest when their
// repository is next worked on (adopt). Those rows have no id, and the
// database alone cannot tell which repository a name meant; the first run
// on that name, which knows the repository's id from GitHub, adopts them.
// Resolving them all at start-up would mean calling GitHub for every
// repository ever claimed (start-up never waits on GitHub), and a lasting
// fallback to the name would bring back the very bug ids fix (a repository
// created again under a deleted one's name inheriting its claims).
func (c *Store) Migrate(ctx context.Context) error {
	for _, q := range []string{Schema, schemaIndex} {
		if _, err := c.db.SQL().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("claims: migrate: %w", err)
		}
	}
	ok, err := c.hasLegacy(ctx)
	if err != nil || !ok {
		return err
	}
	tx, err := c.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("claims: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, c.q(`INSERT INTO `+Table+` (installation_id, repo_id, repo, incident, item, token, claimed_at, result)
		SELECT installation_id, 0, repo, 0, item, token, claimed_at, result FROM `+legacyTable+` WHERE repo = $1
		ON CONFLICT (repo_id, incident, item) DO NOTHING`), DeliveryRepo); err != nil {
		return fmt.Errorf("claims: migrate deliveries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, c.q(`DELETE FROM `+legacyTable+` WHERE repo = $1`), DeliveryRepo); err != nil {
		return fmt.Errorf("claims: migrate deliveries: %w", err)
	}
	var left int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+legacyTable).Scan(&left); err != nil {
		return fmt.Errorf("claims: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("claims: migrate: %w", err)
	}
	c.legacy.Store(left > 0)
	return nil
}

// hasLegacy reports whether the name-keyed table exists.
func (c *Store) hasLegacy(ctx context.Context) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '` + legacyTable + `'`
	if c.db.Dialect() == "postgres" {
		q = `SELECT COUNT(*) FROM (SELECT to_regclass('` + legacyTable + `') AS t) x WHERE t IS NOT NULL`
	}
	var n int
	if err := c.db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("claims: migrate: %w", err)
	}
	return n > 0, nil
}

// maxAdopted bounds the repositories remembered as adopted (a few bytes
// each).
const maxAdopted = 1 << 16

// adopted is a repository of an installation this process has prepared.
type adopted struct{ inst, repo int64 }

// adopt checks key and, the first time this process sees key's repository
// under key's installation, makes its rows that installation's: a
// repository transferred to another account keeps its claims (they are by
// id) and they go with the installation that now has it (an uninstall of
// the old one leaves them). While name-keyed rows are left, it also moves
// those of key's installation and name to key's repository id: the first
// run on a repository after the upgrade, whose job knows its id, takes the
// claims made under its name before.
func (c *Store) adopt(ctx context.Context, key Key) error {
	if key.RepoID <= 0 {
		if key.Repo == DeliveryRepo && key.RepoID == 0 {
			return nil
		}
		return fmt.Errorf("%w: %s", ErrNoRepoID, key)
	}
	a := adopted{key.InstallationID, key.RepoID}
	c.adoptedMu.Lock()
	done := c.adopted[a]
	c.adoptedMu.Unlock()
	if done {
		return nil
	}
	tx, err := c.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("claims: adopt %s: %w", key.Repo, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, c.q(`UPDATE `+Table+` SET installation_id = $1 WHERE repo_id = $2 AND installation_id <> $1`),
		key.InstallationID, key.RepoID)
	if err == nil && c.legacy.Load() {
		_, err = tx.ExecContext(ctx, c.q(`INSERT INTO `+Table+` (installation_id, repo_id, repo, incident, item, token, claimed_at, result)
			SELECT installation_id, $1, repo, incident, item, token, claimed_at, result FROM `+legacyTable+`
			WHERE installation_id = $2 AND repo = $3
			ON CONFLICT (repo_id, incident, item) DO NOTHING`), key.RepoID, key.InstallationID, key.Repo)
		if err == nil {
			_, err = tx.ExecContext(ctx, c.q(`DELETE FROM `+legacyTable+` WHERE installation_id = $1 AND repo = $2`), key.InstallationID, key.Repo)
		}
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("claims: adopt %s: %w", key.Repo, err)
	}
	c.adoptedMu.Lock()
	defer c.adoptedMu.Unlock()
	if c.adopted == nil || len(c.adopted) >= maxAdopted {
		c.adopted = map[adopted]bool{}
	}
	c.adopted[a] = true
	return nil
}

// ForgetRepository deletes every claim of repository repoID (deleted, or
// removed from the installation), and the name-keyed claims of installation
// inst under name from before ids (no repository of that name can use them
// now). It returns how many rows went.
func (c *Store) ForgetRepository(ctx context.Context, inst, repoID int64, name string) (int64, error) {
	if repoID <= 0 {
		return 0, fmt.Errorf("%w: forget %s", ErrNoRepoID, name)
	}
	res, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+Table+` WHERE repo_id = $1`), repoID)
	if err != nil {
		return 0, fmt.Errorf("claims: forget %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	m, err := c.forgetLegacy(ctx, `installation_id = $1 AND repo = $2`, inst, name)
	return n + m, err
}

// Moved gives repository repoID's claims to installation inst (the
// repository was transferred to its account): an uninstall of the
// installation it left does not take them.
func (c *Store) Moved(ctx context.Context, inst, repoID int64) error {
	if repoID <= 0 {
		return fmt.Errorf("%w: moved to installation %d", ErrNoRepoID, inst)
	}
	_, err := c.db.SQL().ExecContext(ctx, c.q(`UPDATE `+Table+` SET installation_id = $1 WHERE repo_id = $2 AND installation_id <> $1`), inst, repoID)
	if err != nil {
		return fmt.Errorf("claims: moved %d: %w", repoID, err)
	}
	return nil
}

// ForgetInstallation deletes every claim of installation inst (the App was
// uninstalled): its repositories' and its remembered deliveries. It
// returns how many rows went.
func (c *Store) ForgetInstallation(ctx context.Context, inst int64) (int64, error) {
	res, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+Table+` WHERE installation_id = $1`), inst)
	if err != nil {
		return 0, fmt.Errorf("claims: forget installation %d: %w", inst, err)
	}
	n, _ := res.RowsAffected()
	m, err := c.forgetLegacy(ctx, `installation_id = $1`, inst)
	return n + m, err
}

// forgetLegacy deletes name-keyed rows where where holds, when the table
// is there.
func (c *Store) forgetLegacy(ctx context.Context, where string, args ...any) (int64, error) {
	ok, err := c.hasLegacy(ctx)
	if err != nil || !ok {
		return 0, err
	}
	res, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+legacyTable+` WHERE `+where), args...)
	if err != nil {
		return 0, fmt.Errorf("claims: forget: %w", err)
	}
	return res.RowsAffected()
}
