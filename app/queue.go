package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Reconciler works one kind of job. The job's Args say what to look at; the
// reconciler reads GitHub's current state and makes it right, idempotently
// (a job may run more than once). Returning an error retries the job with
// backoff; returning a *RateLimitError (or go-github's rate limit errors)
// snoozes it until the limit resets without spending an attempt.
type Reconciler[A jobs.Args] interface {
	Reconcile(ctx context.Context, job *river.Job[A]) error
}

// ReconcileFunc adapts a function to a Reconciler.
type ReconcileFunc[A jobs.Args] func(ctx context.Context, job *river.Job[A]) error

// Reconcile calls f.
func (f ReconcileFunc[A]) Reconcile(ctx context.Context, job *river.Job[A]) error { return f(ctx, job) }

// Workers is the set of reconcilers a Queue works, one per kind, registered
// with Register before OpenQueue. Kinds without a reconciler are still
// accepted and stored; they wait until a process that has one runs them.
type Workers struct {
	river   *river.Workers
	kinds   map[string]bool
	metrics *Metrics
	log     *slog.Logger // set by OpenQueue; see metrics_ops.go
}

// NewWorkers returns an empty set of workers.
func NewWorkers() *Workers {
	return &Workers{river: river.NewWorkers(), kinds: map[string]bool{}}
}

// Register adds the reconciler for job kind A. Registering a kind twice is an
// error.
func Register[A jobs.Args](w *Workers, r Reconciler[A]) error {
	var zero A
	if w.kinds[zero.Kind()] {
		return fmt.Errorf("app: reconciler for %q registered twice", zero.Kind())
	}
	if err := river.AddWorkerSafely(w.river, &reconcileWorker[A]{r: r, w: w}); err != nil {
		return err
	}
	w.kinds[zero.Kind()] = true
	return nil
}

// Kinds lists the job kinds with a registered reconciler, sorted.
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
	err := rw.r.Reconcile(ctx, job)
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
	d := time.Since(start)
	rw.w.metrics.job(job.Kind, outcome, d)
	rw.w.observeJob(ctx, job.JobRow, outcome, d, err) // metrics_ops.go: retries, log with delivery and installation
	return err
}

// SnoozeFor says how long to snooze a job that failed with err, if err is a
// rate limit (ours or go-github's): until the reset plus a little jitter so
// snoozed jobs don't all wake in the same second.
func SnoozeFor(err error, now time.Time) (time.Duration, bool) {
	var until time.Time
	var rl *ghclient.RateLimitError
	var gh *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		until = rl.Reset
	case errors.As(err, &gh):
		until = gh.Rate.Reset.Time
	case errors.As(err, &abuse):
		d := time.Minute
		if abuse.RetryAfter != nil {
			d = *abuse.RetryAfter
		}
		until = now.Add(d)
	default:
		return 0, false
	}
	d := until.Sub(now)
	if d < time.Second {
		d = time.Second
	}
	return d + time.Duration(rand.Int64N(int64(2*time.Second))), true
}

// QueueConfig configures OpenQueue.
type QueueConfig struct {
	// DatabaseURL: a SQLite file path (or sqlite:PATH, file:PATH), or a
	// postgres:// / postgresql:// URL. Empty means sqldb.DefaultURL.
	DatabaseURL string
	// Schema is the PostgreSQL schema River's tables live in (created if
	// missing). Empty: the connection's search_path. Ignored for SQLite.
	Schema string
	// Workers to run; nil or empty opens an insert-only queue.
	Workers *Workers
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
	Metrics      *Metrics
	Logger       *slog.Logger

	// pgConfig, when set (tests), adjusts the PostgreSQL pool's
	// configuration before the pool is created.
	pgConfig func(*pgxpool.Config)
}

// riverClient is what Queue uses of a River client, whatever its driver.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
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

// DefaultJobTimeout bounds one run of a job when QueueConfig.JobTimeout is
// not set.
const DefaultJobTimeout = 2 * time.Minute

// JobTimeout is how long one run of a job may last before it is cancelled.
func (q *Queue) JobTimeout() time.Duration { return q.jobTimeout }

// OpenQueue opens the database, migrates River's tables and builds the
// client. Call Start to work jobs, Close when done.
func OpenQueue(ctx context.Context, cfg QueueConfig) (*Queue, error) {
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{Schema: cfg.Schema, PoolConfig: cfg.pgConfig})
	if err != nil {
		return nil, err
	}
	q, err := openOn(ctx, db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return q, nil
}

func openOn(ctx context.Context, db *sqldb.DB, cfg QueueConfig) (*Queue, error) {
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
		Logger:               cfg.Logger,
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
		RetryPolicy:          retryPolicy{base: cfg.RetryBackoff},
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(100*time.Millisecond, cfg.PollInterval),
		SkipUnknownJobCheck:  true,
	}
	if cfg.Workers != nil && len(cfg.Workers.kinds) > 0 {
		cfg.Workers.metrics = cfg.Metrics
		cfg.Workers.log = cfg.Logger
		rc.Workers = cfg.Workers.river
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
		rc.FetchOnlyKnownKinds = true
		q.working = true
	}
	if pool := db.Pool(); pool != nil {
		rc.Schema = db.Schema()
		driver := riverpgxv5.New(pool)
		if err := migrate(ctx, driver, db.Schema(), cfg.Logger); err != nil {
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
	if err := migrate(ctx, driver, "", cfg.Logger); err != nil {
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

// Dialect is "sqlite" or "postgres".
func (q *Queue) Dialect() string { return q.db.Dialect() }

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

// Close releases the database. Stop first if started.
func (q *Queue) Close() error { return q.db.Close() }

// DB is the queue's database, for the App's own tables (claims…).
func (q *Queue) DB() *sqldb.DB { return q.db }

// Ping checks the database is reachable (readiness).
func (q *Queue) Ping(ctx context.Context) error { return q.db.Ping(ctx) }

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
