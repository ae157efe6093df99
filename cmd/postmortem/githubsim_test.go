package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGithubsimCommand runs `postmortem githubsim` as a real process with a
// seed in the emulate@0.12.2 shape, and talks to it as a person would.
func TestGithubsimCommand(t *testing.T) {
	bin := buildBinary(t)
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seed, []byte(`
tokens:
  tok_alice:
    login: alice
    scopes: [repo]
github:
  users:
    - login: alice
      name: Alice Doe
  orgs:
    - login: acme
      members: [alice]
  repos:
    - owner: acme
      name: web
      auto_init: true
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "githubsim", "--addr", "127.0.0.1:0", "--seed", seed)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	lines := bufio.NewScanner(stdout)
	urlRE := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var base string
	var banner []string
	for lines.Scan() {
		banner = append(banner, lines.Text())
		if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
		if strings.HasPrefix(lines.Text(), "app JWTs:") {
			break
		}
	}
	if base == "" {
		t.Fatalf("no URL in the banner:\n%s", strings.Join(banner, "\n"))
	}
	if !strings.Contains(strings.Join(banner, "\n"), "token tok_alice acts as alice") {
		t.Errorf("the banner does not say how to use the seeded token:\n%s", strings.Join(banner, "\n"))
	}
	go func() {
		for lines.Scan() {
		}
	}()

	get := func(path, token string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "token "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, body := get("/user", "tok_alice"); code != 200 || body["login"] != "alice" {
		t.Errorf("GET /user as tok_alice: %d %v", code, body)
	}
	if code, body := get("/api/v3/repos/acme/web", "tok_alice"); code != 200 || body["full_name"] != "acme/web" {
		t.Errorf("GET /api/v3/repos/acme/web: %d %v", code, body)
	}
	if code, body := get("/repos/acme/web/contents/README.md", "tok_alice"); code != 200 || body["name"] != "README.md" {
		t.Errorf("auto_init should give a README: %d %v", code, body)
	}
	if code, body := get("/user", "not-a-token"); code != 401 || body["message"] == nil {
		t.Errorf("GET /user with a bad token: %d %v, want 401 with a message", code, body)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("githubsim did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("githubsim did not stop on SIGTERM")
	}
}

func TestGithubsimCommandErrors(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"githubsim", "--seed", filepath.Join(t.TempDir(), "missing.yaml")}, nil, &out, &errb); code != 2 {
		t.Errorf("missing seed: exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "missing.yaml") {
		t.Errorf("the error should name the seed file: %q", errb.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("github: [this is not a map"), 0o600)
	errb.Reset()
	if code := run([]string{"githubsim", "--seed", bad}, nil, &out, &errb); code != 2 {
		t.Errorf("broken seed: exit %d, want 2 (%s)", code, errb.String())
	}
}
