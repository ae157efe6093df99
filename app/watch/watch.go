// Package watch is the App's list of the repositories its periodic passes
// visit: those where it filed follow-ups or drafted a postmortem. The
// reminder pass lists an installation's open follow-ups repository by
// repository; knowing which repositories have any keeps the pass at one
// list call per repository that does, whatever the installation's size.
// It also remembers which week each digest issue was last written for, so a
// pass knows without a call whether this week's is due, and when each
// installation's resync last searched (so the next one asks GitHub only
// for what changed since). One table each in
// the App's database; GitHub stays the truth (a lost row is found again).
package watch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postmortem-app/postmortem/app/sqldb"
)

// Store is the watch list and the digests' weeks.
type Store struct {
	db *sqldb.DB
}

// New returns the store on db (Migrate creates its tables).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Schema is the store's tables (portable between SQLite and PostgreSQL).
const Schema = `CREATE TABLE IF NOT EXISTS postmortem_watch (
	installation_id BIGINT NOT NULL,
	repo TEXT NOT NULL,
	active_at BIGINT NOT NULL,
	digest TEXT NOT NULL DEFAULT '',
	repo_id BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (installation_id, repo)
);
CREATE TABLE IF NOT EXISTS postmortem_digests (
	installation_id BIGINT NOT NULL,
	target TEXT NOT NULL,
	week TEXT NOT NULL DEFAULT '',
	issue BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (installation_id, target)
);
CREATE TABLE IF NOT EXISTS postmortem_resync (
	installation_id BIGINT NOT NULL PRIMARY KEY,
	searched_at BIGINT NOT NULL,
	full_at BIGINT NOT NULL
)`

// Migrate creates the tables if they do not exist (and gives a watch list
// of an earlier version its repo_id column: 0, learnt at the next watch).
func (s *Store) Migrate(ctx context.Context) error {
	for _, stmt := range append(strings.Split(Schema, ";"), followUpsSchema) {
		if _, err := s.db.SQL().ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("watch: migrate: %w", err)
		}
	}
	if _, err := s.db.SQL().ExecContext(ctx, `SELECT repo_id FROM postmortem_watch WHERE 1 = 0`); err != nil {
		if _, err := s.db.SQL().ExecContext(ctx, `ALTER TABLE postmortem_watch ADD COLUMN repo_id BIGINT NOT NULL DEFAULT 0`); err != nil {
			return fmt.Errorf("watch: migrate: %w", err)
		}
	}
	return nil
}

func (s *Store) q(query string) string { return s.db.Rebind(query) }

// Repo is one watched repository.
type Repo struct {
	Name string // owner/name
	// ActiveAt is when a pass last found something open in it (or the
	// flows last watched it).
	ActiveAt time.Time
	// Digest is the digest scope its configuration said at its last pass
	// ("" before the first).
	Digest string
	// ID is the repository's id (0: watched before ids were kept).
	ID int64
}

// Watch adds a repository of an installation, by name and id (0:
// unknown), or marks it active at at (and records its id).
func (s *Store) Watch(ctx context.Context, inst int64, repo string, repoID int64, at time.Time) error {
	_, err := s.db.SQL().ExecContext(ctx, s.q(`INSERT INTO postmortem_watch (installation_id, repo, active_at, digest, repo_id)
		VALUES ($1, $2, $3, '', $4)
		ON CONFLICT (installation_id, repo) DO UPDATE SET
			active_at = CASE WHEN excluded.active_at > postmortem_watch.active_at THEN excluded.active_at ELSE postmortem_watch.active_at END,
			repo_id = CASE WHEN excluded.repo_id <> 0 THEN excluded.repo_id ELSE postmortem_watch.repo_id END
		WHERE excluded.active_at > postmortem_watch.active_at OR (excluded.repo_id <> 0 AND excluded.repo_id <> postmortem_watch.repo_id)`),
		inst, repo, at.UnixMilli(), repoID)
	if err != nil {
		return fmt.Errorf("watch %s: %w", repo, err)
	}
	return nil
}

// Moved records that repository repoID is now name, under installation
// inst (renamed, or transferred to inst's account): its watch row, under
// whichever installation and name it was, becomes (inst, name). Its
// digest's week stays under the old name (a digest written again this week
// at worst).
func (s *Store) Moved(ctx context.Context, inst int64, name string, repoID int64) error {
	if repoID <= 0 {
		return fmt.Errorf("moved %s: no repository id", name)
	}
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("moved %s: %w", name, err)
	}
	defer tx.Rollback()
	var at int64
	var digest string
	err = tx.QueryRowContext(ctx, s.q(`SELECT active_at, digest FROM postmortem_watch WHERE repo_id = $1 ORDER BY active_at DESC LIMIT 1`),
		repoID).Scan(&at, &digest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not watched
	}
	if err == nil { // its open follow-ups are known again under the new name at the next pass
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM postmortem_followups WHERE (installation_id, repo) IN
			(SELECT installation_id, repo FROM postmortem_watch WHERE repo_id = $1)`), repoID)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM postmortem_watch WHERE repo_id = $1`), repoID)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO postmortem_watch (installation_id, repo, active_at, digest, repo_id)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (installation_id, repo) DO UPDATE SET repo_id = excluded.repo_id,
				active_at = CASE WHEN excluded.active_at > postmortem_watch.active_at THEN excluded.active_at ELSE postmortem_watch.active_at END`),
			inst, name, at, digest, repoID)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("moved %s: %w", name, err)
	}
	return nil
}

// Passed records a pass over a watched repository (id repoID, 0: unknown):
// its digest scope, and, when it found something open, that it is active
// at at.
func (s *Store) Passed(ctx context.Context, inst int64, repo string, repoID int64, at time.Time, active bool, digest string) error {
	if _, err := s.db.SQL().ExecContext(ctx, s.q(`UPDATE postmortem_watch SET digest = $1 WHERE installation_id = $2 AND repo = $3`),
		digest, inst, repo); err != nil {
		return fmt.Errorf("watch %s: %w", repo, err)
	}
	if active {
		return s.Watch(ctx, inst, repo, repoID, at)
	}
	return nil
}

// Unwatch drops a repository (nothing left to visit, or gone).
func (s *Store) Unwatch(ctx context.Context, inst int64, repo string) error {
	for _, q := range []string{`DELETE FROM postmortem_watch WHERE installation_id = $1 AND repo = $2`,
		`DELETE FROM postmortem_followups WHERE installation_id = $1 AND repo = $2`} {
		if _, err := s.db.SQL().ExecContext(ctx, s.q(q), inst, repo); err != nil {
			return fmt.Errorf("unwatch %s: %w", repo, err)
		}
	}
	return nil
}

// ForgetRepo drops a repository of an installation (deleted, or removed
// from it): its watch row, by id or by name, and its digest's week. It
// returns how many rows went.
func (s *Store) ForgetRepo(ctx context.Context, inst int64, repo string, repoID int64) (int64, error) {
	var n int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM postmortem_watch WHERE installation_id = $1 AND (repo = $2 OR (repo_id = $3 AND repo_id <> 0))`, []any{inst, repo, repoID}},
		{`DELETE FROM postmortem_digests WHERE installation_id = $1 AND target = $2`, []any{inst, repo}},
		{`DELETE FROM postmortem_followups WHERE installation_id = $1 AND repo = $2`, []any{inst, repo}},
	} {
		res, err := s.db.SQL().ExecContext(ctx, s.q(q.sql), q.args...)
		if err != nil {
			return n, fmt.Errorf("forget %s: %w", repo, err)
		}
		m, _ := res.RowsAffected()
		n += m
	}
	return n, nil
}

// Forget drops everything of an installation (uninstalled).
func (s *Store) Forget(ctx context.Context, inst int64) error {
	_, err := s.ForgetCount(ctx, inst)
	return err
}

// ForgetCount is Forget, saying how many rows went.
func (s *Store) ForgetCount(ctx context.Context, inst int64) (int64, error) {
	var n int64
	for _, q := range []string{`DELETE FROM postmortem_watch WHERE installation_id = $1`, `DELETE FROM postmortem_digests WHERE installation_id = $1`,
		`DELETE FROM postmortem_resync WHERE installation_id = $1`, `DELETE FROM postmortem_followups WHERE installation_id = $1`} {
		res, err := s.db.SQL().ExecContext(ctx, s.q(q), inst)
		if err != nil {
			return n, fmt.Errorf("forget installation %d: %w", inst, err)
		}
		m, _ := res.RowsAffected()
		n += m
	}
	return n, nil
}

// Installations are the installations with watched repositories.
func (s *Store) Installations(ctx context.Context) ([]int64, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT DISTINCT installation_id FROM postmortem_watch ORDER BY installation_id`)
	if err != nil {
		return nil, fmt.Errorf("watched installations: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Repos are an installation's watched repositories, by name.
func (s *Store) Repos(ctx context.Context, inst int64) ([]Repo, error) {
	rows, err := s.db.SQL().QueryContext(ctx, s.q(`SELECT repo, active_at, digest, repo_id FROM postmortem_watch
		WHERE installation_id = $1 ORDER BY repo`), inst)
	if err != nil {
		return nil, fmt.Errorf("watched repositories: %w", err)
	}
	defer rows.Close()
	var out []Repo
	for rows.Next() {
		var r Repo
		var at int64
		if err := rows.Scan(&r.Name, &at, &r.Digest, &r.ID); err != nil {
			return nil, err
		}
		r.ActiveAt = time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Digest is the week a digest target ("owner/name" for a repository's,
// "owner" for an organization's) was last written for, and its issue (0
// when not known).
func (s *Store) Digest(ctx context.Context, inst int64, target string) (week string, issue int, err error) {
	err = s.db.SQL().QueryRowContext(ctx, s.q(`SELECT week, issue FROM postmortem_digests WHERE installation_id = $1 AND target = $2`),
		inst, target).Scan(&week, &issue)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("digest of %s: %w", target, err)
	}
	return week, issue, nil
}

// SetDigest records that target's digest issue was written for week.
func (s *Store) SetDigest(ctx context.Context, inst int64, target, week string, issue int) error {
	_, err := s.db.SQL().ExecContext(ctx, s.q(`INSERT INTO postmortem_digests (installation_id, target, week, issue)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (installation_id, target) DO UPDATE SET week = excluded.week, issue = excluded.issue`), inst, target, week, issue)
	if err != nil {
		return fmt.Errorf("digest of %s: %w", target, err)
	}
	return nil
}

// UnwatchIdle drops a repository whose passes found nothing open since
// before (a week past its last activity, so its last digest still tells
// what closed). It reports whether it did.
func (s *Store) UnwatchIdle(ctx context.Context, inst int64, repo string, before time.Time) (bool, error) {
	res, err := s.db.SQL().ExecContext(ctx, s.q(`DELETE FROM postmortem_watch WHERE installation_id = $1 AND repo = $2 AND active_at < $3`),
		inst, repo, before.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("unwatch %s: %w", repo, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Resynced is when an installation's resync last searched (the start of
// its last pass) and when it last swept everything; zero times before the
// first.
func (s *Store) Resynced(ctx context.Context, inst int64) (searched, full time.Time, err error) {
	var a, b int64
	err = s.db.SQL().QueryRowContext(ctx, s.q(`SELECT searched_at, full_at FROM postmortem_resync WHERE installation_id = $1`), inst).Scan(&a, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("resync of installation %d: %w", inst, err)
	}
	return time.UnixMilli(a).UTC(), time.UnixMilli(b).UTC(), nil
}

// SetResynced records an installation's pass that began at searched (and
// its last full sweep).
func (s *Store) SetResynced(ctx context.Context, inst int64, searched, full time.Time) error {
	_, err := s.db.SQL().ExecContext(ctx, s.q(`INSERT INTO postmortem_resync (installation_id, searched_at, full_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (installation_id) DO UPDATE SET searched_at = excluded.searched_at, full_at = excluded.full_at`),
		inst, searched.UnixMilli(), full.UnixMilli())
	if err != nil {
		return fmt.Errorf("resync of installation %d: %w", inst, err)
	}
	return nil
}
