package app

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/internal/hooktest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/webhook"
)

const testSecret = hooktest.Secret

func sign(body []byte, secret string) string { return hooktest.Sign(body, secret) }

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

type example = hooktest.Example

func loadExamples(t testing.TB) []example { t.Helper(); return hooktest.Examples(t) }

func findExample(t testing.TB, event, action string) []byte {
	t.Helper()
	return hooktest.FindExample(t, event, action)
}

// post sends a signed delivery to the handler over real HTTP.
func post(t testing.TB, url, event string, body []byte) (int, string) {
	t.Helper()
	return hooktest.Post(t, url, event, body)
}

func webhookServer(t testing.TB, q jobs.Enqueuer, m *Metrics) *httptest.Server {
	t.Helper()
	h := &webhook.Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Observer: m}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// prPayload is a minimal pull_request delivery.
func prPayload(action string, inst int64, number int, sha string) []byte {
	return hooktest.PRPayload(action, inst, number, sha)
}

// withInstallation sets installation.id on a payload.
func withInstallation(t testing.TB, payload []byte, id int64) []byte {
	t.Helper()
	return hooktest.WithInstallation(t, payload, id)
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
