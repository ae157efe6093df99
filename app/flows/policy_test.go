package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/clock"
)

// monday is the calendar the deadline tests start on: Monday 2 March 2026,
// 09:00 UTC.
var monday = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// A follow-up without a due date gets one from the SLO of its priority,
// else of the incident's severity, counted from the merge; an item's own
// date wins; the date is in the body and the tracking comment.
func TestFollowUpDueByPolicy(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{clock: clock.NewOffset(monday), files: map[string]string{
		".github/postmortem.yml": "follow_ups:\n  slo: {SEV2: 6w}\n",
	}})
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, priority: P1)\n"+
		"- [ ] Load-test configuration changes (owner: @bob, priority: P3)\n"+
		"- [ ] Alert on pool saturation (owner: @carol, priority: P2, due: 2026-03-20)\n")
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	want := map[string]string{
		"Validate pool sizes":             "- **Due:** 2026-03-30 (P1: 4 weeks after the postmortem merged, by policy)",
		"Load-test configuration changes": "- **Due:** 2026-04-13 (SEV2: 6 weeks after the postmortem merged, by policy)",
		"Alert on pool saturation":        "- **Due:** 2026-03-20\n",
	}
	for _, is := range e.followUpIssues(n) {
		if w := want[is.Title]; w == "" || !strings.Contains(is.Body, w) {
			t.Errorf("#%d %q body does not say %q:\n%s", is.Number, is.Title, w, is.Body)
		}
	}
	tracking := e.commentsWith(n, MarkerTracking(n))[0].Body
	for _, d := range []string{"2026-03-30", "2026-04-13", "2026-03-20"} {
		if !strings.Contains(tracking, d) {
			t.Errorf("tracking comment does not show %s:\n%s", d, tracking)
		}
	}
}
