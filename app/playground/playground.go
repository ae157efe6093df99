// Package playground plays the App's whole story against a simulated GitHub
// in one process, offline: an incident is opened and labelled, the
// postmortem pull request appears and its checks fail, a person fixes the
// document and they pass, the pull request merges, follow-up issues are
// opened and closed, and the incident is closed. The App is the one
// app.New builds for `postmortem serve`. Simulate serves the simulated
// GitHub on its own. It is the only part of the App that imports the
// simulator.
package playground

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/postmortem-app/postmortem/app"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

// Options configure Run.
type Options struct {
	// Out receives the narration.
	Out io.Writer
	// Keep leaves the simulated GitHub (and the App) running after the
	// story, until ctx is done, and prints how to reach it.
	Keep bool
	// Dir holds the SQLite queue; "" means a fresh temporary directory,
	// removed at the end.
	Dir string
	// StepTimeout bounds the wait for each step to converge (default 20s).
	StepTimeout time.Duration
	// Logger receives the App's and the simulator's logs (default: discard).
	Logger *slog.Logger
	// DatabaseURL, when set, puts the queue (and the claims) there instead
	// of a SQLite file in Dir: a postgres:// URL, with Schema.
	DatabaseURL string
	Schema      string
	// Transport, when set, carries the App's GitHub requests (tests wrap the
	// conformance transport around the loopback).
	Transport http.RoundTripper
	// Ready, when set, is called with the simulator once the story is over
	// and Keep is on (tests use it to poke the kept server).
	Ready func(sim *githubsim.Server)
}

// Result is what the story produced, for tests.
type Result struct {
	Incident    int
	PullRequest int
	FollowUps   []int
	Calls       int // GitHub API calls the App made in all
	Steps       []Step
}

// Step is one step of the story and what it cost.
type Step struct {
	Title  string
	Calls  int
	Reads  int
	Writes int
}

const (
	pgOwner  = "acme"
	pgName   = "checkout"
	pgRepo   = pgOwner + "/" + pgName
	pgAppID  = 1
	pgInstID = 100
)

// ErrNotConverged is returned when a step of the playground story did not
// reach the expected state in time.
var ErrNotConverged = errors.New("the story did not converge")

type playground struct {
	app      *app.App
	clock    *clock.Offset
	o        Options
	out      io.Writer
	sim      *githubsim.Server
	alice    *githubsim.Actor
	bob      *githubsim.Actor
	res      *Result
	mark     int
	stepName string
}

// Run starts a simulated GitHub and the App in this process
// (webhooks over real HTTP on loopback, the job queue on SQLite in a
// temporary directory) and plays the whole story: an incident is opened and
// labelled, the postmortem pull request appears and its checks fail, a
// person fixes the document and they pass, the pull request merges,
// follow-up issues are opened and closed, and the incident is closed.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 20 * time.Second
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "postmortem-playground-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}

	// The App's listener first: the simulator's webhooks point at it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	hookURL := "http://" + ln.Addr().String() + "/webhook"
	secret := randomHex(16)

	// One calendar for GitHub and the App, starting the day after the
	// incident; the story moves it weeks ahead (credentials stay on real
	// time, as the App's token library measures it).
	clk := clock.NewOffset(storyStart)
	sim, err := githubsim.New(githubsim.Options{Seed: playgroundSeed(hookURL, secret), Logger: logger.With("component", "githubsim"),
		Clock: clk.Now, AuthClock: time.Now})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("simulator: %w", err)
	}
	sim.Start()
	defer sim.Close()

	dbURL, where := filepath.Join(dir, "postmortem.db"), "SQLite in "+dir
	if o.DatabaseURL != "" {
		dbURL, where = o.DatabaseURL, "PostgreSQL, schema "+o.Schema
	}
	a, err := newApp(ctx, o, sim, clk, dbURL, secret, logger)
	if err != nil {
		ln.Close()
		return nil, err
	}
	defer a.Close()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- a.Run(runCtx, ln) }()
	defer func() { stop(); <-ran }()

	p := &playground{o: o, out: o.Out, sim: sim, alice: sim.As("alice"), bob: sim.As("bob"), res: &Result{}, app: a, clock: clk}
	p.say("postmortem playground: the whole story against a simulated GitHub, in this process, offline.\n\n")
	p.say("  simulated GitHub  %s  (org %s, repository %s; people alice and bob)\n", sim.URL(), pgOwner, pgRepo)
	p.say("  the App           %s  (job queue: %s)\n\n", hookURL, where)
	if err := p.story(ctx); err != nil {
		p.say("\n✗ %v\n", err)
		return p.res, err
	}
	p.say("\n✓ The story is complete: %d GitHub API calls by the App in all.\n", p.res.Calls)
	if o.Keep {
		p.keep(ctx, hookURL)
	}
	return p.res, nil
}

// newApp builds the App as `postmortem serve` would, on the simulator and
// the story's calendar.
func newApp(ctx context.Context, o Options, sim *githubsim.Server, clk *clock.Offset, dbURL, secret string, logger *slog.Logger) (*app.App, error) {
	key, err := ghclient.ParsePrivateKey(sim.AppPrivateKey(pgAppID))
	if err != nil {
		return nil, err
	}
	return app.New(ctx, app.Options{
		GitHub: ghclient.Config{AppID: pgAppID, PrivateKey: key, APIURL: sim.URL() + "/", Base: o.Transport,
			// The simulator needs no pacing between writes; GitHub does.
			Pacer: ghclient.PacerConfig{Interval: time.Millisecond, PerMinute: 100000, PerHour: 1000000, MaxWait: 10 * time.Second}},
		WebhookSecret: secret, BotLogin: app.BotLogin("postmortem"),
		DatabaseURL: dbURL, Schema: o.Schema,
		Queue:         queue.Config{MaxWorkers: 4, PollInterval: 50 * time.Millisecond, RerunDelay: 100 * time.Millisecond, JobTimeout: time.Minute},
		ShutdownGrace: 5 * time.Second,
		Logger:        logger,
		Clock:         clk.Now,
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func playgroundSeed(hookURL, secret string) *githubsim.Seed {
	return &githubsim.Seed{
		GitHub: githubsim.SeedGitHub{
			Users: []githubsim.SeedUser{{Login: "alice", Name: "Alice Doe"}, {Login: "bob", Name: "Bob Roe"}},
			Orgs:  []githubsim.SeedOrg{{Login: pgOwner, Name: "Acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}}}},
			Repos: []githubsim.SeedRepo{{
				Owner: pgOwner, Name: pgName, Description: "The checkout service",
				Files: map[string]string{
					".github/postmortem.yml": "# Postmortems for the checkout service.\nclose_incident: true\n",
					"main.go":                "package main\n\nfunc main() {}\n",
				},
			}},
			Apps: []githubsim.SeedApp{{
				AppID: pgAppID, Slug: "postmortem", Name: "postmortem",
				Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read", "deployments": "read", "actions": "read"},
				Events:        []string{"issues", "issue_comment", "pull_request", "check_suite", "check_run"},
				WebhookURL:    hookURL,
				WebhookSecret: secret,
				Installations: []githubsim.SeedInstallation{{InstallationID: pgInstID, Account: pgOwner, RepositorySelection: "all"}},
			}},
		},
	}
}

func (p *playground) say(format string, args ...any) { fmt.Fprintf(p.out, format, args...) }

// begin starts a step: its calls are counted from here.
func (p *playground) begin(title string) {
	p.stepName = title
	p.mark = len(p.sim.Calls())
	p.say("%d. %s\n", len(p.res.Steps)+1, title)
}

// end settles the step (deliveries attempted, the App quiet) and reports
// what it cost.
func (p *playground) end(ctx context.Context) {
	p.settle(ctx)
	calls := p.sim.Calls()[p.mark:]
	st := Step{Title: p.stepName}
	routes := map[string]int{}
	for _, c := range calls {
		if c.TokenKind != "installation" && c.TokenKind != "app" {
			continue
		}
		st.Calls++
		if c.Method == http.MethodGet {
			st.Reads++
		} else {
			st.Writes++
		}
		routes[c.Method]++
	}
	p.res.Steps = append(p.res.Steps, st)
	p.res.Calls += st.Calls
	p.say("   GitHub calls by the App in this step: %d (%d reads, %d writes)\n\n", st.Calls, st.Reads, st.Writes)
}

// settle waits until every webhook was delivered, the App's queue has no
// unfinished job and the App made no call for a moment (its jobs are done,
// echoes included). The queue's count makes this hold on a loaded machine,
// where a job can be silent for longer than the quiet moment.
func (p *playground) settle(ctx context.Context) {
	deadline := time.Now().Add(p.o.StepTimeout)
	quiet := 0
	last := len(p.sim.Calls())
	for time.Now().Before(deadline) && ctx.Err() == nil {
		p.sim.WaitIdle()
		time.Sleep(50 * time.Millisecond)
		n := len(p.sim.Calls())
		if n != last {
			quiet, last = 0, n
			continue
		}
		if quiet++; quiet >= 6 {
			if busy, err := p.app.Queue.Unfinished(ctx); err == nil && busy == 0 {
				return
			}
			quiet = 0
		}
	}
}

// wait polls cond until it holds or the step times out.
func (p *playground) wait(ctx context.Context, what string, cond func() bool) error {
	deadline := time.Now().Add(p.o.StepTimeout)
	for !cond() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: after %s still waiting for %s (step %q)", ErrNotConverged, p.o.StepTimeout, what, p.stepName)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return nil
}

func (p *playground) issue(n int) (githubsim.Issue, bool) {
	for _, is := range p.sim.Issues(pgRepo) {
		if is.Number == n {
			return is, true
		}
	}
	return githubsim.Issue{}, false
}

func (p *playground) pull(n int) (githubsim.Pull, bool) {
	for _, pr := range p.sim.Pulls(pgRepo) {
		if pr.Number == n {
			return pr, true
		}
	}
	return githubsim.Pull{}, false
}

// ourRuns returns the App's two check runs on sha, when both are completed.
func (p *playground) ourRuns(sha string) (map[string]githubsim.CheckRun, bool) {
	out := map[string]githubsim.CheckRun{}
	for _, cr := range p.sim.CheckRuns(pgRepo, sha) {
		if cr.Status == "completed" && (cr.Name == flows.CheckRunCompleteness || cr.Name == flows.CheckRunBlameless) {
			out[cr.Name] = cr
		}
	}
	return out, len(out) == 2
}

func (p *playground) story(ctx context.Context) error {
	n, pr, file, err := p.incidentOpened(ctx)
	if err != nil {
		return err
	}
	if err := p.postmortemWritten(ctx, n, pr, file); err != nil {
		return err
	}
	fus, err := p.merged(ctx, n, pr)
	if err != nil {
		return err
	}
	if err := p.reminded(ctx, fus[0]); err != nil {
		return err
	}
	if err := p.dateMoved(ctx, fus[0]); err != nil {
		return err
	}
	if err := p.recurred(ctx, n); err != nil {
		return err
	}
	return p.followUpsClosed(ctx, n, fus)
}

// incidentOpened: alice opens an incident and labels it; the App drafts the
// postmortem pull request and its checks fail. It returns the incident,
// the pull request and the postmortem's path.
func (p *playground) incidentOpened(ctx context.Context) (int, githubsim.Pull, string, error) {
	p.begin("alice opens an incident and labels it.")
	title := "Checkout returns 502s after a config push"
	n, err := p.alice.OpenIssue(pgRepo, title, "Since 13:55 UTC most checkout requests fail with 502. Investigating.")
	if err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	p.res.Incident = n
	if _, err := p.bob.Comment(pgRepo, n, "Bob was careless: he should have checked the pool size before pushing the config."); err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	if _, err := p.alice.Comment(pgRepo, n, "Rolled back the config change at 15:10 UTC; errors are gone."); err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	if _, _, err := p.alice.Client.Issues.AddAssignees(ctx, pgOwner, pgName, n, []string{"bob"}); err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	if err := p.alice.AddLabels(pgRepo, n, "incident", "sev2"); err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	p.say("   alice opened issue #%d %q, bob and alice commented, alice assigned bob and added the labels incident and sev2.\n", n, title)
	var pr githubsim.Pull
	err = p.wait(ctx, "the postmortem pull request and its checks", func() bool {
		for _, x := range p.sim.Pulls(pgRepo) {
			if strings.Contains(x.Body, flows.MarkerIncidentPR(n)) {
				pr = x
				_, ok := p.ourRuns(x.HeadSHA)
				return ok
			}
		}
		return false
	})
	if err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	p.res.PullRequest = pr.Number
	file := p.postmortemPath(pr)
	p.say("   → The App drafted %s from the incident (severity, assignees, timeline from the comments)\n", file)
	p.say("     on branch %s and opened pull request #%d %q, asking bob to review.\n", pr.Head, pr.Number, pr.Title)
	if inc, ok := p.issue(n); ok {
		for _, c := range inc.Comments {
			if strings.Contains(c.Body, flows.MarkerPointer(n)) {
				p.say("   → It commented on incident #%d: %q\n", n, oneLine(strings.TrimPrefix(c.Body, flows.MarkerPointer(n)), 100))
			}
		}
	}
	if err := p.wait(ctx, "both checks to fail on the draft", func() bool {
		runs, ok := p.ourRuns(pr.HeadSHA)
		return ok && runs[flows.CheckRunCompleteness].Conclusion == "failure" && runs[flows.CheckRunBlameless].Conclusion == "failure"
	}); err != nil {
		return 0, githubsim.Pull{}, "", err
	}
	p.settle(ctx) // the review of suggested rewordings follows the check runs
	pr, _ = p.pull(pr.Number)
	p.reportChecks(pr, true)
	p.end(ctx)
	return n, pr, file, nil
}

// postmortemWritten: alice writes the postmortem; both checks pass.
func (p *playground) postmortemWritten(ctx context.Context, n int, pr githubsim.Pull, file string) error {
	p.begin("alice writes the postmortem and pushes a commit to the pull request.")
	fixed := playgroundPostmortem(n)
	sha, err := p.alice.EditFile(pgRepo, pr.Number, file, fixed, "Write the postmortem: impact, root cause, follow-ups")
	if err != nil {
		return err
	}
	p.say("   alice replaced the TODOs, reworded the timeline blamelessly and listed three action items (commit %s).\n", shortSHA(sha))
	if err := p.wait(ctx, "both checks to pass on "+shortSHA(sha), func() bool {
		runs, ok := p.ourRuns(sha)
		return ok && runs[flows.CheckRunCompleteness].Conclusion == "success" && runs[flows.CheckRunBlameless].Conclusion == "success"
	}); err != nil {
		return err
	}
	pr, _ = p.pull(pr.Number)
	p.reportChecks(pr, false)
	p.end(ctx)
	return nil
}

// merged: bob approves and merges; the App opens the follow-ups and the
// tracking comment.
func (p *playground) merged(ctx context.Context, n int, pr githubsim.Pull) ([]githubsim.Issue, error) {
	p.begin("bob approves and merges the pull request.")
	if err := p.bob.ApprovePR(pgRepo, pr.Number, "Thorough and blameless, thanks!"); err != nil {
		return nil, err
	}
	if _, err := p.bob.MergePR(pgRepo, pr.Number, "squash"); err != nil {
		return nil, err
	}
	var fus []githubsim.Issue
	if err := p.wait(ctx, "three follow-up issues and the tracking comment", func() bool {
		fus = p.followUps(n)
		inc, _ := p.issue(n)
		return len(fus) == 3 && hasCommentWith(inc, flows.MarkerTracking(n))
	}); err != nil {
		return nil, err
	}
	for _, f := range fus {
		p.res.FollowUps = append(p.res.FollowUps, f.Number)
		owner := "nobody (see the issue)"
		if len(f.Assignees) > 0 {
			owner = "@" + strings.Join(f.Assignees, ", @")
		}
		p.say("   → follow-up #%d %q, assigned to %s, labels %s, a sub-issue of #%d\n", f.Number, f.Title, owner, strings.Join(f.Labels, ", "), f.Parent)
	}
	p.say("   → a tracking comment on incident #%d lists them: 0 of 3 done.\n", n)
	var readme string
	if err := p.wait(ctx, "the record of postmortems on main", func() bool {
		readme, _ = p.sim.FileAt(pgRepo, "main", "postmortems/README.md")
		return strings.Contains(readme, "| 0/3 |")
	}); err != nil {
		return nil, err
	}
	p.say("   → the App committed postmortems/README.md and postmortems/index.json on main, the record of every postmortem:\n")
	for _, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "|---") {
			p.say("       %s\n", l)
		}
	}
	p.end(ctx)
	return fus, nil
}

// followUpsClosed: the follow-ups are closed; the App completes and closes
// the incident.
func (p *playground) followUpsClosed(ctx context.Context, n int, fus []githubsim.Issue) error {
	p.begin("alice and bob finish the follow-ups and close them.")
	for i, f := range fus {
		actor := p.alice
		if len(f.Assignees) > 0 && f.Assignees[0] == "bob" {
			actor = p.bob
		}
		reason := "completed"
		if i == len(fus)-1 {
			reason = "not_planned"
		}
		if err := actor.CloseIssue(pgRepo, f.Number, reason); err != nil {
			return err
		}
		p.say("   %s closed #%d as %s.\n", actor.Login, f.Number, strings.ReplaceAll(reason, "_", " "))
	}
	if err := p.wait(ctx, "the incident to be closed", func() bool {
		inc, _ := p.issue(n)
		return inc.State == "closed" && hasLabelName(inc.Labels, "postmortem-complete")
	}); err != nil {
		return err
	}
	inc, _ := p.issue(n)
	for _, c := range inc.Comments {
		if strings.Contains(c.Body, flows.MarkerTracking(n)) {
			p.say("   → the tracking comment now reads %q\n", oneLine(strings.TrimPrefix(c.Body, flows.MarkerTracking(n)), 100))
		}
	}
	p.say("   → the App posted a closing comment, labelled #%d postmortem-complete and closed it.\n", n)
	p.end(ctx)
	return nil
}

// storyStart is the playground's calendar when it starts: the day after
// the incident of its postmortem.
var storyStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// reminded: four weeks go by; the reminder pass (hourly in production, run
// now) reminds the owner of the first follow-up, due in two days.
func (p *playground) reminded(ctx context.Context, f githubsim.Issue) error {
	p.clock.Set(time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC))
	p.begin("Four weeks later: it is Monday 30 March 2026, and the reminder pass runs.")
	p.say("   ⏩ the calendar jumped 4 weeks (GitHub's and the App's clocks together); the pass runs hourly, here now.\n")
	if _, err := p.app.Queue.Enqueue(ctx, jobs.RemindArgs{}); err != nil {
		return err
	}
	var body string
	if err := p.wait(ctx, "the reminder on #"+strconv.Itoa(f.Number), func() bool {
		is, _ := p.issue(f.Number)
		for _, c := range is.Comments {
			if strings.Contains(c.Body, "<!-- postmortem:reminder ") {
				body = c.Body
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	p.say("   → The App reminded the owner on follow-up #%d: %q\n", f.Number, oneLine(body, 110))
	p.say("     (then on the day, then weekly while overdue, with the `overdue` label; each step once, never on weekends)\n")
	p.end(ctx)
	return nil
}

// dateMoved: alice needs more time and moves the date with a command.
func (p *playground) dateMoved(ctx context.Context, f githubsim.Issue) error {
	p.begin("alice needs more time: she comments `/postmortem due 2026-04-10` on the follow-up.")
	id, err := p.alice.Comment(pgRepo, f.Number, "The pipeline change needs a review from the platform team.\n/postmortem due 2026-04-10")
	if err != nil {
		return err
	}
	var answer string
	if err := p.wait(ctx, "the answer to the command", func() bool {
		is, _ := p.issue(f.Number)
		for _, c := range is.Comments {
			if strings.Contains(c.Body, flows.MarkerCommand(id)) {
				answer = c.Body
			}
		}
		inc, _ := p.issue(p.res.Incident)
		tracked := false
		for _, c := range inc.Comments {
			tracked = tracked || (strings.Contains(c.Body, flows.MarkerTracking(p.res.Incident)) && strings.Contains(c.Body, "2026-04-10"))
		}
		return answer != "" && strings.Contains(is.Body, "- **Due:** 2026-04-10") && tracked
	}); err != nil {
		return err
	}
	is, _ := p.issue(f.Number)
	for _, c := range is.Comments {
		if c.ID == id && len(c.Reactions) > 0 {
			p.say("   → The App reacted 👍 to her comment (%s) and answered: %q\n", strings.Join(c.Reactions, ", "), oneLine(strings.TrimPrefix(answer, flows.MarkerCommand(id)), 110))
		}
	}
	p.say("   → The follow-up's body says \"Due: 2026-04-10\"; the tracking comment on the incident shows the new date.\n")
	p.say("     (anyone may comment; only people with triage access or more, or the follow-up's assignee, may run commands)\n")
	p.end(ctx)
	return nil
}

func hasCommentWith(is githubsim.Issue, marker string) bool {
	for _, c := range is.Comments {
		if strings.Contains(c.Body, marker) {
			return true
		}
	}
	return false
}

func hasLabelName(labels []string, name string) bool {
	for _, l := range labels {
		if strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

func (p *playground) followUps(incident int) []githubsim.Issue {
	var out []githubsim.Issue
	for _, is := range p.sim.Issues(pgRepo) {
		if inc, _, ok := flows.ParseFollowUpMarker(is.Body); ok && inc == incident {
			out = append(out, is)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// postmortemPath finds the postmortem file on the pull request's branch.
func (p *playground) postmortemPath(pr githubsim.Pull) string {
	gh := p.alice.Client
	files, _, err := gh.PullRequests.ListFiles(context.Background(), pgOwner, pgName, pr.Number, nil)
	if err == nil {
		for _, f := range files {
			if strings.HasPrefix(f.GetFilename(), "postmortems/") {
				return f.GetFilename()
			}
		}
	}
	return ""
}

func (p *playground) reportChecks(pr githubsim.Pull, showReview bool) {
	runs, _ := p.ourRuns(pr.HeadSHA)
	p.say("   → checks on #%d at %s:\n", pr.Number, shortSHA(pr.HeadSHA))
	for _, name := range []string{flows.CheckRunCompleteness, flows.CheckRunBlameless} {
		cr := runs[name]
		mark := "✓"
		if cr.Conclusion != "success" {
			mark = "✗"
		}
		p.say("       %s %-24s %-8s %s\n", mark, name, cr.Conclusion, cr.Title)
		for i, a := range cr.Annotations {
			if i == 3 {
				p.say("           … and %d more annotations\n", len(cr.Annotations)-3)
				break
			}
			p.say("           %s:%d  %s: %s\n", a.Path, a.StartLine, a.Title, oneLine(a.Message, 90))
		}
	}
	for _, rv := range pr.Reviews {
		if showReview && strings.HasSuffix(rv.User, "[bot]") && len(rv.Comments) > 0 {
			p.say("     and a review with %s, e.g. on %s:%d:\n", plural(len(rv.Comments), "suggested rewording", "suggested rewordings"), rv.Comments[0].Path, rv.Comments[0].Line)
			if i := strings.Index(rv.Comments[0].Body, "```suggestion\n"); i >= 0 {
				p.say("           %s\n", oneLine(rv.Comments[0].Body[i+len("```suggestion\n"):], 110))
			}
		}
	}
}

// keep leaves everything running and tells how to reach it.
func (p *playground) keep(ctx context.Context, hookURL string) {
	tok := p.sim.UserToken("alice")
	u := p.sim.URL()
	p.say("\nThe simulated GitHub keeps running (Ctrl-C to stop):\n\n")
	p.say("  API         %s   (also under %s/api/v3)\n", u, u)
	for _, u := range playgroundSeed("", "").GitHub.Users {
		p.say("  token       %s   (%s)\n", p.sim.UserToken(u.Login), u.Login)
	}
	p.say("  the App     %s\n\n", hookURL)
	p.say("  curl -s -H 'Authorization: token %s' %s/repos/%s/issues?state=all | jq '.[] | {number, title, state}'\n", tok, u, pgRepo)
	p.say("  curl -s -H 'Authorization: token %s' %s/repos/%s/pulls/%d/files | jq '.[].filename'\n", tok, u, pgRepo, p.res.PullRequest)
	p.say("  curl -s -X POST -H 'Authorization: token %s' %s/repos/%s/issues -d '{\"title\":\"Another outage\",\"labels\":[\"incident\"]}'\n", tok, u, pgRepo)
	p.say("    (the App drafts a postmortem for it within a second)\n")
	if p.o.Ready != nil {
		p.o.Ready(p.sim)
	}
	<-ctx.Done()
}

// playgroundPostmortem is what alice writes: complete and blameless.
func playgroundPostmortem(n int) string {
	return fmt.Sprintf(`---
title: "Checkout returns 502s after a config push"
incident: %d
severity: SEV2
status: final
started_at: 2026-03-01T13:55:00Z
detected_at: 2026-03-01T14:00:00Z
resolved_at: 2026-03-01T15:10:00Z
authors: [alice]
responders: [bob]
---

# Postmortem: Checkout returns 502s after a config push

## Summary

For 75 minutes checkout returned 502 errors for most requests after a configuration push reduced the database connection pool from 50 to 2. Rolling the configuration back ended the impact.

## Impact

About 60%% of checkout requests failed between 13:55 and 15:10 UTC; roughly 4,000 orders were delayed, none lost.

## Timeline

- 2026-03-01 13:55 UTC — a configuration push set the database pool size to 2
- 2026-03-01 14:00 UTC — the 5xx alert fired and the on-call engineer was paged
- 2026-03-01 14:40 UTC — the pool size was identified as the trigger
- 2026-03-01 15:10 UTC — the configuration was rolled back and errors stopped

## Root cause

The configuration pipeline accepted a pool size of 2 because nothing validated that field (`+"`checkout/pool.go`"+` takes the size as given), and the change looked like a routine edit in review. Nothing in the process required or checked a load test for configuration-only changes.

## Resolution

The configuration was rolled back; the pool recovered within a minute.

## Follow-ups

- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
- [ ] Alert on connection pool saturation (owner: @bob, due: 2026-04-15, priority: P2) #observability
- [ ] Load-test configuration-only changes in staging (owner: @alice, due: 2026-05-01, priority: P3)
`, n)
}

// oneLine returns the first non-empty line of s, at most n runes.
func oneLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "<!--") {
			continue
		}
		if r := []rune(l); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return l
	}
	return ""
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
