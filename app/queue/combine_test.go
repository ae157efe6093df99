package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

func TestJobKey(t *testing.T) {
	pr := jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 2, HeadSHA: "a"}
	same := pr
	same.HeadSHA = "b" // not part of the identity
	if jobKey(pr) != jobKey(same) {
		t.Errorf("jobs River merges have different keys: %q, %q", jobKey(pr), jobKey(same))
	}
	inc := jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 2, Labels: []string{"x"}}
	incSame := inc
	incSame.Labels = nil
	if jobKey(inc) != jobKey(incSame) {
		t.Errorf("incident keys differ on labels: %q, %q", jobKey(inc), jobKey(incSame))
	}
	for _, other := range []jobs.Args{
		jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 3},
		jobs.PullRequestArgs{InstallationID: 2, Owner: "o", Repo: "r", Number: 2},
		jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r2", Number: 2},
		jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 2, Rerequested: true},
		pr.RerunOf(77),
		jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 2}, // other kind
	} {
		if jobKey(other) == jobKey(pr) {
			t.Errorf("%#v has the key of %#v: %q", other, pr, jobKey(pr))
		}
	}
	if jobKey(pr.RerunOf(77)) == jobKey(pr.RerunOf(78)) {
		t.Error("follow-ups of different runs share a key")
	}
}

// markRunning makes the queue's pending jobs of kind with that number
// running, as a worker that took them would.
func markRunning(t *testing.T, q *Queue, kind string, number int) {
	t.Helper()
	where := fmt.Sprintf(`kind = '%s' AND json_extract(args, '$.number') = %d`, kind, number)
	if q.db.Dialect() == "postgres" {
		where = fmt.Sprintf(`kind = '%s' AND (args->>'number')::int = %d`, kind, number)
	}
	res, err := q.db.SQL().Exec(`UPDATE river_job SET state = 'running', attempt = 1 WHERE ` + where)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s %d: %d rows made running", kind, number, n)
	}
}

// jobRows lists the queue's jobs (kind, args, state), sorted. (Not in id
// order: a combined group inserts the follow-up runs after all the
// group's new jobs.)
func jobRows(t *testing.T, q *Queue) []string {
	t.Helper()
	query := `SELECT kind, json(args), state FROM river_job ORDER BY id`
	if q.db.Dialect() == "postgres" {
		query = `SELECT kind, args::text, state::text FROM river_job ORDER BY id`
	}
	rows, err := q.db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, args, state string
		if err := rows.Scan(&kind, &args, &state); err != nil {
			t.Fatal(err)
		}
		var v any // the databases format JSON differently
		if err := json.Unmarshal([]byte(args), &v); err != nil {
			t.Fatal(err)
		}
		norm, _ := json.Marshal(v)
		out = append(out, kind+" "+string(norm)+" "+state)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// A group's deliveries inserted with combined statements get the results
// and leave the jobs that one statement per delivery (the group commit
// before) does: new jobs, duplicates merged within the group and with
// pending jobs, one follow-up run per running job, duplicate follow-ups
// merged. And with fewer statements.
func TestInsertGroupMatchesOneByOne(t *testing.T) {
	eachDialect(t, func(t *testing.T, db dbtest.DB) {
		pr := func(n int, sha string) jobs.Args {
			return jobs.PullRequestArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: n, HeadSHA: sha}
		}
		inc := func(n int) jobs.Args { return jobs.IncidentArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: n} }
		setup := [][]jobs.Args{{pr(1, "a")}, {pr(2, "a")}, {inc(5)}}
		group := [][]jobs.Args{
			{pr(1, "b"), pr(3, "a")}, // duplicate of a pending job; new
			{pr(2, "b")},             // running: a follow-up
			{pr(2, "c")},             // running: its follow-up is the previous one's
			{inc(5), jobs.InstallationArgs{InstallationID: 9}}, // running: follow-up; new
			{pr(3, "b")}, // duplicate of the first delivery's new job
			{jobs.TrackingArgs{InstallationID: 1, Owner: "o", Repo: "r", Number: 1, Incident: 5}},
		}
		want := []jobs.EnqueueResult{{Inserted: 1, Duplicates: 1}, {Reruns: 1}, {Duplicates: 1}, {Inserted: 1, Reruns: 1}, {Duplicates: 1}, {Inserted: 1}}

		ctx := context.Background()
		run := func(q *Queue, combined bool) (res []jobs.EnqueueResult, statements int) {
			for _, js := range setup {
				if _, err := q.Enqueue(ctx, js...); err != nil {
					t.Fatal(err)
				}
			}
			markRunning(t, q, jobs.KindPullRequest, 2)
			markRunning(t, q, jobs.KindIncident, 5)
			ds := make([]*insertDelivery, len(group))
			for i, js := range group {
				params := make([]river.InsertManyParams, len(js))
				for j, a := range js {
					params[j] = river.InsertManyParams{Args: a}
				}
				ds[i] = &insertDelivery{js: js, params: params}
			}
			err := q.group.run(ctx, func(insert insertFunc) error {
				counting := func(ctx context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
					statements++
					return insert(ctx, p)
				}
				if combined {
					return q.insertGroup(ctx, counting, ds)
				}
				for _, d := range ds {
					if err := q.insertGroup(ctx, counting, []*insertDelivery{d}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				res = append(res, d.res)
			}
			return res, statements
		}
		qc := openQueue(t, db, nil)
		qs := openQueue(t, dbtest.New(t, db.Dialect), nil)
		gotC, stmtsC := run(qc, true)
		gotS, stmtsS := run(qs, false)
		if !reflect.DeepEqual(gotC, want) || !reflect.DeepEqual(gotS, want) {
			t.Errorf("results:\ncombined   %+v\none by one %+v\nwant       %+v", gotC, gotS, want)
		}
		rowsC, rowsS := jobRows(t, qc), jobRows(t, qs)
		if !reflect.DeepEqual(rowsC, rowsS) {
			t.Errorf("jobs differ:\ncombined\n%q\none by one\n%q", rowsC, rowsS)
		}
		if len(rowsC) != 3+3+2 { // setup, 3 new, 2 follow-ups
			t.Errorf("%d jobs, want 8:\n%q", len(rowsC), rowsC)
		}
		// Combined: [1 2] [3 4 5 6], follow-ups [2] [3 4]. One by one: 9.
		if stmtsC != 4 || stmtsS != 9 {
			t.Errorf("insert statements: combined %d, one by one %d; want 4 and 9", stmtsC, stmtsS)
		}
	})
}
