package claims

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// heldAt is the error of a claim another worker took age before now (a
// lease of 2 minutes), as a flow wraps it.
func heldAt(now time.Time, item string, age time.Duration) error {
	claimed := now.Add(-age)
	k := Key{InstallationID: 1, RepoID: 100, Repo: "acme/svc", Incident: 7, Item: item}
	return fmt.Errorf("open follow-ups: %w", &HeldError{Key: k, Claimed: claimed, Expires: claimed.Add(2 * time.Minute)})
}

// TestWaitOfSeveralClaims: the wait of an error is the shortest of the
// waits of the held claims it carries, however they are wrapped or joined
// (errors.As finds the first of a join, not the one that frees soonest).
func TestWaitOfSeveralClaims(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	old, older := heldAt(now, "followup:old", time.Minute), heldAt(now, "followup:older", 80*time.Second)
	young := heldAt(now, "followup:young", time.Second)
	other := errors.New("list issues: 502 Bad Gateway")
	for _, tc := range []struct {
		name string
		err  error
		want time.Duration
		held bool
	}{
		{"none", nil, 0, false},
		{"not a claim", other, 0, false},
		{"one old claim", old, 30 * time.Second, true},
		{"old then young, joined", errors.Join(old, young), 5 * time.Second, true},
		{"young then old, joined", errors.Join(young, old), 5 * time.Second, true},
		{"two old, joined and wrapped", fmt.Errorf("checks: %w", errors.Join(older, old)), 30 * time.Second, true},
		{"a join in a join", errors.Join(older, fmt.Errorf("pointer: %w", errors.Join(other, young))), 5 * time.Second, true},
		{"another error and a claim", errors.Join(other, old), 30 * time.Second, true},
		{"no claim's times", fmt.Errorf("lock: %w", ErrInProgress), heldRetry, true},
		{"no claim's times and an old claim", errors.Join(old, fmt.Errorf("lock: %w", ErrInProgress)), heldRetry, true},
	} {
		if got, held := Wait(tc.err, now); got != tc.want || held != tc.held {
			t.Errorf("%s: Wait = %s, %t; want %s, %t", tc.name, got, held, tc.want, tc.held)
		}
	}
}

// TestSooner: of two errors a run met, it reports one that is not a held
// claim before one that is (the first of two such), and of two held claims
// the one that frees sooner (its wait is shorter), whatever their order;
// the one it reports is still ErrInProgress.
func TestSooner(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	old, young := heldAt(now, "followup:old", time.Minute), heldAt(now, "followup:young", time.Second)
	older := heldAt(now, "followup:older", 80*time.Second)
	other, another := errors.New("502 Bad Gateway"), errors.New("403 Forbidden")
	for _, tc := range []struct {
		name       string
		a, b, want error
	}{
		{"nothing", nil, nil, nil},
		{"the first only", old, nil, old},
		{"the second only", nil, young, young},
		{"old, then young", old, young, young},
		{"young, then old", young, old, young},
		{"older, then old", older, old, old},
		{"old, then older", old, older, old},
		{"the same wait: the first", old, heldAt(now, "followup:twin", time.Minute), old},
		{"another error, then a claim", other, young, other},
		{"a claim, then another error", young, other, other},
		{"two other errors: the first", other, another, other},
	} {
		got := Sooner(now, tc.a, tc.b)
		if got != tc.want {
			t.Errorf("%s: Sooner = %v, want %v", tc.name, got, tc.want)
		}
		if tc.want != nil && errors.Is(tc.want, ErrInProgress) && !errors.Is(got, ErrInProgress) {
			t.Errorf("%s: %v is not ErrInProgress", tc.name, got)
		}
	}
	// Folded over a run's errors, it keeps the claim that frees soonest.
	var err error
	for _, e := range []error{older, young, old} {
		err = Sooner(now, err, e)
	}
	if err != young {
		t.Errorf("folded: %v, want %v", err, young)
	}
}
