package flows

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// command comments body on issue n as actor and runs the job its delivery
// routes to, as the job runner would.
func (e *flowEnv) command(actor *githubsim.Actor, n int, body string) (*CommandResult, jobs.CommandArgs) {
	e.t.Helper()
	a, ok := e.env.Command(actor, n, body)
	if !ok {
		e.t.Fatalf("%q routes to no command", body)
	}
	res, err := e.flows.Command(e.ctx, a)
	e.must(err)
	return res, a
}

// answers are the App's answers on issue n, and the reactions of comment id.
func (e *flowEnv) answers(n int, id int64) (answers []string, reactions []string) {
	for _, c := range e.issue(n).Comments {
		if strings.Contains(c.Body, MarkerCommand(id)) {
			answers = append(answers, c.Body)
		}
		if c.ID == id {
			reactions = c.Reactions
		}
	}
	return answers, reactions
}

// Commands on a follow-up: refused politely for people without triage
// access, run for its assignee and for people with access, each once
// however often delivered, with a reaction and one answer; unknown or
// misplaced commands get the help; echoed text cannot ping or format.
func TestFollowUpCommands(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, "- [ ] Validate pool sizes (owner: @alice, due: 2026-04-01, priority: P1)\n")
	_, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	fu := e.followUpIssues(n)[0].Number
	mallory, carol := e.sim.As("mallory"), e.sim.As("carol")

	res, a := e.command(mallory, fu, "/postmortem due 2026-05-01")
	answers, reactions := e.answers(fu, a.CommentID)
	if res.Outcome != "refused" || len(answers) != 1 || !strings.Contains(answers[0], "sorry, only people with triage access") ||
		!slices.Equal(reactions, []string{flowBot + ":confused"}) || !strings.Contains(e.issue(fu).Body, "- **Due:** 2026-04-01") {
		t.Fatalf("mallory: %+v, answers %v, reactions %v", res, answers, reactions)
	}
	// With triage access she may.
	e.must(e.sim.SetRole(flowRepo, "mallory", "triage"))
	res, a = e.command(mallory, fu, "Needs the vendor first.\n/postmortem due 2026-05-01")
	if res.Outcome != "done" || !strings.Contains(e.issue(fu).Body, "- **Due:** 2026-05-01 (moved from 2026-04-01 by @mallory") ||
		len(res.Enqueued) != 1 {
		t.Fatalf("mallory with triage: %+v\n%s", res, e.issue(fu).Body)
	}
	// Delivered again (a redelivery after the job finished): nothing.
	again, err := e.flows.Command(e.ctx, a)
	e.must(err)
	if answers, reactions := e.answers(fu, a.CommentID); again.Skipped != "ran already" || len(answers) != 1 || len(reactions) != 1 {
		t.Fatalf("again: %+v, %v, %v", again, answers, reactions)
	}
	// The assignee snoozes it; the reason is echoed inert.
	res, a = e.command(e.alice, fu, "/postmortem snooze 2 weeks waiting on @acme/vendor <b>bold</b> #1")
	body := e.issue(fu).Body
	answers, reactions = e.answers(fu, a.CommentID)
	if res.Outcome != "done" || !strings.Contains(body, "- **Snoozed until:** ") || strings.Contains(body, "@acme/vendor") || strings.Contains(body, "<b>") ||
		len(answers) != 1 || strings.Contains(answers[0], "@acme/vendor") || !slices.Equal(reactions, []string{flowBot + ":+1"}) {
		t.Fatalf("snooze: %+v\n%s\n%v", res, body, answers)
	}
	// Someone else owns it now.
	if res, _ := e.command(carol, fu, "/postmortem owner @bob"); res.Outcome != "done" || !slices.Equal(e.issue(fu).Assignees, []string{"bob"}) {
		t.Fatalf("owner: %+v, assignees %v", res, e.issue(fu).Assignees)
	}
	if res, _ := e.command(carol, fu, "/postmortem owner @acme/sre"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "a team") {
		t.Fatalf("team owner: %+v", res)
	}
	// Mistakes get the help.
	for _, c := range []struct{ cmd, want string }{
		{"/postmortem frobnicate", "I do not know"},
		{"/postmortem", "Commands on a follow-up"},
		{"/postmortem skip it was nothing", "works on an incident issue"},
		{"/postmortem due next week", "is not a date"},
		{"/postmortem snooze 1w", "Why?"},
		{"/postmortem snooze 6 months because", "For how long?"},
	} {
		res, a := e.command(carol, fu, c.cmd)
		_, reactions := e.answers(fu, a.CommentID)
		if !strings.Contains(res.Answer, c.want) || (res.Outcome != "invalid" && c.cmd != "/postmortem") || len(reactions) != 1 {
			t.Errorf("%q: %+v %v", c.cmd, res, reactions)
		}
	}
	// An edited command does not run again: edits are not routed.
	id, err := carol.Comment(flowRepo, fu, "just a thought")
	e.must(err)
	edited := "/postmortem due 2026-06-01"
	_, _, err = carol.Client.Issues.EditComment(e.ctx, "acme", "services", id, &github.IssueComment{Body: &edited})
	e.must(err)
	if _, ok := jobOf(e, id); ok {
		t.Fatal("an edited comment was routed")
	}
}

// jobOf is the command job every delivery of comment id routes to.
func jobOf(e *flowEnv, id int64) (jobs.CommandArgs, bool) {
	e.sim.WaitIdle()
	for _, d := range e.sim.Deliveries() {
		if d.Event != "issue_comment" || !strings.Contains(string(d.Payload), `"id":`+strconv.FormatInt(id, 10)+`,`) {
			continue
		}
		js, _, _ := webhook.Route(d.Event, d.Payload, flowBot)
		for _, j := range js {
			if a, ok := j.(jobs.CommandArgs); ok {
				return a, true
			}
		}
	}
	return jobs.CommandArgs{}, false
}

// Commands on an incident: severity, skip, a timeline entry committed to
// the draft (once), and redraft only while the App alone wrote the draft.
func TestIncidentCommands(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout down", "incident", "sev3")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	carol := e.sim.As("carol")

	// Redraft with nothing new: up to date.
	if res, _ := e.command(carol, n, "/postmortem redraft"); res.Outcome != "done" || !strings.Contains(res.Answer, "up to date") {
		t.Fatalf("redraft: %+v", res)
	}
	// The incident's story goes on (its severity, a comment): a redraft
	// takes it in.
	if res, _ := e.command(carol, n, "/postmortem severity sev-1"); res.Outcome != "done" || !hasAll(e.issue(n).Labels, "incident", "sev1") || hasAll(e.issue(n).Labels, "sev3") {
		t.Fatalf("severity: %+v, labels %v", res, e.issue(n).Labels)
	}
	if res, _ := e.command(carol, n, "/postmortem severity SEV9"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "SEV1, SEV2, SEV3, SEV4") {
		t.Fatalf("bad severity: %+v", res)
	}
	_, err = e.bob.Comment(flowRepo, n, "Failed over to the replica at 14:20.")
	e.must(err)
	before := len(e.sim.Commits(flowRepo, ires.Branch))
	if res, _ := e.command(carol, n, "/postmortem redraft"); res.Outcome != "done" || !strings.Contains(res.Answer, "drafted the postmortem again") ||
		len(e.sim.Commits(flowRepo, ires.Branch)) != before+1 {
		t.Fatalf("redraft after a comment: %+v", res)
	}
	if f := e.sim.File(flowRepo, ires.Branch, ires.Path); !strings.Contains(f, "Failed over to the replica") || !strings.Contains(f, "SEV1") || strings.Contains(f, "/postmortem") {
		t.Fatalf("redrafted:\n%s", f)
	}
	// A timeline entry: committed once, in order.
	res, _ := e.command(carol, n, "/postmortem timeline 2026-03-01 14:05 UTC the replica took over")
	file := e.sim.File(flowRepo, ires.Branch, ires.Path)
	if res.Outcome != "done" || !strings.Contains(file, "- 2026-03-01 14:05 UTC — the replica took over (@carol)") {
		t.Fatalf("timeline: %+v\n%s", res, file)
	}
	if res, _ := e.command(carol, n, "/postmortem timeline 2026-03-01 14:05 the replica took over"); !strings.Contains(res.Answer, "already") ||
		strings.Count(e.sim.File(flowRepo, ires.Branch, ires.Path), "the replica took over") != 1 {
		t.Fatalf("timeline again: %+v", res)
	}
	// Now a redraft would drop the entry: refused.
	if res, _ := e.command(carol, n, "/postmortem redraft"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "Edit the draft instead") {
		t.Fatalf("redraft over a command's entry: %+v", res)
	}
	if res, _ := e.command(carol, n, "/postmortem skip"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "Why") {
		t.Fatalf("skip without a reason: %+v", res)
	}
	if res, _ := e.command(carol, n, "/postmortem skip a duplicate of #12, see the other postmortem"); res.Outcome != "done" || !hasAll(e.issue(n).Labels, SkippedLabel) ||
		strings.Contains(res.Answer, "#12") {
		t.Fatalf("skip: %+v", res)
	}
	if res, _ := e.command(carol, n, "/postmortem owner @bob"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "works on a follow-up") {
		t.Fatalf("follow-up command on an incident: %+v", res)
	}
	other, err := e.alice.OpenIssue(flowRepo, "A question", "How do I deploy?", "question")
	e.must(err)
	if res, _ := e.command(carol, other, "/postmortem skip no"); res.Outcome != "invalid" || !strings.Contains(res.Answer, "Commands work on incidents and on follow-up issues") {
		t.Fatalf("on another issue: %+v", res)
	}
}
