package app

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

// storyApp is the whole App (webhooks, queue on SQLite, flows) against the
// simulator, both on one calendar the test moves.
type storyApp struct {
	t     *testing.T
	ctx   context.Context
	sim   *githubsim.Server
	app   *App
	clock *clock.Offset
	alice *githubsim.Actor
	bob   *githubsim.Actor
	carol *githubsim.Actor
}

func startStoryApp(t *testing.T, start time.Time, files map[string]string) *storyApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clk := clock.NewOffset(start)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	seed := flowtest.Seed(files)
	seed.GitHub.Apps[0].WebhookURL = "http://" + ln.Addr().String() + "/webhook"
	seed.GitHub.Apps[0].WebhookSecret = testSecret
	sim, key := startSim(t, githubsim.Options{Seed: seed, Clock: clk.Now, AuthClock: time.Now})
	a, err := New(ctx, Options{
		GitHub: ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: sim.URL() + "/", Base: conformance.NewTransport(t, nil),
			Pacer: ghclient.PacerConfig{Interval: time.Millisecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: 10 * time.Second}},
		WebhookSecret: testSecret, BotLogin: flowtest.Bot,
		DatabaseURL: filepath.Join(t.TempDir(), "postmortem.db"),
		Queue:       queue.Config{MaxWorkers: 4, PollInterval: 20 * time.Millisecond, RerunDelay: 50 * time.Millisecond, JobTimeout: time.Minute},
		Clock:       clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-ran; a.Close() })
	return &storyApp{t: t, ctx: ctx, sim: sim, app: a, clock: clk, alice: sim.As("alice"), bob: sim.As("bob"), carol: sim.As("carol")}
}

// settle waits until every delivery was made and the App has no job left
// to run (none available, running, scheduled or retrying), twice in a row.
func (s *storyApp) settle() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	quiet := 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			s.t.Fatal("the App did not settle in 30s")
		}
		s.sim.WaitIdle()
		var n int
		err := s.app.DB.SQL().QueryRowContext(s.ctx, `SELECT count(*) FROM river_job WHERE state IN ('available','running','scheduled','retryable','pending')`).Scan(&n)
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// passOn moves the calendar to 10:00 UTC of date and runs the reminder
// pass as the periodic job would, delivered twice (a duplicate).
func (s *storyApp) passOn(date string) {
	s.t.Helper()
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		s.t.Fatal(err)
	}
	s.clock.Set(d.Add(10 * time.Hour))
	for range 2 {
		if _, err := s.app.Queue.Enqueue(s.ctx, jobs.RemindArgs{}); err != nil {
			s.t.Fatal(err)
		}
		s.settle()
	}
}

func (s *storyApp) issue(n int) githubsim.Issue {
	for _, is := range s.sim.Issues(flowtest.Repo) {
		if is.Number == n {
			return is
		}
	}
	s.t.Fatalf("no issue #%d", n)
	return githubsim.Issue{}
}

var reMarker = regexp.MustCompile(`<!-- postmortem:(reminder|escalation|command|tracking|pr|owed)[^>]*-->`)

// appComments are the App's comments on issue n, by their markers, in order.
func (s *storyApp) appComments(n int) []string {
	var out []string
	for _, c := range s.issue(n).Comments {
		if c.User == flowtest.Bot {
			out = append(out, reMarker.FindString(c.Body))
		}
	}
	return out
}

// labelEvents are issue n's overdue label events, in order.
func (s *storyApp) labelEvents(n int) []string {
	evs, _, err := s.alice.Client.Issues.ListIssueEvents(s.ctx, "acme", "services", n, &github.ListOptions{PerPage: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.GetLabel().GetName() == "overdue" {
			out = append(out, e.GetEvent())
		}
	}
	return out
}

// TestFollowUpStory: a merged postmortem with three follow-ups of different
// priorities; the calendar goes through due soon, due, overdue and
// escalation, commands move a date and snooze one, one is closed; every
// comment, label and digest edit appears exactly once, in order, though
// every pass is delivered twice.
func TestFollowUpStory(t *testing.T) {
	s := startStoryApp(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), map[string]string{
		".github/postmortem.yml": "follow_ups:\n  escalate_to: \"@acme/sre-leads\"\ndigest: repository\n",
	})
	n, err := s.alice.OpenIssue(flowtest.Repo, "Checkout outage", "Most checkout requests fail.", "incident", "sev2")
	if err != nil {
		t.Fatal(err)
	}
	s.settle()
	var pull githubsim.Pull
	for _, p := range s.sim.Pulls(flowtest.Repo) {
		if strings.Contains(p.Body, flows.MarkerIncidentPR(n)) {
			pull = p
		}
	}
	if pull.Number == 0 {
		t.Fatal("no postmortem pull request")
	}
	files, _, err := s.alice.Client.PullRequests.ListFiles(s.ctx, "acme", "services", pull.Number, nil)
	if err != nil || len(files) != 1 {
		t.Fatalf("files: %v %v", files, err)
	}
	actions := "- [ ] Validate pool sizes in the pipeline (owner: @alice, priority: P1)\n" +
		"- [ ] Alert on pool saturation (owner: @bob, due: 2026-03-20, priority: P2)\n" +
		"- [ ] Load-test configuration changes (owner: @carol, due: 2026-04-15, priority: P3)\n"
	if _, err := s.alice.EditFile(flowtest.Repo, pull.Number, files[0].GetFilename(), flowtest.FixedPostmortem(n, actions), "Write it"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.bob.MergePR(flowtest.Repo, pull.Number, "squash"); err != nil {
		t.Fatal(err)
	}
	s.settle()
	fu := map[string]int{}
	for _, is := range s.sim.Issues(flowtest.Repo) {
		if inc, _, ok := flows.ParseFollowUpMarker(is.Body); ok && inc == n {
			fu[is.Title[:4]] = is.Number
		}
	}
	p1, p2, p3 := fu["Vali"], fu["Aler"], fu["Load"]
	if p1 == 0 || p2 == 0 || p3 == 0 || !strings.Contains(s.issue(p1).Body, "- **Due:** 2026-03-30 (P1: 4 weeks") {
		t.Fatalf("follow-ups %v:\n%s", fu, s.issue(p1).Body)
	}
	s.story(n, p1, p2, p3)
}

// story plays the calendar (see TestFollowUpStory) and checks every trace.
func (s *storyApp) story(n, p1, p2, p3 int) {
	t := s.t
	s.passOn("2026-03-02") // week 10: the digest is opened
	s.passOn("2026-03-17") // week 12: P2 due soon (Friday 20), the digest edited
	if _, err := s.bob.Comment(flowtest.Repo, p2, "/postmortem due 2026-03-27"); err != nil {
		t.Fatal(err)
	}
	s.settle()
	s.passOn("2026-03-24") // week 13: P2 soon again (new date), the digest edited
	if _, err := s.carol.Comment(flowtest.Repo, p3, "/postmortem snooze 2w waiting for the load-test rig"); err != nil {
		t.Fatal(err)
	}
	s.settle()
	s.passOn("2026-03-27") // P2 due today, P1 due soon
	s.passOn("2026-03-30") // week 14: P1 due today, P2 overdue (label), digest
	if err := s.bob.CloseIssue(flowtest.Repo, p2, "completed"); err != nil {
		t.Fatal(err)
	}
	s.settle()
	s.passOn("2026-04-04") // Saturday: nothing
	s.passOn("2026-04-13") // week 16: P1 two weeks overdue, escalated; P3 due soon after its snooze; digest

	want := map[int][]string{
		p1: {"reminder due=2026-03-30 step=soon", "reminder due=2026-03-30 step=due", "reminder due=2026-03-30 step=overdue-2"},
		p2: {"reminder due=2026-03-20 step=soon", "command comment=", "reminder due=2026-03-27 step=soon", "reminder due=2026-03-27 step=due"},
		p3: {"command comment=", "reminder due=2026-04-15 step=soon"},
		n:  {"pr incident=", "tracking incident=", fmt.Sprintf("escalation followup=%d due=2026-03-30", p1)},
	}
	for num, w := range want {
		got := s.appComments(num)
		ok := len(got) == len(w)
		for i := 0; ok && i < len(w); i++ {
			ok = strings.Contains(got[i], w[i])
		}
		if !ok {
			t.Errorf("#%d: the App's comments are\n  %s\nwant\n  %s", num, strings.Join(got, "\n  "), strings.Join(w, "\n  "))
		}
	}
	for num, w := range map[int]string{p1: "labeled", p2: "labeled unlabeled", p3: ""} {
		if got := strings.Join(s.labelEvents(num), " "); got != w {
			t.Errorf("#%d overdue label events %q, want %q", num, got, w)
		}
	}
	s.checkDigest()
}

// checkDigest: one digest issue, opened in week 10 and edited once in each
// of weeks 12, 13, 14 and 16 (the weeks a pass ran in).
func (s *storyApp) checkDigest() {
	t := s.t
	var digest []githubsim.Issue
	for _, is := range s.sim.Issues(flowtest.Repo) {
		if strings.Contains(is.Body, flows.MarkerDigest(flowtest.Repo)) {
			digest = append(digest, is)
		}
	}
	if len(digest) != 1 {
		t.Fatalf("%d digest issues", len(digest))
	}
	d := digest[0]
	edits := 0
	for _, c := range s.sim.Calls() {
		if c.TokenKind == "installation" && c.Method == "PATCH" && strings.HasSuffix(c.Path, fmt.Sprintf("/issues/%d", d.Number)) {
			edits++
		}
	}
	if edits != 4 || !strings.Contains(d.Body, "week 16 of 2026") || !strings.Contains(d.Body, "🔴") {
		t.Errorf("digest #%d edited %d times, want 4:\n%s", d.Number, edits, d.Body)
	}
}
