// Package hooktest is test support (only tests import it): webhook
// deliveries as GitHub sends them, signed with the tests' secret, and the
// @octokit/webhooks-examples payloads.
package hooktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
)

// Secret is the webhook secret of the tests.
const Secret = "It's a Secret to Everybody"

// Sign is the X-Hub-Signature-256 of body under secret.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Example is one webhook example payload.
type Example struct {
	Event   string
	Name    string
	Payload json.RawMessage
}

// Examples is every @octokit/webhooks-examples payload (api.github.com and
// GHES), as embedded by the conformance package.
func Examples(tb testing.TB) []Example {
	tb.Helper()
	var out []Example
	for _, e := range conformance.Examples() {
		out = append(out, Example{Event: e.Event, Name: e.Target + "/" + e.Name, Payload: e.Payload})
	}
	if len(out) < 300 {
		tb.Fatalf("only %d webhook examples", len(out))
	}
	return out
}

// FindExample is the first example of event with action.
func FindExample(tb testing.TB, event, action string) []byte {
	tb.Helper()
	for _, e := range Examples(tb) {
		var a struct {
			Action string `json:"action"`
		}
		json.Unmarshal(e.Payload, &a)
		if e.Event == event && a.Action == action {
			return e.Payload
		}
	}
	tb.Fatalf("no example %s.%s", event, action)
	return nil
}

var deliveries atomic.Int64

// Post sends a delivery signed with Secret to url over real HTTP and returns
// the answer's status and body.
func Post(tb testing.TB, url, event string, body []byte) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("test-%d", deliveries.Add(1))) // each its own, as GitHub's
	req.Header.Set("X-Hub-Signature-256", Sign(body, Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// PRPayload is a minimal pull_request delivery.
func PRPayload(action string, inst int64, number int, sha string) []byte {
	return fmt.Appendf(nil, `{"action":%q,"installation":{"id":%d},"repository":{"name":"svc","owner":{"login":"acme"}},`+
		`"pull_request":{"number":%d,"merged":false,"head":{"sha":%q},"base":{"ref":"main"}},"sender":{"login":"alice","type":"User"}}`,
		action, inst, number, sha)
}

// WithInstallation sets installation.id on a payload (most of the octokit
// examples are repository webhooks, without one).
func WithInstallation(tb testing.TB, payload []byte, id int64) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		tb.Fatal(err)
	}
	m["installation"] = map[string]any{"id": id}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
