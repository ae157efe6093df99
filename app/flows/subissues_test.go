package flows

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
)

// A GitHub without the sub-issues API (GitHub Enterprise Server before it
// shipped; emulate@0.12.2) answers 404 to POST …/sub_issues. The follow-ups
// are still opened exactly once and tracked by the incident's comment; the
// flow does not retry forever on the link it cannot make.
func TestFlowFollowUpsWithoutSubIssuesAPI(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	e.sim.Faults().Add(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", Kind: githubsim.Status5xx, Status: 404})
	n := e.openIncident("Queue backlog", "incident")
	pr := e.mergedPostmortem(n, threeActions)
	res, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	if err != nil {
		t.Fatalf("follow-ups without sub-issues: %v", err)
	}
	if res.FollowUps == nil || len(res.FollowUps.Created) != 3 {
		t.Fatalf("result %+v", res.FollowUps)
	}
	if got := len(e.followUpIssues(n)); got != 3 {
		t.Fatalf("%d follow-up issues, want 3", got)
	}
	if got := len(e.commentsWith(n, MarkerTracking(n))); got != 1 {
		t.Fatalf("%d tracking comments, want 1", got)
	}
	if subs := e.issue(n).SubIssues; len(subs) != 0 {
		t.Fatalf("sub-issues %v despite the 404s", subs)
	}
	// Run again (a redelivery): nothing new, no error.
	again, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.FollowUps.Created) != 0 || len(e.followUpIssues(n)) != 3 {
		t.Fatalf("again: %+v", again.FollowUps)
	}
}

// stripBranchCommit drops commit.commit from GET …/branches/{branch}
// answers, as emulate@0.12.2 sends them (GitHub always includes it).
type stripBranchCommit struct{ next http.RoundTripper }

func (s stripBranchCommit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/branches/") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err == nil {
		if c, ok := m["commit"].(map[string]any); ok {
			c["commit"] = nil
		}
		body, _ = json.Marshal(m)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	resp.Header.Del("ETag")
	return resp, nil
}

// A branch answer without the commit's tree must not make the App draft on
// an empty tree (a branch that deletes every other file): it reads the
// commit instead.
func TestFlowIncidentDraftKeepsFilesWithoutBranchTree(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{"main.go": "package main\n"}})
	key, err := ghclient.ParsePrivateKey(e.sim.AppPrivateKey(flowAppID))
	e.must(err)
	clients, err := ghclient.New(ghclient.Config{
		AppID: flowAppID, PrivateKey: key, APIURL: e.sim.URL() + "/", Base: stripBranchCommit{next: http.DefaultTransport},
		Pacer: ghclient.PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: time.Second},
	})
	e.must(err)
	e.flows.Clients = clients
	n := e.openIncident("Checkout 502s", "incident")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	pr, _, err := e.alice.Client.PullRequests.Get(e.ctx, "acme", "services", res.PullRequest)
	e.must(err)
	tree, _, err := e.alice.Client.Git.GetTree(e.ctx, "acme", "services", pr.GetHead().GetSHA(), true)
	e.must(err)
	var paths []string
	for _, en := range tree.Entries {
		paths = append(paths, en.GetPath())
	}
	got := strings.Join(paths, " ")
	for _, want := range []string{"README.md", "main.go", "postmortems/"} {
		if !strings.Contains(got, want) {
			t.Errorf("draft branch tree %q lacks %s", got, want)
		}
	}
}
