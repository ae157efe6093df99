package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestRegisterCommandGHES registers the App through the command, as on GitHub Enterprise Server
// (web at the root, API at /api/v3/), with a browser played by net/http.
func TestRegisterCommandGHES(t *testing.T) {
	sim := githubsim.MustStart(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
	}}})
	defer sim.Close()
	out := filepath.Join(t.TempDir(), "creds.env")
	pages := make(chan string, 1)
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		code <- register(ctx, []string{"--github-url", sim.URL(), "--webhook-url", "https://pm.example.com/webhook", "--out", out},
			&stdout, &stderr, func(u string) { pages <- u })
	}()
	page := <-pages
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(body))
	if action == nil || !strings.HasPrefix(html.UnescapeString(action[1]), sim.URL()+"/settings/apps/new?state=") {
		t.Fatalf("form action: %v", action)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(string(body), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err = http.PostForm(html.UnescapeString(action[1]), form)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("submit: %v %v", resp, err)
	}
	resp.Body.Close()
	if c := <-code; c != 0 {
		t.Fatalf("exit %d: %s", c, stderr.String())
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st, err)
	}
	b, _ := os.ReadFile(out)
	apps := sim.Apps()
	if len(apps) != 1 || apps[0].Owner != "alice" || apps[0].WebhookURL != "https://pm.example.com/webhook" ||
		!bytes.Contains(b, []byte("GITHUB_WEBHOOK_SECRET='"+apps[0].WebhookSecret+"'")) ||
		!bytes.Contains(b, []byte("GITHUB_API_URL='"+sim.URL()+"/api/v3/'")) {
		t.Fatalf("apps %+v, file:\n%s", apps, b)
	}
	if !strings.Contains(stdout.String(), "Registered GitHub App \"postmortem\"") {
		t.Fatalf("stdout: %s", stdout.String())
	}
}

func TestRegisterCommandUsage(t *testing.T) {
	var o, e bytes.Buffer
	if c := register(context.Background(), nil, &o, &e, nil); c != 2 || !strings.Contains(e.String(), "--webhook-url is required") {
		t.Fatalf("no webhook url: %d %s", c, e.String())
	}
	e.Reset()
	if c := register(context.Background(), []string{"--webhook-url", "https://x/webhook", "--manifest", "/nonexistent"}, &o, &e, nil); c != 2 {
		t.Fatalf("missing manifest: %d", c)
	}
}
