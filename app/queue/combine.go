package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Combined inserts. The deliveries of one group commit are inserted with
// as few River insert statements as River allows: their jobs go into one
// InsertManyTx call (one statement, one round trip to PostgreSQL) instead
// of one call each. River refuses a statement that carries the same unique
// job twice (PostgreSQL cannot update one row twice in a statement; River's
// SQLite driver checks for it), so a delivery whose job may be the same as
// an earlier delivery's in the statement starts the next statement, and
// its job is merged into the earlier one exactly as it is when each
// delivery has its own statement. Then the follow-up runs of every
// delivery that met a running job, combined the same way. Each delivery
// gets the results of its own jobs, in order, and counts them as before.

// insertDelivery is what insertGroup needs of one delivery.
type insertDelivery struct {
	js     []jobs.Args
	params []river.InsertManyParams
	res    jobs.EnqueueResult
}

// maxRerunLevels bounds the chain of follow-ups of running follow-ups
// (insertGroup; each level is a round trip to the database); past it the
// delivery merges into the last, as a duplicate. A chain is as long as the
// runs of one job running at once, which the workers bound already.
const maxRerunLevels = 8

// insertGroup inserts the jobs of the deliveries and their follow-up runs
// and fills each delivery's res. A job equal to a running one gets a
// follow-up run; when that follow-up is itself running already (it began
// before this delivery: it may not see what the delivery reports), it gets
// one in turn, and so on. (Counted a duplicate, the delivery was lost: a
// follow-up left "running" by a killed replica held every later delivery
// for its job until River's rescuer freed it, 12–45 s on.)
func (q *Queue) insertGroup(ctx context.Context, insert insertFunc, ds []*insertDelivery) error {
	sets := make([][]river.InsertManyParams, len(ds))
	keys := make([][]string, len(ds))
	args := make([][]jobs.Args, len(ds))
	for i, d := range ds {
		d.res = jobs.EnqueueResult{}
		sets[i], keys[i], args[i] = d.params, jobKeys(d.js), d.js
	}
	for level := 0; ; level++ {
		res, err := insertCombined(ctx, insert, sets, keys)
		if err != nil {
			return err
		}
		more := false
		for i, d := range ds {
			var rerunJobs []jobs.Args
			var reruns []river.InsertManyParams
			for j, x := range res[i] {
				switch {
				case !x.UniqueSkippedAsDuplicate && level == 0:
					d.res.Inserted++
				case !x.UniqueSkippedAsDuplicate:
					d.res.Reruns++
				case x.Job != nil && x.Job.State == rivertype.JobStateRunning && level < maxRerunLevels:
					opts := jobs.UniqueInsertOpts()
					opts.ScheduledAt = time.Now().Add(q.rerunDelay)
					job := args[i][j].RerunOf(x.Job.ID)
					rerunJobs = append(rerunJobs, job)
					reruns = append(reruns, river.InsertManyParams{Args: job, InsertOpts: &opts})
				default:
					d.res.Duplicates++
				}
			}
			sets[i], keys[i], args[i] = reruns, jobKeys(rerunJobs), rerunJobs
			more = more || len(reruns) > 0
		}
		if !more {
			return nil
		}
	}
}

// insertCombined inserts the sets of params (a delivery's each; empty sets
// are skipped), consecutive sets in one insert call unless a set has a job
// key (jobKey) already in the call; it returns each set's results.
func insertCombined(ctx context.Context, insert insertFunc, sets [][]river.InsertManyParams, keys [][]string) ([][]*rivertype.JobInsertResult, error) {
	out := make([][]*rivertype.JobInsertResult, len(sets))
	var combined []river.InsertManyParams
	seen := map[string]bool{}
	for start := 0; start < len(sets); {
		combined = combined[:0]
		clear(seen)
		end := start
		for ; end < len(sets); end++ {
			if len(combined) > 0 && hasAny(seen, keys[end]) {
				break
			}
			for _, k := range keys[end] {
				seen[k] = true
			}
			combined = append(combined, sets[end]...)
		}
		if len(combined) > 0 {
			res, err := insert(ctx, combined)
			if err != nil {
				return nil, err
			}
			if len(res) != len(combined) {
				return nil, fmt.Errorf("queue: insert of %d jobs returned %d results", len(combined), len(res))
			}
			for i := start; i < end; i++ {
				out[i], res = res[:len(sets[i]):len(sets[i])], res[len(sets[i]):]
			}
		}
		start = end
	}
	return out, nil
}

func hasAny(seen map[string]bool, keys []string) bool {
	for _, k := range keys {
		if seen[k] {
			return true
		}
	}
	return false
}

func jobKeys(js []jobs.Args) []string {
	keys := make([]string, len(js))
	for i, j := range js {
		keys[i] = jobKey(j)
	}
	return keys
}

// jobKey is what makes two jobs the same unique job for River (ByArgs): the
// kind and the values of the fields tagged river:"unique" (all exported
// fields when none is). It only decides which jobs may share a statement:
// two jobs River would merge have the same key (were a key wrong that way,
// River would refuse the statement and the group commit would retry each
// delivery in a transaction of its own); two jobs with the same key merely
// go into separate statements.
func jobKey(a jobs.Args) string {
	v := reflect.ValueOf(a)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	b := []byte(a.Kind())
	if v.Kind() != reflect.Struct {
		return string(appendKeyValue(append(b, 0), v))
	}
	for _, i := range uniqueFields(v.Type()) {
		b = appendKeyValue(append(b, 0), v.Field(i))
	}
	return string(b)
}

func appendKeyValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return strconv.AppendQuote(b, v.String())
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, v.Uint(), 10)
	}
	// What River compares: the JSON encoding.
	j, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Appendf(b, "%v", v)
	}
	return append(b, j...)
}

var uniqueFieldsCache sync.Map // reflect.Type → []int

// uniqueFields lists the indexes of t's fields tagged river:"unique", or of
// all its exported fields when none is.
func uniqueFields(t reflect.Type) []int {
	if f, ok := uniqueFieldsCache.Load(t); ok {
		return f.([]int)
	}
	var tagged, exported []int
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		exported = append(exported, i)
		if slices.Contains(strings.Split(f.Tag.Get("river"), ","), "unique") {
			tagged = append(tagged, i)
		}
	}
	if tagged == nil {
		tagged = exported
	}
	uniqueFieldsCache.Store(t, tagged)
	return tagged
}
