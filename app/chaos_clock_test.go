package app

import (
	"path/filepath"
	"testing"
	"time"
)

// TestClockFileIsReadWhole: the reminders' scenario moves the calendar of
// its replicas (in this process or children) by rewriting the clock file
// while their passes read it. A read must never see the file half written:
// an empty file read as no offset, the real date, months past the
// scenario's, and the pass that read it posted reminder steps and
// escalations no day owes (TestChaosReminders then waited its whole 90 s
// for problems that never go away, and timed out).
func TestClockFileIsReadWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	shift := -300 * 24 * time.Hour // the scenario's calendar, far from the real date
	if err := writeClockFile(path, shift); err != nil {
		t.Fatal(err)
	}
	now := fileClock(path)
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			// The days move: the offset grows by an hour and back.
			if err := writeClockFile(path, shift+time.Duration(i%2)*time.Hour); err != nil {
				done <- err
				return
			}
		}
	}()
	reads, wrong := 0, 0
	for end := time.Now().Add(time.Second); time.Now().Before(end); reads++ {
		if d := now().Sub(time.Now().Add(shift)); d < -time.Minute || d > time.Hour+time.Minute {
			wrong++
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if wrong > 0 {
		t.Errorf("%d of %d reads of the clock file while the test rewrote it were not the scenario's calendar (a half-written file read as the real date)", wrong, reads)
	}
}
