package ghclient

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// BenchmarkClientsWarm1000: the memory the App holds for 1 000 installations
// with their clients, tokens and response caches warm (each has read its
// repository and its .github/postmortem.yml, so two cached responses).
// Run with -benchtime=1x, on Linux (it reads /proc/self/status).
//
// The simulated GitHub runs in a child process (TestHelperMemorySim), so this
// process holds only the App's side and its resident set means something:
//
//   - heap-MB: live heap after GC, minus the one before New;
//     KB/installation divides it by the clients held.
//   - rss-MB: VmRSS after GC and debug.FreeOSMemory, with the clients
//     warm (absolute: Go runtime, touched text of the test binary, stacks,
//     heap and its free spans); rss-anon-MB: its anonymous part (RssAnon:
//     all but the binary's mapped pages); rss-delta-MB: VmRSS minus the one
//     before New, measured the same way.
//   - peak-rss-MB: VmHWM while warming (reset before New through
//     /proc/self/clear_refs; left out where the kernel refuses), garbage
//     not yet collected included.
//
// max=1024 is the default Config.MaxInstallations (all 1 000 held);
// max=256 shows the bound: the least recently used are evicted with their
// caches and 256 stay. Each runs after the other in the same process: for a
// sub-benchmark's absolute rss-MB alone, select it with -bench.
func BenchmarkClientsWarm1000(b *testing.B) {
	const n = 1000
	if _, err := procStatus(); err != nil {
		b.Skipf("resident memory needs Linux's /proc/self/status: %v", err)
	}
	url, key := startMemorySim(b, n)
	for _, limit := range []int{1024, 256} {
		b.Run(fmt.Sprintf("max=%d", limit), func(b *testing.B) {
			want := min(n, limit)
			ctx := context.Background()
			for b.Loop() {
				heapBefore := liveHeap()
				debug.FreeOSMemory()
				before, err := procStatus()
				if err != nil {
					b.Fatal(err)
				}
				peakReset := resetPeakRSS()
				clients, err := New(Config{AppID: memoryAppID, PrivateKey: key, APIURL: url + "/", MaxInstallations: limit,
					Pacer: PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20}})
				if err != nil {
					b.Fatal(err)
				}
				for i := range n {
					gh, err := clients.Installation(int64(10000 + i))
					if err != nil {
						b.Fatal(err)
					}
					org := fmt.Sprintf("org%d", i)
					if _, _, err := gh.Repositories.Get(ctx, org, "services"); err != nil {
						b.Fatal(err)
					}
					if _, _, _, err := gh.Repositories.GetContents(ctx, org, "services", ".github/postmortem.yml", nil); err != nil {
						b.Fatal(err)
					}
				}
				held := clients.Len()
				if held != want {
					b.Fatalf("%d clients held, want %d", held, want)
				}
				heapAfter := liveHeap()
				debug.FreeOSMemory()
				after, err := procStatus()
				if err != nil {
					b.Fatal(err)
				}
				var cached int64
				for _, e := range clients.byID {
					cached += e.Value.(*installationClient).cache.Bytes()
				}
				b.ReportMetric(float64(held), "held")
				b.ReportMetric(float64(heapAfter-heapBefore)/(1<<20), "heap-MB")
				b.ReportMetric(float64(heapAfter-heapBefore)/1024/float64(held), "KB/installation")
				b.ReportMetric(float64(cached)/1024/float64(held), "cache-KB/installation")
				b.ReportMetric(float64(after.RSS)/(1<<20), "rss-MB")
				b.ReportMetric(float64(after.Anon)/(1<<20), "rss-anon-MB")
				b.ReportMetric((float64(after.RSS)-float64(before.RSS))/(1<<20), "rss-delta-MB")
				if peakReset {
					b.ReportMetric(float64(after.HWM)/(1<<20), "peak-rss-MB")
				} else {
					b.Log("VmHWM could not be reset (/proc/self/clear_refs): peak-rss-MB left out")
				}
				runtime.KeepAlive(clients)
			}
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
