package claims

import (
	"context"
	"fmt"
	"time"
)

// Deliveries: a webhook delivery whose jobs would act again when delivered
// again (a "re-run" of checks, a /postmortem command) is claimed by its
// X-GitHub-Delivery id and by its signature (the HMAC of its body: the id
// header is not signed, so a replayer may change it, but not the body) in
// rows of this table under DeliveryRepo (repository id 0). A delivery seen before is dropped.
// The rows are pruned after DeliveryMemory (PruneDeliveries).

// DeliveryRepo is the Repo of delivery claims (not a repository name: no
// repository is called that).
const DeliveryRepo = "@deliveries"

// DeliveryMemory is how long a delivery is remembered: longer than GitHub
// keeps deliveries for redelivery (3 days).
const DeliveryMemory = 7 * 24 * time.Hour

// BeginDelivery claims a delivery of installation inst by each of its ids
// (its X-GitHub-Delivery, its signature; empty ones are skipped). ok is
// false when any was queued before or is being queued right now: drop it.
// Otherwise call end once its jobs are committed (queued true: remembered)
// or not (false: forgotten, so GitHub's redelivery goes through).
func (c *Store) BeginDelivery(ctx context.Context, inst int64, ids ...string) (end func(ctx context.Context, queued bool) error, ok bool, err error) {
	var held []Claim
	release := func(ctx context.Context) error {
		var first error
		for _, cl := range held {
			if err := c.Release(ctx, cl); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		cl, err := c.Claim(ctx, Key{InstallationID: inst, Repo: DeliveryRepo, Item: "delivery:" + id})
		if err != nil {
			release(ctx)
			return nil, false, err
		}
		if cl.State != Acquired {
			return nil, false, release(ctx)
		}
		held = append(held, cl)
	}
	return func(ctx context.Context, queued bool) error {
		if !queued {
			return release(ctx)
		}
		for _, cl := range held {
			if err := c.Complete(ctx, cl, "queued"); err != nil {
				return err
			}
		}
		return nil
	}, true, nil
}

// PruneDeliveries forgets the deliveries claimed more than DeliveryMemory
// ago; it returns how many rows went. The periodic resync calls it.
func (c *Store) PruneDeliveries(ctx context.Context) (int64, error) {
	res, err := c.db.SQL().ExecContext(ctx, c.q(`DELETE FROM `+Table+` WHERE repo_id = 0 AND repo = $1 AND claimed_at < $2`),
		DeliveryRepo, c.now().Add(-DeliveryMemory).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("claims: prune deliveries: %w", err)
	}
	return res.RowsAffected()
}
