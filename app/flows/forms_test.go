package flows

import (
	"strconv"
	"strings"
	"testing"
)

// everyFormActions are action items in every form teams write them: a task
// list (one done), plain and bold-lead bullets, numbered items (one struck
// through), and a table whose owners are names and whose Status says "not
// done" for one row and "Done" for the other.
const everyFormActions = `- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
- [x] Roll back the change (owner: @bob)

### Monitoring

- Add an alert on pool saturation (owner: @bob, due: 2026-04-15) #observability
- **Dashboard the pool**: show connections in use per service, per region and per replica so that saturation shows before users notice it. Owner: Jane Doe

### Process

1. Load-test configuration-only changes (@carol, due: 2026-05-01, P2)
2. ~~Write a runbook~~

| Action | Owner | Due | Priority | Status |
|---|---|---|---|---|
| Review pool defaults | olivier, charles | 2026-05-15 | P3 | not done |
| Rotate credentials | Jane | 2026-03-10 | P2 | Done |
`

// The merge flow files a follow-up for every open action item whatever its
// form (issue 14): bullets, numbered items and table rows as task items
// are; done items (checked, struck through, Status "Done") are not; owners
// named without a handle are shown, not assigned; a long item's whole text
// is in its body.
func TestFollowUpsFromEveryForm(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Pool exhausted", "incident")
	pr := e.mergedPostmortem(n, everyFormActions)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.FollowUps == nil || res.FollowUps.Items != 5 || len(res.FollowUps.Created) != 5 {
		t.Fatalf("follow-ups = %+v, want 5 created", res.FollowUps)
	}
	byTitle := map[string]int{}
	for _, is := range e.followUpIssues(n) {
		byTitle[is.Title] = is.Number
	}
	for _, done := range []string{"Roll back the change", "Write a runbook", "Rotate credentials"} {
		if byTitle[done] != 0 {
			t.Errorf("done item %q was filed", done)
		}
	}
	task := e.issue(byTitle["Validate pool sizes in the configuration pipeline"])
	if strings.Join(task.Assignees, ",") != "alice" || !hasAll(task.Labels, "follow-up", "P1") || !strings.Contains(task.Body, "2026-04-01") {
		t.Errorf("task follow-up = %+v", task)
	}
	bullet := e.issue(byTitle["Add an alert on pool saturation"])
	if strings.Join(bullet.Assignees, ",") != "bob" || !hasAll(bullet.Labels, "follow-up", "observability") || !strings.Contains(bullet.Body, "2026-04-15") {
		t.Errorf("bullet follow-up = %+v", bullet)
	}
	bold := e.issue(byTitle["Dashboard the pool"])
	if len(bold.Assignees) != 0 || !strings.Contains(bold.Body, "Jane Doe") || !strings.Contains(bold.Body, "per region and per replica") {
		t.Errorf("bold bullet follow-up = %+v", bold)
	}
	numbered := e.issue(byTitle["Load-test configuration-only changes"])
	if strings.Join(numbered.Assignees, ",") != "carol" || !hasAll(numbered.Labels, "P2") || !strings.Contains(numbered.Body, "2026-05-01") {
		t.Errorf("numbered follow-up = %+v", numbered)
	}
	row := e.issue(byTitle["Review pool defaults"])
	if len(row.Assignees) != 0 || !strings.Contains(row.Body, "olivier, charles") || !hasAll(row.Labels, "P3") || !strings.Contains(row.Body, "2026-05-15") {
		t.Errorf("table follow-up = %+v", row)
	}
	if got := e.commentsWith(n, MarkerTracking(n)); len(got) != 1 || !strings.Contains(got[0].Body, "0 of 5 done") {
		t.Fatalf("tracking = %+v", got)
	}
	// A second run finds them all again by their keys.
	res, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if len(res.FollowUps.Created) != 0 || len(res.FollowUps.Existing) != 5 {
		t.Fatalf("second run: %+v", res.FollowUps)
	}
}

// Task items under a follow-ups label outside the follow-ups section
// ("**Action items:**" in the summary) are filed too, and task items keep
// the keys they always had, so follow-ups filed before are found again.
func TestFollowUpsUnderALabelAndKeysUnchanged(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Pool exhausted", "incident")
	pm := strings.Replace(fixedPostmortem(n, threeActions), "## Impact",
		"**Action items:**\n\n- [ ] Page the database team on pool exhaustion @carol\n\n## Impact", 1)
	branch := "postmortem/" + strconv.Itoa(n) + "-label"
	_, err := e.alice.PushFiles(flowRepo, branch, map[string]string{"postmortems/2026-03-01-checkout.md": pm}, "Postmortem")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, branch, "main", "Postmortem", MarkerIncidentPR(n))
	e.must(err)
	_, err = e.bob.MergePR(flowRepo, pr, "merge")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if len(res.FollowUps.Created) != 4 {
		t.Fatalf("follow-ups = %+v, want 4", res.FollowUps)
	}
	keys := map[string]bool{}
	for _, is := range e.followUpIssues(n) {
		_, key, ok := ParseFollowUpMarker(is.Body)
		if !ok {
			t.Fatalf("#%d has no marker", is.Number)
		}
		keys[key] = true
	}
	for _, title := range []string{"Validate pool sizes in the configuration pipeline", "Add an alert on connection pool saturation",
		"Document the rollback runbook", "Page the database team on pool exhaustion"} {
		if !keys[ItemKey(title, 0)] {
			t.Errorf("no follow-up keyed %s (%q)", ItemKey(title, 0), title)
		}
	}
}

// A heading taken for a section by similarity is a notice (issue 14): its
// annotation is GitHub's "notice" level, and it is counted neither as a
// warning nor in the check run's title; the check passes.
func TestNoticeFindingsAreNotices(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	pm := strings.Replace(fixedPostmortem(1, threeActions), "## Resolution", "## Details of the fix", 1)
	sha, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/x.md": pm}, "pm")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
	e.must(err)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if res.Completeness.Conclusion != "success" {
		t.Fatalf("completeness = %+v", res.Completeness)
	}
	for _, cr := range e.sim.CheckRuns(flowRepo, sha) {
		if cr.Name != CheckRunCompleteness {
			continue
		}
		if cr.Title != "No problems found" || len(cr.Annotations) != 1 || cr.Annotations[0].Level != "notice" ||
			!strings.Contains(cr.Annotations[0].Message, "Details of the fix") || !strings.Contains(cr.Summary, "1 notice") {
			t.Fatalf("completeness run: %q %+v\n%s", cr.Title, cr.Annotations, cr.Summary)
		}
	}
}

// A configuration with several problems reports every one (issue 14), on
// the incident and in the check runs, each at its line.
func TestEveryConfigErrorIsReported(t *testing.T) {
	cfg := "colour: red\nseverities: []\nfollow_ups:\n  label: \"\"\n"
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": cfg}})
	n := e.openIncident("Config trouble", "incident")
	_, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	got := e.commentsWith(n, MarkerConfigError)
	if len(got) != 1 {
		t.Fatalf("%d configuration error comments", len(got))
	}
	for _, want := range []string{"line 1", `unknown key "colour"`, "line 2", "at least one severity", "line 4", "follow_ups.label must not be empty"} {
		if !strings.Contains(got[0].Body, want) {
			t.Errorf("comment does not say %q:\n%s", want, got[0].Body)
		}
	}
	sha, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/2026-03-01-x.md": fixedPostmortem(n, threeActions)}, "pm")
	e.must(err)
	pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
	e.must(err)
	_, err = e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	for _, cr := range e.sim.CheckRuns(flowRepo, sha) {
		lines := map[int]bool{}
		for _, a := range cr.Annotations {
			lines[a.StartLine] = a.Path == ".github/postmortem.yml"
		}
		if len(cr.Annotations) != 3 || !lines[1] || !lines[2] || !lines[4] || !strings.Contains(cr.Summary, "follow_ups.label") {
			t.Errorf("%s: %+v\n%s", cr.Name, cr.Annotations, cr.Summary)
		}
	}
}
