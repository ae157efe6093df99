package app

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/postmortem-app/postmortem/app/ghclient"
)

func keyPEM(t *testing.T) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey())})
}

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	os.WriteFile(keyFile, keyPEM(t), 0o600)
	cfg, err := ConfigFromEnv(envFrom(map[string]string{
		"GITHUB_APP_ID": "42", "GITHUB_APP_PRIVATE_KEY_PATH": keyFile, "GITHUB_WEBHOOK_SECRET": "s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppID != 42 || cfg.Addr != ":8080" || cfg.APIURL != ghclient.DefaultAPIURL || cfg.DatabaseURL != "postmortem.db" {
		t.Fatalf("defaults: %+v", cfg)
	}
	key, err := cfg.Validate()
	if err != nil || key == nil || !key.Equal(testKey()) {
		t.Fatalf("Validate: %v", err)
	}
	// The PEM itself in the environment works too.
	cfg2, _ := ConfigFromEnv(envFrom(map[string]string{"GITHUB_APP_ID": "42", "GITHUB_APP_PRIVATE_KEY": string(keyPEM(t)), "GITHUB_WEBHOOK_SECRET": "s"}))
	if _, err := cfg2.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := ConfigFromEnv(envFrom(map[string]string{"GITHUB_APP_ID": "abc"})); err == nil || !strings.Contains(err.Error(), "GITHUB_APP_ID") {
		t.Fatalf("bad app id: %v", err)
	}
}

// Refusals say what to set.
func TestConfigRefusals(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), 0o600)
	good := filepath.Join(dir, "good.pem")
	os.WriteFile(good, keyPEM(t), 0o600)
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_PATH": good}, "GITHUB_WEBHOOK_SECRET"},
		{map[string]string{"GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": good}, "GITHUB_APP_ID"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s"}, "GITHUB_APP_PRIVATE_KEY_PATH"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": filepath.Join(dir, "missing.pem")}, "cannot read"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": bad}, "not a valid RSA PEM key"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY": "junk"}, "not a valid RSA PEM key"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": good, "GITHUB_APP_PRIVATE_KEY": "x"}, "set only one"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": good, "GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL"},
		{map[string]string{"GITHUB_APP_ID": "1", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_APP_PRIVATE_KEY_PATH": good, "DATABASE_URL": "sqlite::memory:"}, "durable"},
	} {
		cfg, _ := ConfigFromEnv(envFrom(c.env))
		_, err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v: err %v, want mention of %q", c.env, err, c.want)
		}
	}
}

func TestBotLogin(t *testing.T) {
	if got := BotLogin("postmortem"); got != "postmortem[bot]" {
		t.Errorf("BotLogin = %q", got)
	}
	if got := BotLogin(""); got != "" {
		t.Errorf("BotLogin of no slug = %q", got)
	}
}

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// POSTMORTEM_WEBHOOK_MAX_INFLIGHT takes a size with a unit; a nonsense
// value is refused with the variable's name; unset is the default.
func TestConfigWebhookMaxInFlight(t *testing.T) {
	for v, want := range map[string]int64{"": 50 << 20, "50MiB": 50 << 20, "1 GiB": 1 << 30, "65536": 65536, "512KiB": 512 << 10} {
		c, err := ConfigFromEnv(func(k string) string {
			if k == "POSTMORTEM_WEBHOOK_MAX_INFLIGHT" {
				return v
			}
			return ""
		})
		if err != nil || c.WebhookMaxInFlight != want {
			t.Errorf("%q: %d, %v; want %d", v, c.WebhookMaxInFlight, err, want)
		}
	}
	for _, v := range []string{"lots", "-5MiB", "0", "5TiB"} {
		_, err := ConfigFromEnv(func(k string) string {
			if k == "POSTMORTEM_WEBHOOK_MAX_INFLIGHT" {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "POSTMORTEM_WEBHOOK_MAX_INFLIGHT") {
			t.Errorf("%q: %v", v, err)
		}
	}
}

// POSTMORTEM_API_CACHE_BYTES bounds the GitHub response caches of all
// installations together; unset, it is 64 MiB.
func TestConfigAPICacheBytes(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if c, err := ConfigFromEnv(get); err != nil || c.APICacheBytes != 64<<20 {
		t.Fatalf("default: %d, %v", c.APICacheBytes, err)
	}
	env["POSTMORTEM_API_CACHE_BYTES"] = "16MiB"
	if c, err := ConfigFromEnv(get); err != nil || c.APICacheBytes != 16<<20 {
		t.Fatalf("16MiB: %d, %v", c.APICacheBytes, err)
	}
	env["POSTMORTEM_API_CACHE_BYTES"] = "unbounded"
	if _, err := ConfigFromEnv(get); err == nil || !strings.Contains(err.Error(), "POSTMORTEM_API_CACHE_BYTES") {
		t.Fatalf("nonsense accepted: %v", err)
	}
}
