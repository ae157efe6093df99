package flows

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// scaleEnv is an installation of many repositories, a few of them with
// open incidents, and the resync over it.
type scaleEnv struct {
	*flowEnv
	clk   *clock.Offset
	rs    *Resyncer
	repos []string // the repositories with an incident
	nums  map[string]int
}

func newScaleEnv(t *testing.T, repos, incidents, drafted int) *scaleEnv {
	t.Helper()
	seed := flowtest.Seed(nil)
	for i := 0; i < repos-1; i++ { // acme/services is the seed's
		seed.GitHub.Repos = append(seed.GitHub.Repos, githubsim.SeedRepo{Owner: "acme", Name: fmt.Sprintf("svc-%04d", i)})
	}
	clk := clock.NewOffset(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	g := flowtest.NewSeeded(t, seed, clk)
	e := &scaleEnv{flowEnv: &flowEnv{env: g, t: t, ctx: g.Ctx, sim: g.Sim, conf: g.Conf, claims: g.Claims,
		flows: &Flows{Clients: g.Clients, Claims: g.Claims, BotLogin: flowBot, Watch: g.Watch, Now: clk.Now},
		alice: g.Alice, bob: g.Bob}, clk: clk, nums: map[string]int{}}
	e.rs = &Resyncer{Flows: e.flows, App: g.Clients.App()}
	step := (repos - 1) / incidents
	for i := 0; i < incidents; i++ {
		name := fmt.Sprintf("svc-%04d", i*step)
		n, err := e.alice.OpenIssue("acme/"+name, "Checkout outage "+name, "The checkout API returns 502 for most requests.", "incident", "sev2")
		e.must(err)
		e.repos = append(e.repos, name)
		e.nums[name] = n
		if i < drafted { // delivered and drafted; the others' deliveries were lost
			_, err := e.flows.Incident(e.ctx, jobs.IncidentArgs{InstallationID: flowInstID, Owner: "acme", Repo: name, Number: n})
			e.must(err)
		}
	}
	return e
}

// passCost is what one resync pass cost: the resync's own requests, the
// jobs it found necessary and their requests, in GitHub's points (a GET
// 1, a write 5; GitHub's secondary limit is 900 a minute).
type passCost struct {
	kind            string
	resyncRequests  int
	resync304       int
	searches        int
	repoJobs        int
	jobs            map[string]int
	jobRequests     int
	points, writes  int
	installationRes *ResyncResult
}

func (p passCost) requests() int { return p.resyncRequests + p.jobRequests }

// pass runs one periodic resync the way the queue would: every
// installation, each one's repositories, each repository's jobs, and
// those jobs (incident and pull request flows), counting requests.
func (e *scaleEnv) pass() passCost {
	e.t.Helper()
	mark := e.mark()
	res, err := e.rs.Resync(e.ctx, jobs.ResyncArgs{})
	e.must(err)
	pc := passCost{jobs: map[string]int{}}
	var work []jobs.Args
	queue := append([]jobs.Args(nil), res.Enqueued...)
	for len(queue) > 0 {
		a := queue[0].(jobs.ResyncArgs)
		queue = queue[1:]
		r, err := e.rs.Resync(e.ctx, a)
		e.must(err)
		if a.Owner == "" {
			pc.installationRes = r
			pc.kind = r.Searched
		} else {
			pc.repoJobs++
		}
		for _, j := range r.Enqueued {
			if ra, ok := j.(jobs.ResyncArgs); ok {
				queue = append(queue, ra)
			} else {
				work = append(work, j)
			}
		}
	}
	resyncMark := e.mark()
	for _, j := range work {
		switch a := j.(type) {
		case jobs.IncidentArgs:
			pc.jobs["incident"]++
			_, err := e.flows.Incident(e.ctx, a)
			e.must(err)
		case jobs.PullRequestArgs:
			pc.jobs["pull_request"]++
			_, err := e.flows.PullRequest(e.ctx, a, false)
			e.must(err)
		default:
			e.t.Fatalf("unexpected job %T", j)
		}
	}
	calls := e.sim.Calls()
	for i, c := range calls[mark:] {
		if c.Method == "POST" && strings.HasSuffix(c.Route, "/access_tokens") {
			continue // minting a token is not the pass's work
		}
		if mark+i < resyncMark {
			pc.resyncRequests++
			if c.CacheHit {
				pc.resync304++
			}
			if c.Route == "GET /search/issues" {
				pc.searches++
			}
		} else {
			pc.jobRequests++
		}
		if c.Method == "GET" || c.Method == "HEAD" {
			pc.points++
		} else {
			pc.points += 5
			pc.writes++
		}
	}
	return pc
}

func (p passCost) String() string {
	var js []string
	for k, v := range p.jobs {
		js = append(js, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(js)
	return fmt.Sprintf("%s pass: %d requests (%d by the resync: %d searches, %d repository jobs, %d answered 304; %d by its jobs [%s]), %d points, %d writes",
		p.kind, p.requests(), p.resyncRequests, p.searches, p.repoJobs, p.resync304, p.jobRequests, strings.Join(js, ", "), p.points, p.writes)
}

// drafted says whether incident n of repo has its postmortem pull request
// and the pointer comment.
func (e *scaleEnv) drafted(repo string, n int) bool {
	pr := false
	for _, p := range e.sim.Pulls("acme/" + repo) {
		if strings.HasPrefix(p.Head, "postmortem/") && p.User == flowBot && strings.Contains(p.Body, MarkerIncidentPR(n)) {
			pr = true
		}
	}
	pointers := 0
	for _, is := range e.sim.Issues("acme/" + repo) {
		if is.Number != n {
			continue
		}
		for _, c := range is.Comments {
			if strings.Contains(c.Body, MarkerPointer(n)) {
				pointers++
			}
		}
	}
	return pr && pointers == 1
}

// TestResyncScalesWithIncidents: an installation of 5 000 repositories, 20
// of them with an open incident, 3 of whose deliveries were lost. The
// resync finds the repositories by searching, not by visiting each one:
// its first pass visits the 20 and drafts the 3 postmortems; a pass while
// nothing changes is the installations list and the searches; the next
// full sweep visits the 20 again and changes nothing. Counted in requests
// to the simulator, held to GitHub's description (the conformance
// transport).
func TestResyncScalesWithIncidents(t *testing.T) {
	const repos, incidents, drafted = 5000, 20, 17
	e := newScaleEnv(t, repos, incidents, drafted)
	for i, r := range e.repos {
		if got := e.drafted(r, e.nums[r]); got != (i < drafted) {
			t.Fatalf("before the resync, %s#%d drafted = %v", r, e.nums[r], got)
		}
	}

	e.clk.Advance(15 * time.Minute)
	first := e.pass()
	t.Log(first)
	if first.kind != "full" || first.repoJobs != incidents || first.jobs["incident"] != incidents-drafted {
		t.Fatalf("first pass: %v, want a full sweep of %d repositories drafting %d", first, incidents, incidents-drafted)
	}
	for _, r := range e.repos {
		if !e.drafted(r, e.nums[r]) {
			t.Errorf("after the first pass, %s#%d has no postmortem pull request and pointer", r, e.nums[r])
		}
	}
	// Bounded by the incidents, not the repositories: the searches, a
	// handful of list calls per repository with an incident, and the jobs.
	if max := 5 + 6*incidents; first.resyncRequests > max {
		t.Errorf("the first pass's resync made %d requests, want at most %d", first.resyncRequests, max)
	}

	// The next pass looks at what changed since: the three drafted
	// repositories (and any other the first pass's jobs touched).
	e.clk.Advance(15 * time.Minute)
	second := e.pass()
	t.Log(second)
	if second.kind != "changed" || second.jobs["incident"] != 0 || second.writes != 0 {
		t.Errorf("second pass: %v, want a pass over what changed, writing nothing", second)
	}
	// At rest: the installations and the searches, nothing else.
	var rest []passCost
	for i := 0; i < 3; i++ {
		e.clk.Advance(15 * time.Minute)
		p := e.pass()
		t.Log(p)
		rest = append(rest, p)
		if p.kind != "changed" || p.requests() > 4 || p.repoJobs != 0 {
			t.Errorf("at rest: %v, want at most 4 requests (installations, searches)", p)
		}
	}
	// A full sweep (every DefaultResyncFullEvery) visits the 20 again and
	// changes nothing.
	e.clk.Advance(DefaultResyncFullEvery)
	sweep := e.pass()
	t.Log(sweep)
	if sweep.kind != "full" || sweep.repoJobs != incidents || sweep.jobs["incident"] != 0 || sweep.writes != 0 {
		t.Errorf("full sweep: %v, want the %d repositories again, writing nothing", sweep, incidents)
	}
	perHour := 4*rest[0].requests() + sweep.requests()*int(time.Hour)/int(DefaultResyncFullEvery)
	t.Logf("at rest: %d requests an hour (4 passes of %d, a full sweep of %d every %v); busiest pass %d points",
		perHour, rest[0].requests(), sweep.requests(), DefaultResyncFullEvery, max(first.points, sweep.points))
	if perHour > 200 || first.points > 900 || sweep.points > 900 {
		t.Errorf("at rest %d requests an hour (want ≤ 200), passes of %d and %d points (want ≤ 900 a minute)", perHour, first.points, sweep.points)
	}

	// Before: every repository visited (the walk, which is also the
	// fallback where search cannot be used). 20 000 requests: only when
	// asked (make bench-resync).
	if os.Getenv("POSTMORTEM_BENCH_RESYNC") == "" {
		return
	}
	e.rs.noSearch = true
	e.clk.Advance(15 * time.Minute)
	mark := e.mark()
	res, err := e.rs.Resync(e.ctx, jobs.ResyncArgs{InstallationID: flowInstID, Account: "acme", AccountType: "Organization"})
	e.must(err)
	visited := 0
	for _, j := range res.Enqueued {
		if _, err := e.rs.Resync(e.ctx, j.(jobs.ResyncArgs)); err != nil {
			t.Logf("walk: stopped after %d repositories: %v", visited, err)
			break
		}
		visited++
	}
	n := 0
	for _, c := range e.sim.Calls()[mark:] {
		if c.Status != 403 && !(c.Method == "POST" && strings.HasSuffix(c.Route, "/access_tokens")) {
			n++
		}
	}
	t.Logf("walk (before): %d repositories listed, %d visited with %d requests (%.1f a repository): a pass over %d needs about %.0f requests, the jobs aside",
		len(res.Enqueued), visited, n, float64(n)/float64(max(visited, 1)), repos, float64(n)/float64(max(visited, 1))*float64(repos))
}

// TestResyncWalksWhereSearchCannotBeUsed: an installation whose searches
// GitHub refuses (422: a query it cannot take; a 404 or 403 is treated
// alike) is resynced the way it was before searching:
// every repository visited, the lost incidents found all the same.
func TestResyncWalksWhereSearchCannotBeUsed(t *testing.T) {
	e := newScaleEnv(t, 12, 2, 1)
	e.sim.Faults().Add(githubsim.Fault{Route: "GET /search/issues", Kind: githubsim.Status5xx, Status: 422})
	e.clk.Advance(15 * time.Minute)
	p := e.pass()
	t.Log(p)
	if p.kind != "walk" || p.repoJobs != 12 || p.jobs["incident"] != 1 {
		t.Fatalf("%v: want every one of 12 repositories visited and the lost incident drafted", p)
	}
	for _, r := range e.repos {
		if !e.drafted(r, e.nums[r]) {
			t.Errorf("%s#%d has no postmortem pull request and pointer", r, e.nums[r])
		}
	}
}
