package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Reconciler works one kind of job (A). The job's Args say what to look
// at; the reconciler reads GitHub's current state and makes it right,
// idempotently (a job may run more than once). It returns the jobs its run
// found necessary (a resync's findings; usually none), which the queue
// enqueues before the job is done, and an error to retry the job with
// backoff. An error with a RetryAt method (see RetryAtError) snoozes the
// job until then without spending an attempt.
type Reconciler[A jobs.Args] func(ctx context.Context, job *river.Job[A]) ([]jobs.Args, error)

// RetryAtError is an error that says when the job may run again (a rate
// limit's reset: ghclient.RateLimitError is one).
type RetryAtError interface {
	error
	RetryAt() time.Time
}

// Observer is told of every job run (the App's metrics implement it).
type Observer interface {
	// Job: one run of a job of kind, its outcome (ok, error, snoozed,
	// cancelled), its attempt (1 = first try) and how long it took.
	Job(kind, outcome string, attempt int, d time.Duration)
}

// Workers is the set of reconcilers a Queue works, one per kind, added with
// Handle before Open. Kinds without a reconciler are still
// accepted and stored; they wait until a process that has one runs them.
type Workers struct {
	river   *river.Workers
	kinds   map[string]bool
	q       *Queue       // set by Open: where the jobs runs ask for go
	observe Observer     // set by Open
	log     *slog.Logger // set by Open
}

// NewWorkers returns an empty set of workers.
func NewWorkers() *Workers {
	return &Workers{river: river.NewWorkers(), kinds: map[string]bool{}}
}

// Handle adds the reconciler for job kind A. A kind handled twice is an
// error.
func Handle[A jobs.Args](w *Workers, r Reconciler[A]) error {
	var zero A
	if w.kinds[zero.Kind()] {
		return fmt.Errorf("queue: reconciler for %q added twice", zero.Kind())
	}
	if err := river.AddWorkerSafely(w.river, &reconcileWorker[A]{r: r, w: w}); err != nil {
		return err
	}
	w.kinds[zero.Kind()] = true
	return nil
}

// Kinds lists the job kinds with a reconciler, sorted.
func (w *Workers) Kinds() []string {
	kinds := make([]string, 0, len(w.kinds))
	for k := range w.kinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

type reconcileWorker[A jobs.Args] struct {
	river.WorkerDefaults[A]
	r Reconciler[A]
	w *Workers
}

func (rw *reconcileWorker[A]) Work(ctx context.Context, job *river.Job[A]) error {
	start := time.Now()
	more, err := rw.r(ctx, job)
	if err == nil && len(more) > 0 {
		if _, err = rw.w.q.Enqueue(ctx, more...); err != nil {
			err = fmt.Errorf("queue: enqueue the %d jobs a %s run found: %w", len(more), job.Kind, err)
		}
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
		if d, ok := SnoozeFor(err, time.Now()); ok {
			outcome = "snoozed"
			err = river.JobSnooze(d)
		} else if errors.Is(err, &rivertype.JobCancelError{}) {
			outcome = "cancelled"
		} else if errors.Is(err, &rivertype.JobSnoozeError{}) {
			outcome = "snoozed"
		}
	}
	rw.w.observeJob(ctx, job.JobRow, outcome, time.Since(start), err)
	return err
}

// SnoozeFor says how long to snooze a job that failed with err, if err says
// when to retry (a RetryAtError): until then plus a little jitter, so
// snoozed jobs don't all wake in the same second.
func SnoozeFor(err error, now time.Time) (time.Duration, bool) {
	var ra RetryAtError
	if !errors.As(err, &ra) {
		return 0, false
	}
	d := ra.RetryAt().Sub(now)
	if d < time.Second {
		d = time.Second
	}
	return d + time.Duration(rand.Int64N(int64(2*time.Second))), true
}

// observeJob tells the observer of a job run and logs one line per run with
// its delivery and installation.
func (w *Workers) observeJob(ctx context.Context, job *rivertype.JobRow, outcome string, d time.Duration, err error) {
	if w.observe != nil {
		w.observe.Job(job.Kind, outcome, job.Attempt, d)
	}
	if w.log == nil {
		return
	}
	var meta jobMeta
	json.Unmarshal(job.Metadata, &meta)
	attrs := []slog.Attr{
		slog.Int64("job", job.ID), slog.String("kind", job.Kind), slog.Int("attempt", job.Attempt),
		slog.String("delivery", meta.Delivery), slog.Int64("installation", jobs.EncodedInstallation(job.EncodedArgs)),
		slog.String("outcome", outcome), slog.Duration("duration", d),
	}
	level := slog.LevelInfo
	if outcome == "error" {
		level = slog.LevelWarn
		if job.Attempt >= job.MaxAttempts {
			level = slog.LevelError // discarded: no more retries
		}
		attrs = append(attrs, slog.String("err", err.Error()), slog.Int("max_attempts", job.MaxAttempts))
	}
	w.log.LogAttrs(ctx, level, "job", attrs...)
}
