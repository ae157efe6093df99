package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/sqldb"
)

const testSecret = "It's a Secret to Everybody"

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// testDB names one database for one test (dbtest.New).
type testDB struct {
	dialect string
	url     string
	schema  string
}

func newTestDB(t testing.TB, dialect string) testDB {
	t.Helper()
	d := dbtest.New(t, dialect)
	return testDB{dialect: d.Dialect, url: d.URL, schema: d.Schema}
}

func (d testDB) db() dbtest.DB { return dbtest.DB{Dialect: d.dialect, URL: d.url, Schema: d.schema} }

// open opens the database and a queue working w (nil: insert-only) on it,
// with the tests' short poll and rerun delays, stopped when the test ends.
func (d testDB) open(t testing.TB, w *queue.Workers) *queue.Queue {
	t.Helper()
	q, _ := d.openWithDB(t, w)
	return q
}

// openWithDB is open, also returning the database.
func (d testDB) openWithDB(t testing.TB, w *queue.Workers) (*queue.Queue, *sqldb.DB) {
	t.Helper()
	db := d.db().Open(t)
	q, err := queue.Open(context.Background(), db, w, queue.Config{
		PollInterval: 50 * time.Millisecond, RerunDelay: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("queue.Open(%s): %v", d.dialect, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q, db
}

// countJobs counts the committed river_job rows.
func (d testDB) countJobs(t testing.TB, where string) int {
	t.Helper()
	return d.db().CountJobs(t, where)
}

var dialects = dbtest.Dialects

type example struct {
	Event   string
	Name    string
	Payload json.RawMessage
}

// loadExamples is every @octokit/webhooks-examples payload (api.github.com
// and GHES), as embedded by the conformance package.
func loadExamples(t testing.TB) []example {
	t.Helper()
	var out []example
	for _, e := range conformance.Examples() {
		out = append(out, example{Event: e.Event, Name: e.Target + "/" + e.Name, Payload: e.Payload})
	}
	if len(out) < 300 {
		t.Fatalf("only %d webhook examples", len(out))
	}
	return out
}

func findExample(t testing.TB, event, action string) []byte {
	t.Helper()
	for _, e := range loadExamples(t) {
		var a struct {
			Action string `json:"action"`
		}
		json.Unmarshal(e.Payload, &a)
		if e.Event == event && a.Action == action {
			return e.Payload
		}
	}
	t.Fatalf("no example %s.%s", event, action)
	return nil
}

// post sends a signed delivery to the handler over real HTTP.
func post(t testing.TB, url, event string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", "test")
	req.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func webhookServer(t testing.TB, q jobs.Enqueuer, m *Metrics) *httptest.Server {
	t.Helper()
	h := &WebhookHandler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Metrics: m}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// prPayload is a minimal pull_request delivery.
func prPayload(action string, inst int64, number int, sha string) []byte {
	return fmt.Appendf(nil, `{"action":%q,"installation":{"id":%d},"repository":{"name":"svc","owner":{"login":"acme"}},`+
		`"pull_request":{"number":%d,"merged":false,"head":{"sha":%q},"base":{"ref":"main"}},"sender":{"login":"alice","type":"User"}}`,
		action, inst, number, sha)
}

// withInstallation sets installation.id on a payload (most of the octokit
// examples are repository webhooks, without one).
func withInstallation(t testing.TB, payload []byte, id int64) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m["installation"] = map[string]any{"id": id}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openClaimsDB opens migrated claims on a real database of dialect.
func openClaimsDB(t *testing.T, dialect string) *claims.Store {
	t.Helper()
	c := claims.New(newTestDB(t, dialect).db().Open(t))
	if err := c.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

// openQueueAt opens a SQLite database at path and a queue working w on it
// with cfg; both closed when the test ends.
func openQueueAt(t testing.TB, ctx context.Context, path string, w *queue.Workers, cfg queue.Config) (*queue.Queue, *sqldb.DB) {
	t.Helper()
	db, err := sqldb.Open(ctx, path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := queue.Open(ctx, db, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q, db
}
