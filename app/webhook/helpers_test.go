package webhook

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/internal/hooktest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

const testSecret = hooktest.Secret

func sign(body []byte, secret string) string { return hooktest.Sign(body, secret) }

type example = hooktest.Example

func loadExamples(t testing.TB) []example { t.Helper(); return hooktest.Examples(t) }

func findExample(t testing.TB, event, action string) []byte {
	t.Helper()
	return hooktest.FindExample(t, event, action)
}

func post(t testing.TB, url, event string, body []byte) (int, string) {
	t.Helper()
	return hooktest.Post(t, url, event, body)
}

func prPayload(action string, inst int64, number int, sha string) []byte {
	return hooktest.PRPayload(action, inst, number, sha)
}

func withInstallation(t testing.TB, payload []byte, id int64) []byte {
	t.Helper()
	return hooktest.WithInstallation(t, payload, id)
}

// webhookServer serves a Handler enqueuing into q over loopback.
func webhookServer(t testing.TB, q jobs.Enqueuer, o Observer) *httptest.Server {
	t.Helper()
	h := &Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Observer: o}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// openQueue is a real insert-only queue on a SQLite file, and the database
// under it.
func openQueue(t testing.TB) (*queue.Queue, dbtest.DB) {
	t.Helper()
	d := dbtest.New(t, "sqlite")
	q, err := queue.Open(context.Background(), d.Open(t), nil, queue.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return q, d
}

// outcomes records what the handler tells its Observer.
type outcomes struct {
	mu sync.Mutex
	n  map[string]int // "event outcome"
}

func (o *outcomes) WebhookDelivery(event, outcome string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[event+" "+outcome]++
}

func (o *outcomes) count(event, outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[event+" "+outcome]
}
