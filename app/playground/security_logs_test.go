package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// secLogBuffer is a bytes.Buffer safe for concurrent log writers.
type secLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *secLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *secLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// credentialRecorder is the App's base transport: it sees every credential
// the App sends (the JWT, the installation tokens) and every installation
// token GitHub hands it.
type credentialRecorder struct {
	mu      sync.Mutex
	secrets map[string]bool
}

var reTokenField = regexp.MustCompile(`"token"\s*:\s*"([^"]+)"`)

func (c *credentialRecorder) add(s string) {
	if len(s) < 8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.secrets[s] = true
}

func (c *credentialRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if a := r.Header.Get("Authorization"); a != "" {
		if _, cred, ok := strings.Cut(a, " "); ok {
			c.add(cred)
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/access_tokens") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if m := reTokenField.FindSubmatch(body); m != nil {
		c.add(string(m[1]))
	}
	return resp, nil
}

func (c *credentialRecorder) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for s := range c.secrets {
		out = append(out, s)
	}
	return out
}

// pemSecrets are the private key's PEM text and each of its base64 lines.
func pemSecrets(pem []byte) []string {
	out := []string{string(pem)}
	for _, l := range strings.Split(string(pem), "\n") {
		if l = strings.TrimSpace(l); len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

// leaks lists which secrets appear in text, raw or JSON-escaped, and any
// JWT ("eyJ…"), GitHub token or PEM shape at all.
func leaks(text string, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		esc, _ := json.Marshal(s)
		if strings.Contains(text, s) || strings.Contains(text, strings.Trim(string(esc), `"`)) {
			out = append(out, fmt.Sprintf("a secret: %.12s…", s))
		}
	}
	for _, re := range leakShapes {
		if m := re.FindString(text); m != "" {
			out = append(out, fmt.Sprintf("%s: %.16s…", re, m))
		}
	}
	return out
}

var leakShapes = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}`),               // a JWT
	regexp.MustCompile(`\bgh[spuor]_[A-Za-z0-9]{20,}`),       // GitHub tokens
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), // a PEM
	regexp.MustCompile(`(?i)\b(?:token|bearer) [A-Za-z0-9_.-]{20,}`),
}

func findLeaks(t *testing.T, text string, secrets []string) {
	t.Helper()
	for _, l := range leaks(text, secrets) {
		t.Errorf("the logs leak %s", l)
	}
	// The search itself finds what it looks for.
	for _, s := range secrets {
		if leaks(text+`{"msg":"x","v":`+strconvQuote(s)+"}", secrets) == nil {
			t.Fatalf("the leak search misses %.12s…", s)
		}
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestPlaygroundLogsHoldNoSecrets runs the whole story with every log at
// debug level captured (the App's, the queue's and the simulator's) and
// searches them for the private key, the JWTs and installation tokens the
// App used, and the webhook secret.
func TestPlaygroundLogsHoldNoSecrets(t *testing.T) {
	logs := &secLogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := &credentialRecorder{secrets: map[string]bool{}}
	var pem []byte
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, Options{Out: &out, Dir: t.TempDir(), Logger: logger, Transport: rec, Keep: true,
		StepTimeout: 15 * time.Second,
		Ready: func(sim *githubsim.Server) {
			defer cancel()
			pem = sim.AppPrivateKey(pgAppID)
			// A forged delivery and an unsigned one: refusals are logged.
			for _, sig := range []string{"sha256=00", ""} {
				req, _ := http.NewRequest("POST", strings.TrimSuffix(hookURLFromNarration(out.String()), "\n"), strings.NewReader(`{"action":"opened"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GitHub-Event", "issues")
				if sig != "" {
					req.Header.Set("X-Hub-Signature-256", sig)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("forged delivery: %v", err)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("forged delivery: %d", resp.StatusCode)
				}
			}
		}})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(pem) == 0 {
		t.Fatal("no private key")
	}
	creds := rec.list()
	var jwts, tokens int
	for _, c := range creds {
		if strings.HasPrefix(c, "eyJ") {
			jwts++
		} else if strings.HasPrefix(c, "ghs_") {
			tokens++
		}
	}
	if jwts == 0 || tokens == 0 {
		t.Fatalf("recorded %d JWTs and %d installation tokens: the recorder saw nothing", jwts, tokens)
	}
	text := logs.String()
	if !strings.Contains(text, `"level":"DEBUG"`) || !strings.Contains(text, `"outcome":"unauthorized"`) || len(text) < 10000 {
		t.Fatalf("the logs are not a full debug run (%d bytes):\n%s", len(text), text[len(text)-3000:])
	}
	findLeaks(t, text, append(creds, pemSecrets(pem)...))
	// The webhook secret is 16 random bytes in hex: no 32-hex word may show.
	if m := regexp.MustCompile(`\b[0-9a-f]{32}\b`).FindString(text); m != "" {
		t.Errorf("a 32-hex-digit value (the webhook secret's shape) is in the logs: %s", m)
	}
	// The narration shows only the simulator's user token (for curl), never
	// the App's credentials.
	findLeaksIn(t, "narration", out.String(), append(creds, pemSecrets(pem)...))
	t.Logf("searched %d bytes of logs for %d credentials (%d JWTs, %d installation tokens) and the key's %d PEM lines",
		len(text), len(creds), jwts, tokens, len(pemSecrets(pem))-1)
}

func findLeaksIn(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("a secret appears in the %s: %.24s…", what, s)
		}
	}
}

var reHookURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/webhook`)

func hookURLFromNarration(s string) string { return reHookURL.FindString(s) }
