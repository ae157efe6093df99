// Package redeliver asks GitHub again for webhook deliveries that failed.
// GitHub never redelivers on its own: a delivery that failed while the App
// was down, restarting or answering 5xx is lost unless someone lists the
// App's deliveries and asks for another attempt. A Redeliverer does that
// once per failed delivery, across replicas.
package redeliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/sqldb"
)

// A Redeliverer runs on start-up as a job (so start-up is never blocked
// and a crash retries it), and records each delivery it redelivered in the
// database so replicas starting together redeliver it once.

// DefaultHorizon is how far back a Redeliverer looks: GitHub keeps
// deliveries for a few days; a day covers any outage the App recovers from.
const DefaultHorizon = 24 * time.Hour

// Redeliverer finds webhook deliveries that failed and whose GUID was never
// delivered successfully afterwards, and redelivers each once.
type Redeliverer struct {
	// App is a client authenticated as the App (JWT): ghclient.Clients.App().
	App *github.Client
	// DB holds the redeliveries table (Migrate creates it).
	DB *sqldb.DB
	// Horizon bounds how far back the deliveries are paged (default
	// DefaultHorizon).
	Horizon time.Duration
	// MinAge skips failures younger than this (default 0): GitHub may still
	// be retrying… it does not, but a delivery failing right now may be
	// in flight to another replica.
	MinAge time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Result counts what one pass did.
type Result struct {
	Scanned     int     // deliveries read
	Failed      int     // GUIDs whose every attempt failed
	Redelivered []int64 // delivery ids redelivered by this pass
	Claimed     int     // failed deliveries another pass already redelivered
}

func (r *Redeliverer) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func (r *Redeliverer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Migrate creates the redeliveries table when missing.
func (r *Redeliverer) Migrate(ctx context.Context) error {
	_, err := r.DB.SQL().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS postmortem_redeliveries (
	delivery_id BIGINT PRIMARY KEY,
	guid TEXT NOT NULL,
	event TEXT NOT NULL,
	redelivered_at TIMESTAMP NOT NULL
)`)
	if err != nil {
		return fmt.Errorf("create redeliveries table: %w", err)
	}
	// claimedSince reads a GUID's claims once per failed GUID in every pass
	_, err = r.DB.SQL().ExecContext(ctx, `CREATE INDEX IF NOT EXISTS postmortem_redeliveries_guid ON postmortem_redeliveries (guid, redelivered_at)`)
	if err != nil {
		return fmt.Errorf("index redeliveries by guid: %w", err)
	}
	return nil
}

// claim records that delivery id is being redelivered; false when another
// pass did (or does) it.
func (r *Redeliverer) claim(ctx context.Context, d *github.HookDelivery) (bool, error) {
	res, err := r.DB.SQL().ExecContext(ctx, r.DB.Rebind(`INSERT INTO postmortem_redeliveries (delivery_id, guid, event, redelivered_at)
VALUES ($1, $2, $3, $4) ON CONFLICT (delivery_id) DO NOTHING`), d.GetID(), d.GetGUID(), d.GetEvent(), r.now().UTC())
	if err != nil {
		return false, fmt.Errorf("claim redelivery of %d: %w", d.GetID(), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// redeliver claims failed delivery d and asks GitHub for another attempt,
// unless another pass redelivered its GUID (res counts what happened).
func (r *Redeliverer) redeliver(ctx context.Context, res *Result, d *github.HookDelivery, began time.Time) error {
	guid := d.GetGUID()
	// A pass that redelivered this GUID after this one began made the
	// attempt seen here, or will: not a new failure but the other pass's
	// redelivery (replicas starting together).
	later, err := r.claimedSince(ctx, guid, began)
	if err != nil {
		return err
	}
	if later {
		res.Claimed++
		return nil
	}
	won, err := r.claim(ctx, d)
	if err != nil {
		return err
	}
	if !won {
		res.Claimed++
		return nil
	}
	if _, _, err := r.App.Apps.RedeliverHookDelivery(ctx, d.GetID()); err != nil {
		// go-github reports 202 Accepted as an AcceptedError: success.
		var acc *github.AcceptedError
		if !errors.As(err, &acc) {
			r.unclaim(context.WithoutCancel(ctx), d.GetID())
			return fmt.Errorf("redeliver %d (%s %s): %w", d.GetID(), d.GetEvent(), guid, err)
		}
	}
	res.Redelivered = append(res.Redelivered, d.GetID())
	r.log().Info("redelivered a failed webhook delivery", "delivery", d.GetID(), "guid", guid, "event", d.GetEvent(), "action", d.GetAction(), "status", d.GetStatusCode())
	return nil
}

// claimedSince reports a claim on guid made at or after t.
func (r *Redeliverer) claimedSince(ctx context.Context, guid string, t time.Time) (bool, error) {
	var n int
	err := r.DB.SQL().QueryRowContext(ctx, r.DB.Rebind(`SELECT COUNT(*) FROM postmortem_redeliveries WHERE guid = $1 AND redelivered_at >= $2`),
		guid, t.UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read redelivery claims of %s: %w", guid, err)
	}
	return n > 0, nil
}

func (r *Redeliverer) unclaim(ctx context.Context, id int64) {
	if _, err := r.DB.SQL().ExecContext(ctx, r.DB.Rebind(`DELETE FROM postmortem_redeliveries WHERE delivery_id = $1`), id); err != nil {
		r.log().Warn("release redelivery claim", "delivery", id, "err", err)
	}
}

// Run pages through the App's deliveries, newest first, back to the
// horizon, and redelivers the latest failed attempt of every GUID that was
// never delivered successfully. Deliveries not attempted yet ("pending")
// are left alone.
func (r *Redeliverer) Run(ctx context.Context) (*Result, error) {
	if r.App == nil || r.DB == nil {
		return nil, errors.New("redeliver: no App client or database")
	}
	horizon := r.Horizon
	if horizon <= 0 {
		horizon = DefaultHorizon
	}
	now := r.now()
	since := now.Add(-horizon)
	res := &Result{}
	ok := map[string]bool{}                         // GUIDs delivered successfully at least once
	latestFail := map[string]*github.HookDelivery{} // newest failed attempt per GUID
	var order []string
	opts := &github.ListCursorOptions{PerPage: 100}
	for {
		ds, resp, err := r.App.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return res, fmt.Errorf("list hook deliveries: %w", err)
		}
		stop := false
		for _, d := range ds {
			res.Scanned++
			at := d.GetDeliveredAt().Time
			if !at.IsZero() && at.Before(since) {
				stop = true
				break
			}
			guid := d.GetGUID()
			code := d.GetStatusCode()
			switch {
			case code >= 200 && code < 300:
				ok[guid] = true
			case d.GetStatus() == "pending":
				// not attempted yet
			default:
				if _, seen := latestFail[guid]; !seen {
					latestFail[guid] = d // newest first: the first one seen is the latest
					order = append(order, guid)
				}
			}
		}
		if stop || resp == nil || resp.Cursor == "" || len(ds) == 0 {
			break
		}
		opts.Cursor = resp.Cursor
	}
	for _, guid := range order {
		if ok[guid] {
			continue
		}
		d := latestFail[guid]
		if r.MinAge > 0 && now.Sub(d.GetDeliveredAt().Time) < r.MinAge {
			continue
		}
		res.Failed++
		if err := r.redeliver(ctx, res, d, now); err != nil {
			return res, err
		}
	}
	return res, nil
}
