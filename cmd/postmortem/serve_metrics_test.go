package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// get is a GET's status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// POSTMORTEM_METRICS_ADDR (--metrics-addr) moves GET /metrics to its own
// address: the real binary serves it there and no longer on the public
// port (the metrics name repositories, private ones too), which keeps
// /webhook, /healthz and /readyz. Without it /metrics is on the public port.
// The metrics carry the build and the queue's depth, read from the database.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	bin := buildBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := l.Addr().String()
	l.Close()
	env := map[string]string{
		"GITHUB_APP_ID": "42", "GITHUB_APP_PRIVATE_KEY_PATH": writeKey(t), "GITHUB_WEBHOOK_SECRET": "s",
		"GITHUB_API_URL": "http://127.0.0.1:1/", "GITHUB_APP_SLUG": "postmortem",
		"DATABASE_URL": filepath.Join(t.TempDir(), "q.db"), "POSTMORTEM_METRICS_ADDR": metricsAddr,
	}
	args := []string{"--redeliver=false", "--resync-interval=0", "--reminder-interval=0"}
	addr := startReplica(t, bin, env, args...).listening(t, 30*time.Second)
	if code, _ := get(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("public /metrics with a metrics address: %d, want 404", code)
	}
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Fatalf("public /healthz: %d", code)
	}
	if code, body := get(t, "http://"+metricsAddr+"/metrics"); code != http.StatusOK || !strings.Contains(body, "postmortem_webhooks_total") && !strings.Contains(body, "postmortem_") {
		t.Fatalf("/metrics on %s: %d\n%.300s", metricsAddr, code, body)
	}
	_, body := get(t, "http://"+metricsAddr+"/metrics")
	// postmortem_build_info says what `postmortem version` says
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := regexp.MustCompile(`^postmortem (\S+) \((?:commit ([0-9a-f]+))?`).FindStringSubmatch(string(out))
	if v == nil {
		t.Fatalf("version: %q", out)
	}
	info := fmt.Sprintf(`postmortem_build_info{commit=%q,goversion=%q,version=%q} 1`, v[2], runtime.Version(), v[1])
	for _, want := range []string{info, `postmortem_queue_jobs{state="available"} `,
		"postmortem_queue_oldest_job_seconds ", "postmortem_metrics_database_up 1"} {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("the binary's /metrics has no %q", want)
		}
	}
	if code, _ := get(t, "http://"+metricsAddr+"/healthz"); code != http.StatusNotFound {
		t.Fatalf("/healthz on the metrics address: %d, want 404", code)
	}

	delete(env, "POSTMORTEM_METRICS_ADDR")
	env["DATABASE_URL"] = filepath.Join(t.TempDir(), "q.db")
	addr = startReplica(t, bin, env, args...).listening(t, 30*time.Second)
	if code, body := get(t, "http://"+addr+"/metrics"); code != http.StatusOK || !strings.Contains(body, "postmortem_") {
		t.Fatalf("public /metrics without a metrics address: %d", code)
	}
}
