package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/webhook"
)

const (
	flowAppID  = 31
	flowInstID = 310
	flowRepo   = "acme/services"
	flowBot    = "postmortem[bot]"
)

// flowEnv is the simulator, the App's clients (through the conformance
// transport) and the flows on a real SQLite file.
type flowEnv struct {
	t      *testing.T
	ctx    context.Context
	sim    *githubsim.Server
	flows  *Flows
	claims *claims.Store
	alice  *githubsim.Actor
	bob    *githubsim.Actor
	conf   *conformance.Transport
}

type flowEnvOpts struct {
	files map[string]string // extra files in acme/services
	db    *sql.DB           // claims DB (default: a SQLite file)
	dial  string
}

func flowSeed(files map[string]string) *githubsim.Seed {
	return &githubsim.Seed{
		GitHub: githubsim.SeedGitHub{
			Users: []githubsim.SeedUser{{Login: "alice", Name: "Alice"}, {Login: "bob", Name: "Bob"}, {Login: "carol", Name: "Carol"}, {Login: "mallory"}},
			Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}, {Login: "carol"}}}},
			Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "services", Description: "Our services", Files: files}},
			Apps: []githubsim.SeedApp{{
				AppID: flowAppID, Slug: "postmortem", Name: "Postmortem",
				Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
				Events:        []string{"issues", "pull_request", "check_suite", "check_run", "installation", "installation_repositories"},
				Installations: []githubsim.SeedInstallation{{InstallationID: flowInstID, Account: "acme", RepositorySelection: "all"}},
			}},
		},
	}
}

func newFlowEnv(t *testing.T, o flowEnvOpts) *flowEnv {
	t.Helper()
	sim, err := githubsim.New(githubsim.Options{Seed: flowSeed(o.files)})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	t.Cleanup(sim.Close)
	key, err := ghclient.ParsePrivateKey(sim.AppPrivateKey(flowAppID))
	if err != nil {
		t.Fatal(err)
	}
	conf := conformance.NewTransport(t, nil)
	clients, err := ghclient.New(ghclient.Config{
		AppID: flowAppID, PrivateKey: key, APIURL: sim.URL() + "/", Base: conf,
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	db, dial := o.db, o.dial
	if db == nil {
		db, dial = openSQLiteForTest(t, filepath.Join(t.TempDir(), "claims.db"))
	}
	cl := claims.New(sqldb.Wrap(db, dial))
	ctx := context.Background()
	if err := cl.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &flowEnv{
		t: t, ctx: ctx, sim: sim, conf: conf, claims: cl,
		flows: &Flows{Clients: clients, Claims: cl, BotLogin: flowBot},
		alice: sim.As("alice"), bob: sim.As("bob"),
	}
}

func openSQLiteForTest(t *testing.T, path string) (*sql.DB, string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, "sqlite"
}

func (e *flowEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// appCalls are the App's (installation token) calls since mark, as
// "METHOD route" counts.
func (e *flowEnv) appCalls(mark int) (map[string]int, int) {
	calls := e.sim.Calls()
	out := map[string]int{}
	n := 0
	for _, c := range calls[mark:] {
		if c.TokenKind != "installation" {
			continue
		}
		out[c.Route]++
		n++
	}
	return out, n
}

func (e *flowEnv) mark() int { return len(e.sim.Calls()) }

func fmtCalls(m map[string]int) string {
	var ks []string
	for k, v := range m {
		ks = append(ks, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(ks)
	return strings.Join(ks, "\n")
}

// incident is the incident job the webhook would enqueue for issue n: the
// simulator's latest issues delivery about n, routed (with its hints).
func (e *flowEnv) incident(n int) jobs.IncidentArgs {
	e.t.Helper()
	return incidentJobFromDeliveries(e.t, e.sim, n)
}

// incidentBare is the incident job without the delivery's hints, as resync
// enqueues it.
func (e *flowEnv) incidentBare(n int) jobs.IncidentArgs {
	return jobs.IncidentArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", Number: n}
}

// incidentJobFromDeliveries routes the simulator's latest issues delivery
// about issue n and returns its incident job.
func incidentJobFromDeliveries(tb testing.TB, sim *githubsim.Server, n int) jobs.IncidentArgs {
	tb.Helper()
	sim.WaitIdle()
	ds := sim.Deliveries()
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if d.Event != "issues" {
			continue
		}
		js, _, err := webhook.Route(d.Event, d.Payload, flowBot)
		if err != nil {
			tb.Fatalf("route delivery %d: %v", d.ID, err)
		}
		for _, j := range js {
			if a, ok := j.(jobs.IncidentArgs); ok && a.Number == n {
				return a
			}
		}
	}
	tb.Fatalf("no issues delivery routes issue #%d to an incident job", n)
	return jobs.IncidentArgs{}
}

func (e *flowEnv) pr(n int) jobs.PullRequestArgs {
	return jobs.PullRequestArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", Number: n}
}

func (e *flowEnv) followUp(n int) jobs.TrackingArgs {
	return jobs.TrackingArgs{InstallationID: flowInstID, Owner: "acme", Repo: "services", Number: n}
}

func (e *flowEnv) issue(n int) githubsim.Issue {
	for _, is := range e.sim.Issues(flowRepo) {
		if is.Number == n {
			return is
		}
	}
	e.t.Fatalf("no issue #%d", n)
	return githubsim.Issue{}
}

func (e *flowEnv) pulls() []githubsim.Pull { return e.sim.Pulls(flowRepo) }

func (e *flowEnv) commentsWith(n int, marker string) []githubsim.Comment {
	var out []githubsim.Comment
	for _, c := range e.issue(n).Comments {
		if strings.Contains(c.Body, marker) {
			out = append(out, c)
		}
	}
	return out
}

func (e *flowEnv) followUpIssues(incident int) []githubsim.Issue {
	var out []githubsim.Issue
	for _, is := range e.sim.Issues(flowRepo) {
		if strings.Contains(is.Body, fmt.Sprintf("<!-- postmortem:followup incident=%d ", incident)) {
			out = append(out, is)
		}
	}
	return out
}

// openIncident opens a labelled incident assigned to bob.
func (e *flowEnv) openIncident(title string, labels ...string) int {
	e.t.Helper()
	n, err := e.alice.OpenIssue(flowRepo, title, "The checkout API returns 502 for most requests.", labels...)
	e.must(err)
	_, _, err = e.alice.Client.Issues.AddAssignees(e.ctx, "acme", "services", n, []string{"bob"})
	e.must(err)
	return n
}

// fixedPostmortem is a complete, blameless postmortem for incident n.
func fixedPostmortem(n int, actions string) string {
	return fmt.Sprintf(`---
title: "Checkout outage"
incident: %d
severity: SEV2
status: final
started_at: 2026-03-01T13:55:00Z
detected_at: 2026-03-01T14:00:00Z
resolved_at: 2026-03-01T15:10:00Z
authors: [alice]
---

# Postmortem: Checkout outage

## Summary

Checkout returned errors for 75 minutes after a configuration change reduced the connection pool.

## Impact

About 40%% of checkout requests failed between 13:55 and 15:10 UTC.

## Timeline

- 2026-03-01 13:55 UTC — a configuration change reduced the database pool size
- 2026-03-01 14:00 UTC — the error-rate alert fired and the on-call engineer was paged
- 2026-03-01 15:10 UTC — the change was rolled back and errors stopped

## Root cause

The configuration pipeline accepted a pool size of 2 because it had no validation for that field.

## Resolution

The configuration was rolled back; the pool recovered within a minute.

## Follow-ups

%s
`, n, actions)
}

const threeActions = `- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
- [ ] Add an alert on connection pool saturation (owner: @bob, due: 2026-04-15, priority: P2) #observability
- [ ] Document the rollback runbook (owner: @acme/sre, due: 2026-05-01)
`

// waitFor polls cond up to d.
func flowWaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var _ = http.StatusOK
