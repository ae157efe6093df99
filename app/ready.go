package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// Readiness: GET /readyz answers 200 only when every named condition holds,
// else 503 with each failing condition's name and reason, one a line; a
// change of the answer is logged once (not on every probe). A condition is
// a name and a check: adding one (the database, GitHub's acceptance of the
// App's credentials, …) is one entry in the list.

// ReadyCondition is one thing the App needs before it is ready: Check
// returns why it does not hold (nil: it holds).
type ReadyCondition struct {
	Name  string
	Check func(ctx context.Context) error
}

// DatabaseReachable holds while db answers a ping.
func DatabaseReachable(db Pinger) ReadyCondition {
	return ReadyCondition{Name: "database", Check: func(ctx context.Context) error {
		if db == nil {
			return errors.New("no database")
		}
		if err := db.Ping(ctx); err != nil {
			return fmt.Errorf("unreachable: %w", err)
		}
		return nil
	}}
}

// readiness serves GET /readyz over its conditions.
type readiness struct {
	conds []ReadyCondition
	log   *slog.Logger

	mu   sync.Mutex
	last string // the last answer's body, to log changes
}

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var failing []string
	for _, c := range rd.conds {
		if err := c.Check(ctx); err != nil {
			failing = append(failing, c.Name+": "+err.Error())
		}
	}
	body := "ready\n"
	if len(failing) > 0 {
		body = "not ready\n" + strings.Join(failing, "\n") + "\n"
	}
	rd.logChange(body, failing)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(failing) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write([]byte(body))
}

func (rd *readiness) logChange(body string, failing []string) {
	rd.mu.Lock()
	changed := rd.last != body
	rd.last = body
	rd.mu.Unlock()
	if !changed || rd.log == nil {
		return
	}
	if len(failing) > 0 {
		rd.log.Warn("not ready", "reasons", failing)
	} else {
		rd.log.Info("ready")
	}
}

// authGate is the condition "GitHub accepted the App's credentials": it
// holds once GET /app with the App's JWT has succeeded. Until then it says
// why not (a wrong private key or App id is a 401 here, not a healthy
// replica that fails every job).
type authGate struct {
	mu   sync.Mutex
	ok   bool
	err  error
	slug string
	// learnt, when set, is told the App's slug once GET /app answers.
	learnt func(slug string)
}

func newAuthGate() *authGate {
	return &authGate{err: errors.New("GET /app not answered yet")}
}

func (g *authGate) condition() ReadyCondition {
	return ReadyCondition{Name: "github", Check: func(context.Context) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.ok {
			return nil
		}
		return fmt.Errorf("the App has not authenticated (GET /app with its JWT): %v", g.err)
	}}
}

// try asks GET /app once and records the answer; it returns the App's slug.
func (g *authGate) try(ctx context.Context, gh *github.Client) (string, error) {
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a, _, err := gh.Apps.Get(actx, "")
	g.mu.Lock()
	if err != nil {
		g.err = err
		g.mu.Unlock()
		return "", err
	}
	g.ok, g.err, g.slug = true, nil, a.GetSlug()
	learnt := g.learnt
	g.mu.Unlock()
	if learnt != nil && a.GetSlug() != "" {
		learnt(a.GetSlug())
	}
	return a.GetSlug(), nil
}

// identityKnown is the condition "the App knows its bot's login"
// (GITHUB_APP_SLUG, or GET /app answered): until it holds no marker is
// trusted and the jobs wait (flows.ErrIdentityUnknown).
func identityKnown(bot func() string) ReadyCondition {
	return ReadyCondition{Name: "identity", Check: func(context.Context) error {
		if bot() == "" {
			return errors.New("the App's bot login is unknown: set GITHUB_APP_SLUG, or wait for GET /app to answer; until then no marker is trusted and jobs wait")
		}
		return nil
	}}
}

func (g *authGate) authenticated() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ok
}

// retry asks GET /app again until it succeeds or ctx ends: every 5
// seconds, backing off to a minute, each failure logged.
func (g *authGate) retry(ctx context.Context, gh *github.Client, log *slog.Logger) {
	wait := 5 * time.Second
	for !g.authenticated() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if _, err := g.try(ctx, gh); err != nil {
			if ctx.Err() == nil {
				log.Warn("GitHub refuses the App's credentials (GET /app); not ready", "err", err, "retry_in", min(2*wait, time.Minute).String())
			}
			wait = min(2*wait, time.Minute)
			continue
		}
		log.Info("the App authenticated with GitHub (GET /app); ready")
	}
}
