package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/internal/hooktest"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// postAs sends a signed delivery with its own X-GitHub-Delivery id.
func postAs(t *testing.T, url, event, id string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", hooktest.Sign(body, testSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// A replayed signed delivery that would act again (a check run re-run, a
// check suite re-run, a /postmortem command) is dropped: by its
// X-GitHub-Delivery id, and by its signature when the replayer changes the
// id (the header is not signed). Its first delivery, and a new request of
// the same kind, are queued. Remembered deliveries are pruned after 7 days.
func TestReplayedDeliveriesAreDropped(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			d := newTestDB(t, dialect)
			q, db := d.openWithDB(t, nil)
			cl := claims.New(db)
			if err := cl.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			cl.Now = func() time.Time { return now }
			h := &webhook.Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Replays: cl}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)

			run := func(at string) []byte {
				return fmt.Appendf(nil, `{"action":"rerequested","installation":{"id":7},"repository":{"name":"svc","owner":{"login":"acme"}},`+
					`"check_run":{"head_sha":"abc","updated_at":%q,"pull_requests":[{"number":3}]},"sender":{"login":"mallory","type":"User"}}`, at)
			}
			suite := []byte(`{"action":"rerequested","installation":{"id":7},"repository":{"name":"svc","owner":{"login":"acme"}},` +
				`"check_suite":{"head_sha":"abc","pull_requests":[{"number":3}]},"sender":{"login":"mallory","type":"User"}}`)
			command := []byte(`{"action":"created","installation":{"id":7},"repository":{"name":"svc","owner":{"login":"acme"}},` +
				`"issue":{"number":4},"comment":{"id":99,"body":"/postmortem due 2026-05-01","created_at":"2026-03-01T10:00:00Z","user":{"login":"alice","type":"User"}},` +
				`"sender":{"login":"alice","type":"User"}}`)

			for _, c := range []struct {
				what, event, id string
				body            []byte
				want            int
			}{
				{"check run re-run", "check_run", "d1", run("2026-03-01T10:00:00Z"), 202},
				{"replayed", "check_run", "d1", run("2026-03-01T10:00:00Z"), 200},
				{"replayed under a new id", "check_run", "forged", run("2026-03-01T10:00:00Z"), 200},
				{"re-run again, a new request", "check_run", "d2", run("2026-03-01T10:05:00Z"), 202},
				{"check suite re-run", "check_suite", "d3", suite, 202},
				{"check suite replayed", "check_suite", "d3", suite, 200},
				{"command", "issue_comment", "d4", command, 202},
				{"command replayed", "issue_comment", "d4", command, 200},
				{"command replayed under a new id", "issue_comment", "d5", command, 200},
			} {
				before := d.countJobs(t, "")
				code, msg := postAs(t, srv.URL, c.event, c.id, c.body)
				after := d.countJobs(t, "")
				if code != c.want {
					t.Fatalf("%s: %d %s, want %d", c.what, code, msg, c.want)
				}
				if code == 200 && (after != before || !strings.Contains(msg, "replay")) {
					t.Fatalf("%s: %q, jobs %d → %d", c.what, msg, before, after)
				}
			}

			// Eight days on, the resync's pruning forgets them: GitHub keeps
			// deliveries for redelivery for 3 days.
			now = now.Add(8 * 24 * time.Hour)
			n, err := cl.PruneDeliveries(context.Background())
			if err != nil || n != 8 {
				t.Fatalf("pruned %d, %v; want 8 rows (4 deliveries queued, each by id and by signature)", n, err)
			}
			if code, msg := postAs(t, srv.URL, "check_suite", "d3", suite); code != 202 {
				t.Fatalf("after pruning: %d %s", code, msg)
			}
		})
	}
}
