package app

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// TestRouteLabels walks every flow (incident, checks and the review,
// commands, merge and follow-ups, tracking, reminders, resync) with the
// App's clients counting into its metrics and the conformance transport
// beside them: every request is inside GitHub's description (an unknown
// query parameter is a violation too), and the set of route labels in
// postmortem_github_requests_total is exactly the set of GitHub's route
// templates the flows used. No label carries a number, a name or a ref,
// so /metrics does not grow a series per incident.
func TestRouteLabels(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
	key, err := ghclient.ParsePrivateKey(e.sim.AppPrivateKey(flowtest.AppID))
	e.must(err)
	m := NewMetrics()
	conf := conformance.NewTransport(t, nil)
	clients, err := ghclient.New(ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: e.sim.URL() + "/", Base: conf, Observer: m,
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second}})
	e.must(err)
	e.flows.Clients = clients

	walkEveryFlow(e, clients)

	norm := regexp.MustCompile(`\{[^}]*\}`)
	ops := map[string]bool{}
	for op := range conf.Operations() {
		ops[norm.ReplaceAllString(op, "{}")] = true
	}
	labels := map[string]bool{}
	for _, mf := range gather(t, m) {
		if mf.GetName() != "postmortem_github_requests_total" {
			continue
		}
		for _, s := range mf.GetMetric() {
			var method, route string
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "method":
					method = l.GetValue()
				case "route":
					route = l.GetValue()
				}
			}
			if strings.ContainsAny(route, "0123456789") {
				t.Errorf("route label %q carries a number", route)
			}
			labels[norm.ReplaceAllString(method+" "+route, "{}")] = true
		}
	}
	if len(ops) < 20 {
		t.Fatalf("the walk used only %d operations: %v", len(ops), keys(ops))
	}
	for l := range labels {
		if !ops[l] {
			t.Errorf("route label %q is not one of GitHub's route templates used", l)
		}
	}
	for op := range ops {
		if !labels[op] {
			t.Errorf("operation %q has no route label of its own", op)
		}
	}
	if t.Failed() {
		t.Logf("labels: %v\noperations: %v", keys(labels), keys(ops))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// walkEveryFlow runs each flow once or more on acme/services: an incident
// with a comment drafted, a blameful edit checked (the review), the
// checks rerequested, a command, the merge with three follow-ups, their
// tracking until the incident completes, a reminder pass and a resync.
func walkEveryFlow(e *flowEnv, clients *ghclient.Clients) {
	t := e.t
	n := e.openIncident("Checkout outage", "incident", "sev2")
	_, err := e.alice.Comment(flowRepo, n, "Rolling back now.")
	e.must(err)
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	blameful := strings.Replace(fixedPostmortem(n, threeActions),
		"The configuration pipeline accepted", "The engineer was careless and should have checked the pool size before deploying. The configuration pipeline accepted", 1)
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, blameful, "Write the postmortem")
	e.must(err)
	pres, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	if pres.Suggestions == 0 {
		t.Fatalf("no review: %+v", pres)
	}
	_, err = e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), true)
	e.must(err)
	if a, ok := e.env.Command(e.alice, n, "/postmortem severity SEV1"); ok {
		_, err = e.flows.Command(e.ctx, a)
		e.must(err)
	} else {
		t.Fatal("the command was not routed")
	}
	_, err = e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, fixedPostmortem(n, threeActions), "Blameless")
	e.must(err)
	_, err = e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, ires.PullRequest, "squash")
	e.must(err)
	_, err = e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
	e.must(err)
	fus := e.followUpIssues(n)
	if len(fus) != 3 {
		t.Fatalf("%d follow-ups", len(fus))
	}
	if a, ok := e.env.Command(e.bob, fus[0].Number, "/postmortem due 2026-06-01"); ok {
		_, err = e.flows.Command(e.ctx, a)
		e.must(err)
	}
	_, err = e.flows.Remind(e.ctx, e.remindJob())
	e.must(err)
	for _, fu := range fus {
		e.must(e.alice.CloseIssue(flowRepo, fu.Number, "completed"))
		_, err = e.flows.Tracking(e.ctx, e.trackingJob(fu.Number))
		e.must(err)
	}
	rs := &flows.Resyncer{Flows: e.flows, App: clients.App()}
	res, err := rs.Resync(e.ctx, jobs.ResyncArgs{})
	e.must(err)
	for len(res.Enqueued) > 0 {
		next := res.Enqueued[0]
		res.Enqueued = res.Enqueued[1:]
		if a, ok := next.(jobs.ResyncArgs); ok {
			r, err := rs.Resync(e.ctx, a)
			e.must(err)
			res.Enqueued = append(res.Enqueued, r.Enqueued...)
		}
	}
}

// gather reads the metrics' families from their registry.
func gather(t *testing.T, m *Metrics) []*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}
