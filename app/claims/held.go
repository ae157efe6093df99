package claims

import (
	"fmt"
	"time"
)

// HeldError is the ErrInProgress of a run that found a claim held by
// another worker (errors.Is(err, ErrInProgress) holds): it names the claim
// and says when it was claimed and when its lease runs out, so the run is
// tried again when it may find the object made or the claim free (Wait).
type HeldError struct {
	Key              Key
	Claimed, Expires time.Time // as Claim's
}

// InProgress is the error of a run that found cl Held (a *HeldError).
func (cl Claim) InProgress() error {
	return &HeldError{Key: cl.Key, Claimed: cl.Claimed, Expires: cl.Expires}
}

func (e *HeldError) Error() string {
	if e.Claimed.IsZero() {
		return fmt.Sprintf("%s: %s", e.Key, ErrInProgress)
	}
	return fmt.Sprintf("%s: %s (claimed %s, lease until %s)", e.Key, ErrInProgress,
		e.Claimed.UTC().Format(time.RFC3339), e.Expires.UTC().Format(time.RFC3339))
}

// Is makes a HeldError ErrInProgress.
func (e *HeldError) Is(target error) bool { return target == ErrInProgress }

// heldRetry is how long creating an object under a claim usually takes:
// the wait for a young claim.
const heldRetry = 5 * time.Second

// Wait is how long a run that met the held claim waits, at now, before
// trying again: heldRetry while the claim is young (its holder is creating
// the object, which takes seconds), half the claim's age once that is
// longer (a holder alive so long is slow, and one that crashed keeps the
// claim for its whole lease: tried every 5 s, a run would re-read GitHub two
// dozen times for nothing), so the tries thin out as the claim ages. Never
// past the lease's end by more than a second (the claim can be taken over
// then), never under a second. Without a claim time it is heldRetry.
func (e *HeldError) Wait(now time.Time) time.Duration {
	if e.Claimed.IsZero() {
		return heldRetry
	}
	wait := max(heldRetry, now.Sub(e.Claimed)/2)
	if !e.Expires.IsZero() {
		wait = min(wait, e.Expires.Sub(now)+time.Second)
	}
	return max(wait, time.Second)
}
