package app

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// Concurrent deliveries share commits (group commit), and the
// acknowledgement rule still holds for each: the moment a delivery's 202
// arrives, a separate connection sees ITS job committed. Deliveries for the
// same pull request inside one group are still merged into one job.
func TestGroupCommitAcknowledgesOwnJob(t *testing.T) {
	eachDialect(t, func(t *testing.T, db testDB) {
		q := db.open(t, nil)
		srv := webhookServer(t, q, nil)
		const senders = 16
		next := 1000
		for round := 0; ; round++ {
			var wg sync.WaitGroup
			errs := make(chan error, senders)
			for i := range senders {
				number := next + i
				if i == senders-1 {
					number = next // a second delivery for the first PR
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, body := post(t, srv.URL, "pull_request", prPayload("opened", 7, number, fmt.Sprint("sha", i)))
					if code != http.StatusAccepted {
						errs <- fmt.Errorf("PR %d: %d %q", number, code, body)
						return
					}
					where := fmt.Sprintf(`kind = 'pull_request' AND json_extract(args, '$.number') = %d`, number)
					if db.dialect == "postgres" {
						where = fmt.Sprintf(`kind = 'pull_request' AND (args->>'number')::int = %d`, number)
					}
					if n := db.countJobs(t, where); n != 1 {
						errs <- fmt.Errorf("PR %d: %d committed jobs when its 202 arrived, want 1", number, n)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			next += senders
			if n := db.countJobs(t, "kind = 'pull_request'"); n != (round+1)*(senders-1) {
				t.Fatalf("round %d: %d pull_request jobs, want %d (one per PR)", round, n, (round+1)*(senders-1))
			}
			commits, held := q.GroupCommits()
			if held != (round+1)*senders {
				t.Fatalf("round %d: commits held %d deliveries, want %d", round, held, (round+1)*senders)
			}
			if commits < held {
				t.Logf("%d deliveries in %d commits", held, commits)
				return
			}
			if round == 9 {
				t.Fatalf("%d concurrent deliveries never shared a commit (%d commits)", held, commits)
			}
		}
	})
}
