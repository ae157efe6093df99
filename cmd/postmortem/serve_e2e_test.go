package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestServeAgainstSimulator runs the real `postmortem serve` wiring (flags,
// queue on a SQLite file, reconcilers, webhook endpoint) against the
// simulated GitHub over loopback: a person labels an incident and the App's
// postmortem pull request appears with both check runs, exactly once.
func TestServeAgainstSimulator(t *testing.T) {
	const appID, instID = 7, 70
	sim, err := githubsim.New(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "web"}},
		Apps: []githubsim.SeedApp{{
			AppID: appID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "pull_request", "check_suite", "check_run"},
			Installations: []githubsim.SeedInstallation{{InstallationID: instID, Account: "acme", RepositorySelection: "all"}},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	defer sim.Close()

	dir := t.TempDir()
	keyPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyPath, sim.AppPrivateKey(appID), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_APP_ID":               "7",
		"GITHUB_APP_PRIVATE_KEY_PATH": keyPath,
		"GITHUB_WEBHOOK_SECRET":       "s3cret",
		"GITHUB_API_URL":              sim.URL() + "/api/v3/", // the GitHub Enterprise Server form
		"DATABASE_URL":                filepath.Join(dir, "postmortem.db"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		exit <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--write-interval", "1ms"},
			func(k string) string { return env[k] }, &stderr, ready)
	}()
	select {
	case addr := <-ready:
		sim.SetWebhook(appID, "http://"+addr+"/webhook", "s3cret")
	case code := <-exit:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}

	alice := sim.As("alice")
	n, err := alice.OpenIssue("acme/web", "Login fails for SSO users", "Since 09:12 UTC.")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.AddLabels("acme/web", n, "incident", "sev2"); err != nil {
		t.Fatal(err)
	}
	// The same label again: GitHub sends another labeled event.
	if err := alice.AddLabels("acme/web", n, "incident"); err != nil {
		t.Fatal(err)
	}

	var pr githubsim.Pull
	deadline := time.Now().Add(30 * time.Second)
	for {
		sim.WaitIdle()
		pulls := sim.Pulls("acme/web")
		if len(pulls) > 1 {
			t.Fatalf("%d pull requests for one incident", len(pulls))
		}
		if len(pulls) == 1 && len(sim.CheckRuns("acme/web", pulls[0].HeadSHA)) == 2 {
			pr = pulls[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no postmortem pull request with two check runs after 30s; pulls %+v\nserve log:\n%s", pulls, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if pr.User != "postmortem[bot]" || !strings.HasPrefix(pr.Head, "postmortem/") {
		t.Errorf("pull request by %q on %q, want the App's bot on a postmortem/ branch", pr.User, pr.Head)
	}
	// An unedited draft is incomplete but says nothing blameful.
	want := map[string]string{"postmortem/completeness": "failure", "postmortem/blameless": "success"}
	for _, cr := range sim.CheckRuns("acme/web", pr.HeadSHA) {
		if cr.Status != "completed" || cr.Conclusion != want[cr.Name] {
			t.Errorf("check run %s: %s/%s, want completed/%s", cr.Name, cr.Status, cr.Conclusion, want[cr.Name])
		}
	}
	// Settle and look again: late jobs (the labeled echo, check_suite) must not add anything.
	time.Sleep(500 * time.Millisecond)
	sim.WaitIdle()
	if got := len(sim.Pulls("acme/web")); got != 1 {
		t.Errorf("%d pull requests after settling, want 1", got)
	}
	pointers := 0
	for _, is := range sim.Issues("acme/web") {
		if is.Number == n {
			for _, c := range is.Comments {
				if c.User == "postmortem[bot]" {
					pointers++
				}
			}
		}
	}
	if pointers != 1 {
		t.Errorf("%d App comments on the incident, want exactly 1", pointers)
	}
	if strings.Contains(stderr.String(), "s3cret") {
		t.Error("the webhook secret appears in the logs")
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
