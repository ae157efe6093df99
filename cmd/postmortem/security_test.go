package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestServeErrorsHoldNoSecrets: when serve refuses its configuration (a
// corrupt private key, a bad API URL), what it prints names the variable to
// fix but never echoes the key, the webhook secret or a database password.
func TestServeErrorsHoldNoSecrets(t *testing.T) {
	sim, err := githubsim.New(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Apps: []githubsim.SeedApp{{AppID: 9, Slug: "pm", Name: "pm"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	pem := string(sim.AppPrivateKey(9))
	lines := strings.Split(strings.TrimSpace(pem), "\n")
	// The key with one base64 line dropped: still PEM-shaped, not a key.
	corrupt := strings.Join(append(append([]string{}, lines[:3]...), lines[4:]...), "\n")
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyPath, []byte(corrupt), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "hunter2-webhook-secret-value"
	for name, env := range map[string]map[string]string{
		"corrupt key in env":  {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": corrupt, "GITHUB_WEBHOOK_SECRET": secret},
		"corrupt key file":    {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath, "GITHUB_WEBHOOK_SECRET": secret},
		"key and bad api url": {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": secret, "GITHUB_API_URL": "ftp://example.com/"},
		"key but no id":       {"GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": secret, "DATABASE_URL": "postgres://u:" + secret + "@127.0.0.1:1/x"},
		// issue 13: an unrecognised DATABASE_URL was printed whole.
		"mysql database url":      {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "DATABASE_URL": "mysql://pm:" + secret + "@db:3306/pm"},
		"unparsable database url": {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "DATABASE_URL": "postgresql+psycopg://pm:" + secret + "@db:5432/pm?x=%zz"},
		"keyword dsn":             {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "DATABASE_URL": "host=db user=pm password=" + secret + " dbname=pm"},
		"postgres unreachable":    {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "DATABASE_URL": "postgres://pm:" + secret + "@127.0.0.1:1/pm?connect_timeout=2"},
		"postgres bad option":     {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "DATABASE_URL": "postgres://pm:" + secret + "@127.0.0.1:1/pm?sslmode=bogus"},
		"api url without a host":  {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "GITHUB_API_URL": "https://x-access-token:" + secret + "@/api/v3/"},
		"api url with a token":    {"GITHUB_APP_ID": "9", "GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "w", "GITHUB_API_URL": "ftp://x-access-token:" + secret + "@github.example/"},
	} {
		t.Run(name, func(t *testing.T) {
			var stderr syncBuffer
			code := serve(context.Background(), []string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &stderr, nil)
			out := stderr.String()
			t.Logf("%s", out)
			if code == 0 || out == "" {
				t.Fatalf("serve exited %d with %q", code, out)
			}
			for _, l := range lines {
				if l = strings.TrimSpace(l); len(l) >= 16 && !strings.HasPrefix(l, "-----") && strings.Contains(out, l) {
					t.Errorf("the private key appears in the output:\n%s", out)
					break
				}
			}
			if strings.Contains(out, "PRIVATE KEY-----") {
				t.Errorf("a PEM header appears in the output:\n%s", out)
			}
			if strings.Contains(out, secret) {
				t.Errorf("the webhook secret appears in the output:\n%s", out)
			}
			if regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}`).MatchString(out) {
				t.Errorf("a JWT appears in the output:\n%s", out)
			}
		})
	}
}
