package app

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
)

// githubLatency is what the simulator adds to every call in the reviewer's
// wait benchmarks.
const githubLatency = 50 * time.Millisecond

// Critical paths, in calls that truly depend on each other (independent
// calls in parallel); see docs/BENCHMARKS.md for the graph.
const (
	// incident: [issue, config, comments, timeline, matching refs, repo] →
	// branch (needs the default branch's name) → tree → commit → ref → pull
	// → [reviewers, 2 check runs, pointer comment].
	criticalIncident = 7
	// incident, the job carrying the default branch's name from the
	// delivery (no GET repository first): [issue, config, comments,
	// timeline, matching refs, branch] → tree → commit → ref → pull →
	// [reviewers, 2 check runs, pointer comment].
	criticalIncidentHinted = 6
	// push: [pull, files, config] → contents of the postmortem at the head →
	// [2 check runs].
	criticalPush = 3
)

type waitEnv struct {
	sim   *githubsim.Server
	flows *flows.Flows
	alice *githubsim.Actor
}

func newWaitEnv(b *testing.B, pacer ghclient.PacerConfig) *waitEnv {
	sim, key := startSim(b, githubsim.Options{Seed: flowSeed(map[string]string{".github/postmortem.yml": "close_incident: true\n"})})
	clients, err := ghclient.New(ghclient.Config{AppID: flowAppID, PrivateKey: key, APIURL: sim.URL() + "/", Pacer: pacer})
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "claims.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cl := claims.New(sqldb.Wrap(db, "sqlite"))
	if err := cl.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return &waitEnv{sim: sim, flows: &flows.Flows{Clients: clients, Claims: cl, BotLogin: flowBot}, alice: sim.As("alice")}
}

func (e *waitEnv) slow(on bool) {
	e.sim.Faults().Clear()
	if on {
		e.sim.Faults().Add(githubsim.Fault{Route: "*", Kind: githubsim.Latency, Latency: githubLatency})
	}
}

// BenchmarkReviewerWait: the time from the incident label to the postmortem
// pull request (with both checks of the draft), and from a push to both
// check runs completed, each GitHub call taking 50 ms more, against the
// critical path of dependent calls. pacer=off is the flows alone;
// pacer=default adds the write pacing (a burst of DefaultPacerBurst
// writes, then one a second); pacer=strict every write at least 1 s after
// the last, as before the burst.
func BenchmarkReviewerWait(b *testing.B) {
	for _, pc := range []struct {
		name  string
		pacer ghclient.PacerConfig
		quiet time.Duration // untimed pause before each label (the bucket refills)
	}{
		{"pacer=off", ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20}, 0},
		{"pacer=default", ghclient.PacerConfig{}, 0},
		// A quiet installation: its bucket full when the label comes.
		{"pacer=default,quiet", ghclient.PacerConfig{}, ghclient.DefaultPacerBurst * time.Second},
		{"pacer=strict", ghclient.PacerConfig{Burst: 1}, 0}, // the pacer before the burst: every write 1 s after the last
	} {
		b.Run(pc.name, func(b *testing.B) {
			e := newWaitEnv(b, pc.pacer)
			ctx := context.Background()
			var label, push time.Duration
			var labelCalls, pushCalls int
			for i := 0; b.Loop(); i++ {
				if pc.quiet > 0 {
					b.StopTimer()
					time.Sleep(pc.quiet)
					b.StartTimer()
				}
				e.slow(false)
				n, err := e.alice.OpenIssue(flowRepo, fmt.Sprintf("Outage %d", i), "The API returns 502.", "incident", "sev2")
				if err != nil {
					b.Fatal(err)
				}
				args := incidentJobFromDeliveries(b, e.sim, n) // as the webhook routes it
				e.slow(true)
				mark := len(e.sim.Calls())
				t0 := time.Now()
				res, err := e.flows.Incident(ctx, args)
				label += time.Since(t0)
				labelCalls += len(e.sim.Calls()) - mark
				if err != nil || res.PullRequest == 0 || res.Checks == nil {
					b.Fatalf("incident: %+v, %v", res, err)
				}
				e.slow(false)
				if _, err := e.alice.EditFile(flowRepo, res.PullRequest, res.Path, fixedPostmortem(n, threeActions), "Write"); err != nil {
					b.Fatal(err)
				}
				e.slow(true)
				mark = len(e.sim.Calls())
				t0 = time.Now()
				pres, err := e.flows.PullRequest(ctx, jobs.PullRequestArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", Number: res.PullRequest}, false)
				push += time.Since(t0)
				pushCalls += len(e.sim.Calls()) - mark
				if err != nil || pres.Blameless.ID == 0 || !strings.Contains(pres.Completeness.Conclusion, "success") {
					b.Fatalf("push: %+v, %v", pres, err)
				}
			}
			e.slow(false)
			n := float64(b.N)
			lat := float64(githubLatency.Milliseconds())
			b.ReportMetric(label.Seconds()*1e3/n, "label-to-PR-ms")
			b.ReportMetric(float64(labelCalls)/n, "label-calls")
			b.ReportMetric(lat*criticalIncident, "label-critical-ms")
			b.ReportMetric(lat*criticalIncidentHinted, "label-hinted-critical-ms")
			b.ReportMetric(push.Seconds()*1e3/n, "push-to-checks-ms")
			b.ReportMetric(float64(pushCalls)/n, "push-calls")
			b.ReportMetric(lat*criticalPush, "push-critical-ms")
		})
	}
}
