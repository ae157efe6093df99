// Package app is the postmortem GitHub App, wired: New opens the database,
// builds the GitHub clients, the flows, the queue with its reconcilers and
// the webhook endpoint, each whole, and Run serves them (POST /webhook,
// GET /healthz, /readyz, /metrics) and works the queue until shutdown. The
// package also holds the configuration `postmortem serve` reads and the
// App's Prometheus metrics. The rooms it wires are its sub-packages: jobs,
// sqldb, ghclient, claims, queue, webhook, flows, redeliver.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/redeliver"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/watch"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// Options are what New builds the App from; zero values are the defaults
// of `postmortem serve`.
type Options struct {
	// GitHub is the App's identity (AppID, PrivateKey), its API URL and its
	// client stack's transport, retries and pacing. Its Observer is the
	// App's metrics.
	GitHub ghclient.Config
	// WebhookSecret verifies deliveries.
	WebhookSecret string
	// WebhookMaxInFlight caps the webhook body bytes read at once
	// (default webhook.DefaultMaxInFlight, 50 MiB); beyond it deliveries
	// are answered 503 with Retry-After.
	WebhookMaxInFlight int64
	// BotLogin is the App's bot ("<slug>[bot]"): its own edits are told
	// apart. Empty: asked of GET /app at start.
	BotLogin string
	// DatabaseURL is a SQLite file or a postgres:// URL (sqldb.Open), Schema
	// a PostgreSQL schema of the App's own.
	DatabaseURL string
	Schema      string
	// Queue is the queue's workers and timings (its Observer and Logger
	// are the App's).
	Queue queue.Config
	// ClaimsLease is how long a claim protects an unfinished creation
	// (default 2 minutes).
	ClaimsLease time.Duration
	// ResyncInterval is how often the resync looks for what webhooks
	// missed; it also runs once at start. 0: never.
	ResyncInterval time.Duration
	// ReminderInterval is how often the reminder pass runs over the
	// watched repositories (reminders, overdue labels, escalations,
	// postmortems owed, digests); it also runs once at start. 0: never
	// (tests enqueue jobs.RemindArgs{} themselves after moving the clock).
	ReminderInterval time.Duration
	// Redeliver asks GitHub, at start, to redeliver the webhook deliveries
	// that failed.
	Redeliver bool
	// MetricsAddr, when set, serves GET /metrics on its own listener there,
	// and not on the public port.
	MetricsAddr string
	// ShutdownGrace is how long Run's shutdown waits for running jobs
	// (default 25s).
	ShutdownGrace time.Duration
	Logger        *slog.Logger
	// Clock is the App's calendar (default time.Now): due dates, reminder
	// steps, the digest's week. Tests and the playground move it with the
	// simulated GitHub's (see app/clock).
	Clock clock.Func
}

// App is the GitHub App, built whole by New.
type App struct {
	DB       *sqldb.DB
	Clients  *ghclient.Clients
	Flows    *flows.Flows
	Queue    *queue.Queue
	Webhook  *webhook.Handler
	Metrics  *Metrics
	BotLogin string
	server   *Server
	auth     *authGate
	log      *slog.Logger
}

// New opens the database, creates the App's tables, and builds the App:
// its clients, flows, resync and redelivery, the queue working their jobs,
// and the webhook endpoint; then it enqueues the start-up jobs. Close it
// when done.
func New(ctx context.Context, o Options) (*App, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := sqldb.Open(ctx, o.DatabaseURL, sqldb.Options{Schema: o.Schema})
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	a, err := build(ctx, o, db, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// build builds the App on db: tables first, then each part with what it
// needs.
func build(ctx context.Context, o Options, db *sqldb.DB, log *slog.Logger) (*App, error) {
	cl := claims.New(db)
	if o.ClaimsLease > 0 {
		cl.Lease = o.ClaimsLease
	}
	metrics := NewMetrics()
	gh := o.GitHub
	gh.Observer = metrics
	clients, err := ghclient.New(gh)
	if err != nil {
		return nil, err
	}
	wl := watch.New(db)
	rd := &redeliver.Redeliverer{App: clients.App(), DB: db, Logger: log.With("component", "redeliver")}
	if err := migrateTables(ctx, db, cl, wl, rd); err != nil {
		return nil, err
	}
	auth := newAuthGate()
	fl := &flows.Flows{Clients: clients, Claims: cl, BotLogin: o.BotLogin, Logger: log.With("component", "flows"), Now: clock.Or(o.Clock), Watch: wl}
	if o.BotLogin == "" {
		// Learnt from GET /app, now or when it answers later (Run retries it).
		auth.learnt = func(slug string) {
			if fl.Bot() == "" {
				fl.SetBotLogin(BotLogin(slug))
				log.Info("the App's bot login is known; markers are trusted from it", "bot", BotLogin(slug))
			}
		}
	}
	lookUpBot(ctx, auth, clients, o.BotLogin, log)
	bot := fl.Bot()
	w := queue.NewWorkers()
	if err := handleJobs(w, fl, &flows.Resyncer{Flows: fl, App: clients.App()}, rd, metrics); err != nil {
		return nil, err
	}
	qc := o.Queue
	qc.Observer, qc.Logger = metrics, log
	q, err := queue.Open(ctx, db, w, qc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	metrics.readDatabase(wl, q, fl.Now, log)
	if err := startUp(ctx, q, o); err != nil {
		return nil, err
	}
	hook := &webhook.Handler{Secret: []byte(o.WebhookSecret), Queue: q, BotLogin: bot, Bot: fl.Bot, Replays: cl, Observer: metrics, Logger: log,
		MaxInFlight: o.WebhookMaxInFlight}
	return &App{DB: db, Clients: clients, Flows: fl, Queue: q, Webhook: hook, Metrics: metrics, BotLogin: bot, auth: auth, log: log,
		server: &Server{Webhook: hook, Queue: q, DB: db, Metrics: metrics, Logger: log, ShutdownGrace: o.ShutdownGrace, MetricsAddr: o.MetricsAddr,
			Ready: []ReadyCondition{auth.condition(), identityKnown(fl.Bot)}}}, nil
}

// migrateTables creates the App's own tables under the database's
// migration lock (replicas that start together take turns; River's tables
// are migrated the same way by queue.Open).
func migrateTables(ctx context.Context, db *sqldb.DB, cl *claims.Store, wl *watch.Store, rd *redeliver.Redeliverer) error {
	return db.WithMigrationLock(ctx, func(ctx context.Context) error {
		if err := cl.Migrate(ctx); err != nil {
			return fmt.Errorf("claims table: %w", err)
		}
		if err := wl.Migrate(ctx); err != nil {
			return fmt.Errorf("watch tables: %w", err)
		}
		if err := rd.Migrate(ctx); err != nil {
			return fmt.Errorf("redeliveries table: %w", err)
		}
		return nil
	})
}

// lookUpBot authenticates the App once (GET /app with its JWT: readiness
// waits on it; a slug it returns is passed to auth.learnt). A refusal is
// logged; without GITHUB_APP_SLUG the App's identity stays unknown until
// GET /app answers (Run asks again in the background): no marker is
// trusted and the jobs wait meanwhile.
func lookUpBot(ctx context.Context, auth *authGate, clients *ghclient.Clients, bot string, log *slog.Logger) {
	if _, err := auth.try(ctx, clients.App()); err != nil {
		log.Warn("GitHub refuses the App's credentials (GET /app); not ready until it accepts them", "err", err)
		if bot == "" {
			log.Warn("the App's bot login is unknown (GET /app failed, no GITHUB_APP_SLUG): no marker is trusted and jobs wait until GET /app answers")
		}
	}
}

// startUp adds the periodic resync and enqueues the start-up jobs. Each is
// a job, not a call: start-up does not wait on GitHub, and a failure is
// retried.
func startUp(ctx context.Context, q *queue.Queue, o Options) error {
	if o.ResyncInterval > 0 {
		// River runs periodic jobs on the elected leader: once across
		// replicas.
		if err := q.AddPeriodic(periodicResync(o.ResyncInterval)); err != nil {
			return fmt.Errorf("periodic resync: %w", err)
		}
		// And one now, whichever replica this is: a replica that restarts
		// after a crash catches up at once instead of at the next period
		// (the jobs it left half-done stay "running" until River's rescuer
		// frees them; the resync's run beside them as follow-up runs).
		// Unique: replicas starting together queue one.
		if _, err := q.Enqueue(ctx, jobs.ResyncArgs{}); err != nil {
			return fmt.Errorf("start-up resync: %w", err)
		}
	}
	if o.ReminderInterval > 0 {
		// On the leader only: one pass across replicas (and the pass's
		// claims keep each reminder single even when two overlap).
		if err := q.AddPeriodic(periodicRemind(o.ReminderInterval)); err != nil {
			return fmt.Errorf("periodic reminders: %w", err)
		}
		// And one now, as the resync: a replica restarting after a crash
		// catches up at once, leader or not (a pass it left half-done gets
		// a follow-up run), not a period later or once a dead leader's
		// lease has run out.
		if _, err := q.Enqueue(ctx, jobs.RemindArgs{}); err != nil {
			return fmt.Errorf("start-up reminders: %w", err)
		}
	}
	if o.Redeliver {
		if _, err := q.Enqueue(ctx, jobs.RedeliverArgs{}); err != nil {
			return fmt.Errorf("start-up redelivery: %w", err)
		}
	}
	return nil
}

// Handler routes POST /webhook, GET /healthz, GET /readyz and GET /metrics.
func (a *App) Handler() http.Handler { return a.server.Handler() }

// Run starts the workers and serves on ln until ctx is cancelled, then shuts
// down gracefully (see Server.Run).
// Until GitHub has accepted the App's credentials once, GET /app is asked
// again in the background (readiness waits on it).
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	if a.auth != nil && !a.auth.authenticated() {
		go a.auth.retry(ctx, a.Clients.App(), a.log)
	}
	return a.server.Run(ctx, ln)
}

// Close releases the database. Run has stopped the workers by then.
func (a *App) Close() error { return a.DB.Close() }
