package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"
	"golang.org/x/text/unicode/norm"

	"github.com/postmortem-app/postmortem/app/claims"
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
	// BotLogin is the App's bot ("<slug>[bot]"): only its comments count when
	// looking for markers. Empty: any comment carrying a marker counts.
	BotLogin string
	Logger   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnEvent, when set, is told what each flow did (the playground narrates
	// from it). Called synchronously; keep it cheap.
	OnEvent func(FlowEvent)

	// labels remembers each repository's incident label (from its last
	// configuration read), so a delivery's labels tell whether the issue
	// is an incident before the configuration is read again.
	labelsMu sync.Mutex
	labels   map[string]string
}

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

func (r *run) labelKey() string { return strconv.FormatInt(r.inst, 10) + "/" + r.fullName() }

// FlowEvent is one thing a flow did on GitHub.
type FlowEvent struct {
	Flow   string // "incident", "pull_request", "follow_ups", "tracking"
	Repo   string // owner/name
	Number int    // the issue or pull request acted on
	What   string // a sentence
}

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

	emitMu  sync.Mutex // emit is called from parallel calls of one run
	repoMu  sync.Mutex
	mu      sync.Mutex
	cfg     *RepoConfig
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
}

type draftedFile struct {
	commit, path string
	src          []byte
}

func (f *Flows) newRun(inst int64, owner, repo string) (*run, error) {
	if f.Clients == nil {
		return nil, errors.New("flows: no GitHub clients")
	}
	gh, err := f.Clients.Installation(inst)
	if err != nil {
		return nil, err
	}
	return &run{f: f, gh: gh, inst: inst, owner: owner, repo: repo}, nil
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
	if r.f.OnEvent != nil {
		r.f.OnEvent(FlowEvent{Flow: flow, Repo: r.fullName(), Number: number, What: what})
	}
}

// config reads the repository's configuration once per run.
func (r *run) config(ctx context.Context) (*RepoConfig, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cfgRead {
		r.cfg, r.cfgErr = loadRepoConfig(ctx, r.gh, r.owner, r.repo)
		var ce *RepoConfigError
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
	return repo, nil
}

// template returns the configured template source, and the completeness
// schema derived from its blank render.
func (r *run) template(ctx context.Context, cfg *RepoConfig) ([]byte, *checks.Schema, error) {
	if r.tmpl != nil {
		return r.tmpl, r.schema, nil
	}
	src, err := loadTemplate(ctx, r.gh, r.owner, r.repo, cfg)
	if err != nil {
		return nil, nil, err
	}
	blank, err := templates.Render(src, templates.Incident{})
	if err != nil {
		return nil, nil, &RepoConfigError{Repo: cfg.Repo, Path: cfg.Path, IncidentLabel: cfg.IncidentLabel,
			Message: fmt.Sprintf("template %s does not render: %v", cfg.Template, err)}
	}
	schema, err := checks.SchemaFromTemplate(blank)
	if err != nil {
		return nil, nil, &RepoConfigError{Repo: cfg.Repo, Path: cfg.Path, IncidentLabel: cfg.IncidentLabel,
			Message: fmt.Sprintf("template %s: %v", cfg.Template, err)}
	}
	r.tmpl, r.schema = src, schema
	return src, schema, nil
}

// ---- markers ----------------------------------------------------------------

// Hidden markers the App puts in what it creates, to find it again.
func markerIncidentPR(incident int) string {
	return fmt.Sprintf("<!-- postmortem:incident=%d -->", incident)
}

func markerPointer(incident int) string {
	return fmt.Sprintf("<!-- postmortem:pr incident=%d -->", incident)
}

func markerFollowUp(incident int, key string) string {
	return fmt.Sprintf("<!-- postmortem:followup incident=%d item=%s -->", incident, key)
}

func markerTracking(incident int) string {
	return fmt.Sprintf("<!-- postmortem:tracking incident=%d -->", incident)
}

func markerComplete(incident int) string {
	return fmt.Sprintf("<!-- postmortem:complete incident=%d -->", incident)
}

const markerConfigError = "<!-- postmortem:config-error -->"

var (
	reIncidentMarker = regexp.MustCompile(`<!-- postmortem:incident=(\d+) -->`)
	reFollowUpMarker = regexp.MustCompile(`<!-- postmortem:followup incident=(\d+) item=([0-9a-z]+) -->`)
	rePointerPR      = regexp.MustCompile(`<!-- postmortem:pr incident=\d+ -->[\s\S]*?#(\d+)`)
)

// ---- GitHub helpers ---------------------------------------------------------

// statusOf is the HTTP status of a go-github error (0 when none).
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

func errorMentions(err error, s string) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	if strings.Contains(strings.ToLower(er.Message), strings.ToLower(s)) {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(strings.ToLower(e.Message), strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// listAll pages through a list endpoint (100 per page).
func listAll[T any](ctx context.Context, fetch func(opts github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	opts := github.ListOptions{PerPage: 100, Page: 1}
	for {
		items, resp, err := fetch(opts)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// isBot says whether a user is the App's bot.
func (f *Flows) isBot(u *github.User) bool {
	if u == nil {
		return false
	}
	if f.BotLogin != "" {
		return strings.EqualFold(u.GetLogin(), f.BotLogin)
	}
	return true
}

func (r *run) issueComments(ctx context.Context, number int) ([]*github.IssueComment, error) {
	cs, err := listAll(ctx, func(o github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return r.gh.Issues.ListComments(ctx, r.owner, r.repo, number, &github.IssueListCommentsOptions{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list comments of #%d: %w", number, err)
	}
	return cs, nil
}

// findComment returns the bot's comment carrying marker.
func (r *run) findComment(comments []*github.IssueComment, marker string) *github.IssueComment {
	for _, c := range comments {
		if strings.Contains(c.GetBody(), marker) && r.f.isBot(c.GetUser()) {
			return c
		}
	}
	return nil
}

// upsertComment makes the bot's comment with marker on issue number say
// body: edits it when the text differs, creates it (under a claim) when
// missing. It returns the comment and whether it changed anything.
func (r *run) upsertComment(ctx context.Context, comments []*github.IssueComment, number, claimScope int, item, marker, body string) (*github.IssueComment, bool, error) {
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	if c := r.findComment(comments, marker); c != nil {
		if c.GetBody() == body {
			return c, false, nil
		}
		ec, _, err := r.gh.Issues.EditComment(ctx, r.owner, r.repo, c.GetID(), &github.IssueComment{Body: github.String(body)})
		if err != nil {
			return nil, false, fmt.Errorf("edit comment on #%d: %w", number, err)
		}
		return ec, true, nil
	}
	var created *github.IssueComment
	ok, err := r.createOnce(ctx, claimScope, item, func(ctx context.Context) (string, error) {
		c, _, err := r.gh.Issues.CreateComment(ctx, r.owner, r.repo, number, &github.IssueComment{Body: github.String(body)})
		if err != nil {
			return "", fmt.Errorf("comment on #%d: %w", number, err)
		}
		created = c
		return strconv.FormatInt(c.GetID(), 10), nil
	})
	if err != nil {
		return nil, false, err
	}
	if !ok {
		// Claimed done, yet not in the comments read earlier: a concurrent
		// run made it since (with what it saw then), or a person deleted
		// it (respected). Read again and make it say body.
		fresh, err := r.issueComments(ctx, number)
		if err != nil {
			return nil, false, err
		}
		if c := r.findComment(fresh, marker); c != nil && c.GetBody() != body {
			ec, _, err := r.gh.Issues.EditComment(ctx, r.owner, r.repo, c.GetID(), &github.IssueComment{Body: github.String(body)})
			if err != nil {
				return nil, false, fmt.Errorf("edit comment on #%d: %w", number, err)
			}
			return ec, true, nil
		}
	}
	return created, ok, nil
}

// createOnce runs create under the claim (scope, item): it creates only when
// this worker acquires the claim. It returns whether it created. A claim held
// by another live worker is ErrInProgress; a claim done earlier (the object
// was made, then deleted by a person) is respected: nothing is created.
func (r *run) createOnce(ctx context.Context, scope int, item string, create func(ctx context.Context) (string, error)) (bool, error) {
	return r.createOnceFresh(ctx, scope, item, func(ctx context.Context, _ bool) (string, error) { return create(ctx) })
}

// errMaybeMade wraps a creation's error when a write may have reached
// GitHub (its answer lost): the claim is abandoned, not released, so the
// retry is not fresh and looks for what was made.
type errMaybeMade struct{ err error }

func (e errMaybeMade) Error() string { return e.err.Error() }
func (e errMaybeMade) Unwrap() error { return e.err }

// createOnceFresh is createOnce telling create whether its claim is fresh:
// no earlier attempt ever held it, so nothing of the object can exist yet
// (without claims it is never fresh).
func (r *run) createOnceFresh(ctx context.Context, scope int, item string, create func(ctx context.Context, fresh bool) (string, error)) (bool, error) {
	if r.f.Claims == nil {
		_, err := create(ctx, false)
		return err == nil, err
	}
	key := claims.Key{InstallationID: r.inst, Repo: r.fullName(), Incident: scope, Item: item}
	cl, err := r.f.Claims.Claim(ctx, key)
	if err != nil {
		return false, err
	}
	switch cl.State {
	case claims.Held:
		return false, fmt.Errorf("%s: %w", key, claims.ErrInProgress)
	case claims.Done:
		r.f.log().Info("already created earlier; not creating again", "claim", key.String(), "result", cl.Result)
		return false, nil
	}
	// The creation ends before the claim's lease does (see Claims.Creating).
	cctx, cancel := r.f.Claims.Creating(ctx, cl)
	result, err := create(cctx, cl.Fresh)
	cancel()
	if err != nil {
		// A clean failure: give the claim back so the retry can take it
		// (not fresh when a write may have reached GitHub).
		give, what := r.f.Claims.Release, "release claim"
		var mm errMaybeMade
		if errors.As(err, &mm) {
			give, what = r.f.Claims.Abandon, "abandon claim"
		}
		if rerr := give(context.WithoutCancel(ctx), cl); rerr != nil {
			r.f.log().Warn(what, "claim", key.String(), "err", rerr)
		}
		return false, err
	}
	if err := r.f.Claims.Complete(context.WithoutCancel(ctx), cl, result); err != nil {
		return true, err
	}
	return true, nil
}

// lockIncident makes runs that read an incident's state and write what
// follows from it take turns, across workers and replicas: it holds the
// claim (incident, item) until unlock, which releases it. Held by another
// live run, it is ErrInProgress (the job is snoozed and runs again); held
// by a run that died, it is taken over once its lease ran out. The
// returned context ends before the lease does, so a run never outlives
// its turn. Without claims there is nothing to lock.
func (r *run) lockIncident(ctx context.Context, incident int, item string) (context.Context, func(), error) {
	if r.f.Claims == nil {
		return ctx, func() {}, nil
	}
	key := claims.Key{InstallationID: r.inst, Repo: r.fullName(), Incident: incident, Item: item}
	cl, err := r.f.Claims.Claim(ctx, key)
	if err != nil {
		return ctx, nil, err
	}
	if cl.State != claims.Acquired {
		// A lock is never completed; a done row is not ours to keep.
		if cl.State == claims.Done {
			_ = r.f.Claims.Forget(ctx, key)
		}
		return ctx, nil, fmt.Errorf("%s: %w", key, claims.ErrInProgress)
	}
	lctx, cancel := r.f.Claims.Creating(ctx, cl)
	return lctx, func() {
		cancel()
		if err := r.f.Claims.Release(context.WithoutCancel(ctx), cl); err != nil {
			r.f.log().Warn("release lock", "claim", key.String(), "err", err)
		}
	}, nil
}

// addSubIssue links child (by its database id) under parent; already linked
// is fine. go-github v62 has no sub-issue API, so the request is built here.
func (r *run) addSubIssue(ctx context.Context, parent int, childID int64) error {
	req, err := r.gh.NewRequest(http.MethodPost, fmt.Sprintf("repos/%s/%s/issues/%d/sub_issues", r.owner, r.repo, parent),
		map[string]any{"sub_issue_id": childID})
	if err != nil {
		return err
	}
	_, err = r.gh.Do(ctx, req, nil)
	switch statusOf(err) {
	case http.StatusUnprocessableEntity:
		return nil // already a sub-issue (of this or another parent)
	case http.StatusNotFound:
		// No sub-issues API here (GitHub Enterprise Server before it
		// shipped, emulators): the follow-up stays linked by its body and
		// the tracking comment; retrying cannot make the link.
		r.f.log().Warn("sub-issues unavailable; follow-up not linked", "parent", parent, "err", err)
		return nil
	}
	return err
}

func (r *run) listSubIssues(ctx context.Context, parent int) ([]*github.Issue, error) {
	return listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		req, err := r.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/issues/%d/sub_issues?per_page=%d&page=%d", r.owner, r.repo, parent, o.PerPage, o.Page), nil)
		if err != nil {
			return nil, nil, err
		}
		var out []*github.Issue
		resp, err := r.gh.Do(ctx, req, &out)
		return out, resp, err
	})
}

func hasLabel(labels []*github.Label, name string) bool {
	for _, l := range labels {
		if strings.EqualFold(l.GetName(), name) {
			return true
		}
	}
	return false
}

func labelNames(labels []*github.Label) []string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	return out
}

// ---- text helpers -----------------------------------------------------------

// MaxSlugLen bounds the slug part of branch and file names.
const MaxSlugLen = 48

// Slug turns a title into a lower-case ASCII slug safe in git ref and file
// names: letters and digits (accents stripped) joined by single dashes, at
// most MaxSlugLen bytes, cut at a word boundary when possible; never empty
// ("incident" when nothing usable is left).
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r):
			// combining accent of a decomposed letter: drop
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > MaxSlugLen {
		s = s[:MaxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i >= MaxSlugLen/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if s == "" {
		return "incident"
	}
	return s
}

var (
	reSevN     = regexp.MustCompile(`(?i)^sev(?:erity)?[\s_:/-]*([0-5])$`)
	reSevWord  = regexp.MustCompile(`(?i)^sev(?:erity)?[\s_:/-]+(critical|high|major|medium|moderate|low|minor)$`)
	rePriority = regexp.MustCompile(`(?i)^(?:priority[\s_:/-]*)?p([0-5])$`)
)

// SeverityFromLabels reads an incident's severity from its labels: "sev1",
// "SEV-2", "severity: 3", "severity:high", "P1"… as "SEV1".."SEV5"; "" when
// none says.
func SeverityFromLabels(labels []string) string {
	for _, l := range labels {
		l = strings.TrimSpace(l)
		if m := reSevN.FindStringSubmatch(l); m != nil {
			n := m[1]
			if n == "0" {
				n = "1"
			}
			return "SEV" + n
		}
		if m := reSevWord.FindStringSubmatch(l); m != nil {
			switch strings.ToLower(m[1]) {
			case "critical":
				return "SEV1"
			case "high", "major":
				return "SEV2"
			case "medium", "moderate":
				return "SEV3"
			default:
				return "SEV4"
			}
		}
	}
	for _, l := range labels {
		if m := rePriority.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			n := m[1]
			if n == "0" {
				n = "1"
			}
			return "SEV" + n
		}
	}
	return ""
}

// oneLine returns the first non-empty line of s, at most n runes.
func oneLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "<!--") {
			continue
		}
		if r := []rune(l); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return l
	}
	return ""
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
