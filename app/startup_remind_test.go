package app

import (
	"context"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

// A replica starting with reminders on queues a reminder pass at once, as
// it queues a resync, whether or not it becomes River's leader (whose
// periodic job runs the pass on start, then every period): one restarted
// after a crash does not wait a period, or a dead leader's 15 s lease, to
// catch up. Replicas starting together queue one pass.
func TestStartUpQueuesReminderPass(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			sim, key := startSim(t, githubsim.Options{Seed: flowtest.Seed(nil)})
			d := newTestDB(t, dialect)
			for range 2 { // two replicas, not started: no leader, no periodic job
				a, err := New(ctx, Options{
					GitHub:        ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: sim.URL() + "/"},
					WebhookSecret: testSecret, BotLogin: flowtest.Bot, DatabaseURL: d.url, Schema: d.schema,
					Queue:            queue.Config{PollInterval: 20 * time.Millisecond},
					ReminderInterval: time.Hour,
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
			}
			db := d.db().Open(t)
			var n int
			if err := db.SQL().QueryRowContext(ctx, db.Rebind(`SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'available'`), jobs.KindRemind).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d reminder passes queued by two replicas starting, want 1", n)
			}
		})
	}
}
