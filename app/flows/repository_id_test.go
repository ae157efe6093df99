package flows

import (
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
)

// The App's memory of what it made (its claims) belongs to a repository,
// not to a name: GitHub gives a repository deleted and created again under
// the same name a new id, and keeps the id through renames and transfers.

// TestRecreatedRepositoryGetsItsPointer: acme/services is deleted and
// created again; its first incident (#1 again) gets its own draft, pull
// request and pointer comment. Keyed by name, the claims of the deleted
// repository's #1 said the pointer was made: the new incident got a pull
// request and no pointer, silently.
func TestRecreatedRepositoryGetsItsPointer(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	if !res.Created || len(e.commentsWith(n, MarkerPointer(n))) != 1 {
		t.Fatalf("first repository: %+v, pointers %d", res, len(e.commentsWith(n, MarkerPointer(n))))
	}
	old := e.sim.RepoID(flowRepo)
	e.must(e.sim.DeleteRepo("alice", flowRepo))
	_, err = e.sim.CreateRepo("alice", flowRepo, nil)
	e.must(err)
	if e.sim.RepoID(flowRepo) == old {
		t.Fatal("the re-created repository kept its id")
	}
	n2 := e.openIncident("Checkout outage again", "incident")
	if n2 != n {
		t.Fatalf("the new repository's first issue is #%d", n2)
	}
	job := e.incident(n2)
	res, err = e.flows.Incident(e.ctx, job)
	e.must(err)
	if !res.Created || res.PullRequest == 0 {
		t.Fatalf("re-created repository: %+v, want a new draft", res)
	}
	if got := e.commentsWith(n2, MarkerPointer(n2)); len(got) != 1 || got[0].User != flowBot {
		t.Fatalf("re-created repository: pointer comments %+v, want the App's one", got)
	}
	// Settled now, in the new repository's own claims: a redelivery does nothing.
	res, err = e.flows.Incident(e.ctx, job)
	e.must(err)
	if res.Created || len(e.commentsWith(n2, MarkerPointer(n2))) != 1 || len(e.pulls()) != 1 {
		t.Fatalf("redelivered: %+v, %d pointers, %d pulls", res, len(e.commentsWith(n2, MarkerPointer(n2))), len(e.pulls()))
	}
}

// TestRenamedRepositoryKeepsItsClaims: what the App made in acme/services
// and people then removed stays removed after the repository is renamed
// acme/platform: the pointer comment a person deleted is not posted again,
// and a follow-up whose label a person took off is not filed a second time.
// Keyed by name, the renamed repository had no claims: both came back.
func TestRenamedRepositoryKeepsItsClaims(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout outage", "incident")
	_, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	pointer := e.commentsWith(n, MarkerPointer(n))
	if len(pointer) != 1 {
		t.Fatalf("pointers %+v", pointer)
	}
	_, err = e.alice.Client.Issues.DeleteComment(e.ctx, "acme", "services", pointer[0].ID)
	e.must(err)
	pr := e.mergedPostmortem(n, threeActions)
	fres, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	e.must(err)
	if fres.FollowUps == nil || len(fres.FollowUps.Created) != 3 {
		t.Fatalf("follow-ups %+v", fres.FollowUps)
	}
	fus := e.followUpIssues(n)
	pulls := len(e.pulls())

	id := e.sim.RepoID(flowRepo)
	e.must(e.sim.RenameRepo("alice", flowRepo, "platform"))
	const renamed = "acme/platform"
	e.must(e.alice.RemoveLabel(renamed, fus[0].Number, checks.DefaultConfig().FollowUps.Label))

	// The merged postmortem again (a resync, a redelivery), by its new name.
	fres, err = e.flows.PullRequest(e.ctx, jobs.PullRequestArgs{InstallationID: flowInstID, Owner: "acme", Repo: "platform", Number: pr, RepoID: id}, false)
	e.must(err)
	if got := followUpsOf(e.sim.Issues(renamed), n); got != 3 {
		t.Fatalf("renamed repository: %d follow-ups, want the 3 filed before the rename (%+v)", got, fres.FollowUps)
	}
	// The incident edited after the rename: its delivery names the new name.
	_, _, err = e.alice.Client.Issues.Edit(e.ctx, "acme", "platform", n, &github.IssueRequest{Body: github.String("Edited after the rename.")})
	e.must(err)
	job := e.incident(n)
	if job.Repo != "platform" || job.RepoID != id {
		t.Fatalf("job after the rename = %+v", job)
	}
	_, err = e.flows.Incident(e.ctx, job)
	e.must(err)
	is := issueOf(e.sim.Issues(renamed), n)
	for _, c := range is.Comments {
		if c.User == flowBot && strings.Contains(c.Body, MarkerPointer(n)) {
			t.Fatalf("renamed repository: the deleted pointer comment was posted again: %q", c.Body)
		}
	}
	if got := len(e.sim.Pulls(renamed)); got != pulls {
		t.Fatalf("renamed repository: %d pull requests, want %d", got, pulls)
	}
}

func followUpsOf(issues []githubsim.Issue, incident int) int {
	n := 0
	for _, is := range issues {
		if strings.Contains(is.Body, "<!-- postmortem:followup incident="+itoa(incident)+" ") {
			n++
		}
	}
	return n
}

func issueOf(issues []githubsim.Issue, n int) githubsim.Issue {
	for _, is := range issues {
		if is.Number == n {
			return is
		}
	}
	return githubsim.Issue{}
}
