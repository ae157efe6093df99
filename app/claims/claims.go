// Package claims is the App's memory of what it is creating on GitHub, so
// that an object GitHub cannot deduplicate (a follow-up issue, a comment, a
// review) is created exactly once across retries, workers and replicas, and
// so that runs which must take turns do. It is one table in the App's
// database.
package claims

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/postmortem-app/postmortem/app/sqldb"
)

// Store is the App's memory of "I am creating that": GitHub has no unique key
// for issues or comments, so before a flow creates an object that must exist
// exactly once (a follow-up issue, the pointer and tracking comments, the
// suggestion review of a head commit) it claims the object's key here with
// INSERT … ON CONFLICT DO NOTHING. The first claimer creates the object; a
// concurrent worker sees the claim held and backs off (ErrInProgress) instead
// of creating a duplicate. A claim whose creator crashed before finishing is
// taken over once its lease has expired, so a crash between claim and create
// never loses the object; a claim marked Done is never created again.
//
// Claims live in the same database as the job queue (SQLite or PostgreSQL),
// keyed by GitHub's repository id: a repository renamed or transferred
// keeps its claims (its id stays), one deleted and created again under the
// same name starts afresh (a new id). Claims made before ids were kept
// (keyed by name) are adopted by the repository of that name the first time
// it is worked on (see Migrate).
type Store struct {
	db *sqldb.DB
	// Lease is how long a claim protects an unfinished creation before another
	// worker may take it over. Default 2 minutes.
	Lease time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time

	legacy    atomic.Bool // the name-keyed table still has rows to adopt
	adoptedMu sync.Mutex
	adopted   map[adopted]bool // repositories prepared under an installation (adopt)
}

// Key identifies one object to create exactly once: by its repository's id,
// the incident (or pull request) it belongs to and the item.
type Key struct {
	InstallationID int64 // the installation that claims (pruned with it)
	// RepoID is GitHub's id of the repository (repository.id): stable
	// through renames and transfers, new for a repository created again
	// under an old name. 0 only for DeliveryRepo.
	RepoID   int64
	Repo     string // "owner/name" when claimed: for people reading the table, and to adopt rows from before ids
	Incident int
	Item     string // e.g. "followup:3f2a…", "comment:pr", "review:<sha>"
}

func (k Key) String() string {
	return fmt.Sprintf("%d/%s(%d)#%d/%s", k.InstallationID, k.Repo, k.RepoID, k.Incident, k.Item)
}

// ErrNoRepoID: a claim needs its repository's id (Key.RepoID).
var ErrNoRepoID = errors.New("claims: key without a repository id")

// State says what a Claim call found.
type State int

const (
	// Acquired: the caller owns the claim (new, or taken over from a
	// creator whose lease expired) and must create the object, then Complete.
	Acquired State = iota
	// Held: another worker claimed the object within its lease and is
	// creating it right now (or crashed very recently): do not create.
	Held
	// Done: the object was created earlier; Result says which.
	Done
)

func (s State) String() string {
	switch s {
	case Acquired:
		return "acquired"
	case Held:
		return "held"
	case Done:
		return "done"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Claim is the outcome of Store.Claim.
type Claim struct {
	Key    Key
	State  State
	Token  string // identifies this claimer; pass to Complete/Release
	Result string // for Done: what was created (e.g. an issue number)
	// Deadline (Acquired): the creation must be over by then. Another
	// worker takes the claim over once the lease has run out, a little
	// later, so the creator gives up at Deadline (see Store.Creating).
	Deadline time.Time
	// Fresh (Acquired): the claim did not exist before this call, so
	// no earlier attempt can have made any part of the object. A claim taken
	// over (its creator crashed, or abandoned it after a failure that may
	// have reached GitHub) is not fresh: look for what was made first.
	Fresh bool
	// Claimed and Expires (Held): when the holder claimed the object, and
	// when its lease runs out and the claim may be taken over (by the
	// Store's clock). The older the claim, the likelier its holder is dead:
	// see HeldError.Wait.
	Claimed, Expires time.Time
}

// ErrInProgress reports that another worker holds the claim on an object this
// run needed to create: the run should be retried a little later (the job
// runner snoozes it), by which time the object exists or the lease expired.
// A held claim's error is a HeldError, which says how much later.
var ErrInProgress = errors.New("another worker is creating this object")

// New returns the claims stored in db (Migrate creates their table).
func New(db *sqldb.DB) *Store {
	return &Store{db: db, Lease: 2 * time.Minute, Now: time.Now}
}

// q adapts a query's $n placeholders to the database (sqldb.DB.Rebind).
func (c *Store) q(query string) string { return c.db.Rebind(query) }

func (c *Store) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Store) lease() time.Duration {
	if c.Lease > 0 {
		return c.Lease
	}
	return 2 * time.Minute
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim tries to take the claim on key.
func (c *Store) Claim(ctx context.Context, key Key) (Claim, error) {
	if err := c.adopt(ctx, key); err != nil {
		return Claim{}, err
	}
	tok := newToken()
	now := c.now().UnixMilli()
	res, err := c.db.SQL().ExecContext(ctx, c.q(`INSERT INTO `+Table+`
		(installation_id, repo_id, repo, incident, item, token, claimed_at, result)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '')
		ON CONFLICT (repo_id, incident, item) DO NOTHING`),
		key.InstallationID, key.RepoID, key.Repo, key.Incident, key.Item, tok, now)
	if err != nil {
		return Claim{}, fmt.Errorf("claims: claim %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		cl := c.acquired(key, tok)
		cl.Fresh = true
		return cl, nil
	}
	var (
		oldTok    string
		claimedAt int64
		result    string
	)
	err = c.db.SQL().QueryRowContext(ctx, c.q(`SELECT token, claimed_at, result FROM `+Table+`
		WHERE repo_id = $1 AND incident = $2 AND item = $3`),
		key.RepoID, key.Incident, key.Item).Scan(&oldTok, &claimedAt, &result)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between our insert and select: try once more.
		return c.Claim(ctx, key)
	}
	if err != nil {
		return Claim{}, fmt.Errorf("claims: read %s: %w", key, err)
	}
	if result != "" {
		return Claim{Key: key, State: Done, Result: result}, nil
	}
	if now-claimedAt < c.lease().Milliseconds() {
		return c.held(key, claimedAt), nil
	}
	// The creator's lease expired (it crashed, or failed without releasing):
	// take the claim over, atomically against other workers doing the same.
	res, err = c.db.SQL().ExecContext(ctx, c.q(`UPDATE `+Table+` SET token = $1, claimed_at = $2
		WHERE repo_id = $3 AND incident = $4 AND item = $5
		AND token = $6 AND result = ''`),
		tok, now, key.RepoID, key.Incident, key.Item, oldTok)
	if err != nil {
		return Claim{}, fmt.Errorf("claims: take over %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return c.acquired(key, tok), nil
	}
	return c.held(key, now), nil // another worker took it over just now
}

// held is a claim another worker took at claimedAt (Unix milliseconds).
func (c *Store) held(key Key, claimedAt int64) Claim {
	at := time.UnixMilli(claimedAt)
	return Claim{Key: key, State: Held, Claimed: at, Expires: at.Add(c.lease())}
}

// acquired is a claim taken just now: its creation must end a fifth of the
// lease before the lease runs out (room for the Complete write and for
// clocks of replicas a little apart).
func (c *Store) acquired(key Key, tok string) Claim {
	l := c.lease()
	return Claim{Key: key, State: Acquired, Token: tok, Deadline: time.Now().Add(l - l/5)}
}

// Creating bounds the creation under an acquired claim by its Deadline: a
// worker that is still creating when its lease runs out would race the
// worker taking the claim over, so it gives up first (its error releases
// the claim; the retry finds the object by its marker if GitHub made it).
// A claim held by a worker that died is thus taken over after the lease,
// and never while its creator is alive.
func (c *Store) Creating(ctx context.Context, cl Claim) (context.Context, context.CancelFunc) {
	if cl.Deadline.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, cl.Deadline)
}

// Complete marks a claim done with a result (what was created).
func (c *Store) Complete(ctx context.Context, cl Claim, result string) error {
	if result == "" {
		result = "done"
	}
	_, err := c.db.SQL().ExecContext(ctx, c.q(`UPDATE `+Table+` SET result = $1
		WHERE repo_id = $2 AND incident = $3 AND item = $4`),
		result, cl.Key.RepoID, cl.Key.Incident, cl.Key.Item)
	if err != nil {
		return fmt.Errorf("claims: complete %s: %w", cl.Key, err)
	}
	return nil
}

// Release gives up a claim this worker holds (its creation failed cleanly),
// so that a retry may claim it at once.
func (c *Store) Release(ctx context.Context, cl Claim) error {
	_, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+Table+`
		WHERE repo_id = $1 AND incident = $2 AND item = $3
		AND token = $4 AND result = ''`),
		cl.Key.RepoID, cl.Key.Incident, cl.Key.Item, cl.Token)
	if err != nil {
		return fmt.Errorf("claims: release %s: %w", cl.Key, err)
	}
	return nil
}

// Abandon gives up a claim this worker holds after a failure that may have
// reached GitHub (a request whose answer was lost may have created the
// object): the claim stays, its lease ended, so the next claimer takes it
// over at once but not Fresh, and looks for what was made before creating.
func (c *Store) Abandon(ctx context.Context, cl Claim) error {
	_, err := c.db.SQL().ExecContext(ctx, c.q(`UPDATE `+Table+` SET claimed_at = 0
		WHERE repo_id = $1 AND incident = $2 AND item = $3
		AND token = $4 AND result = ''`),
		cl.Key.RepoID, cl.Key.Incident, cl.Key.Item, cl.Token)
	if err != nil {
		return fmt.Errorf("claims: abandon %s: %w", cl.Key, err)
	}
	return nil
}

// Forget deletes a claim whatever its state; used when the object it stood
// for is known to be gone and must be created again.
func (c *Store) Forget(ctx context.Context, key Key) error {
	if err := c.adopt(ctx, key); err != nil {
		return err
	}
	_, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+Table+`
		WHERE repo_id = $1 AND incident = $2 AND item = $3`),
		key.RepoID, key.Incident, key.Item)
	if err != nil {
		return fmt.Errorf("claims: forget %s: %w", key, err)
	}
	return nil
}

// Done reports whether key's claim is done, and its result.
func (c *Store) Done(ctx context.Context, key Key) (result string, done bool, err error) {
	if err := c.adopt(ctx, key); err != nil {
		return "", false, err
	}
	err = c.db.SQL().QueryRowContext(ctx, c.q(`SELECT result FROM `+Table+`
		WHERE repo_id = $1 AND incident = $2 AND item = $3`),
		key.RepoID, key.Incident, key.Item).Scan(&result)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("claims: read %s: %w", key, err)
	}
	return result, result != "", nil
}

// MarkDone records key as done with result, claimed or not: for facts the
// App keeps about what it finished, rather than objects it creates.
func (c *Store) MarkDone(ctx context.Context, key Key, result string) error {
	if result == "" {
		result = "done"
	}
	if err := c.adopt(ctx, key); err != nil {
		return err
	}
	_, err := c.db.SQL().ExecContext(ctx, c.q(`INSERT INTO `+Table+`
		(installation_id, repo_id, repo, incident, item, token, claimed_at, result)
		VALUES ($1, $2, $3, $4, $5, '', $6, $7)
		ON CONFLICT (repo_id, incident, item) DO UPDATE SET result = excluded.result`),
		key.InstallationID, key.RepoID, key.Repo, key.Incident, key.Item, c.now().UnixMilli(), result)
	if err != nil {
		return fmt.Errorf("claims: mark %s done: %w", key, err)
	}
	return nil
}

// Results lists the done claims of an incident (scope's repository and
// incident; its item is not read) whose item starts with prefix, item →
// result.
func (c *Store) Results(ctx context.Context, scope Key, prefix string) (map[string]string, error) {
	if err := c.adopt(ctx, scope); err != nil {
		return nil, err
	}
	rows, err := c.db.SQL().QueryContext(ctx, c.q(`SELECT item, result FROM `+Table+`
		WHERE repo_id = $1 AND incident = $2 AND result <> ''`),
		scope.RepoID, scope.Incident)
	if err != nil {
		return nil, fmt.Errorf("claims: list: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var item, result string
		if err := rows.Scan(&item, &result); err != nil {
			return nil, err
		}
		if strings.HasPrefix(item, prefix) {
			out[item] = result
		}
	}
	return out, rows.Err()
}
