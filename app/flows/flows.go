// Package flows is what the App does on GitHub: four idempotent,
// level-triggered flows — incident → postmortem pull request, pull request
// → check runs and suggested rewordings, merged postmortem → follow-up
// issues, follow-up state → tracking comment and completion — and the
// resync that finds what webhooks missed. Each reads GitHub's current
// state and creates only what is missing, found again by hidden markers
// and claimed before it is created, so a retry, a duplicate or a second
// replica never makes anything twice. What the flows write is rendered by
// flows/render; what a repository configures is read by flows/repoconfig.
package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/watch"
	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

// InstallationClients hands out an installation's GitHub client (*Clients
// implements it).
type InstallationClients interface {
	Installation(id int64) (*github.Client, error)
}

// Flows are the App's four reconcilers: incident → postmortem pull request,
// pull request → check runs (and review suggestions), merged postmortem →
// follow-up issues, follow-up state → tracking comment and completion.
//
// Each is level-triggered and idempotent: it reads GitHub's current state
// and creates only what is missing, so running it twice, late, concurrently
// or after a crash halfway leaves exactly one of everything. Objects GitHub
// cannot deduplicate (comments, issues, reviews, check runs) are found by a
// hidden marker and claimed in the database before they are created.
type Flows struct {
	Clients InstallationClients
	Claims  *claims.Store
	// BotLogin is the App's bot ("<slug>[bot]"): only its comments, issues
	// and pull requests count when looking for markers. Empty: unknown until
	// SetBotLogin, and until then no flow runs (ErrIdentityUnknown): a
	// marker cannot be told from a stranger's copy of it.
	BotLogin string
	bot      atomic.Pointer[string] // learnt after start (SetBotLogin)
	Logger   *slog.Logger
	// Now is the App's calendar (default time.Now; see app/clock).
	Now func() time.Time
	// Watch is the list of repositories the reminder pass visits; the
	// flows add the repositories where they file follow-ups or draft
	// postmortems. Nil: no reminders.
	Watch *watch.Store

	watchedMu sync.Mutex
	watched   map[string]string // installation/repo → the day it was last recorded

	// labels remembers each repository's incident label (from its last
	// configuration read), so a delivery's labels tell whether the issue
	// is an incident before the configuration is read again.
	labelsMu sync.Mutex
	labels   map[string]string

	// LintBudget bounds the time one file's lint may take (0:
	// checks.DefaultLintBudget); past it the file's check run says it was
	// not checked to its end. The job's context bounds it too.
	LintBudget time.Duration
	// ParseBytes bounds the source parsed at once across jobs (0:
	// DefaultParseBytes; see parseSlot).
	ParseBytes int
	parseOnce  sync.Once
	parseGate  *semaphore.Weighted
	parseLimit int64
}

// ErrIdentityUnknown: the App's bot login is not known (no GITHUB_APP_SLUG,
// and GET /app has not answered): its markers cannot be told from a
// stranger's copies, so no flow acts. The job waits (snoozed) until it is.
var ErrIdentityUnknown = errors.New("the App's bot login is unknown (no GITHUB_APP_SLUG, GET /app not answered): markers cannot be trusted, nothing is done until it is")

// Bot is the App's bot login: BotLogin, or the one learnt since
// (SetBotLogin); empty while unknown.
func (f *Flows) Bot() string {
	if p := f.bot.Load(); p != nil {
		return *p
	}
	return f.BotLogin
}

// SetBotLogin records the bot login learnt after start (GET /app answered).
func (f *Flows) SetBotLogin(login string) { f.bot.Store(&login) }

// maxRememberedLabels bounds Flows.labels (a few bytes per repository).
const maxRememberedLabels = 1 << 14

// incidentLabel is the incident label r's repository used last time, or
// the default.
func (f *Flows) incidentLabel(r *run) string {
	f.labelsMu.Lock()
	defer f.labelsMu.Unlock()
	if l, ok := f.labels[r.labelKey()]; ok {
		return l
	}
	return checks.DefaultConfig().IncidentLabel
}

func (f *Flows) rememberIncidentLabel(r *run, label string) {
	f.labelsMu.Lock()
	defer f.labelsMu.Unlock()
	if f.labels == nil || len(f.labels) >= maxRememberedLabels {
		f.labels = map[string]string{}
	}
	f.labels[r.labelKey()] = label
}

// incidentLabels are the incident labels to search an installation's
// repositories for: the default, then (sorted, at most max in all) the
// other labels its repositories' configurations named when last read.
func (f *Flows) incidentLabels(inst int64, max int) []string {
	def := checks.DefaultConfig().IncidentLabel
	prefix := strconv.FormatInt(inst, 10) + "/"
	f.labelsMu.Lock()
	seen := map[string]bool{}
	for k, l := range f.labels {
		if strings.HasPrefix(k, prefix) && l != "" && !strings.EqualFold(l, def) {
			seen[l] = true
		}
	}
	f.labelsMu.Unlock()
	others := make([]string, 0, len(seen))
	for l := range seen {
		others = append(others, l)
	}
	sort.Strings(others)
	return append([]string{def}, others[:min(len(others), max-1)]...)
}

func (r *run) labelKey() string { return strconv.FormatInt(r.inst, 10) + "/" + r.fullName() }

func (f *Flows) log() *slog.Logger {
	if f.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Logger
}

func (f *Flows) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// run is one reconcile of one repository: its client and what was read once.
type run struct {
	f           *Flows
	gh          *github.Client
	inst        int64
	owner, repo string
	// repoID is the repository's id (the job's hint, or learnt from the
	// first read that names it); the claims are keyed by it.
	repoID int64

	emitMu  sync.Mutex // emit is called from parallel calls of one run
	repoMu  sync.Mutex
	mu      sync.Mutex
	cfg     *repoconfig.Config
	cfgErr  error
	cfgRead bool
	repoObj *github.Repository
	schema  *checks.Schema
	tmpl    []byte
	// drafted is the postmortem this run committed (publishDraft): a pull
	// request whose head is that commit changes just that file, with just
	// that content, so its checks need not read either back.
	drafted *draftedFile
	// prefetched are the files of the pull request the flow started from.
	prefetched *prefetchedFiles
	// recurrence: the incident flow found an open incident whose
	// recurrence comment is not known done (its job is enqueued).
	wantRecurrence bool
}

type draftedFile struct {
	commit, path string
	src          []byte
}

func (f *Flows) newRun(inst int64, owner, repo string, repoID int64) (*run, error) {
	if f.Clients == nil {
		return nil, errors.New("flows: no GitHub clients")
	}
	if f.Bot() == "" {
		return nil, ErrIdentityUnknown
	}
	gh, err := f.Clients.Installation(inst)
	if err != nil {
		return nil, err
	}
	return &run{f: f, gh: gh, inst: inst, owner: owner, repo: repo, repoID: repoID}, nil
}

// repositoryID is the run's repository's id: the job's hint, else learnt
// from a read that named it, else read (GET repos/{owner}/{repo}, which the
// flows without the delivery's hints read anyway for the default branch).
func (r *run) repositoryID(ctx context.Context) (int64, error) {
	r.repoMu.Lock()
	id := r.repoID
	r.repoMu.Unlock()
	if id != 0 {
		return id, nil
	}
	repo, err := r.repository(ctx)
	if err != nil {
		return 0, err
	}
	return repo.GetID(), nil
}

// learnRepoID records the repository's id a read named (a pull request's
// base repository), when the job did not carry it.
func (r *run) learnRepoID(id int64) {
	r.repoMu.Lock()
	defer r.repoMu.Unlock()
	if r.repoID == 0 && id > 0 {
		r.repoID = id
	}
}

// claimKey is the claim of item under scope (an incident, a pull request,
// 0 for the repository) in the run's repository.
func (r *run) claimKey(ctx context.Context, scope int, item string) (claims.Key, error) {
	id, err := r.repositoryID(ctx)
	if err != nil {
		return claims.Key{}, err
	}
	return claims.Key{InstallationID: r.inst, RepoID: id, Repo: r.fullName(), Incident: scope, Item: item}, nil
}

func (r *run) fullName() string { return r.owner + "/" + r.repo }

// maxParallel bounds the GitHub calls one run makes at once (GitHub asks
// integrators not to flood it with concurrent requests; its secondary limit
// is 100 at once). Six: the incident flow's first reads.
const maxParallel = 6

// group runs independent calls of one run in parallel, at most maxParallel
// at a time. The calls record their own results and errors: each flow
// decides, in its usual order, what an error means.
func (r *run) group() *errgroup.Group {
	g := new(errgroup.Group)
	g.SetLimit(maxParallel)
	return g
}

func (r *run) emit(flow string, number int, format string, args ...any) {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	what := fmt.Sprintf(format, args...)
	r.f.log().Info(what, "flow", flow, "repo", r.fullName(), "number", number)
}

// config reads the repository's configuration once per run.
func (r *run) config(ctx context.Context) (*repoconfig.Config, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cfgRead {
		r.cfg, r.cfgErr = repoconfig.Load(ctx, r.gh, r.owner, r.repo)
		var ce *repoconfig.Error
		if r.cfgErr == nil || errors.As(r.cfgErr, &ce) {
			r.cfgRead = true // a transient error is not remembered
		}
	}
	return r.cfg, r.cfgErr
}

// repository reads the repository once per run (default branch).
func (r *run) repository(ctx context.Context) (*github.Repository, error) {
	r.repoMu.Lock()
	defer r.repoMu.Unlock()
	if r.repoObj != nil {
		return r.repoObj, nil
	}
	repo, _, err := r.gh.Repositories.Get(ctx, r.owner, r.repo)
	if err != nil {
		return nil, fmt.Errorf("get repository: %w", err)
	}
	r.repoObj = repo
	if r.repoID == 0 {
		r.repoID = repo.GetID()
	}
	return repo, nil
}

// template returns the configured template source, and the completeness
// schema derived from its blank render.
func (r *run) template(ctx context.Context, cfg *repoconfig.Config) ([]byte, *checks.Schema, error) {
	if r.tmpl != nil {
		return r.tmpl, r.schema, nil
	}
	src, err := repoconfig.LoadTemplate(ctx, r.gh, r.owner, r.repo, cfg)
	if err != nil {
		return nil, nil, err
	}
	blank, err := templates.Render(src, templates.Incident{})
	if err != nil {
		return nil, nil, cfg.Errorf("template %s does not render: %v", cfg.Template, err)
	}
	schema, err := checks.SchemaFromTemplate(blank)
	if err != nil {
		return nil, nil, cfg.Errorf("template %s: %v", cfg.Template, err)
	}
	r.tmpl, r.schema = src, schema
	return src, schema, nil
}

// watchRepo puts the run's repository on the watch list (the reminder
// pass visits it): at most one write per repository and day per process.
func (r *run) watchRepo(ctx context.Context) error {
	f := r.f
	if f.Watch == nil {
		return nil
	}
	now := f.now()
	day, key := now.UTC().Format("2006-01-02"), r.labelKey()
	f.watchedMu.Lock()
	if f.watched[key] == day {
		f.watchedMu.Unlock()
		return nil
	}
	f.watchedMu.Unlock()
	if err := f.Watch.Watch(ctx, r.inst, r.fullName(), r.repoID, now); err != nil {
		return err
	}
	f.watchedMu.Lock()
	defer f.watchedMu.Unlock()
	if f.watched == nil || len(f.watched) >= maxRememberedLabels {
		f.watched = map[string]string{}
	}
	f.watched[key] = day
	return nil
}
