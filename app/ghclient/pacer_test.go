package ghclient

import (
	"testing"
	"time"
)

// TestPacerBurst: a quiet installation's first Burst writes go at once, the
// next one per Interval; a quiet spell refills the bucket (no more than
// Burst); the per-minute and per-hour caps hold whatever the bucket holds.
func TestPacerBurst(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := newPacer(PacerConfig{Interval: time.Second, Burst: 3, PerMinute: 80, PerHour: 500, MaxWait: 2 * time.Hour})
	reserve := func(now time.Time) time.Duration {
		t.Helper()
		at, err := p.reserve(now)
		if err != nil {
			t.Fatal(err)
		}
		return at.Sub(t0)
	}
	var got []time.Duration
	for range 5 {
		got = append(got, reserve(t0))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("burst reservations %v, want %v", got, want)
		}
	}
	// Quiet for a minute: the bucket is full again, but holds only 3.
	later := t0.Add(time.Minute)
	for i, w := range []time.Duration{0, 0, 0, time.Second} {
		if at := reserve(later) - time.Minute; at != w {
			t.Fatalf("after a quiet minute, write %d at +%s, want +%s", i, at, w)
		}
	}

	// The caps: with a bucket bigger than GitHub's 80 a minute, the 81st
	// write of a minute still waits for the minute to pass.
	q := newPacer(PacerConfig{Interval: time.Nanosecond, Burst: 1000, PerMinute: 80, PerHour: 500, MaxWait: 2 * time.Hour})
	var last time.Time
	for range 81 {
		at, err := q.reserve(t0)
		if err != nil {
			t.Fatal(err)
		}
		last = at
	}
	if last.Sub(t0) < time.Minute {
		t.Fatalf("81st write of a minute at +%s", last.Sub(t0))
	}
	// The default is a burst of one incident flow's writes.
	c, err := New(Config{AppID: 1, PrivateKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.Pacer.Burst != DefaultPacerBurst || c.cfg.Pacer.Interval != time.Second {
		t.Fatalf("default pacer %+v", c.cfg.Pacer)
	}
}
