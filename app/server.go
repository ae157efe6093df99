package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// Pinger reports whether the database is reachable; sqldb.DB implements it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is `postmortem serve`: the webhook endpoint, health, readiness and
// metrics over HTTP, and the queue's workers.
type Server struct {
	Webhook *webhook.Handler
	Queue   *queue.Queue
	DB      *sqldb.DB
	Metrics *Metrics
	Logger  *slog.Logger
	// ShutdownGrace is how long shutdown waits for in-flight requests and
	// running jobs before cancelling the jobs (default 25s).
	ShutdownGrace time.Duration
	// Ready are the conditions /readyz requires besides the database
	// (ready.go): the App's credentials accepted by GitHub, …
	Ready []ReadyCondition
	// MetricsAddr, when set, is where GET /metrics is served instead of the
	// public port (the metrics name repositories, private ones too).
	MetricsAddr string
}

// Handler routes POST /webhook, GET /healthz, GET /readyz and, unless
// MetricsAddr is set, GET /metrics.
func (s *Server) Handler() http.Handler {
	conds := append([]ReadyCondition{DatabaseReachable(s.DB)}, s.Ready...)
	m := s.Metrics
	if s.MetricsAddr != "" {
		m = nil
	}
	return newMux(s.Webhook, &readiness{conds: conds, log: s.Logger}, m)
}

// MetricsHandler serves GET /metrics alone (the MetricsAddr listener).
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	return mux
}

// NewMux builds the App's HTTP routes; /readyz requires the database and
// the conditions in more.
func NewMux(webhook http.Handler, db Pinger, m *Metrics, more ...ReadyCondition) http.Handler {
	return newMux(webhook, &readiness{conds: append([]ReadyCondition{DatabaseReachable(db)}, more...)}, m)
}

func newMux(webhook, ready http.Handler, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/webhook", webhook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", ready)
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
	return mux
}

// NewHTTPServer returns an http.Server with the App's timeouts: headers in
// 10s, a full 25 MB body in 60s.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      75 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Run starts the workers and serves on ln until ctx is cancelled, then shuts
// down gracefully: stop taking requests (in-flight ones finish), then stop
// the workers, letting running jobs finish within the grace period and
// cancelling them after it (River StopAndCancel; they are retried later).
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	grace := s.ShutdownGrace
	if grace <= 0 {
		grace = 25 * time.Second
	}
	// River cancels running jobs when Start's context is cancelled, so the
	// workers get a context detached from ctx: shutdown is Stop, below.
	var mln net.Listener
	if s.MetricsAddr != "" {
		var err error
		if mln, err = net.Listen("tcp", s.MetricsAddr); err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
	}
	if err := s.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		if mln != nil {
			mln.Close()
		}
		return err
	}
	srv := NewHTTPServer(s.Handler())
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var msrv *http.Server
	if mln != nil {
		msrv = NewHTTPServer(s.MetricsHandler())
		go func() { errc <- msrv.Serve(mln) }()
		log.Info("serving metrics", "addr", mln.Addr().String())
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", s.DB.Dialect())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if msrv != nil {
		if err := msrv.Shutdown(sctx); err != nil {
			log.Warn("metrics http shutdown", "err", err)
		}
	}
	if err := s.Queue.Stop(sctx); err != nil {
		log.Warn("queue stop", "err", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}
