package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/watch"
)

// The chaos suite's reminders: twelve open follow-ups, three replicas on
// one PostgreSQL schema running the periodic reminder pass every 200 ms
// while the test walks the calendar through six weekdays, enqueuing passes
// of its own too (in bursts, with duplicates, in "duplicates"), and killing
// replicas mid-pass with SIGKILL (in "kill"). Each reminder step of each
// follow-up, each escalation and each overdue label must appear exactly
// once.
func TestChaosReminders(t *testing.T) {
	seed := chaosSeed(t)
	for i, m := range []chaosMode{{name: "duplicates", duplicates: true}, {name: "replicas"}, {name: "kill", kill: true}} {
		t.Run(m.name, func(t *testing.T) { runChaosReminders(t, m, seed+uint64(100+i)) })
	}
}

// remindDays are the passes' days (weekdays: the weekend rule is the flow
// tests'), and remindDues the follow-ups' due dates.
var (
	remindDays = []string{"2026-03-02", "2026-03-04", "2026-03-09", "2026-03-11", "2026-03-16", "2026-03-23"}
	remindDues = []string{"2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10",
		"2026-03-11", "2026-03-12", "2026-03-13", "2026-03-16", "2026-03-18", "2026-04-30"}
)

// expectedStep is the test's own model of the steps (3 days before, the
// day, every week after): the step a pass on day owes for due, "" none.
func expectedStep(day, due string) string {
	d0, _ := time.Parse("2006-01-02", day)
	d1, _ := time.Parse("2006-01-02", due)
	late := int(d0.Sub(d1).Hours() / 24)
	switch {
	case late < -3:
		return ""
	case late < 0:
		return "soon"
	case late < 7:
		return "due"
	}
	return fmt.Sprintf("overdue-%d", late/7)
}

func runChaosReminders(t *testing.T, mode chaosMode, seed uint64) {
	db := newTestDB(t, "postgres")
	e := &chaosEnv{t: t, mode: mode, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	e.proxy = &hookProxy{targets: make([]string, 3), client: &http.Client{Timeout: 10 * time.Second}}
	ps := httptest.NewServer(e.proxy)
	t.Cleanup(ps.Close)
	clk := clock.NewOffset(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	clockFile := filepath.Join(t.TempDir(), "clock")
	setDay := func(day string) {
		d, _ := time.Parse("2006-01-02", day)
		clk.Set(d.Add(10 * time.Hour))
		if err := writeClockFile(clockFile, clk.Shift()); err != nil {
			t.Fatal(err)
		}
	}
	setDay(remindDays[0])
	secret := "chaos-remind-" + strconv.FormatUint(seed, 16)
	sim, err := githubsim.New(githubsim.Options{Clock: clk.Now, AuthClock: time.Now, Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice", Name: "Alice"}, {Login: "bob", Name: "Bob"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "payments", Files: map[string]string{
			".github/postmortem.yml": "follow_ups:\n  escalate_to: \"@acme/sre-leads\"\n  escalate_after: 1w\n",
		}}},
		Apps: []githubsim.SeedApp{{
			AppID: chaosAppID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "issue_comment", "pull_request"},
			WebhookURL:    ps.URL + "/webhook",
			WebhookSecret: secret,
			Installations: []githubsim.SeedInstallation{{InstallationID: chaosInstID, Account: "acme", RepositorySelection: "all"}},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	t.Cleanup(sim.Close)
	e.sim = sim
	incident, fus := seedReminderFollowUps(t, sim, db)
	e.cfg = replicaConfig{APIURL: sim.URL() + "/", AppID: chaosAppID, KeyPEM: sim.AppPrivateKey(chaosAppID), Secret: secret,
		DatabaseURL: db.url, Schema: db.schema, Remind: 200 * time.Millisecond, ClockFile: clockFile}
	for i := range 3 {
		e.slots = append(e.slots, &replicaSlot{})
		e.startSlot(i)
	}
	t.Cleanup(func() {
		for i := range e.slots {
			e.stopSlot(i, false)
		}
	})
	ins, err := queue.Open(context.Background(), db.db().Open(t), nil, queue.Config{RerunDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	if mode.kill {
		go func() { defer close(done); e.killer(stop) }()
	} else {
		close(done)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *chaosTimeout)
	defer cancel()
	start := time.Now()
	for _, day := range remindDays {
		setDay(day)
		e.enqueuePasses(ctx, ins)
		if err := e.wait(ctx, "the reminders of "+day, func() bool { return remindersSeen(sim, fus, day) }); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	<-done
	// The last day's escalations and labels may still be owed: a replica
	// SIGKILLed holding their claim leaves it to a later pass once the
	// claim's lease (4 s) runs out, or a job it left running to River's
	// rescuer (on the leader, whose lease is 15 s). Wait for
	// them, then three more periodic passes, which must add nothing.
	if err := e.wait(ctx, "the last day's escalations and labels", func() bool {
		return len(e.reminderProblems(incident, fus)) == 0
	}); err != nil {
		t.Error(err)
	}
	time.Sleep(600 * time.Millisecond)
	sim.Flush()
	for _, p := range e.reminderProblems(incident, fus) {
		t.Error(p)
	}
	e.t.Logf("chaos reminders %s seed %d: %d follow-ups over %d days converged in %s, %d replica restarts",
		mode.name, seed, len(fus), len(remindDays), time.Since(start).Round(time.Millisecond), e.restart.Load())
}

// enqueuePasses enqueues the test's own passes: one, or in duplicates mode
// a burst of the whole pass and of the repository's pass.
func (e *chaosEnv) enqueuePasses(ctx context.Context, q *queue.Queue) {
	n := 1
	if e.mode.duplicates {
		n = 2 + e.rng.IntN(5)
	}
	for range n {
		js := []jobs.Args{jobs.RemindArgs{}, jobs.RemindArgs{InstallationID: chaosInstID, Owner: "acme", Repo: "payments"}}
		if _, err := q.Enqueue(ctx, js...); err != nil {
			e.t.Fatal(err)
		}
	}
}

// seedReminderFollowUps opens an incident and its twelve follow-ups as the
// App (marker, label, assignee, due date) and puts the repository on the
// watch list, as the merge flow does.
func seedReminderFollowUps(t *testing.T, sim *githubsim.Server, db testDB) (int, map[int]string) {
	t.Helper()
	ctx := context.Background()
	incident, err := sim.As("alice").OpenIssue(chaosRepo, "Payments time out", "Since 10:00.", "incident")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ghclient.ParsePrivateKey(sim.AppPrivateKey(chaosAppID))
	cs, err := ghclient.New(ghclient.Config{AppID: chaosAppID, PrivateKey: key, APIURL: sim.URL() + "/",
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	gh, _ := cs.Installation(chaosInstID)
	fus := map[int]string{}
	for i, due := range remindDues {
		body := fmt.Sprintf("%s\nFollow-up of incident #%d.\n\n- **Owner:** @bob\n- **Due:** %s\n", flows.MarkerFollowUp(incident, fmt.Sprintf("c%03d", i)), incident, due)
		is, _, err := gh.Issues.Create(ctx, "acme", "payments", &github.IssueRequest{Title: github.String(fmt.Sprintf("Follow-up %d", i)),
			Body: &body, Labels: &[]string{"follow-up"}, Assignees: &[]string{"bob"}})
		if err != nil {
			t.Fatal(err)
		}
		fus[is.GetNumber()] = due
	}
	wl := watch.New(db.db().Open(t))
	if err := wl.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := wl.Watch(ctx, chaosInstID, chaosRepo, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	return incident, fus
}

// remindersSeen: every follow-up has the reminder a pass on day owes.
func remindersSeen(sim *githubsim.Server, fus map[int]string, day string) bool {
	byNum := map[int]githubsim.Issue{}
	for _, is := range sim.Issues(chaosRepo) {
		byNum[is.Number] = is
	}
	for n, due := range fus {
		if step := expectedStep(day, due); step != "" && !hasCommentWith(byNum[n], flows.MarkerReminder(due, step)) {
			return false
		}
	}
	return true
}

// reminderProblems: each step the days owed once, nothing else; each
// follow-up overdue a week escalated once; the overdue ones labelled. It
// lists what is not so.
func (e *chaosEnv) reminderProblems(incident int, fus map[int]string) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	issues := map[int]githubsim.Issue{}
	for _, is := range e.sim.Issues(chaosRepo) {
		issues[is.Number] = is
	}
	last := remindDays[len(remindDays)-1]
	for n, due := range fus {
		want := map[string]bool{}
		for _, day := range remindDays {
			if step := expectedStep(day, due); step != "" {
				want[flows.MarkerReminder(due, step)] = true
			}
		}
		got := map[string]int{}
		for _, c := range issues[n].Comments {
			if i := strings.Index(c.Body, "<!-- postmortem:reminder "); i >= 0 {
				got[c.Body[i:i+strings.Index(c.Body[i:], "-->")+3]]++
			}
		}
		for m := range want {
			if got[m] != 1 {
				errorf("follow-up #%d (due %s): %s posted %d times, want once", n, due, m, got[m])
			}
		}
		for m, c := range got {
			if !want[m] {
				errorf("follow-up #%d (due %s): unexpected %s (×%d)", n, due, m, c)
			}
		}
		overdue := expectedStep(last, due) != "" && expectedStep(last, due) != "soon" && due < last
		if hasLabelName(issues[n].Labels, "overdue") != overdue {
			errorf("follow-up #%d (due %s): overdue label %v, want %v", n, due, !overdue, overdue)
		}
		escalations := 0
		for _, c := range issues[incident].Comments {
			if strings.Contains(c.Body, flows.MarkerEscalation(n, due)) {
				escalations++
			}
		}
		lastDay, _ := time.Parse("2006-01-02", last)
		dueDay, _ := time.Parse("2006-01-02", due)
		if want := btoi(!lastDay.Before(dueDay.AddDate(0, 0, 7))); escalations != want {
			errorf("follow-up #%d (due %s): %d escalations, want %d", n, due, escalations, want)
		}
	}
	return problems
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
