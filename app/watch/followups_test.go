package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// The open follow-ups the metrics count, on both databases: an incident's replaced by its
// tracking, a repository's by its reminder pass, overdue counted against the date asked, and
// dropped with the repository (forgotten, renamed) or the installation.
func TestFollowUpCounts(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := New(dbtest.New(t, dialect).Open(t))
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(s.Migrate(ctx))
			counts := func(today, want string) {
				t.Helper()
				got, err := s.FollowUpCounts(ctx, today)
				must(err)
				if s := fmt.Sprint(got); s != want {
					t.Fatalf("counts on %s = %s, want %s", today, s, want)
				}
			}
			counts("2026-04-20", "[]")
			must(s.SetIncidentFollowUps(ctx, 7, "acme/a", 1, []FollowUp{{1, 10, "2026-04-01"}, {1, 11, "2026-05-01"}, {1, 12, ""}}))
			must(s.SetIncidentFollowUps(ctx, 7, "acme/a", 2, []FollowUp{{2, 20, "2026-04-19"}}))
			must(s.SetIncidentFollowUps(ctx, 7, "acme/b", 3, []FollowUp{{3, 30, "2026-06-01"}}))
			counts("2026-04-20", "[{acme/a 1 3 1} {acme/a 2 1 1} {acme/b 3 1 0}]")
			counts("2026-05-02", "[{acme/a 1 3 2} {acme/a 2 1 1} {acme/b 3 1 0}]") // a date passed, nothing written
			counts("2026-04-19", "[{acme/a 1 3 1} {acme/a 2 1 0} {acme/b 3 1 0}]") // due today is not overdue

			must(s.SetIncidentFollowUps(ctx, 7, "acme/a", 1, []FollowUp{{1, 11, "2026-05-01"}})) // two closed
			must(s.SetIncidentFollowUps(ctx, 7, "acme/a", 2, nil))                               // all done: no series
			counts("2026-04-20", "[{acme/a 1 1 0} {acme/b 3 1 0}]")

			// the reminder pass lists the repository's open follow-ups: what it does not list is closed
			must(s.SetRepoFollowUps(ctx, 7, "acme/a", []FollowUp{{4, 40, "2026-04-02"}}))
			counts("2026-04-20", "[{acme/a 4 1 1} {acme/b 3 1 0}]")

			must(s.Watch(ctx, 7, "acme/b", 99, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
			must(s.Moved(ctx, 7, "acme/b2", 99)) // known again under the new name at its next pass
			counts("2026-04-20", "[{acme/a 4 1 1}]")
			must(s.SetRepoFollowUps(ctx, 7, "acme/b2", []FollowUp{{3, 30, "2026-06-01"}}))
			_, err := s.ForgetRepo(ctx, 7, "acme/a", 0)
			must(err)
			counts("2026-04-20", "[{acme/b2 3 1 0}]")
			must(s.Forget(ctx, 7))
			counts("2026-04-20", "[]")
		})
	}
}
