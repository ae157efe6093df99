package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/queue"
)

// The chaos suite: one end-to-end scenario (N incidents, each with three
// follow-ups, through the whole lifecycle) run against three App replicas on
// one PostgreSQL schema under duplicated/delayed/reordered deliveries, API
// faults, SIGKILLed replicas and lost deliveries, separately and together.
// It asserts exactly one postmortem pull request per incident, one issue per
// action item, every tracking comment right and every incident closed, and
// prints the figures. Seeded: POSTMORTEM_CHAOS_SEED or -chaos.seed.

var (
	chaosIncidents = flag.Int("chaos.incidents", 3, "incidents per chaos scenario")
	chaosSeedFlag  = flag.Int64("chaos.seed", 0, "chaos seed (default POSTMORTEM_CHAOS_SEED or a fixed seed)")
	chaosTimeout   = flag.Duration("chaos.timeout", 90*time.Second, "time for one chaos scenario to converge (typically 1–10 s; a job a killed replica left running waits for River's rescuer, on a leader whose lease is 15 s)")
)

const (
	chaosAppID  = 41
	chaosInstID = 410
	chaosRepo   = "acme/payments"
)

func chaosSeed(t *testing.T) uint64 {
	if *chaosSeedFlag != 0 {
		return uint64(*chaosSeedFlag)
	}
	if s := os.Getenv("POSTMORTEM_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("POSTMORTEM_CHAOS_SEED=%q: %v", s, err)
		}
		return n
	}
	return 20260301
}

// ---- a replica: the serve wiring, in this process or in a child ------------

// replicaConfig is what a replica needs (JSON in the child's environment).
type replicaConfig struct {
	APIURL      string        `json:"api_url"`
	AppID       int64         `json:"app_id"`
	KeyPEM      []byte        `json:"key_pem"`
	Secret      string        `json:"secret"`
	DatabaseURL string        `json:"database_url"`
	Schema      string        `json:"schema"`
	Resync      time.Duration `json:"resync"`
	Name        string        `json:"name"`
	// Remind is the reminder pass's period (0: none); ClockFile, when set,
	// holds the offset of the calendar the test moves (the App's clock
	// reads it on every call, in this process or a child).
	Remind    time.Duration `json:"remind"`
	ClockFile string        `json:"clock_file"`
}

// fileClock is a calendar shifted by the offset (nanoseconds) written in
// path: replicas in child processes follow the test's clock through it.
func fileClock(path string) func() time.Time {
	return func() time.Time {
		b, err := os.ReadFile(path)
		if err != nil {
			return time.Now()
		}
		d, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return time.Now().Add(time.Duration(d))
	}
}

// writeClockFile writes the calendar's offset for fileClock, whole: into a
// file of its own, renamed over path. (os.WriteFile truncates path, then
// writes: a replica reading in between, a window a loaded machine widens,
// read no offset, the real date, and its pass posted steps of a day months
// away.)
func writeClockFile(path string, shift time.Duration) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.FormatInt(int64(shift), 10))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

type replica struct {
	addr string
	app  *App
	stop context.CancelFunc // ends Run: shutdown within the grace period
	ran  chan error
}

// startReplica wires one App replica like `postmortem serve`: clients,
// flows, resync and redelivery reconcilers, a PostgreSQL queue, the periodic
// resync, the start-up redelivery job and the webhook server.
func startReplica(ctx context.Context, c replicaConfig) (*replica, error) {
	key, err := ghclient.ParsePrivateKey(c.KeyPEM)
	if err != nil {
		return nil, err
	}
	var clk func() time.Time
	if c.ClockFile != "" {
		clk = fileClock(c.ClockFile)
	}
	a, err := New(ctx, Options{
		GitHub: ghclient.Config{AppID: c.AppID, PrivateKey: key, APIURL: c.APIURL,
			Retry: ghclient.RetryConfig{MaxAttempts: 4, BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, MaxWait: 3 * time.Second},
			Pacer: ghclient.PacerConfig{Interval: time.Millisecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: 10 * time.Second},
		},
		WebhookSecret: c.Secret, BotLogin: BotLogin("postmortem"),
		DatabaseURL: c.DatabaseURL, Schema: c.Schema,
		Queue: queue.Config{MaxWorkers: 4,
			PollInterval: 50 * time.Millisecond, RerunDelay: 100 * time.Millisecond, RetryBackoff: 300 * time.Millisecond,
			// A killed replica's jobs are rescued (retried elsewhere) soon.
			JobTimeout: 10 * time.Second, RescueStuckJobsAfter: 12 * time.Second},
		// A claim left by a SIGKILLed replica is taken over after this lease
		// (a live creator gives up before it runs out).
		ClaimsLease:      4 * time.Second,
		ResyncInterval:   c.Resync,
		ReminderInterval: c.Remind,
		Clock:            clk,
		Redeliver:        true,
		ShutdownGrace:    3 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	ran := make(chan error, 1)
	go func() { ran <- a.Run(runCtx, ln) }()
	return &replica{addr: ln.Addr().String(), app: a, stop: stop, ran: ran}, nil
}

func (r *replica) shutdown() {
	r.stop()
	<-r.ran
	r.app.Close()
}

// TestHelperReplica is not a test: the kill mode runs it as a child process
// (a replica that can be SIGKILLed). It prints "ADDR host:port" and serves
// until killed or until its stdin closes.
func TestHelperReplica(t *testing.T) {
	cfgJSON := os.Getenv("POSTMORTEM_CHAOS_REPLICA")
	if cfgJSON == "" {
		t.Skip("helper process of the chaos suite's kill mode (runs only as a child with POSTMORTEM_CHAOS_REPLICA)")
	}
	var c replicaConfig
	if err := json.Unmarshal([]byte(cfgJSON), &c); err != nil {
		t.Fatal(err)
	}
	r, err := startReplica(context.Background(), c)
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(3)
	}
	fmt.Printf("ADDR %s\n", r.addr)
	io.Copy(io.Discard, os.Stdin) // the parent went away: stop
	r.shutdown()
	os.Exit(0)
}

// replicaSlot is one of the three replicas: in this process or a child.
type replicaSlot struct {
	in   *replica
	cmd  *exec.Cmd
	addr string
}

// ---- the webhook load balancer -----------------------------------------------

// hookProxy spreads deliveries round-robin over the live replicas (a dead
// one is skipped, like a load balancer's failed health check).
type hookProxy struct {
	mu      sync.Mutex
	targets []string
	next    int
	client  *http.Client
}

func (p *hookProxy) set(i int, addr string) {
	p.mu.Lock()
	p.targets[i] = addr
	p.mu.Unlock()
}

func (p *hookProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	start := p.next
	p.next++
	targets := append([]string(nil), p.targets...)
	p.mu.Unlock()
	for i := range targets {
		addr := targets[(start+i)%len(targets)]
		if addr == "" {
			continue
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "http://"+addr+"/webhook", strings.NewReader(string(body)))
		req.Header = r.Header.Clone()
		resp, err := p.client.Do(req)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				continue // down: try the next replica
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
		return
	}
	http.Error(w, "no replica up", http.StatusBadGateway)
}

// ---- the scenario ---------------------------------------------------------------

type chaosMode struct {
	name       string
	duplicates bool // every delivery 1–10 times, delayed, reordered
	faults     bool // 20 % of API calls fail
	kill       bool // replicas are child processes, SIGKILLed at step boundaries
	lost       bool // deliveries fail; restarts redeliver; resync
}

type chaosEnv struct {
	t            *testing.T
	mode         chaosMode
	seed         uint64
	rng          *rand.Rand
	sim          *githubsim.Server
	cfg          replicaConfig
	proxy        *hookProxy
	slots        []*replicaSlot
	slotMu       sync.Mutex
	alice        *githubsim.Actor
	bob          *githubsim.Actor
	restart      atomic.Int64
	actorRetries atomic.Int64
}

func TestChaos(t *testing.T) {
	modes := []chaosMode{
		{name: "duplicates", duplicates: true},
		{name: "replicas"},
		{name: "faults", faults: true},
		{name: "kill", kill: true},
		{name: "lost", lost: true},
		{name: "all", duplicates: true, faults: true, kill: true, lost: true},
	}
	u := dbtest.PostgresURL(t)
	seed := chaosSeed(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			runChaos(t, u, m, seed+uint64(i))
		})
	}
}

func runChaos(t *testing.T, dbURL string, mode chaosMode, seed uint64) {
	defer func() {
		if t.Failed() {
			t.Logf("reproduce with POSTMORTEM_CHAOS_SEED=%d (this mode's seed %d) -run 'TestChaos/%s'", chaosSeed(t), seed, mode.name)
		}
	}()
	db := newTestDB(t, "postgres")
	_ = dbURL
	e := &chaosEnv{t: t, mode: mode, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	e.proxy = &hookProxy{targets: make([]string, 3), client: &http.Client{Timeout: 10 * time.Second}}
	ps := httptest.NewServer(e.proxy)
	t.Cleanup(ps.Close)
	secret := "chaos-" + strconv.FormatUint(seed, 16)
	sim, err := githubsim.New(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice", Name: "Alice"}, {Login: "bob", Name: "Bob"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}, {Login: "bob"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "payments", Files: map[string]string{
			".github/postmortem.yml": "close_incident: true\n",
		}}},
		Apps: []githubsim.SeedApp{{
			AppID: chaosAppID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "pull_request", "check_suite", "check_run"},
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
	e.alice, e.bob = sim.As("alice"), sim.As("bob")
	resync := 0 * time.Second
	if mode.lost || mode.kill || mode.faults {
		resync = 1500 * time.Millisecond
	}
	e.cfg = replicaConfig{APIURL: sim.URL() + "/", AppID: chaosAppID, KeyPEM: sim.AppPrivateKey(chaosAppID), Secret: secret,
		DatabaseURL: db.url, Schema: db.schema, Resync: resync}
	for i := 0; i < 3; i++ {
		e.slots = append(e.slots, &replicaSlot{})
		e.startSlot(i)
	}
	t.Cleanup(func() {
		for i := range e.slots {
			e.stopSlot(i, false)
		}
	})

	f := e.sim.Faults()
	if mode.duplicates {
		f.AddHook(githubsim.HookFault{Kind: githubsim.HookReorder, Probability: 0.15, Seed: int64(seed)})
		f.AddHook(githubsim.HookFault{Kind: githubsim.HookDelay, Delay: time.Duration(50+e.rng.IntN(250)) * time.Millisecond, Probability: 0.2, Seed: int64(seed + 1)})
		// 1–10 deliveries: N extra copies drawn per fault; several faults
		// with different N cover the range.
		for n := 1; n <= 9; n += 2 {
			f.AddHook(githubsim.HookFault{Kind: githubsim.HookDuplicate, N: n, Probability: 0.25, Seed: int64(seed) + int64(n)})
		}
	}
	if mode.lost {
		f.AddHook(githubsim.HookFault{Kind: githubsim.HookFail, Probability: 0.3, Seed: int64(seed + 7)})
	}
	if mode.faults {
		// 20 % of every call fails, spread over the kinds (each fault draws
		// on what the previous ones left: 1-(1-p)^5 ≈ 0.2). Primary
		// exhaustion lifts a second later: the job snoozes until then. And
		// a few of the App's calls are done by GitHub but their answer is
		// lost (the people's actions are not: they would not retry).
		p := 0.044
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.LostAnswer, TokenKind: "installation", Probability: 0.04, Seed: int64(seed + 16)})
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.Status5xx, Probability: p, Seed: int64(seed + 11)})
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.Timeout, Latency: 300 * time.Millisecond, Probability: p, Seed: int64(seed + 12)})
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.Drop, Probability: p, Seed: int64(seed + 13)})
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.SecondaryRateLimit, RetryAfter: 1, Probability: p, Seed: int64(seed + 14)})
		f.Add(githubsim.Fault{Route: "*", Kind: githubsim.PrimaryExhausted, Reset: time.Second, Probability: p, Seed: int64(seed + 15)})
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), *chaosTimeout)
	defer cancel()
	stopChaos := make(chan struct{})
	var chaosWG sync.WaitGroup
	if mode.kill {
		chaosWG.Add(1)
		go func() { defer chaosWG.Done(); e.killer(stopChaos) }()
	} else if mode.lost {
		chaosWG.Add(1)
		go func() { defer chaosWG.Done(); e.restarter(stopChaos) }()
	}

	n := *chaosIncidents
	incidents := make([]int, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			num, err := e.story(ctx, i)
			incidents[i] = num
			if err != nil {
				errs <- fmt.Errorf("incident %d (#%d): %w", i, num, err)
			}
		}(i)
	}
	wg.Wait()
	close(stopChaos)
	chaosWG.Wait()
	converged := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Let the tail settle (echoes, duplicates still in flight), then check
	// that nothing more was made.
	sim.Faults().Clear()
	sim.Flush()
	time.Sleep(500 * time.Millisecond)
	sim.Flush()
	e.assertInvariants(incidents)
	e.figures(converged)
}

// retry runs a person's action until it goes through (faults hit people's
// calls too; an injected fault rejects a request before acting on it). A
// rate-limited person waits for the reset: go-github refuses to send more
// until then.
func (e *chaosEnv) retry(ctx context.Context, what string, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			return nil
		}
		e.actorRetries.Add(1)
		wait := 50 * time.Millisecond
		var rl *github.RateLimitError
		var abuse *github.AbuseRateLimitError
		switch {
		case errors.As(err, &rl):
			wait = max(wait, time.Until(rl.Rate.Reset.Time))
		case errors.As(err, &abuse) && abuse.RetryAfter != nil:
			wait = max(wait, *abuse.RetryAfter)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error %v)", what, ctx.Err(), err)
		case <-time.After(min(wait, 5*time.Second)):
		}
	}
}

func (e *chaosEnv) wait(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("still waiting for %s: %w", what, ctx.Err())
		case <-time.After(30 * time.Millisecond):
		}
	}
	return nil
}

func (e *chaosEnv) issue(n int) (githubsim.Issue, bool) {
	for _, is := range e.sim.Issues(chaosRepo) {
		if is.Number == n {
			return is, true
		}
	}
	return githubsim.Issue{}, false
}

func (e *chaosEnv) followUps(incident int) []githubsim.Issue {
	var out []githubsim.Issue
	for _, is := range e.sim.Issues(chaosRepo) {
		if inc, _, ok := flows.ParseFollowUpMarker(is.Body); ok && inc == incident {
			out = append(out, is)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (e *chaosEnv) postmortemPRs(incident int) []githubsim.Pull {
	var out []githubsim.Pull
	for _, pr := range e.sim.Pulls(chaosRepo) {
		if strings.Contains(pr.Body, flows.MarkerIncidentPR(incident)) {
			out = append(out, pr)
		}
	}
	return out
}

// explainPRs logs what a failed exactly-once invariant needs to be
// diagnosed: each pull request, then every write to pulls and refs with
// its status and fault, in order.
func (e *chaosEnv) explainPRs(prs []githubsim.Pull) {
	for _, pr := range prs {
		e.t.Logf("  #%d head %s (%s) state %s merged %v by %s", pr.Number, pr.Head, pr.HeadSHA, pr.State, pr.Merged, pr.User)
	}
	for _, c := range e.sim.Calls() {
		if c.Method == http.MethodGet || !(strings.Contains(c.Route, "/pulls") || strings.Contains(c.Route, "/git/refs") || strings.Contains(c.Route, "/comments")) {
			continue
		}
		e.t.Logf("  %s %s %s → %d %s %s", c.Time.Format("15:04:05.000"), c.Method, c.Path, c.Status, c.Login, c.Fault)
	}
}

// story drives one incident through the whole lifecycle as people would.
func (e *chaosEnv) story(ctx context.Context, i int) (int, error) {
	var n int
	title := fmt.Sprintf("Payments %d times out after deploy %d", i+1, 100+i)
	if err := e.retry(ctx, "open the incident", func() (err error) {
		n, err = e.alice.OpenIssue(chaosRepo, title, "Payments time out since 10:00 UTC.")
		return err
	}); err != nil {
		return 0, err
	}
	if err := e.retry(ctx, "label it", func() error { return e.alice.AddLabels(chaosRepo, n, "incident", "sev2") }); err != nil {
		return n, err
	}
	var pr githubsim.Pull
	if err := e.wait(ctx, "the postmortem pull request and the pointer comment", func() bool {
		prs := e.postmortemPRs(n)
		inc, _ := e.issue(n)
		if len(prs) > 0 && hasCommentWith(inc, flows.MarkerPointer(n)) {
			pr = prs[0]
			return true
		}
		return false
	}); err != nil {
		return n, err
	}
	var file string
	if err := e.retry(ctx, "find the postmortem file", func() error {
		files, _, err := e.alice.Client.PullRequests.ListFiles(ctx, "acme", "payments", pr.Number, nil)
		if err != nil {
			return err
		}
		for _, f := range files {
			if strings.HasPrefix(f.GetFilename(), "postmortems/") {
				file = f.GetFilename()
				return nil
			}
		}
		return fmt.Errorf("no postmortem file in #%d", pr.Number)
	}); err != nil {
		return n, err
	}
	if err := e.retry(ctx, "write the postmortem", func() error {
		_, err := e.alice.EditFile(chaosRepo, pr.Number, file, playgroundPostmortem(n), "Write the postmortem")
		return err
	}); err != nil {
		return n, err
	}
	if err := e.retry(ctx, "approve", func() error { return e.bob.ApprovePR(chaosRepo, pr.Number, "LGTM") }); err != nil {
		return n, err
	}
	if err := e.retry(ctx, "merge", func() error {
		_, err := e.bob.MergePR(chaosRepo, pr.Number, "squash")
		if err != nil && strings.Contains(err.Error(), "405") {
			for _, p := range e.sim.Pulls(chaosRepo) {
				if p.Number == pr.Number && p.Merged {
					return nil
				}
			}
		}
		return err
	}); err != nil {
		return n, err
	}
	var fus []githubsim.Issue
	if err := e.wait(ctx, "three follow-ups and the tracking comment", func() bool {
		fus = e.followUps(n)
		inc, _ := e.issue(n)
		return len(fus) >= 3 && hasCommentWith(inc, flows.MarkerTracking(n))
	}); err != nil {
		return n, err
	}
	for _, f := range fus {
		if err := e.retry(ctx, fmt.Sprintf("close follow-up #%d", f.Number), func() error {
			return e.alice.CloseIssue(chaosRepo, f.Number, "completed")
		}); err != nil {
			return n, err
		}
	}
	err := e.wait(ctx, "the incident to be closed", func() bool {
		inc, _ := e.issue(n)
		return inc.State == "closed" && hasLabelName(inc.Labels, "postmortem-complete")
	})
	return n, err
}

// ---- replicas: start, kill, restart -----------------------------------------------

func (e *chaosEnv) startSlot(i int) {
	t := e.t
	s := e.slots[i]
	c := e.cfg
	c.Name = fmt.Sprintf("replica-%d", i)
	if !e.mode.kill {
		r, err := startReplica(context.Background(), c)
		if err != nil {
			t.Errorf("start %s: %v", c.Name, err)
			return
		}
		e.slotMu.Lock()
		s.in, s.addr = r, r.addr
		e.slotMu.Unlock()
		e.proxy.set(i, r.addr)
		return
	}
	js, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReplica$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POSTMORTEM_CHAOS_REPLICA="+string(js))
	stdin, _ := cmd.StdinPipe()
	_ = stdin // closed when the parent exits: the child stops
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Errorf("start %s: %v", c.Name, err)
		return
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if addr, ok := strings.CutPrefix(line, "ADDR "); ok {
			e.slotMu.Lock()
			s.cmd, s.addr = cmd, addr
			e.slotMu.Unlock()
			e.proxy.set(i, addr)
			go io.Copy(io.Discard, out)
			return
		}
		if strings.HasPrefix(line, "ERR ") {
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Errorf("start %s: the child did not report its address", c.Name)
}

// stopSlot stops replica i: gracefully (in-process) or with SIGKILL.
func (e *chaosEnv) stopSlot(i int, kill bool) {
	e.slotMu.Lock()
	s := e.slots[i]
	in, cmd := s.in, s.cmd
	s.in, s.cmd, s.addr = nil, nil, ""
	e.slotMu.Unlock()
	e.proxy.set(i, "")
	if in != nil {
		in.shutdown()
	}
	if cmd != nil {
		if kill {
			cmd.Process.Signal(syscall.SIGKILL)
		} else {
			cmd.Process.Kill()
		}
		cmd.Wait()
	}
}

// appWrites counts the App's writes so far (installation token, not GET).
func (e *chaosEnv) appWrites() int {
	n := 0
	for _, c := range e.sim.Calls() {
		if c.TokenKind == "installation" && c.Method != http.MethodGet && c.Status != 0 {
			n++
		}
	}
	return n
}

// killer SIGKILLs a replica at step boundaries — right after the App's
// k-th write (each write is a step of some flow), k drawn from the seed —
// and restarts it at once.
func (e *chaosEnv) killer(stop <-chan struct{}) {
	next := 3 + e.rng.IntN(6)
	victim := 0
	for {
		select {
		case <-stop:
			return
		case <-time.After(5 * time.Millisecond):
		}
		if e.appWrites() < next {
			continue
		}
		e.stopSlot(victim, true)
		e.restart.Add(1)
		e.startSlot(victim)
		victim = (victim + 1) % len(e.slots)
		next = e.appWrites() + 3 + e.rng.IntN(10)
	}
}

// restarter restarts a replica every so often (lost mode without kills):
// each start-up runs the redelivery pass.
func (e *chaosEnv) restarter(stop <-chan struct{}) {
	victim := 0
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(800+e.rng.IntN(800)) * time.Millisecond):
		}
		e.stopSlot(victim, false)
		e.restart.Add(1)
		e.startSlot(victim)
		victim = (victim + 1) % len(e.slots)
	}
}

// ---- invariants and figures ------------------------------------------------------

func (e *chaosEnv) assertInvariants(incidents []int) {
	t := e.t
	for _, n := range incidents {
		if n == 0 {
			continue
		}
		if prs := e.postmortemPRs(n); len(prs) != 1 {
			t.Errorf("incident #%d: %d postmortem pull requests, want exactly 1", n, len(prs))
			e.explainPRs(prs)
		}
		inc, ok := e.issue(n)
		if !ok {
			t.Errorf("incident #%d not found", n)
			continue
		}
		fus := e.followUps(n)
		keys := map[string]int{}
		for _, f := range fus {
			_, key, _ := flows.ParseFollowUpMarker(f.Body)
			keys[key]++
			if f.Parent != n {
				t.Errorf("follow-up #%d: parent %d, want sub-issue of #%d", f.Number, f.Parent, n)
			}
			if f.State != "closed" {
				t.Errorf("follow-up #%d is %s", f.Number, f.State)
			}
		}
		if len(fus) != 3 || len(keys) != 3 {
			t.Errorf("incident #%d: %d follow-up issues for %d action items, want exactly one per item (3)", n, len(fus), len(keys))
		}
		count := func(marker string) (int, string) {
			c, body := 0, ""
			for _, cm := range inc.Comments {
				if strings.Contains(cm.Body, marker) {
					c++
					body = cm.Body
				}
			}
			return c, body
		}
		if c, _ := count(flows.MarkerPointer(n)); c != 1 {
			t.Errorf("incident #%d: %d pointer comments, want 1", n, c)
		}
		c, body := count(flows.MarkerTracking(n))
		if c != 1 {
			t.Errorf("incident #%d: %d tracking comments, want 1", n, c)
		}
		if !strings.Contains(body, "3 of 3 done") || !strings.Contains(body, "Every follow-up is done.") {
			t.Errorf("incident #%d: tracking comment does not say 3 of 3 done:\n%s", n, body)
		}
		for _, f := range fus {
			if !strings.Contains(body, fmt.Sprintf("| ✅ | #%d ", f.Number)) {
				t.Errorf("incident #%d: tracking comment does not list #%d as done:\n%s", n, f.Number, body)
			}
		}
		if c, _ := count(flows.MarkerComplete(n)); c != 1 {
			t.Errorf("incident #%d: %d completion comments, want 1", n, c)
		}
		if inc.State != "closed" || !hasLabelName(inc.Labels, "postmortem-complete") {
			t.Errorf("incident #%d: state %s labels %v, want closed and postmortem-complete", n, inc.State, inc.Labels)
		}
	}
	// Nothing else: no stray issues or pull requests.
	want := len(incidents) * 4
	prNums := map[int]bool{}
	for _, pr := range e.sim.Pulls(chaosRepo) {
		prNums[pr.Number] = true
	}
	got := 0
	for _, is := range e.sim.Issues(chaosRepo) {
		if !prNums[is.Number] {
			got++
		}
	}
	if got != want {
		t.Errorf("%d issues in the repository, want %d (incidents and their follow-ups)", got, want)
	}
	if got := len(e.sim.Pulls(chaosRepo)); got != len(incidents) {
		t.Errorf("%d pull requests, want %d", got, len(incidents))
	}
}

func (e *chaosEnv) figures(converged time.Duration) {
	ds := e.sim.Deliveries()
	seen := map[string]bool{}
	dups, failed, redelivered := 0, 0, 0
	for _, d := range ds {
		switch {
		case d.Redelivery:
			redelivered++
		case seen[d.GUID]:
			dups++
		}
		seen[d.GUID] = true
		if d.Attempted && !d.OK() {
			failed++
		}
	}
	faults := 0
	for _, h := range e.sim.Faults().Hits() {
		faults += h
	}
	calls, appCalls, faulted, lost := 0, 0, 0, 0
	for _, c := range e.sim.Calls() {
		calls++
		if c.TokenKind == "installation" || c.TokenKind == "app" {
			appCalls++
		}
		if c.Fault != "" {
			faulted++
		}
		if c.Fault == githubsim.LostAnswer.String() && c.Method != http.MethodGet {
			lost++
		}
	}
	e.t.Logf("chaos %s seed %d: %d incidents × 3 follow-ups converged in %s", e.mode.name, e.seed, *chaosIncidents, converged.Round(time.Millisecond))
	e.t.Logf("  deliveries %d (%d distinct, %d duplicates, %d redeliveries, %d failed)", len(ds), len(seen), dups, redelivered, failed)
	e.t.Logf("  API faults injected %d (of %d calls, %d of them writes done with their answer lost); people's retries %d; replica restarts %d",
		faulted, calls, lost, e.actorRetries.Load(), e.restart.Load())
	e.t.Logf("  GitHub calls by the App %d", appCalls)
	fmt.Printf("chaos mode=%s seed=%d incidents=%d deliveries=%d duplicates=%d redeliveries=%d failed=%d faults=%d restarts=%d app_calls=%d converge=%s\n",
		e.mode.name, e.seed, *chaosIncidents, len(ds), dups, redelivered, failed, faulted, e.restart.Load(), appCalls, converged.Round(time.Millisecond))
}
