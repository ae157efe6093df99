package flows

import (
	"strings"
	"testing"
)

// Issue 13: an action item's "#label" words became its follow-up's labels,
// "#incident" too: the follow-up was labelled as an incident, and the App
// drafted a postmortem for it (when the resync, or anyone's edit, ran the
// incident flow on it). A follow-up never gets the incident label nor the
// labels the App puts on and off itself (postmortem-complete, overdue),
// whether an action item or follow_ups.labels names them, and its body
// says which were left off and why.
func TestActionItemLabelsNeverStartAFlow(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{
		".github/postmortem.yml": "follow_ups:\n  labels: [reliability, Incident]\n",
	}})
	n := e.openIncident("Checkout outage", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Alert on pool size #incident #db #postmortem-complete #overdue (owner: @alice, due: 2026-03-20)\n")
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.FollowUps == nil || len(res.FollowUps.Created) != 1 {
		t.Fatalf("follow-ups: %+v", res.FollowUps)
	}
	fu := e.issue(res.FollowUps.Created[0])
	for _, l := range fu.Labels {
		switch strings.ToLower(l) {
		case "incident", "postmortem-complete", "overdue":
			t.Errorf("follow-up #%d labelled %q (labels %v)", fu.Number, l, fu.Labels)
		}
	}
	if !hasAll(fu.Labels, "follow-up", "reliability", "db") {
		t.Errorf("follow-up labels %v, want follow-up, reliability and db", fu.Labels)
	}
	if !strings.Contains(fu.Body, "`incident`") || !strings.Contains(fu.Body, "not an incident") {
		t.Errorf("the follow-up does not say why it is not labelled incident:\n%s", fu.Body)
	}
	ires, err := e.flows.Incident(e.ctx, e.incidentBare(fu.Number))
	e.must(err)
	if ires.PullRequest != 0 || len(e.pulls()) != 1 {
		t.Fatalf("the follow-up was taken for an incident: %+v, %d pull requests", ires, len(e.pulls()))
	}
}
