package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/postmortem-app/postmortem/app"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/queue"
)

const serveUsage = `Usage: postmortem serve [flags]

Runs the GitHub App: POST /webhook, GET /healthz, GET /readyz, GET /metrics
(GET /metrics on its own address instead with --metrics-addr).
Deliveries become jobs in a durable queue (a SQLite file by default,
PostgreSQL for several replicas) before they are acknowledged.

Configuration comes from the environment; a flag overrides its variable:
  GITHUB_APP_ID                 --app-id
  GITHUB_APP_PRIVATE_KEY_PATH   --private-key-path   (or GITHUB_APP_PRIVATE_KEY: the PEM itself)
  GITHUB_WEBHOOK_SECRET         --webhook-secret     (required)
  GITHUB_API_URL                --api-url            (default https://api.github.com/; GHES: https://HOST/api/v3/)
  POSTMORTEM_ADDR               --addr               (default :8080)
  DATABASE_URL                  --database-url       (default postmortem.db; postgres://… for PostgreSQL)
  GITHUB_APP_SLUG               --app-slug           (default: asked of GET /app)
  POSTMORTEM_METRICS_ADDR       --metrics-addr       (default: none, /metrics on --addr; set: /metrics only there)
  POSTMORTEM_API_CACHE_BYTES    --api-cache-bytes    (default 64MiB: GitHub responses cached, all installations together)
  POSTMORTEM_WEBHOOK_MAX_INFLIGHT --webhook-max-inflight (default 50MiB: webhook body bytes read at once; beyond, 503 + Retry-After)

Flags:
`

func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, os.Getenv, stderr, nil)
}

// serve parses flags over the environment, validates, wires the App and
// runs it until ctx is done. ready, if non-nil, receives the listening
// address.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- string) int {
	cfg, opts, code, ok := serveOptions(args, getenv, stderr)
	if !ok {
		return code
	}
	opts.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	a, err := app.New(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "postmortem serve: %v\n", err)
		return 1
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "postmortem serve: %v\n", err)
		return 1
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := a.Run(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "postmortem serve: %v\n", err)
		return 1
	}
	return 0
}

// serveOptions reads the environment, lets the flags override it and
// validates the result. When serve should stop it returns false and the
// exit code (0 for -h, 2 for a usage or configuration error).
func serveOptions(args []string, getenv func(string) string, stderr io.Writer) (app.Config, app.Options, int, bool) {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	appID := fl.String("app-id", "", "GitHub App `ID`")
	fl.String("private-key-path", "", "GitHub App private key `file` (PEM)")
	fl.String("webhook-secret", "", "webhook `secret` (prefer GITHUB_WEBHOOK_SECRET: flags show in ps)")
	fl.String("api-url", "", "GitHub REST API base `URL`")
	fl.String("addr", "", "listen `address`")
	fl.String("metrics-addr", "", "serve GET /metrics on this `address` only (not on --addr): the metrics name repositories")
	fl.String("database-url", "", "queue database: SQLite `file` or postgres:// URL")
	fl.String("app-slug", "", "the App's `slug` (its bot is SLUG[bot])")
	workers := fl.Int("workers", 4, "jobs worked at once")
	writeGap := fl.Duration("write-interval", time.Second, "pace of one installation's sustained writes, after a short burst (GitHub asks for about a second apart)")
	resyncEvery := fl.Duration("resync-interval", app.DefaultResyncInterval, "how often the periodic resync looks for incidents and merged postmortems whose webhooks were lost (0: never)")
	remindEvery := fl.Duration("reminder-interval", app.DefaultReminderInterval, "how often the reminder pass runs: follow-up reminders, overdue labels, escalations, postmortems owed, weekly digests (0: never)")
	redeliverOnStart := fl.Bool("redeliver", true, "on start-up, redeliver webhook deliveries that failed (GET /app/hook/deliveries)")
	fl.String("api-cache-bytes", "", "GitHub responses cached for revalidation, all installations together (`size`, e.g. 64MiB; least recently used evicted)")
	fl.String("webhook-max-inflight", "", "webhook body bytes read at once, across deliveries (`size`, e.g. 50MiB; beyond it 503 + Retry-After)")
	grace := fl.Duration("shutdown-grace", 25*time.Second, "how long shutdown waits for running jobs before cancelling them")
	if code, ok := parseFlags(fl, args, serveUsage, stderr); !ok {
		return app.Config{}, app.Options{}, code, false
	}
	cfg, err := app.ConfigFromEnv(getenv)
	if err != nil && *appID == "" {
		fmt.Fprintf(stderr, "postmortem serve: %v\n", err)
		return cfg, app.Options{}, 2, false
	}
	flagErr := overrideConfig(fl, &cfg)
	if flagErr != nil {
		fmt.Fprintf(stderr, "postmortem serve: %v\n", flagErr)
		return cfg, app.Options{}, 2, false
	}
	cfg.Defaults()
	key, err := cfg.Validate()
	if err != nil {
		fmt.Fprintf(stderr, "postmortem serve: cannot start:\n%v\n", err)
		return cfg, app.Options{}, 2, false
	}
	return cfg, app.Options{
		GitHub: ghclient.Config{AppID: cfg.AppID, PrivateKey: key, APIURL: cfg.APIURL, Pacer: ghclient.PacerConfig{Interval: *writeGap},
			CacheTotalBytes: cfg.APICacheBytes},
		WebhookSecret:      cfg.WebhookSecret,
		WebhookMaxInFlight: cfg.WebhookMaxInFlight,
		BotLogin:           app.BotLogin(cfg.AppSlug),
		DatabaseURL:        cfg.DatabaseURL,
		Queue:              queue.Config{MaxWorkers: *workers},
		ResyncInterval:     *resyncEvery,
		ReminderInterval:   *remindEvery,
		Redeliver:          *redeliverOnStart,
		ShutdownGrace:      *grace,
		MetricsAddr:        cfg.MetricsAddr,
	}, 0, true
}

// overrideConfig sets the configuration from the flags given on the command
// line, over what the environment said.
func overrideConfig(fl *flag.FlagSet, cfg *app.Config) error {
	var flagErr error
	fl.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "app-id":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				flagErr = fmt.Errorf("--app-id %q is not a GitHub App ID", v)
			}
			cfg.AppID = id
		case "private-key-path":
			cfg.PrivateKeyPath, cfg.PrivateKeyPEM = v, ""
		case "webhook-secret":
			cfg.WebhookSecret = v
		case "api-url":
			cfg.APIURL = v
		case "addr":
			cfg.Addr = v
		case "metrics-addr":
			cfg.MetricsAddr = v
		case "database-url":
			cfg.DatabaseURL = v
		case "app-slug":
			cfg.AppSlug = v
		case "api-cache-bytes", "webhook-max-inflight":
			n, err := app.ParseBytes(v)
			if err != nil {
				flagErr = fmt.Errorf("--%s %q: %v", f.Name, v, err)
			}
			if f.Name == "api-cache-bytes" {
				cfg.APICacheBytes = n
			} else {
				cfg.WebhookMaxInFlight = n
			}
		}
	})
	return flagErr
}
