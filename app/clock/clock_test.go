package clock

import (
	"testing"
	"time"
)

func TestOffsetMovesTogether(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := NewOffset(start)
	read := Func(c.Now) // what the App and the simulator hold
	if d := read().Sub(start); d < 0 || d > time.Minute {
		t.Fatalf("just set: %s from start", d)
	}
	c.Advance(21 * 24 * time.Hour)
	if got := read().Sub(start); got < 21*24*time.Hour || got > 21*24*time.Hour+time.Minute {
		t.Fatalf("after three weeks: %s from start", got)
	}
	c.Set(start)
	if d := read().Sub(start); d < 0 || d > time.Minute {
		t.Fatalf("set back: %s", d)
	}
	if Or(nil)().IsZero() || Or(read)().Before(start) {
		t.Fatal("Or")
	}
}
