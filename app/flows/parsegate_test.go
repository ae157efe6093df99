package flows

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/checks"
)

// lintDraft runs lintFiles on src as the run's own draft (no GitHub read).
func lintDraft(ctx context.Context, r *run, src []byte) ([]checks.Finding, error) {
	const path = "postmortems/2026-03-01-x.md"
	drafted := &draftedFile{commit: "abc", path: path, src: src}
	changed := []*github.CommitFile{{Filename: github.String(path), Status: github.String("added")}}
	checked, err := r.lintFiles(ctx, "abc", changed, drafted, checks.DefaultConfig().Options(nil), &PullRequestResult{})
	if err != nil {
		return nil, err
	}
	return checked[0].Findings, nil
}

// Issue 13: a crafted megabyte peaks at ~113 MB of heap while linted, and
// four workers could lint four at once (~450 MB; the pod has 256 MiB).
// The flows parse at most ParseBytes (default 1 MiB) of source at once,
// across jobs: while the gate is full a lint waits (and gives up with its
// job's context), small files share what is left, and a file as large as
// the gate waits for all of it.
func TestParseGate(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	r, err := e.flows.newRun(flowInstID, "acme", "services", 0)
	e.must(err)
	small := []byte("## Summary\n\nThe cache was cold.\n")
	big := []byte("## Summary\n\n" + strings.Repeat("The cache was cold again.\n", (1<<20)/26))

	hold, err := e.flows.parseSlot(e.ctx, DefaultParseBytes-4096) // another job's megabyte
	e.must(err)
	if _, err := lintDraft(e.ctx, r, small); err != nil {
		t.Fatalf("a small file beside it: %v", err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	_, err = lintDraft(ctx, r, big)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting to parse") {
		t.Fatalf("a megabyte while the gate is full: error %v, want it to wait until the job's deadline", err)
	}
	done := make(chan error, 1)
	go func() { _, err := lintDraft(e.ctx, r, big); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("the megabyte was linted while the gate was full (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	hold()
	if err := <-done; err != nil {
		t.Fatalf("the megabyte once the gate is free: %v", err)
	}
}

// BenchmarkConcurrentHostileLints lints four crafted megabytes (headings,
// timeline entries and action items: the most heap of BenchmarkLintHostile)
// from four goroutines, as four workers would, with the default gate and
// with a gate of 64 MiB (none, in effect), and reports the peak heap.
func BenchmarkConcurrentHostileLints(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("# T\n\n")
	for i := 0; sb.Len() < 1<<20; i++ {
		sb.WriteString([]string{"## Timeline", "- 14:00 x", "## Action items", "- [ ] a"}[i%4] + "\n")
	}
	src := []byte(sb.String())
	for _, gate := range []int{0, 64 << 20} {
		b.Run(fmt.Sprintf("gate=%d", gate), func(b *testing.B) {
			r := &run{f: &Flows{ParseBytes: gate}} // lintDraft reads nothing from GitHub
			var peak uint64
			for b.Loop() {
				peak = max(peak, heapPeak(func() {
					var wg sync.WaitGroup
					for range 4 {
						wg.Go(func() {
							if _, err := lintDraft(context.Background(), r, src); err != nil {
								b.Error(err)
							}
						})
					}
					wg.Wait()
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}

// heapPeak runs fn and returns the most heap in use above the collected
// start, sampled every millisecond.
func heapPeak(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-tk.C:
				peak = max(peak, read())
			}
		}
	}()
	fn()
	close(stop)
	peak := <-done
	if peak < base {
		return 0
	}
	return peak - base
}
