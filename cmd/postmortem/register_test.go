package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
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
	// the "Install it" link works (it was a 404)
	install := regexp.MustCompile(`Install it: (\S+)`).FindStringSubmatch(stdout.String())
	if install == nil {
		t.Fatalf("no install link: %s", stdout.String())
	}
	req, _ := http.NewRequest("GET", install[1], nil)
	req.Header.Set("Accept", "text/html")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	installPage, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(installPage), `value="alice"`) {
		t.Errorf("GET %s: %d %s", install[1], resp.StatusCode, installPage)
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

// TestRegisterRefusesGitWorkTree runs the real binary in a clone: the default credentials file
// would land in the work tree, so register refuses before it starts anything; --out naming the
// file says so, and outside a work tree the default is fine.
func TestRegisterRefusesGitWorkTree(t *testing.T) {
	bin := buildBinary(t)
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	clone := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", clone).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	sub := filepath.Join(clone, "deploy")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(dir string, args ...string) (int, string, string) {
		cmd := exec.Command(bin, append([]string{"register", "--webhook-url", "https://pm.example.com/webhook", "--timeout", "1s"}, args...)...)
		cmd.Dir = dir
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if x, ok := err.(*exec.ExitError); ok {
			code = x.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, o.String(), e.String()
	}

	code, stdout, stderr := run(sub)
	if code != 2 || !strings.Contains(stderr, "refusing") || !strings.Contains(stderr, clone) || stdout != "" {
		t.Fatalf("default --out in a work tree: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(sub, "postmortem-app.env")); !os.IsNotExist(err) {
		t.Fatalf("a credentials file was written: %v", err)
	}
	// --out says so: the flow starts (and gives up after --timeout with no browser).
	for _, dir := range []string{sub, t.TempDir()} {
		args := []string{"--out", "postmortem-app.env"}
		if dir != sub {
			args = nil // outside a work tree, the default
		}
		code, stdout, stderr = run(dir, args...)
		if !strings.Contains(stdout, "Open http://127.0.0.1:") || strings.Contains(stderr, "refusing") || code != 1 {
			t.Errorf("%s %v: exit %d\nstdout %s\nstderr %s", dir, args, code, stdout, stderr)
		}
	}
}
