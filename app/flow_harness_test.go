package app

import (
	"context"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

const (
	flowAppID  = flowtest.AppID
	flowInstID = flowtest.InstID
	flowRepo   = flowtest.Repo
	flowBot    = flowtest.Bot
)

// flowEnv is flowtest's simulator, clients and claims, and the flows on
// them.
type flowEnv struct {
	env    *flowtest.Env
	t      *testing.T
	ctx    context.Context
	sim    *githubsim.Server
	flows  *flows.Flows
	claims *claims.Store
	alice  *githubsim.Actor
	bob    *githubsim.Actor
	conf   *conformance.Transport
}

type flowEnvOpts struct {
	files map[string]string // extra files in acme/services
	// clock, when set, is the calendar the simulator and the flows share.
	clock *clock.Offset
}

func flowSeed(files map[string]string) *githubsim.Seed { return flowtest.Seed(files) }

func newFlowEnv(t *testing.T, o flowEnvOpts) *flowEnv {
	t.Helper()
	g := flowtest.NewAt(t, o.files, o.clock)
	e := &flowEnv{
		env: g, t: t, ctx: g.Ctx, sim: g.Sim, conf: g.Conf, claims: g.Claims,
		flows: &flows.Flows{Clients: g.Clients, Claims: g.Claims, BotLogin: flowBot, Watch: g.Watch},
		alice: g.Alice, bob: g.Bob,
	}
	if o.clock != nil {
		e.flows.Now = o.clock.Now
	}
	return e
}

func (e *flowEnv) must(err error)                                   { e.t.Helper(); e.env.Must(err) }
func (e *flowEnv) appCalls(mark int) (map[string]int, int)          { return e.env.AppCalls(mark) }
func (e *flowEnv) mark() int                                        { return e.env.Mark() }
func fmtCalls(m map[string]int) string                              { return flowtest.FmtCalls(m) }
func (e *flowEnv) incident(n int) jobs.IncidentArgs                 { e.t.Helper(); return e.env.Incident(n) }
func (e *flowEnv) incidentBare(n int) jobs.IncidentArgs             { return e.env.IncidentBare(n) }
func (e *flowEnv) pr(n int) jobs.PullRequestArgs                    { return e.env.PR(n) }
func (e *flowEnv) trackingJob(n int) jobs.TrackingArgs              { return e.env.Tracking(n) }
func (e *flowEnv) remindJob() jobs.RemindArgs                       { return e.env.Remind() }
func (e *flowEnv) issue(n int) githubsim.Issue                      { return e.env.Issue(n) }
func (e *flowEnv) pulls() []githubsim.Pull                          { return e.env.Pulls() }
func (e *flowEnv) commentsWith(n int, m string) []githubsim.Comment { return e.env.CommentsWith(n, m) }
func (e *flowEnv) followUpIssues(incident int) []githubsim.Issue {
	return e.env.FollowUpIssues(incident)
}
func (e *flowEnv) openIncident(title string, labels ...string) int {
	e.t.Helper()
	return e.env.OpenIncident(title, labels...)
}

func (e *flowEnv) mergedPostmortem(incident int, actions string) int {
	e.t.Helper()
	return e.env.MergedPostmortem(incident, actions)
}

func incidentJobFromDeliveries(tb testing.TB, sim *githubsim.Server, n int) jobs.IncidentArgs {
	tb.Helper()
	return flowtest.IncidentJobFromDeliveries(tb, sim, n)
}

func fixedPostmortem(n int, actions string) string { return flowtest.FixedPostmortem(n, actions) }

const threeActions = flowtest.ThreeActions

func flowWaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	flowtest.WaitFor(t, d, what, cond)
}

// startSim starts a simulated GitHub with opts until the test ends and
// returns it with its App's private key.
func startSim(tb testing.TB, opts githubsim.Options) (*githubsim.Server, *rsa.PrivateKey) {
	tb.Helper()
	sim, err := githubsim.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	sim.Start()
	tb.Cleanup(sim.Close)
	key, err := ghclient.ParsePrivateKey(sim.AppPrivateKey(flowAppID))
	if err != nil {
		tb.Fatal(err)
	}
	return sim, key
}
