package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkServeForgedDeliveries is `make bench-serve-memory`: the real
// binary's `serve` (SQLite, its defaults) takes 8 concurrent forged 24 MB
// deliveries (valid headers, a signature that does not match), twice, and
// the benchmark reports the process's peak resident set (VmHWM, Linux only)
// and how the deliveries were answered (401 read and refused, 503 over the
// in-flight budget). A figure, not a test: docs/BENCHMARKS.md §1 keeps it.
func BenchmarkServeForgedDeliveries(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc/PID/status")
	}
	bin := buildBinary(b)
	dir := b.TempDir()
	env := map[string]string{
		"GITHUB_APP_ID":               "42",
		"GITHUB_APP_PRIVATE_KEY_PATH": writeKey(b),
		"GITHUB_WEBHOOK_SECRET":       "the-real-secret",
		"DATABASE_URL":                filepath.Join(dir, "q.db"),
		"GITHUB_API_URL":              "http://127.0.0.1:1/", // GitHub unreachable: nothing but ingest
		"GITHUB_APP_SLUG":             "postmortem",
	}
	if v := os.Getenv("POSTMORTEM_BENCH_MAX_INFLIGHT"); v != "" {
		env["POSTMORTEM_WEBHOOK_MAX_INFLIGHT"] = v
	}
	const size, senders, rounds = 24 << 20, 8, 2
	for i := 0; i < b.N; i++ {
		r := startReplica(b, bin, env, "--redeliver=false", "--resync-interval=0", "--reminder-interval=0")
		addr := r.listening(b, 60*time.Second)
		pid := r.cmd.Process.Pid
		start := status(b, pid, "VmRSS")
		codes := map[int]int{}
		var mu sync.Mutex
		for round := 0; round < rounds; round++ {
			var wg sync.WaitGroup
			for s := 0; s < senders; s++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code := forge(b, addr, size)
					mu.Lock()
					codes[code]++
					mu.Unlock()
				}()
			}
			wg.Wait()
		}
		peak := status(b, pid, "VmHWM")
		b.ReportMetric(float64(start)/1e6, "MB-RSS-start")
		b.ReportMetric(float64(peak)/1e6, "MB-RSS-peak")
		b.ReportMetric(float64(codes[401]), "answered-401")
		b.ReportMetric(float64(codes[503]), "answered-503")
		b.ReportMetric(float64(codes[-1]), "no-answer")
		for c := range codes {
			if c != 401 && c != 503 && c != -1 {
				b.Fatalf("answers %v: a forged delivery got %d", codes, c)
			}
		}
		r.cmd.Process.Kill()
		<-r.exited
	}
}

// forge sends one forged delivery of n bytes (generated as it is sent, so
// the sender holds none of it) and returns the answer's status.
func forge(b *testing.B, addr string, n int64) int {
	body := io.LimitReader(repeat('x'), n)
	req, _ := http.NewRequest("POST", "http://"+addr+"/webhook", body)
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("ab", 32))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1 // the connection failed without an answer
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// status reads a kB field of /proc/PID/status, in bytes.
func status(b *testing.B, pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
