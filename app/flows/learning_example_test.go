package flows

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
)

var update = flag.Bool("update", false, "rewrite docs/examples/learning.md from the story TestLearningExample runs")

// learningExample is the page TestLearningExample writes (from app/flows).
const learningExample = "../../docs/examples/learning.md"

// section is the Markdown section of doc under heading (to the next
// heading of its level), "" when there is none.
func section(doc, heading string) string {
	i := strings.Index(doc, heading+"\n")
	if i < 0 {
		return ""
	}
	s := doc[i:]
	if j := strings.Index(s[len(heading):], "\n## "); j >= 0 {
		s = s[:len(heading)+j+1]
	}
	return strings.TrimRight(s, "\n") + "\n"
}

// The example of issue 17's closing note, produced, not written: the
// story of two incidents through the simulated GitHub, and what the App
// wrote on the way — the first draft's timeline and its changes before
// the incident, the recurrence comment on the second incident, and the
// record's README.md after both postmortems merged. go test -update
// rewrites docs/examples/learning.md; without it the page must equal what
// the App writes today.
func TestLearningExample(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	clk := clock.NewOffset(at("2026-03-01T07:00:00Z"))
	e := newFlowEnv(t, flowEnvOpts{clock: clk})
	g := e.env
	mergeChange(t, g, "metrics", "Add queue metrics", "", map[string]string{"queue/metrics.go": "package queue\n"})
	clk.Set(at("2026-03-01T09:00:00Z"))
	_, err := g.Alice.Release(flowRepo, "v1.4.0", "", "1.4.0")
	e.must(err)
	e.sim.AddWorkflowRun(flowRepo, githubsim.WorkflowRun{Name: "Deploy", Conclusion: "success", At: at("2026-03-01T10:58:00Z")})
	clk.Set(at("2026-03-01T11:00:00Z"))
	_, sha := mergeChange(t, g, "pool", "Lower the checkout pool size", "Sets the pool in `checkout/pool.go` to 20.",
		map[string]string{"checkout/pool.go": "package checkout\n\nconst poolSize = 20\n"})
	_, err = g.Alice.Deploy(flowRepo, sha, "production", "success")
	e.must(err)

	clk.Set(at("2026-03-01T12:00:00Z"))
	n1, err := e.alice.OpenIssue(flowRepo, "Checkout returns 502s", "Most checkout requests fail with 502 since 11:55 UTC. The pool in `checkout/pool.go` runs dry under load.", "incident", "sev2")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n1))
	e.must(err)
	_, err = e.flows.Recurrence(e.ctx, recurrenceJob(t, res))
	e.must(err)
	draft, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	timeline, changes := section(draft, "## Timeline"), section(draft, "## Changes before the incident")
	if timeline == "" || !strings.Contains(changes, "Lower the checkout pool size") {
		t.Fatalf("the draft:\n%s", draft)
	}

	// The postmortem, merged with the draft's suspect change kept; one of
	// its three follow-ups is done.
	clk.Set(at("2026-03-02T10:00:00Z"))
	merge := func(pr int, path, pm string) {
		_, err := e.alice.EditFile(flowRepo, pr, path, pm, "Write the postmortem")
		e.must(err)
		_, err = e.bob.MergePR(flowRepo, pr, "squash")
		e.must(err)
		m, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
		e.must(err)
		_, err = e.flows.Record(e.ctx, m.Enqueued[0].(jobs.RecordArgs))
		e.must(err)
	}
	merge(res.PullRequest, res.Path, postmortemOf(n1, "Checkout returns 502s", "the pool size", threeActions)+"\n"+changes)
	fus := e.followUpIssues(n1)
	e.must(e.alice.CloseIssue(flowRepo, fus[0].Number, "completed"))

	// Three weeks later the same file is in another incident.
	clk.Set(at("2026-03-20T09:00:00Z"))
	n2, err := e.alice.OpenIssue(flowRepo, "Checkout pool exhausted", "Checkout times out again; `checkout/pool.go` is at its limit.", "incident", "sev3")
	e.must(err)
	res2, err := e.flows.Incident(e.ctx, e.incident(n2))
	e.must(err)
	rec, err := e.flows.Recurrence(e.ctx, recurrenceJob(t, res2))
	e.must(err)
	cs := e.commentsWith(n2, MarkerRecurrence(n2))
	if rec.Comment == 0 || len(cs) != 1 {
		t.Fatalf("no recurrence comment: %+v", rec)
	}
	comment := strings.TrimPrefix(cs[0].Body, MarkerRecurrence(n2)+"\n")

	clk.Set(at("2026-03-21T10:00:00Z"))
	pm2 := strings.ReplaceAll(postmortemOf(n2, "Checkout pool exhausted", "checkout/pool.go", threeActions), "2026-03-01", "2026-03-20")
	pm2 = strings.Replace(pm2, "severity: SEV2", "severity: SEV3", 1)
	merge(res2.PullRequest, res2.Path, pm2)
	readme, err := e.sim.FileAt(flowRepo, "main", "postmortems/README.md")
	e.must(err)

	page := learningPage(n1, n2, timeline, changes, comment, readme)
	page = strings.ReplaceAll(page, e.sim.URL(), "https://github.com")
	if *update {
		e.must(os.WriteFile(filepath.FromSlash(learningExample), []byte(page), 0o644))
		return
	}
	old, err := os.ReadFile(filepath.FromSlash(learningExample))
	e.must(err)
	if string(old) != page {
		t.Fatalf("docs/examples/learning.md is not what the App writes today: go test ./app/flows -run TestLearningExample -update\n%s", page)
	}
}

func learningPage(n1, n2 int, timeline, changes, comment, readme string) string {
	var b strings.Builder
	fence := func(md string) string { return "````markdown\n" + strings.TrimRight(md, "\n") + "\n````\n" }
	fmt.Fprintf(&b, `# Learning from incidents: what the App writes

This page is generated: `+"`go test ./app/flows -run TestLearningExample -update`"+` runs the story below
against the simulated GitHub (app/githubsim) and writes what the App wrote, as Markdown; the same
test without `+"`-update`"+` fails when the App's output no longer matches. Do not edit it by hand.

The story: a pull request lowering the checkout pool size (it changes `+"`checkout/pool.go`"+`) is
merged and deployed to production at 11:00 UTC; at 12:00 incident #%d "Checkout returns 502s" is
opened, naming that file. Its postmortem is merged the next day with the suspect change kept, and
one of its three follow-ups is closed. Three weeks later incident #%d "Checkout pool exhausted"
names the same file.

## 1. The draft of #%d: its timeline and the changes before the incident

The App looked back 24 hours from the incident: pull requests merged to the default branch,
deployments, releases and deploy workflow runs. They join the timeline drawn from the issue's
history, and a section of their own lists them closest first, the change mentioning a file the
incident names at the top.

`, n1, n2, n1)
	b.WriteString(fence(timeline) + "\n" + fence(changes))
	fmt.Fprintf(&b, `
## 2. The comment on #%d: what happened before

When #%d was labelled, the App compared it with the record's `+"`postmortems/index.json`"+` (the files
each postmortem names, its labels and services, title words) and commented once:

`, n2, n2)
	b.WriteString(fence(comment))
	b.WriteString(`
## 3. The record: postmortems/README.md after both merges

On each merged postmortem the App commits the directory's index (and ` + "`index.json`" + `); GitHub
draws the Mermaid charts.

`)
	b.WriteString(fence(readme))
	return b.String()
}
