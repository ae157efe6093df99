// Package queue is the App's durable job queue: River on the App's
// database (SQLite or PostgreSQL). Enqueue returns once the jobs are
// committed, sharing commits between concurrent callers (group commit) and
// their River statements (insert combining); a burst of equal jobs is one
// job, and a job equal to a running one gets one follow-up run. Workers
// hold one Reconciler per kind of job; a run that fails is retried with
// backoff, or snoozed until a rate limit resets.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Config configures Open.
type Config struct {
	// MaxWorkers is the number of jobs worked at once (default 4).
	MaxWorkers int
	// MaxAttempts before a job is discarded (default 12, about a day with
	// the backoff below).
	MaxAttempts int
	// JobTimeout bounds one run of a job (default DefaultJobTimeout): the
	// flows are a few dozen GitHub calls, so a run that takes longer is
	// stuck and is cancelled (and retried).
	JobTimeout time.Duration
	// RescueStuckJobsAfter: a job still "running" this long after it
	// started belongs to a worker that died (SIGKILL, OOM, lost node); the
	// leader's rescuer makes it retryable. Default JobTimeout + 30s (River's
	// own default is an hour past JobTimeout). River's rescuer runs every
	// 30s and a dead leader is replaced within its 15s TTL, so a killed
	// replica's job is retried by a survivor within about
	// RescueStuckJobsAfter + 45s. Must be ≥ JobTimeout.
	RescueStuckJobsAfter time.Duration
	// RetryBackoff is the first wait before a failed job is retried
	// (default 5s), doubled per attempt with jitter, capped at 4h. Tests
	// under injected faults use less.
	RetryBackoff time.Duration
	// RerunDelay is how long after a running job the follow-up run for a
	// delivery that arrived during it is scheduled (default 2s).
	RerunDelay time.Duration
	// PollInterval is how often workers poll for jobs on drivers without
	// LISTEN/NOTIFY (SQLite) (default 1s; tests use less).
	PollInterval time.Duration
	// Observer, when set, is told of every job run (metrics).
	Observer Observer
	Logger   *slog.Logger

	// noLeader keeps this queue out of River's leader election (tests: a
	// replica while the leader is dead, before another is elected).
	noLeader bool
}

// riverClient is what Queue uses of a River client, whatever its driver.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Queue is the durable job queue: River on a SQLite file (one process, one
// connection, several workers) or on PostgreSQL (many replicas).
type Queue struct {
	client     riverClient
	db         *sqldb.DB
	working    bool
	rerunDelay time.Duration
	jobTimeout time.Duration
	log        *slog.Logger
	group      *groupCommitter // queue_group.go
}

// DefaultJobTimeout bounds one run of a job when Config.JobTimeout is
// not set.
const DefaultJobTimeout = 2 * time.Minute

// JobTimeout is how long one run of a job may last before it is cancelled.
func (q *Queue) JobTimeout() time.Duration { return q.jobTimeout }

// Open migrates River's tables in db (under the database's migration lock:
// replicas starting together take turns) and builds the queue that works w's
// reconcilers (w nil or empty: an insert-only queue). Call Start to work
// jobs. db stays the caller's to close.
func Open(ctx context.Context, db *sqldb.DB, w *Workers, cfg Config) (*Queue, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.RescueStuckJobsAfter <= 0 {
		cfg.RescueStuckJobsAfter = cfg.JobTimeout + 30*time.Second
	}
	if cfg.RescueStuckJobsAfter < cfg.JobTimeout {
		return nil, fmt.Errorf("queue: RescueStuckJobsAfter %s is shorter than JobTimeout %s (running jobs would be rescued)", cfg.RescueStuckJobsAfter, cfg.JobTimeout)
	}
	if cfg.RerunDelay <= 0 {
		cfg.RerunDelay = 2 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	q := &Queue{db: db, rerunDelay: cfg.RerunDelay, jobTimeout: cfg.JobTimeout, log: cfg.Logger}
	rc := &river.Config{
		Logger:                 cfg.Logger,
		MaxAttempts:            cfg.MaxAttempts,
		JobTimeout:             cfg.JobTimeout,
		RescueStuckJobsAfter:   cfg.RescueStuckJobsAfter,
		RetryPolicy:            retryPolicy{base: cfg.RetryBackoff},
		FetchPollInterval:      cfg.PollInterval,
		FetchCooldown:          min(100*time.Millisecond, cfg.PollInterval),
		SkipUnknownJobCheck:    true,
		Hooks:                  []rivertype.Hook{river.HookInsertBeginFunc(availableSoon)},
		LeaderElectionDisabled: cfg.noLeader,
	}
	if w != nil && len(w.kinds) > 0 {
		w.q, w.observe, w.log = q, cfg.Observer, cfg.Logger
		rc.Workers = w.river
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
		rc.FetchOnlyKnownKinds = true
		q.working = true
	}
	if pool := db.Pool(); pool != nil {
		rc.Schema = db.Schema()
		driver := riverpgxv5.New(pool)
		if err := db.WithMigrationLock(ctx, func(ctx context.Context) error { return migrate(ctx, driver, db.Schema(), cfg.Logger) }); err != nil {
			return nil, err
		}
		client, err := river.NewClient(driver, rc)
		if err != nil {
			return nil, err
		}
		q.client = client
		q.group = &groupCommitter{q: q, run: pgxTxRunner(pool.Begin, client), runOne: pgxAutocommitRunner(pool, client), groupTimeout: 10 * time.Second}
		return q, nil
	}
	driver := riversqlite.New(db.SQL())
	if err := db.WithMigrationLock(ctx, func(ctx context.Context) error { return migrate(ctx, driver, "", cfg.Logger) }); err != nil {
		return nil, err
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, err
	}
	q.client = client
	q.group = &groupCommitter{q: q, run: sqliteTxRunner(db.SQL(), client), groupTimeout: 10 * time.Second}
	return q, nil
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], schema string, log *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: log})
	if err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	return nil
}

// Start starts working jobs (no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	return q.client.Start(ctx)
}

// Stop stops fetching jobs and waits for running ones to finish until ctx
// is done; then it cancels their contexts and waits for them to return.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	err := q.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return q.client.StopAndCancel(hard)
	}
	return err
}

// AddPeriodic adds River periodic jobs to the queue (before or after
// Start). River runs them on the elected leader only, so with several
// replicas on one PostgreSQL each runs once per period.
func (q *Queue) AddPeriodic(js ...*river.PeriodicJob) error {
	type periodic interface {
		PeriodicJobs() *river.PeriodicJobBundle
	}
	p, ok := q.client.(periodic)
	if !ok {
		return errors.New("queue: periodic jobs not supported by this client")
	}
	if !q.working {
		return errors.New("queue: periodic jobs need a queue with workers")
	}
	_, err := p.PeriodicJobs().AddManySafely(js)
	return err
}

// Retry makes a job that failed (or waits to run) available at once, as an
// operator's "retry now" (River's JobRetry).
func (q *Queue) Retry(ctx context.Context, id int64) error {
	_, err := q.client.JobRetry(ctx, id)
	return err
}

// Subscribe is River's event subscription (tests, tools).
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// Enqueue durably inserts jobs in one transaction: when it returns nil, they
// are committed. A job equal to a pending one is merged into it; one equal
// to a running job gets one follow-up run (see jobs.Args).
func (q *Queue) Enqueue(ctx context.Context, js ...jobs.Args) (jobs.EnqueueResult, error) {
	var r jobs.EnqueueResult
	if len(js) == 0 {
		return r, nil
	}
	params := make([]river.InsertManyParams, len(js))
	for i, j := range js {
		params[i] = river.InsertManyParams{Args: j, InsertOpts: insertOptsWithDelivery(ctx, j)}
	}
	if q.group != nil {
		return q.group.enqueue(ctx, js, params) // queue_group.go
	}
	return q.insertJobs(ctx, q.client.InsertMany, js, params)
}

// insertJobs inserts one Enqueue's jobs with insert (inside a transaction
// when grouped) and their follow-up runs.
func (q *Queue) insertJobs(ctx context.Context, insert insertFunc, js []jobs.Args, params []river.InsertManyParams) (jobs.EnqueueResult, error) {
	d := &insertDelivery{js: js, params: params}
	err := q.insertGroup(ctx, insert, []*insertDelivery{d}) // queue_combine.go
	return d.res, err
}

// jobMeta is what a job records about the delivery that enqueued it.
type jobMeta struct {
	Delivery string `json:"delivery,omitempty"`
}

// insertOptsWithDelivery is the job's own insert options plus the delivery id as metadata
// (metadata is not part of a job's uniqueness); nil when ctx has no delivery.
func insertOptsWithDelivery(ctx context.Context, j jobs.Args) *river.InsertOpts {
	id := jobs.DeliveryFrom(ctx)
	if id == "" {
		return nil
	}
	var opts river.InsertOpts
	if wo, ok := j.(river.JobArgsWithInsertOpts); ok {
		opts = wo.InsertOpts()
	}
	opts.Metadata, _ = json.Marshal(jobMeta{Delivery: id})
	return &opts
}

// schedulerInterval is how often River's job scheduler, which runs on the
// elected leader only, makes "scheduled" jobs available (River's
// JobSchedulerIntervalDefault; River does not let it be configured).
const schedulerInterval = 5 * time.Second

// availableSoon inserts a job scheduled less than schedulerInterval ahead
// (a follow-up run, RerunDelay after now) as available at its time, as River
// itself does with short snoozes and retries: workers fetch it once its
// time has come. Inserted "scheduled", it would wait for the leader's
// scheduler, up to schedulerInterval, and for as long as there is no leader
// (a killed leader's lease runs 15 s): a replica killed mid-run left every
// follow-up run waiting 15–20 s.
func availableSoon(_ context.Context, p *rivertype.JobInsertParams) error {
	if p.State == rivertype.JobStateScheduled && p.ScheduledAt != nil && time.Until(*p.ScheduledAt) < schedulerInterval {
		p.State = rivertype.JobStateAvailable
	}
	return nil
}

// retryPolicy: exponential backoff with full jitter, base (5s) doubling,
// capped at 4h, so 12 attempts span roughly a day.
type retryPolicy struct{ base time.Duration }

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	n := max(job.Attempt, 1)
	base := p.base
	if base <= 0 {
		base = 5 * time.Second
	}
	d := base << min(n-1, 12)
	d = min(d, 4*time.Hour)
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	return time.Now().Add(d)
}

// Unfinished counts the jobs that are not finished yet (available, pending,
// running, retryable or scheduled, reruns waiting for their delay
// included); zero means the queue has nothing left to do. The playground
// waits on it between steps.
func (q *Queue) Unfinished(ctx context.Context) (int, error) {
	var n int
	err := q.db.SQL().QueryRowContext(ctx,
		`SELECT count(*) FROM river_job WHERE state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`).Scan(&n)
	return n, err
}

// UnfinishedStates are the states of a job not finished yet.
var UnfinishedStates = []string{"available", "pending", "retryable", "running", "scheduled"}

// Depth is what the queue holds: its unfinished jobs by state (every one of UnfinishedStates,
// zero included), and when the oldest job ready to run (available) became ready (zero when
// none waits). Every replica reads the same, from the database.
type Depth struct {
	Jobs            map[string]int
	OldestAvailable time.Time
}

// Depth reads the queue's depth: two queries on River's job table (its state index).
func (q *Queue) Depth(ctx context.Context) (Depth, error) {
	d := Depth{Jobs: map[string]int{}}
	for _, s := range UnfinishedStates {
		d.Jobs[s] = 0
	}
	rows, err := q.db.SQL().QueryContext(ctx,
		`SELECT state, count(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled') GROUP BY state`)
	if err != nil {
		return d, fmt.Errorf("queue depth: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return d, fmt.Errorf("queue depth: %w", err)
		}
		d.Jobs[state] = n
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("queue depth: %w", err)
	}
	var oldest time.Time
	err = q.db.SQL().QueryRowContext(ctx, `SELECT scheduled_at FROM river_job WHERE state = 'available' ORDER BY scheduled_at LIMIT 1`).Scan(&oldest)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return d, fmt.Errorf("queue: oldest available job: %w", err)
	default:
		d.OldestAvailable = oldest.UTC()
	}
	return d, nil
}
