package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// metricLines are the lines of a replica's /metrics that start with one of prefixes.
func metricLines(t *testing.T, addr string, prefixes ...string) string {
	t.Helper()
	code, body := get(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics on %s: %d", addr, code)
	}
	var out []string
	for _, l := range strings.Split(body, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestReplicasReportTheSameGauges: two `postmortem serve` processes of the real binary on one
// PostgreSQL database. The follow-ups one replica's tracking job recorded (rows of
// postmortem_followups, as the job writes them) are reported alike by both, overdue counted
// against today; once they are closed (the rows gone) neither reports the incident, so the
// overdue alert clears whichever replica Prometheus asks. The queue's depth is alike too.
func TestReplicasReportTheSameGauges(t *testing.T) {
	bin := buildBinary(t)
	sim, keyPath := appSim(t, 9, 90)
	dbURL := freshDatabase(t)
	env := map[string]string{
		"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath, "GITHUB_WEBHOOK_SECRET": "s3cret",
		"GITHUB_API_URL": sim.URL() + "/", "DATABASE_URL": dbURL,
	}
	var addrs []string
	for range 2 {
		r := startReplica(t, bin, env, "--resync-interval", "0", "--reminder-interval", "0", "--redeliver=false")
		r.waitReady(t, 60*time.Second)
		addrs = append(addrs, r.listening(t, time.Second))
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO postmortem_followups (installation_id, repo, incident, number, due) VALUES
		(90, 'acme/web', 5, 6, '2001-01-01'), (90, 'acme/web', 5, 7, '2999-01-01'), (90, 'acme/web', 5, 8, '')`); err != nil {
		t.Fatal(err)
	}
	want := `postmortem_followups_open{incident="5",repository="acme/web"} 3` + "\n" +
		`postmortem_followups_overdue{incident="5",repository="acme/web"} 1`
	for _, a := range addrs {
		if got := metricLines(t, a, "postmortem_followups_"); got != want {
			t.Errorf("replica %s reports\n%s\nwant\n%s", a, got, want)
		}
	}
	if _, err := conn.Exec(ctx, `DELETE FROM postmortem_followups WHERE incident = 5`); err != nil {
		t.Fatal(err)
	}
	q0 := metricLines(t, addrs[0], "postmortem_queue_jobs")
	for _, a := range addrs {
		if got := metricLines(t, a, "postmortem_followups_"); got != "" {
			t.Errorf("replica %s still reports closed follow-ups:\n%s", a, got)
		}
		if got := metricLines(t, a, "postmortem_queue_jobs"); got != q0 || !strings.Contains(got, `postmortem_queue_jobs{state="available"}`) {
			t.Errorf("replica %s queue depth\n%s\nother replica\n%s", a, got, q0)
		}
	}
}
