package app

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The reminder pass's budget: an installation with 1 000 open follow-ups
// in 10 repositories (100 each, one page), and 5 repositories without any.
const (
	budgetRepos     = 10
	budgetPerRepo   = 100
	budgetQuietRepo = 5
)

// remindBudgetEnv seeds the repositories, each with its configuration, and
// opens the follow-ups as the merge flow would (as the App, with their
// marker, label, assignee and due date; the repository on the watch list).
// Follow-up k of a repository is due (k mod 40) − 20 days from today.
func remindBudgetEnv(t *testing.T, today time.Time) (*flowEnv, *clock.Offset) {
	t.Helper()
	seed := flowtest.Seed(nil)
	cfg := map[string]string{".github/postmortem.yml": "close_incident: true\n"}
	var repos []string
	for i := range budgetRepos + budgetQuietRepo {
		name := fmt.Sprintf("svc-%02d", i)
		seed.GitHub.Repos = append(seed.GitHub.Repos, githubsim.SeedRepo{Owner: "acme", Name: name, Files: cfg})
		repos = append(repos, name)
	}
	clk := clock.NewOffset(today)
	g := flowtest.NewSeeded(t, seed, clk)
	e := &flowEnv{env: g, t: t, ctx: g.Ctx, sim: g.Sim, conf: g.Conf, claims: g.Claims, alice: g.Alice, bob: g.Bob,
		flows: &flows.Flows{Clients: g.Clients, Claims: g.Claims, BotLogin: flowBot, Watch: g.Watch, Now: clk.Now}}
	gh, err := g.Clients.Installation(flowInstID)
	e.must(err)
	var g2 errgroup.Group
	g2.SetLimit(4)
	for i, name := range repos[:budgetRepos] {
		for k := range budgetPerRepo {
			g2.Go(func() error {
				due := today.AddDate(0, 0, k%40-20).Format("2006-01-02")
				body := fmt.Sprintf("%s\nFollow-up of incident #1.\n\n**Action item:** item %d of %s\n\n- **Owner:** @alice\n- **Due:** %s\n",
					flows.MarkerFollowUp(1, fmt.Sprintf("%02d%04d", i, k)), k, name, due)
				_, _, err := gh.Issues.Create(e.ctx, "acme", name, &github.IssueRequest{Title: github.String(fmt.Sprintf("Item %d", k)),
					Body: &body, Labels: &[]string{"follow-up"}, Assignees: &[]string{"alice"}})
				return err
			})
		}
		e.must(g.Watch.Watch(e.ctx, flowInstID, "acme/"+name, e.sim.RepoID("acme/"+name), today))
	}
	e.must(g2.Wait())
	return e, clk
}

// remindAll runs a whole pass as the queue would: every installation,
// then each fanned-out job; it returns the results of the repository passes.
func (e *flowEnv) remindAll() []*flows.RemindResult {
	e.t.Helper()
	queue := []jobs.Args{jobs.RemindArgs{}}
	var out []*flows.RemindResult
	for len(queue) > 0 {
		a := queue[0].(jobs.RemindArgs)
		queue = queue[1:]
		res, err := e.flows.Remind(e.ctx, a)
		e.must(err)
		queue = append(queue, res.Enqueued...)
		if a.Repo != "" {
			out = append(out, res)
		}
	}
	return out
}

// passCalls are a pass's calls by the App, by route, and its writes.
type passCalls struct {
	byRoute             map[string]int
	writes, lists, free int // free: conditional reads answered 304
}

func (e *flowEnv) passCalls(mark int) passCalls {
	pc := passCalls{byRoute: map[string]int{}}
	for _, c := range e.sim.Calls()[mark:] {
		if c.TokenKind != "installation" {
			continue
		}
		pc.byRoute[c.Route]++
		if c.CacheHit || c.Status == http.StatusNotModified {
			pc.free++
		}
		if c.Method != http.MethodGet {
			pc.writes++
		}
		if c.Route == "GET /repos/{owner}/{repo}/issues" {
			pc.lists++
		}
	}
	return pc
}

func (pc passCalls) String() string {
	var ks []string
	for k, v := range pc.byRoute {
		ks = append(ks, fmt.Sprintf("  %d× %s", v, k))
	}
	sort.Strings(ks)
	return strings.Join(ks, "\n")
}

// TestCallBudgetReminderPass pins the reminder pass's GitHub calls: one
// list call per repository with open follow-ups (none for the others) and
// one write per reminder due — plus one per overdue label put on — and
// nothing else but each repository's configuration, a conditional read.
func TestCallBudgetReminderPass(t *testing.T) {
	today := time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC) // a Wednesday
	e, clk := remindBudgetEnv(t, today)
	// Follow-up k is due (k mod 40) − 20 days from today: d days late.
	// Reminded now: d ≥ −3 (soon, due, or overdue's latest step); labelled:
	// d ≥ 1. Tomorrow: the ones whose step changes (d = −3 … 20 + 1).
	reminded, labelled, next := 0, 0, 0
	for k := range budgetPerRepo {
		d := 20 - k%40
		if d >= -3 {
			reminded++
		}
		if d >= 1 {
			labelled++
		}
		if t := d + 1; t == -3+0 || t == 0 || (t >= 7 && t%7 == 0) {
			next++ // a new step tomorrow: soon (−3), due (0), overdue-N (7N)
		}
		if d+1 == 1 {
			next++ // overdue tomorrow: the label
		}
	}
	reminded, labelled, next = reminded*budgetRepos, labelled*budgetRepos, next*budgetRepos

	for _, c := range []struct {
		when   string
		writes int
	}{{"first pass", reminded + labelled}, {"the same day again", 0}, {"the next day", next}} {
		if c.when == "the next day" {
			clk.Advance(24 * time.Hour)
		}
		mark := e.mark()
		results := e.remindAll()
		pc := e.passCalls(mark)
		posted := 0
		for _, r := range results {
			posted += len(r.Reminded) + len(r.Labelled) + len(r.Unlabelled) + len(r.Escalated)
		}
		t.Logf("%-18s %4d writes (%d reminders and labels due), %2d list calls, %2d config reads, %4d calls in all (%d of them 304s, free)",
			c.when, pc.writes, posted, pc.lists, pc.byRoute["GET /repos/{owner}/{repo}/contents/{path...}"], sum(pc.byRoute), pc.free)
		if pc.lists != budgetRepos || pc.writes != c.writes || posted != c.writes ||
			pc.byRoute["GET /repos/{owner}/{repo}/contents/{path...}"] != budgetRepos || sum(pc.byRoute) != 2*budgetRepos+c.writes {
			t.Errorf("%s: %d list calls (want %d), %d writes (want %d, results say %d):\n%s", c.when, pc.lists, budgetRepos, pc.writes, c.writes, posted, pc)
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
