// Package flowtest is test support (only tests import it): a simulated
// GitHub seeded for the flows (acme/services, people alice, bob, carol and
// mallory, the App installed on acme), the App's clients to it through the
// conformance transport, and claims on a real SQLite file.
package flowtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/watch"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// The seeded App, its installation, repository and bot.
const (
	AppID  = 31
	InstID = 310
	Repo   = "acme/services"
	Bot    = "postmortem[bot]"
)

// Env is the simulator, the App's clients (through the conformance
// transport) and claims on a real SQLite file.
type Env struct {
	T       *testing.T
	Ctx     context.Context
	Sim     *githubsim.Server
	Clients *ghclient.Clients
	Claims  *claims.Store
	Watch   *watch.Store // the reminder pass's watch list, on the claims' database
	Alice   *githubsim.Actor
	Bob     *githubsim.Actor
	Conf    *conformance.Transport
	// Clock is the calendar GitHub and the App share (NewAt), nil for New.
	Clock *clock.Offset
}

// Seed is the flows' GitHub, with files added to acme/services.
func Seed(files map[string]string) *githubsim.Seed {
	return &githubsim.Seed{
		GitHub: githubsim.SeedGitHub{
			Users: []githubsim.SeedUser{{Login: "alice", Name: "Alice"}, {Login: "bob", Name: "Bob"}, {Login: "carol", Name: "Carol"}, {Login: "mallory"}},
			Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}, {Login: "carol"}}}},
			Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "services", Description: "Our services", Files: files}},
			Apps: []githubsim.SeedApp{{
				AppID: AppID, Slug: "postmortem", Name: "Postmortem",
				Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read", "deployments": "read", "actions": "read"},
				Events:        []string{"issues", "issue_comment", "pull_request", "check_suite", "check_run", "repository", "installation", "installation_repositories"},
				Installations: []githubsim.SeedInstallation{{InstallationID: InstID, Account: "acme", RepositorySelection: "all"}},
			}},
		},
	}
}

// New starts the simulator seeded with files in acme/services.
func New(t *testing.T, files map[string]string) *Env {
	t.Helper()
	return NewAt(t, files, nil)
}

// NewAt is New with a calendar the test moves (nil: real time): the
// simulator's timestamps read it; credentials stay on real time.
func NewAt(t *testing.T, files map[string]string, clk *clock.Offset) *Env {
	t.Helper()
	return NewSeeded(t, Seed(files), clk)
}

// NewSeeded is NewAt on a seed of the test's (Seed with more repositories,
// say; the App and installation as Seed has them).
func NewSeeded(t *testing.T, seed *githubsim.Seed, clk *clock.Offset) *Env {
	t.Helper()
	o := githubsim.Options{Seed: seed}
	if clk != nil {
		o.Clock, o.AuthClock = clk.Now, time.Now
	}
	sim, err := githubsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	t.Cleanup(sim.Close)
	conf := conformance.NewTransport(t, nil)
	clients := Clients(t, sim, conf)
	db := sqldb.Wrap(OpenSQLite(t, filepath.Join(t.TempDir(), "claims.db")), "sqlite")
	cl := claims.New(db)
	ctx := context.Background()
	if err := cl.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	wl := watch.New(db)
	if err := wl.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, Ctx: ctx, Sim: sim, Clients: clients, Claims: cl, Watch: wl, Conf: conf, Alice: sim.As("alice"), Bob: sim.As("bob"), Clock: clk}
}

// Clients are the App's clients of sim, their requests through base, paced
// for tests (no wait worth the name).
func Clients(t testing.TB, sim *githubsim.Server, base http.RoundTripper) *ghclient.Clients {
	t.Helper()
	key, err := ghclient.ParsePrivateKey(sim.AppPrivateKey(AppID))
	if err != nil {
		t.Fatal(err)
	}
	clients, err := ghclient.New(ghclient.Config{
		AppID: AppID, PrivateKey: key, APIURL: sim.URL() + "/", Base: base,
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return clients
}

// OpenSQLite opens a SQLite file with several connections (WAL, a busy
// timeout), closed when the test ends.
func OpenSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Must fails the test on err.
func (e *Env) Must(err error) {
	e.T.Helper()
	if err != nil {
		e.T.Fatal(err)
	}
}

// AppCalls are the App's (installation token) calls since mark, as
// "METHOD route" counts, and their number.
func (e *Env) AppCalls(mark int) (map[string]int, int) {
	calls := e.Sim.Calls()
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

// Mark is the number of calls the simulator saw so far.
func (e *Env) Mark() int { return len(e.Sim.Calls()) }

// FmtCalls lists call counts one per line.
func FmtCalls(m map[string]int) string {
	var ks []string
	for k, v := range m {
		ks = append(ks, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(ks)
	return strings.Join(ks, "\n")
}

// Incident is the incident job the webhook would enqueue for issue n: the
// simulator's latest issues delivery about n, routed (with its hints).
func (e *Env) Incident(n int) jobs.IncidentArgs {
	e.T.Helper()
	return IncidentJobFromDeliveries(e.T, e.Sim, n)
}

// IncidentBare is the incident job without the delivery's hints, as
// resync enqueues it.
func (e *Env) IncidentBare(n int) jobs.IncidentArgs {
	return jobs.IncidentArgs{InstallationID: InstID, Owner: "acme", Repo: "services", Number: n}
}

// IncidentJobFromDeliveries routes the simulator's latest issues delivery
// about issue n and returns its incident job.
func IncidentJobFromDeliveries(tb testing.TB, sim *githubsim.Server, n int) jobs.IncidentArgs {
	tb.Helper()
	sim.WaitIdle()
	ds := sim.Deliveries()
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if d.Event != "issues" {
			continue
		}
		js, _, err := webhook.Route(d.Event, d.Payload, Bot)
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

// Command comments body on issue n as actor and returns the command job
// the webhook routes its issue_comment delivery to (ok false: none).
func (e *Env) Command(actor *githubsim.Actor, n int, body string) (jobs.CommandArgs, bool) {
	e.T.Helper()
	id, err := actor.Comment(Repo, n, body)
	e.Must(err)
	return CommandJob(e.T, e.Sim, id)
}

// CommandJob routes the simulator's issue_comment delivery of comment id
// (ok false: it routes to no command job).
func CommandJob(tb testing.TB, sim *githubsim.Server, id int64) (jobs.CommandArgs, bool) {
	tb.Helper()
	sim.WaitIdle()
	for _, d := range sim.Deliveries() {
		if d.Event != "issue_comment" || !strings.Contains(string(d.Payload), fmt.Sprintf(`"id":%d,`, id)) {
			continue
		}
		js, _, err := webhook.Route(d.Event, d.Payload, Bot)
		if err != nil {
			tb.Fatalf("route delivery %d: %v", d.ID, err)
		}
		for _, j := range js {
			if a, ok := j.(jobs.CommandArgs); ok && a.CommentID == id {
				return a, true
			}
		}
	}
	return jobs.CommandArgs{}, false
}

// PR is the pull request job of pull request n.
func (e *Env) PR(n int) jobs.PullRequestArgs {
	return jobs.PullRequestArgs{InstallationID: InstID, Owner: "acme", Repo: "services", Number: n}
}

// Remind is the reminder pass of acme/services.
func (e *Env) Remind() jobs.RemindArgs {
	return jobs.RemindArgs{InstallationID: InstID, Owner: "acme", Repo: "services"}
}

// Tracking is the tracking job of follow-up issue n, as the webhook
// routes its issues delivery (with the repository's id).
func (e *Env) Tracking(n int) jobs.TrackingArgs {
	return jobs.TrackingArgs{InstallationID: InstID, Owner: "acme", Repo: "services", RepoID: e.Sim.RepoID(Repo), Number: n}
}

// Issue is issue n of acme/services.
func (e *Env) Issue(n int) githubsim.Issue {
	for _, is := range e.Sim.Issues(Repo) {
		if is.Number == n {
			return is
		}
	}
	e.T.Fatalf("no issue #%d", n)
	return githubsim.Issue{}
}

// Pulls are acme/services's pull requests.
func (e *Env) Pulls() []githubsim.Pull { return e.Sim.Pulls(Repo) }

// CommentsWith are issue n's comments carrying marker.
func (e *Env) CommentsWith(n int, marker string) []githubsim.Comment {
	var out []githubsim.Comment
	for _, c := range e.Issue(n).Comments {
		if strings.Contains(c.Body, marker) {
			out = append(out, c)
		}
	}
	return out
}

// FollowUpIssues are the follow-up issues of incident.
func (e *Env) FollowUpIssues(incident int) []githubsim.Issue {
	var out []githubsim.Issue
	for _, is := range e.Sim.Issues(Repo) {
		if strings.Contains(is.Body, fmt.Sprintf("<!-- postmortem:followup incident=%d ", incident)) {
			out = append(out, is)
		}
	}
	return out
}

// OpenIncident opens a labelled incident assigned to bob.
func (e *Env) OpenIncident(title string, labels ...string) int {
	e.T.Helper()
	n, err := e.Alice.OpenIssue(Repo, title, "The checkout API returns 502 for most requests.", labels...)
	e.Must(err)
	_, _, err = e.Alice.Client.Issues.AddAssignees(e.Ctx, "acme", "services", n, []string{"bob"})
	e.Must(err)
	return n
}

// FixedPostmortem is a complete, blameless postmortem for incident n.
func FixedPostmortem(n int, actions string) string {
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

// ThreeActions are three action items, one owned by a team.
const ThreeActions = `- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
- [ ] Add an alert on connection pool saturation (owner: @bob, due: 2026-04-15, priority: P2) #observability
- [ ] Document the rollback runbook (owner: @acme/sre, due: 2026-05-01)
`

// mergedPostmortem opens a postmortem PR by hand (as a person would) with
// the given action items and merges it.
func (e *Env) MergedPostmortem(incident int, actions string) int {
	e.T.Helper()
	branch := "postmortem/" + strconv.Itoa(incident) + "-by-hand"
	_, err := e.Alice.PushFiles(Repo, branch, map[string]string{
		"postmortems/2026-03-01-checkout.md": FixedPostmortem(incident, actions),
	}, "Postmortem")
	e.Must(err)
	pr, err := e.Alice.OpenPR(Repo, branch, "main", "Postmortem", "Postmortem of #"+strconv.Itoa(incident)+"\n\n"+fmt.Sprintf("<!-- postmortem:incident=%d -->", incident))
	e.Must(err)
	_, err = e.Bob.MergePR(Repo, pr, "merge")
	e.Must(err)
	return pr
}

// WaitFor polls cond up to d.
func WaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
