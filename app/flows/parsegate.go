package flows

import (
	"context"
	"fmt"

	"golang.org/x/sync/semaphore"
)

// DefaultParseBytes bounds the postmortem source the flows parse (lint,
// read for follow-ups, for the record, to add a timeline entry) at once in
// one process, across all jobs: a crafted megabyte peaks at up to ~113 MB
// of heap while parsed and checked (docs/BENCHMARKS.md, Hostile Markdown),
// so four workers each on one would hold ~450 MB, past the pod's 256 MiB.
// Ordinary files are a few kilobytes and go through together; a file of
// a megabyte waits for the others and is parsed alone.
const DefaultParseBytes = 1 << 20

// parseSlot waits until n bytes of source may be parsed (at most the
// gate's whole size, so a larger file is parsed alone) or ctx is done;
// release gives them back.
func (f *Flows) parseSlot(ctx context.Context, n int) (release func(), err error) {
	f.parseOnce.Do(func() {
		f.parseLimit = int64(f.ParseBytes)
		if f.parseLimit <= 0 {
			f.parseLimit = DefaultParseBytes
		}
		f.parseGate = semaphore.NewWeighted(f.parseLimit)
	})
	w := min(max(int64(n), 1), f.parseLimit)
	if err := f.parseGate.Acquire(ctx, w); err != nil {
		return nil, fmt.Errorf("waiting to parse %d bytes: %w", n, err)
	}
	return func() { f.parseGate.Release(w) }, nil
}
