package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// replica is one `postmortem serve` process of the real binary.
type replica struct {
	cmd    *exec.Cmd
	stderr syncBuffer
	addr   chan string
	exited chan error
	once   sync.Once
}

// startReplica starts the binary's serve with env (on top of PATH/HOME)
// listening on a free loopback port; the process is killed when the test
// ends.
func startReplica(t testing.TB, bin string, env map[string]string, args ...string) *replica {
	t.Helper()
	r := &replica{addr: make(chan string, 1), exited: make(chan error, 1)}
	r.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	r.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	r.cmd.Stderr = pw
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := r.cmd.Wait()
		pw.Close()
		r.exited <- err
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			r.stderr.Write([]byte(line + "\n"))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" && rec.Addr != "" {
				r.once.Do(func() { r.addr <- rec.Addr })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		select {
		case <-r.exited:
		case <-time.After(10 * time.Second):
		}
	})
	return r
}

// listening waits for the replica's address (its "serving" log line), or
// fails the test with its log when it exits first.
func (r *replica) listening(t testing.TB, d time.Duration) string {
	t.Helper()
	select {
	case a := <-r.addr:
		r.addr <- a
		return a
	case err := <-r.exited:
		r.exited <- err
		t.Fatalf("serve exited before listening (%v):\n%s", err, r.stderr.String())
	case <-time.After(d):
		t.Fatalf("serve not listening after %s:\n%s", d, r.stderr.String())
	}
	return ""
}

// readyz is GET /readyz: the status and body.
func readyz(addr string) (int, string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// waitReady polls /readyz until 200, or fails the test with the replica's
// log when it exits or d passes.
func (r *replica) waitReady(t *testing.T, d time.Duration) {
	t.Helper()
	addr := r.listening(t, d)
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		select {
		case err := <-r.exited:
			r.exited <- err
			t.Fatalf("serve exited (%v):\n%s", err, r.stderr.String())
		default:
		}
		code, body, err := readyz(addr)
		if err == nil && code == http.StatusOK {
			return
		}
		last = fmt.Sprintf("%d %q %v", code, body, err)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve not ready after %s (last /readyz: %s):\n%s", d, last, r.stderr.String())
}

// appSim is a simulated GitHub with one App installed on acme/web, and
// that App's private key written to a file.
func appSim(t *testing.T, appID, instID int64) (*githubsim.Server, string) {
	t.Helper()
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
	t.Cleanup(sim.Close)
	keyPath := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(keyPath, sim.AppPrivateKey(appID), 0o600); err != nil {
		t.Fatal(err)
	}
	return sim, keyPath
}

// freshDatabase creates an empty PostgreSQL database (dropped when the
// test ends) and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("POSTMORTEM_TEST_DATABASE_URL") // CI sets it
	explicit := base != ""
	if !explicit {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if explicit {
			t.Fatalf("PostgreSQL at POSTMORTEM_TEST_DATABASE_URL: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s: %v", base, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("pm_replicas_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Skipf("cannot create a database (%v): the test needs a fresh one", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestReplicasStartTogether starts three `postmortem serve` processes of
// the real binary at the same moment on one fresh database: they migrate
// River's tables and the App's under the migration lock, taking turns,
// and all three become ready (before, one exited 1 on "relation
// river_migration already exists" or a duplicate pg_type key).
func TestReplicasStartTogether(t *testing.T) {
	bin := buildBinary(t)
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			sim, keyPath := appSim(t, 9, 90)
			dbURL := filepath.Join(t.TempDir(), "postmortem.db")
			if dialect == "postgres" {
				dbURL = freshDatabase(t)
			}
			env := map[string]string{
				"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath, "GITHUB_WEBHOOK_SECRET": "s3cret",
				"GITHUB_API_URL": sim.URL() + "/", "DATABASE_URL": dbURL,
			}
			var rs []*replica
			for range 3 {
				rs = append(rs, startReplica(t, bin, env, "--resync-interval", "0", "--reminder-interval", "0", "--redeliver=false"))
			}
			for _, r := range rs {
				r.waitReady(t, 60*time.Second)
			}
		})
	}
}

// TestServeWithAWrongKeyIsNotReady: `postmortem serve` of the real binary
// with a private key GitHub does not know (a well-formed RSA key, not the
// App's) starts, but /readyz says 503 with the reason, and the log says
// it too; with the App's key the same serve is ready.
func TestServeWithAWrongKeyIsNotReady(t *testing.T) {
	bin := buildBinary(t)
	sim, keyPath := appSim(t, 11, 110)
	env := map[string]string{
		"GITHUB_APP_ID": "11", "GITHUB_APP_PRIVATE_KEY_PATH": writeKey(t), "GITHUB_WEBHOOK_SECRET": "s3cret",
		"GITHUB_API_URL": sim.URL() + "/", "DATABASE_URL": filepath.Join(t.TempDir(), "postmortem.db"),
		"GITHUB_APP_SLUG": "postmortem", // the slug known: readiness must still ask GitHub
	}
	args := []string{"--resync-interval", "0", "--reminder-interval", "0", "--redeliver=false"}
	r := startReplica(t, bin, env, args...)
	addr := r.listening(t, 30*time.Second)
	for range 3 { // not a first-probe accident: it stays not ready
		code, body, err := readyz(addr)
		if err != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, "github: the App has not authenticated") ||
			!strings.Contains(body, "401") {
			t.Fatalf("/readyz with a wrong key: %d %q %v, want 503 naming GitHub's 401", code, body, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if log := r.stderr.String(); !strings.Contains(log, "GitHub refuses the App's credentials") || !strings.Contains(log, `"msg":"not ready"`) {
		t.Errorf("the log does not say why:\n%s", log)
	}

	// Without GITHUB_APP_SLUG the bot's login is unknown too: /readyz says
	// so (identity), and no marker is trusted meanwhile (issue 13).
	delete(env, "GITHUB_APP_SLUG")
	env["DATABASE_URL"] = filepath.Join(t.TempDir(), "postmortem.db")
	addr = startReplica(t, bin, env, args...).listening(t, 30*time.Second)
	if code, body, err := readyz(addr); err != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, "identity: the App's bot login is unknown") {
		t.Fatalf("/readyz with a wrong key and no slug: %d %q %v, want 503 naming the identity", code, body, err)
	}

	// The App's key, still no slug: GET /app tells the login, and it is ready.
	env["GITHUB_APP_PRIVATE_KEY_PATH"] = keyPath
	env["DATABASE_URL"] = filepath.Join(t.TempDir(), "postmortem.db")
	startReplica(t, bin, env, args...).waitReady(t, 30*time.Second)
}
