package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeKey(t testing.TB) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServeRefusesToStart(t *testing.T) {
	key := writeKey(t)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_PATH": key}, nil, "GITHUB_WEBHOOK_SECRET"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s"}, nil, "GITHUB_APP_PRIVATE_KEY_PATH"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": junk}, nil, "not a valid RSA PEM key"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": key}, []string{"--private-key-path", junk}, "not a valid RSA PEM key"},
		{map[string]string{"GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": key}, []string{"--app-id", "x"}, "--app-id"},
	} {
		var stderr syncBuffer
		code := serve(context.Background(), c.args, func(k string) string { return c.env[k] }, &stderr, nil)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("env %v args %v: exit %d, stderr %q; want 2 mentioning %q", c.env, c.args, code, stderr.String(), c.want)
		}
	}
}

// serve runs for real: flags over the environment, a SQLite file, a signed
// delivery acknowledged 202, then SIGTERM-like cancellation exits 0.
func TestServeRuns(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_APP_ID":               "42",
		"GITHUB_APP_PRIVATE_KEY_PATH": writeKey(t),
		"GITHUB_WEBHOOK_SECRET":       "from-env",
		"POSTMORTEM_ADDR":             "not-an-address", // the flag wins
		"DATABASE_URL":                filepath.Join(dir, "q.db"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		exit <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--app-slug", "postmortem", "--webhook-secret", "from-flag"},
			func(k string) string { return env[k] }, &stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-exit:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	body := []byte(`{"action":"opened","installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}},"pull_request":{"number":3,"head":{"sha":"s"}}}`)
	for _, c := range []struct {
		secret string
		want   int
	}{{"from-env", 401}, {"from-flag", 202}} {
		mac := hmac.New(sha256.New, []byte(c.secret))
		mac.Write(body)
		req, _ := http.NewRequest("POST", "http://"+addr+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Fatalf("signed with %s: %d, want %d", c.secret, resp.StatusCode, c.want)
		}
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if _, err := os.Stat(env["DATABASE_URL"]); err != nil {
		t.Fatalf("queue database: %v", err)
	}
}
