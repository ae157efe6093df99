package claims

import (
	"errors"
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

// Wait is how long a run whose error is err waits, at now, before trying
// again, when err says it met claims held by other workers
// (errors.Is(err, ErrInProgress)): the shortest of their waits, found
// through wrapping and errors.Join (errors.As would find the first, not the
// claim that frees soonest). An ErrInProgress without a claim's times waits
// heldRetry. held is false when err met no held claim.
func Wait(err error, now time.Time) (wait time.Duration, held bool) {
	switch e := err.(type) {
	case nil:
		return 0, false
	case *HeldError:
		return e.Wait(now), true
	case interface{ Unwrap() []error }:
		for _, err := range e.Unwrap() {
			if w, ok := Wait(err, now); ok && (!held || w < wait) {
				wait, held = w, true
			}
		}
		return wait, held
	case interface{ Unwrap() error }:
		return Wait(e.Unwrap(), now)
	}
	if errors.Is(err, ErrInProgress) {
		return heldRetry, true
	}
	return 0, false
}

// Sooner is which of a and b, two errors of one run, the run reports so
// that its job is snoozed until the first of the claims it met may be free:
// the one that is not nil; an error that met no held claim before one that
// did (a when both are such); of two that met held claims, the one whose
// Wait at now is shorter (a on a tie). Folded over a run's errors, it
// reports the claim that frees soonest; what it reports is ErrInProgress
// whenever both were.
func Sooner(now time.Time, a, b error) error {
	wa, heldA := Wait(a, now)
	wb, heldB := Wait(b, now)
	switch {
	case a == nil:
		return b
	case b == nil, !heldA:
		return a
	case !heldB, wb < wa:
		return b
	}
	return a
}
