package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestServeRedeliversOnStartup: an incident is opened and labelled while the
// App is down (every delivery fails). `postmortem serve` starts with the
// periodic resync off: only the start-up redelivery (GET
// /app/hook/deliveries + POST …/attempts) can bring the deliveries back, and
// the postmortem pull request appears, once.
func TestServeRedeliversOnStartup(t *testing.T) {
	const appID, instID = 8, 80
	// The App's address, while nothing listens on it: deliveries fail.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sim, err := githubsim.New(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "web"}},
		Apps: []githubsim.SeedApp{{
			AppID: appID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "pull_request", "check_suite", "check_run"},
			WebhookURL:    "http://" + addr + "/webhook",
			WebhookSecret: "s3cret",
			Installations: []githubsim.SeedInstallation{{InstallationID: instID, Account: "acme", RepositorySelection: "all"}},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start()
	defer sim.Close()

	alice := sim.As("alice")
	n, err := alice.OpenIssue("acme/web", "Login fails for SSO users", "Since 09:12 UTC.")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.AddLabels("acme/web", n, "incident"); err != nil {
		t.Fatal(err)
	}
	sim.WaitIdle()
	failed := 0
	for _, d := range sim.Deliveries() {
		if d.Attempted && !d.OK() {
			failed++
		}
	}
	if failed < 2 {
		t.Fatalf("%d failed deliveries while the App was down, want at least 2 (opened, labeled)", failed)
	}

	dir := t.TempDir()
	keyPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyPath, sim.AppPrivateKey(appID), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_APP_ID": "8", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath, "GITHUB_WEBHOOK_SECRET": "s3cret",
		"GITHUB_API_URL": sim.URL() + "/", "DATABASE_URL": filepath.Join(dir, "postmortem.db"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		exit <- serve(ctx, []string{"--addr", addr, "--write-interval", "1ms", "--resync-interval", "0"},
			func(k string) string { return env[k] }, &stderr, ready)
	}()
	select {
	case <-ready:
	case code := <-exit:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(sim.Pulls("acme/web")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no postmortem pull request 30s after start-up; deliveries %d\nserve log:\n%s", len(sim.Deliveries()), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
		sim.WaitIdle()
	}
	time.Sleep(300 * time.Millisecond)
	sim.WaitIdle()
	if got := len(sim.Pulls("acme/web")); got != 1 {
		t.Errorf("%d pull requests, want 1", got)
	}
	redelivered := 0
	for _, d := range sim.Deliveries() {
		if d.Redelivery {
			redelivered++
		}
	}
	if redelivered == 0 {
		t.Error("no redelivery was made")
	}
	cancel()
	select {
	case <-exit:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
