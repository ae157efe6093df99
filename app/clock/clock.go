// Package clock is the App's calendar: the one place the App reads the
// date and time its decisions depend on (due dates, reminder steps,
// weekends, escalation, the digest's week, the resync's window). Flows take
// a Func; production passes time.Now; tests and the playground pass an
// Offset they move together with the simulated GitHub's clock, so weeks go
// by without sleeping.
//
// Only the calendar moves. Elapsed-time measures stay on the real clock:
// leases of claims, job timeouts and retries, token refresh, the write
// pacer. They measure how long something has been running, which a jump
// of the calendar does not change.
package clock

import (
	"sync"
	"time"
)

// Func returns the current time.
type Func func() time.Time

// System is the real clock.
func System() time.Time { return time.Now() }

// Or returns f, or System when f is nil.
func Or(f Func) Func {
	if f == nil {
		return System
	}
	return f
}

// Offset is a clock that runs with real time, shifted by an offset that Set
// and Advance change: a test sets it to a Monday morning, then jumps it
// three weeks ahead, and whatever reads it (the App, the simulated GitHub)
// sees the same moment. Safe for concurrent use.
type Offset struct {
	mu sync.Mutex
	d  time.Duration
}

// NewOffset returns a clock that reads start now and runs on from there.
func NewOffset(start time.Time) *Offset {
	c := &Offset{}
	c.Set(start)
	return c
}

// Now is real time plus the offset.
func (c *Offset) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

// Set makes the clock read t now.
func (c *Offset) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d = time.Until(t)
}

// Advance moves the clock forward by d (backward when d < 0).
func (c *Offset) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d += d
}

// Shift is the offset from real time.
func (c *Offset) Shift() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.d
}
