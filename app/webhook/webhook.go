// Package webhook is the App's POST /webhook: it verifies a delivery's
// signature, reads only the fields routing needs (a scanner of its own,
// after a validity check), turns the delivery into jobs, and answers 202
// only once they are durably queued. It never calls GitHub. Each answer is
// logged with the delivery's id and installation.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/jobs"
	"golang.org/x/sync/semaphore"
)

// Bodies are read in pooled chunks of ChunkSize bytes, each written into
// the HMAC as it arrives: a forged delivery costs its chunks while it is
// read and nothing after the signature fails. The bytes of bodies being
// read at once are capped across deliveries (Handler.MaxInFlight): a
// delivery that would pass the cap is answered 503 with Retry-After before
// its body is read (or, when its length is not announced, as soon as the
// next chunk would pass it). GitHub redelivers on request.
const ChunkSize = 64 << 10

// DefaultMaxInFlight is the default cap on body bytes read at once.
const DefaultMaxInFlight = 50 << 20

type chunk = [ChunkSize]byte

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// body is one delivery's bytes, in pooled chunks, and what they hold of
// the in-flight budget.
type body struct {
	chunks []*chunk
	n      int64
	flat   []byte // the body in one piece, once verified
	held   int64  // bytes reserved from the in-flight budget
	sem    *semaphore.Weighted
}

// release returns the chunks to the pool and the reservation to the budget.
func (b *body) release() {
	for _, c := range b.chunks {
		chunkPool.Put(c)
	}
	b.chunks, b.flat = nil, nil
	if b.held > 0 {
		b.sem.Release(b.held)
		b.held = 0
	}
}

// reserve takes n more bytes from the in-flight budget, without waiting.
func (b *body) reserve(n int64) bool {
	if !b.sem.TryAcquire(n) {
		return false
	}
	b.held += n
	return true
}

// errBusy: the in-flight budget is spent.
var errBusy = errors.New("too many body bytes in flight")

// read reads r's body, at most limit bytes, into chunks, writing each into
// mac. Announced lengths were reserved by the caller; an unannounced one is
// reserved chunk by chunk (errBusy when the budget is spent).
func (b *body) read(rd io.Reader, mac hash.Hash, announced bool) error {
	for {
		if !announced && int64(len(b.chunks)+1)*ChunkSize > b.held && !b.reserve(ChunkSize) {
			return errBusy
		}
		c := chunkPool.Get().(*chunk)
		b.chunks = append(b.chunks, c)
		m, err := fill(rd, c[:])
		mac.Write(c[:m])
		b.n += int64(m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fill reads into p until it is full (nil) or the reader ends (io.EOF, with
// what came before it) or fails. Unlike io.ReadFull, a body cut short
// (io.ErrUnexpectedEOF from net/http) stays an error.
func fill(rd io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := rd.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// bytes is the body in one piece: the first chunk itself when it fits,
// else a copy, each chunk going back to the pool as it is copied (the
// reservation still covers the copy).
func (b *body) bytes() []byte {
	if b.flat != nil || b.n == 0 {
		return b.flat
	}
	if len(b.chunks) == 1 || b.n <= ChunkSize {
		b.flat = b.chunks[0][:b.n]
		return b.flat
	}
	flat := make([]byte, 0, b.n)
	for i, c := range b.chunks {
		flat = append(flat, c[:min(int64(ChunkSize), b.n-int64(len(flat)))]...)
		chunkPool.Put(c)
		b.chunks[i] = nil
	}
	b.chunks = b.chunks[:0]
	b.flat = flat
	return flat
}

// MaxBody is GitHub's cap on a webhook payload: 25 MB. Larger bodies
// are refused with 413 before being read in full.
const MaxBody = 25 << 20

// Observer is told of every delivery answered (the App's metrics implement
// it).
type Observer interface {
	// WebhookDelivery: one delivery of event ("unverified" before the
	// signature is checked, "other" for events the App does not use), its
	// outcome (enqueued, ignored, unauthorized, malformed, too_large,
	// unsupported_media_type, unavailable, busy) and the time to answer it.
	WebhookDelivery(event, outcome string, d time.Duration)
}

// Handler serves POST /webhook. It verifies the delivery, decodes the
// few fields routing needs, and turns it into zero or more jobs, committed in
// one transaction before it answers 202. It never calls GitHub.
//
//	405 not POST; 415 a content type other than application/json or
//	application/x-www-form-urlencoded (payload=…); 413 body over 25 MB;
//	401 missing, non-sha256 or wrong X-Hub-Signature-256 (a legacy
//	X-Hub-Signature sha1 alone is refused); 400 no X-GitHub-Event or a
//	malformed payload for an event that is routed; 200 ignored (with the
//	reason) without touching the database; 202 jobs committed; 503 the
//	queue is unavailable, or the in-flight body budget is spent (both with
//	Retry-After; GitHub may redeliver).
//
// The method, content type, signature and event headers and an announced
// length over 25 MB are all refused before a byte of the body is read; the
// body itself is read in pooled 64 KiB chunks through the HMAC, so a forged
// delivery is never held whole beyond its reading.
//
// Events the App does not route are not decoded at all, so a malformed body
// on, say, a `star` delivery is still a 200.
type Handler struct {
	Secret []byte
	Queue  jobs.Enqueuer
	// BotLogin is the App's bot account ("<slug>[bot]"); issue edits and
	// label changes it made itself are ignored. Empty disables the check.
	BotLogin string
	// Bot, when set, is the bot login as currently known (it wins over
	// BotLogin; the App learns it after start when GET /app answers late).
	Bot func() string
	// Replays, when set, drops a delivery seen before whose jobs would act
	// again (a re-run of checks, a command): see ReplayGuard.
	Replays ReplayGuard
	// Observer, when set, is told of every answer (metrics).
	Observer Observer
	Logger   *slog.Logger
	// MaxBody overrides the package's MaxBody (tests).
	MaxBody int64
	// EnqueueTimeout bounds the insert (default 10s).
	EnqueueTimeout time.Duration
	// MaxInFlight caps the body bytes read at once across deliveries
	// (default DefaultMaxInFlight); beyond it a delivery is answered 503
	// with Retry-After.
	MaxInFlight int64

	once     sync.Once
	inflight *semaphore.Weighted
}

// ReplayGuard remembers the deliveries that were queued, by their
// X-GitHub-Delivery id and by their signature (the id header is not signed;
// the body is): claims.Store implements it. BeginDelivery's ok is false for
// a delivery seen before; end says whether its jobs were committed.
type ReplayGuard interface {
	BeginDelivery(ctx context.Context, inst int64, ids ...string) (end func(ctx context.Context, queued bool) error, ok bool, err error)
}

// actsAgain says whether js would act again when queued again: a re-run
// makes new check runs, a command answers. Other jobs reconcile: queued
// twice they change nothing.
func actsAgain(js []jobs.Args) bool {
	for _, j := range js {
		switch a := j.(type) {
		case jobs.PullRequestArgs:
			if a.Rerequested {
				return true
			}
		case jobs.CommandArgs:
			return true
		}
	}
	return false
}

// delivery is the part of a webhook payload routing reads. Everything else
// is skipped by the decoder.
type delivery struct {
	Action       string                `json:"action"`
	Installation *deliveryInstallation `json:"installation"`
	Repository   *deliveryRepository   `json:"repository"`
	Issue        *deliveryIssue        `json:"issue"`
	PullRequest  *deliveryPullRequest  `json:"pull_request"`
	CheckSuite   *checkDelivery        `json:"check_suite"`
	CheckRun     *checkDelivery        `json:"check_run"`
	Comment      *deliveryComment      `json:"comment"`
	Sender       *deliverySender       `json:"sender"`
	// Removed: installation_repositories's repositories_removed.
	Removed []deliveryRemoved `json:"repositories_removed"`
}

// deliveryRemoved is a repository removed from an installation.
type deliveryRemoved struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
}

// deliveryComment is an issue_comment delivery's comment: who wrote what,
// and when.
type deliveryComment struct {
	ID        int64          `json:"id"`
	Body      string         `json:"body"`
	CreatedAt string         `json:"created_at"`
	User      deliverySender `json:"user"`
}

type deliveryInstallation struct {
	ID int64 `json:"id"`
}

type deliveryRepository struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	DefaultBranch string `json:"default_branch"`
	Owner         struct {
		Login string `json:"login"`
	} `json:"owner"`
}

type deliveryIssue struct {
	Number int `json:"number"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
	PullRequest json.RawMessage `json:"pull_request"`
}

type deliveryPullRequest struct {
	Number int  `json:"number"`
	Merged bool `json:"merged"`
	Head   struct {
		SHA string `json:"sha"`
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

type deliverySender struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

type checkDelivery struct {
	HeadSHA      string `json:"head_sha"`
	PullRequests []struct {
		Number int `json:"number"`
	} `json:"pull_requests"`
}

// routedEvents are the events the App decodes; all others are ignored
// unread.
var routedEvents = map[string]bool{
	"issues": true, "issue_comment": true, "pull_request": true, "check_suite": true, "check_run": true,
	"installation": true, "installation_repositories": true, "repository": true, "ping": true,
}

// incidentArgs is the incident job of an issues delivery, with the hints the
// flow uses to start drafting before its own reads come back: the issue's
// labels and the repository's default branch as the delivery saw them.
func incidentArgs(inst int64, d *delivery) jobs.IncidentArgs {
	a := jobs.IncidentArgs{InstallationID: inst, Owner: d.Repository.Owner.Login, Repo: d.Repository.Name, RepoID: d.Repository.ID,
		Number: d.Issue.Number, DefaultBranch: d.Repository.DefaultBranch}
	for _, l := range d.Issue.Labels {
		if l.Name != "" {
			a.Labels = append(a.Labels, l.Name)
		}
	}
	return a
}

// errMalformed marks payloads that are not what GitHub sends (400).
var errMalformed = errors.New("malformed payload")

// Route turns one delivery into jobs. It returns the jobs (none when the
// delivery is ignored), a short reason for the answer, and an error wrapping
// errMalformed for payloads that cannot be routed.
//
// Routing table:
//
//	issues opened, edited, labeled, reopened   → IncidentArgs
//	issues closed, reopened, deleted           → TrackingArgs
//	pull_request opened, synchronize, reopened,
//	  ready_for_review, edited, closed+merged  → PullRequestArgs
//	check_suite requested, rerequested         → PullRequestArgs per associated PR
//	check_run rerequested                      → PullRequestArgs per associated PR
//	issue_comment created, by a person, with a
//	  line starting "/postmortem"              → CommandArgs
//	installation deleted (uninstalled)         → ForgetArgs (the installation)
//	installation_repositories removed          → ForgetArgs (those repositories)
//	installation *, installation_repositories * → InstallationArgs
//	repository deleted                         → ForgetArgs (that repository)
//	repository renamed, transferred            → MovedArgs
//	everything else                            → ignored
//
// Incidents and follow-ups are defined by labels whose names are
// per-repository configuration, which the request cannot read. So any issue
// event on an issue that carries at least one label is routed and the job
// decides (it reads the configuration through the cache: a 304, free);
// issues without labels are neither and are ignored here, as are issue events
// the App's own bot caused by editing or labelling (its echo). The App's own
// pull requests are NOT ignored: they need their check runs.
func Route(event string, body []byte, botLogin string) ([]jobs.Args, string, error) {
	if !routedEvents[event] {
		return nil, "event " + event + " is not used", nil
	}
	var d delivery
	if err := decodeDelivery(body, &d); err != nil {
		return nil, "", fmt.Errorf("%w: %v", errMalformed, err)
	}
	if event == "ping" {
		return nil, "pong", nil
	}
	if d.Installation == nil || d.Installation.ID <= 0 {
		return nil, "not an App delivery (no installation)", nil
	}
	inst := d.Installation.ID
	switch event {
	case "installation", "installation_repositories":
		return routeInstallation(event, &d, inst)
	}
	if d.Repository == nil || d.Repository.Name == "" || d.Repository.Owner.Login == "" {
		return nil, "", fmt.Errorf("%w: %s without repository", errMalformed, event)
	}
	bot := botLogin != "" && d.Sender != nil && strings.EqualFold(d.Sender.Login, botLogin)

	switch event {
	case "repository":
		return routeRepository(&d, inst)
	case "issues":
		return routeIssues(&d, inst, bot)
	case "pull_request":
		return routePullRequest(&d, inst, bot)
	case "check_suite", "check_run":
		return routeCheck(event, &d, inst)
	case "issue_comment":
		return routeComment(&d, inst, bot)
	}
	return nil, "event " + event + " is not used", nil
}

// routeInstallation routes installation and installation_repositories:
// uninstalled or repositories removed, the App forgets them; anything else
// reconciles the installation.
func routeInstallation(event string, d *delivery, inst int64) ([]jobs.Args, string, error) {
	switch {
	case event == "installation" && d.Action == "deleted":
		return []jobs.Args{jobs.ForgetArgs{InstallationID: inst}}, "installation deleted: forget it", nil
	case event == "installation_repositories" && d.Action == "removed":
		var repos []jobs.ForgetRepo
		for _, r := range d.Removed {
			if r.ID > 0 {
				repos = append(repos, jobs.ForgetRepo{ID: r.ID, Name: r.FullName})
			}
		}
		if len(repos) == 0 {
			return nil, "", fmt.Errorf("%w: installation_repositories removed without repositories", errMalformed)
		}
		return []jobs.Args{jobs.ForgetArgs{InstallationID: inst, Repos: repos}}, fmt.Sprintf("%d repositories removed: forget them", len(repos)), nil
	}
	return []jobs.Args{jobs.InstallationArgs{InstallationID: inst}}, event + " " + d.Action, nil
}

// routeRepository routes a repository event: deleted, the App forgets it;
// renamed or transferred, its watch row takes its new name (its claims are
// by the repository's id: they stay). The rest is not used.
func routeRepository(d *delivery, inst int64) ([]jobs.Args, string, error) {
	if d.Action != "deleted" && d.Action != "renamed" && d.Action != "transferred" {
		return nil, "repository " + d.Action + " is not used", nil
	}
	if d.Repository.ID <= 0 {
		return nil, "", fmt.Errorf("%w: repository %s without its id", errMalformed, d.Action)
	}
	repo := jobs.ForgetRepo{ID: d.Repository.ID, Name: d.Repository.Owner.Login + "/" + d.Repository.Name}
	if d.Action != "deleted" {
		return []jobs.Args{jobs.MovedArgs{InstallationID: inst, Repo: repo}}, "repository " + d.Action + ": now " + repo.Name, nil
	}
	return []jobs.Args{jobs.ForgetArgs{InstallationID: inst, Repos: []jobs.ForgetRepo{repo}}}, "repository deleted: forget it", nil
}

// maxCommandLine bounds the command line a job carries.
const maxCommandLine = 512

// commandLine is the first line of a comment that starts with /postmortem
// (leading spaces aside), at most maxCommandLine bytes.
func commandLine(body string) (string, bool) {
	for len(body) > 0 {
		line, rest, _ := strings.Cut(body, "\n")
		body = rest
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if cmd, ok := strings.CutPrefix(line, "/postmortem"); ok && (cmd == "" || cmd[0] == ' ' || cmd[0] == '\t') {
			if len(line) > maxCommandLine {
				line = line[:maxCommandLine]
			}
			return line, true
		}
	}
	return "", false
}

// routeComment routes an issue_comment delivery: a comment just created by
// a person, with a /postmortem command, becomes the command's job. An
// edited comment never runs again; bots (the App's own help text among
// them) are not listened to.
func routeComment(d *delivery, inst int64, bot bool) ([]jobs.Args, string, error) {
	if d.Action != "created" {
		return nil, "issue_comment " + d.Action + " is not used (an edited comment does not run again)", nil
	}
	if d.Issue == nil || d.Issue.Number <= 0 || d.Comment == nil || d.Comment.ID <= 0 {
		return nil, "", fmt.Errorf("%w: issue_comment without its issue or comment", errMalformed)
	}
	login := d.Comment.User.Login
	if bot || d.Comment.User.Type == "Bot" || (d.Sender != nil && d.Sender.Type == "Bot") || strings.HasSuffix(login, "[bot]") {
		return nil, "a bot's comment", nil
	}
	cmd, ok := commandLine(d.Comment.Body)
	if !ok {
		return nil, "comment without a /postmortem command", nil
	}
	if login == "" && d.Sender != nil {
		login = d.Sender.Login
	}
	return []jobs.Args{jobs.CommandArgs{InstallationID: inst, Owner: d.Repository.Owner.Login, Repo: d.Repository.Name, RepoID: d.Repository.ID,
		CommentID: d.Comment.ID, Number: d.Issue.Number, Login: login, Command: cmd, At: d.Comment.CreatedAt}}, "issue_comment created: a command", nil
}

// routeIssues routes an issues delivery (see Route).
func routeIssues(d *delivery, inst int64, bot bool) ([]jobs.Args, string, error) {
	owner, repo := d.Repository.Owner.Login, d.Repository.Name
	if d.Issue == nil || d.Issue.Number <= 0 {
		return nil, "", fmt.Errorf("%w: issues without issue number", errMalformed)
	}
	if len(d.Issue.PullRequest) > 0 && string(d.Issue.PullRequest) != "null" {
		return nil, "issue event on a pull request", nil
	}
	if len(d.Issue.Labels) == 0 {
		return nil, "issue has no labels", nil
	}
	n := d.Issue.Number
	var js []jobs.Args
	switch d.Action {
	case "opened", "edited", "labeled", "unlabeled":
		if bot {
			return nil, "the App's own change", nil
		}
		if d.Action == "unlabeled" {
			return nil, "issues unlabeled is not used", nil
		}
		js = append(js, incidentArgs(inst, d))
	case "reopened":
		js = append(js,
			incidentArgs(inst, d),
			jobs.TrackingArgs{InstallationID: inst, Owner: owner, Repo: repo, RepoID: d.Repository.ID, Number: n})
	case "closed", "deleted":
		js = append(js, jobs.TrackingArgs{InstallationID: inst, Owner: owner, Repo: repo, RepoID: d.Repository.ID, Number: n})
	default:
		return nil, "issues " + d.Action + " is not used", nil
	}
	return js, "issues " + d.Action, nil

}

// routePullRequest routes a pull_request delivery (see Route).
func routePullRequest(d *delivery, inst int64, bot bool) ([]jobs.Args, string, error) {
	owner, repo := d.Repository.Owner.Login, d.Repository.Name
	if d.PullRequest == nil || d.PullRequest.Number <= 0 {
		return nil, "", fmt.Errorf("%w: pull_request without number", errMalformed)
	}
	switch d.Action {
	case "opened", "synchronize", "reopened", "ready_for_review":
	case "edited":
		if bot {
			return nil, "the App's own change", nil
		}
	case "closed":
		if !d.PullRequest.Merged {
			return nil, "pull request closed without merge", nil
		}
	default:
		return nil, "pull_request " + d.Action + " is not used", nil
	}
	return []jobs.Args{jobs.PullRequestArgs{InstallationID: inst, Owner: owner, Repo: repo, RepoID: d.Repository.ID,
		Number: d.PullRequest.Number, HeadSHA: d.PullRequest.Head.SHA}}, "pull_request " + d.Action, nil

}

// routeCheck routes a check_suite or check_run delivery (see Route).
func routeCheck(event string, d *delivery, inst int64) ([]jobs.Args, string, error) {
	owner, repo := d.Repository.Owner.Login, d.Repository.Name
	c := d.CheckSuite
	wanted := d.Action == "requested" || d.Action == "rerequested"
	if event == "check_run" {
		c = d.CheckRun
		wanted = d.Action == "rerequested"
	}
	if !wanted {
		return nil, event + " " + d.Action + " is not used", nil
	}
	if c == nil {
		return nil, "", fmt.Errorf("%w: %s without its object", errMalformed, event)
	}
	seen := map[int]bool{}
	var js []jobs.Args
	for _, pr := range c.PullRequests {
		if pr.Number <= 0 || seen[pr.Number] {
			continue
		}
		seen[pr.Number] = true
		js = append(js, jobs.PullRequestArgs{InstallationID: inst, Owner: owner, Repo: repo, RepoID: d.Repository.ID, Number: pr.Number, HeadSHA: c.HeadSHA,
			Rerequested: d.Action == "rerequested"})
	}
	if len(js) == 0 {
		return nil, event + " has no pull request of this repository", nil
	}
	return js, event + " " + d.Action, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rp := &reply{h: h, w: w, r: r, start: time.Now(), event: "unverified"}
	ctype, b, ok := h.verified(rp)
	defer b.release()
	if !ok {
		return
	}
	h.route(rp, ctype, b.bytes())
}

// reply answers one delivery: the status, a one-line reason, the metric and
// the log line.
type reply struct {
	h     *Handler
	w     http.ResponseWriter
	r     *http.Request
	start time.Time
	event string // "unverified" until the signature is checked
	inst  int64  // the delivery's installation, once routed
	sig   string // the verified signature (hex)
}

func (rp *reply) send(code int, outcome, msg string) {
	if rp.h.Observer != nil {
		rp.h.Observer.WebhookDelivery(rp.event, outcome, time.Since(rp.start))
	}
	w := rp.w
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	io.WriteString(w, msg+"\n")
	rp.h.logDelivery(rp.r, code, outcome, msg, rp.inst)
}

// verified checks a POST's headers, then reads its body, bounded, through
// the HMAC of its signature; it returns the content type and the body (to
// release), or answers and returns false.
func (h *Handler) verified(rp *reply) (string, *body, bool) {
	h.once.Do(func() {
		n := h.MaxInFlight
		if n <= 0 {
			n = DefaultMaxInFlight
		}
		h.inflight = semaphore.NewWeighted(max(n, ChunkSize))
	})
	b := &body{sem: h.inflight}
	w, r := rp.w, rp.r
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rp.send(http.StatusMethodNotAllowed, "method_not_allowed", "POST only")
		return "", b, false
	}
	ctype, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (ctype != "application/json" && ctype != "application/x-www-form-urlencoded") {
		rp.send(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json or application/x-www-form-urlencoded")
		return "", b, false
	}
	sig, ok := strings.CutPrefix(r.Header.Get(github.SHA256SignatureHeader), "sha256=")
	want, err := hex.DecodeString(sig)
	if !ok || err != nil || len(want) != sha256.Size {
		rp.send(http.StatusUnauthorized, "unauthorized", "X-Hub-Signature-256 missing or not sha256=<64 hex digits> (sha1 signatures are not accepted)")
		return "", b, false
	}
	if r.Header.Get(github.EventTypeHeader) == "" {
		rp.send(http.StatusBadRequest, "malformed", "X-GitHub-Event missing")
		return "", b, false
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = MaxBody
	}
	if r.ContentLength > limit {
		rp.send(http.StatusRequestEntityTooLarge, "too_large", "payload over 25 MB")
		return "", b, false
	}
	announced := r.ContentLength >= 0
	if announced && !b.reserve((r.ContentLength/ChunkSize+1)*ChunkSize) {
		rp.busy()
		return "", b, false
	}
	mac := hmac.New(sha256.New, h.Secret)
	if err := b.read(http.MaxBytesReader(w, r.Body, limit), mac, announced); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, errBusy):
			rp.busy()
		case errors.As(err, &tooBig):
			rp.send(http.StatusRequestEntityTooLarge, "too_large", "payload over 25 MB")
		default:
			rp.send(http.StatusBadRequest, "malformed", "could not read body")
		}
		return "", b, false
	}
	if !hmac.Equal(mac.Sum(nil), want) {
		rp.send(http.StatusUnauthorized, "unauthorized", "signature does not match")
		return "", b, false
	}
	rp.sig = hex.EncodeToString(want)
	return ctype, b, true
}

// busy answers 503: the in-flight body budget is spent for now.
func (rp *reply) busy() {
	rp.w.Header().Set("Retry-After", "5")
	rp.w.Header().Set("Connection", "close")
	rp.send(http.StatusServiceUnavailable, "busy", "too many deliveries being read; retry later")
}

// route turns a verified delivery into jobs and enqueues them, answering 202
// once they are committed.
func (h *Handler) route(rp *reply, ctype string, body []byte) {
	w, r := rp.w, rp.r
	name := r.Header.Get(github.EventTypeHeader)
	rp.event = "other"
	if routedEvents[name] {
		rp.event = name
	}
	if !routedEvents[name] {
		rp.send(http.StatusOK, "ignored", "ignored: event "+name+" is not used")
		return
	}
	payload := body
	if ctype == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil || !form.Has("payload") {
			rp.send(http.StatusBadRequest, "malformed", "form body without payload")
			return
		}
		payload = []byte(form.Get("payload"))
	}
	bot := h.BotLogin
	if h.Bot != nil {
		bot = h.Bot()
	}
	js, reason, err := Route(name, payload, bot)
	if err != nil {
		rp.send(http.StatusBadRequest, "malformed", err.Error())
		return
	}
	rp.inst = jobs.InstallationOf(js...)
	if len(js) == 0 {
		rp.send(http.StatusOK, "ignored", "ignored: "+reason)
		return
	}
	timeout := h.EnqueueTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	id := r.Header.Get("X-GitHub-Delivery")
	ctx, cancel := context.WithTimeout(jobs.WithDelivery(r.Context(), id), timeout)
	defer cancel()
	var end func(context.Context, bool) error
	if h.Replays != nil && actsAgain(js) {
		var ok bool
		var err error
		end, ok, err = h.Replays.BeginDelivery(ctx, rp.inst, id, "sha256="+rp.sig)
		if err != nil {
			if h.Logger != nil {
				h.Logger.Error("delivery claim failed", "err", err, "delivery", id, "installation", rp.inst)
			}
			w.Header().Set("Retry-After", "10")
			rp.send(http.StatusServiceUnavailable, "unavailable", "queue unavailable")
			return
		}
		if !ok {
			rp.send(http.StatusOK, "ignored", "ignored: a replay of a delivery already queued ("+reason+")")
			return
		}
	}
	res, err := h.Queue.Enqueue(ctx, js...)
	if end != nil {
		if eerr := end(context.WithoutCancel(ctx), err == nil); eerr != nil && h.Logger != nil {
			h.Logger.Warn("delivery claim not recorded", "err", eerr, "delivery", id, "installation", rp.inst)
		}
	}
	if err != nil {
		if h.Logger != nil {
			h.Logger.Error("enqueue failed", "err", err, "delivery", r.Header.Get("X-GitHub-Delivery"), "installation", rp.inst)
		}
		w.Header().Set("Retry-After", "10")
		rp.send(http.StatusServiceUnavailable, "unavailable", "queue unavailable")
		return
	}
	rp.send(http.StatusAccepted, "enqueued", fmt.Sprintf("queued: %s (%d new, %d merged, %d rerun)", reason, res.Inserted, res.Duplicates, res.Reruns))
}

// logDelivery logs one line per webhook delivery answered: refusals as warnings, the rest
// (enqueued, ignored) at info, all with the delivery id and installation.
func (h *Handler) logDelivery(r *http.Request, code int, outcome, msg string, inst int64) {
	if h.Logger == nil {
		return
	}
	level := slog.LevelInfo
	if code >= 400 {
		level = slog.LevelWarn
	}
	h.Logger.LogAttrs(r.Context(), level, "webhook",
		slog.String("delivery", r.Header.Get("X-GitHub-Delivery")), slog.String("event", r.Header.Get("X-GitHub-Event")),
		slog.Int64("installation", inst), slog.Int("status", code), slog.String("outcome", outcome), slog.String("reason", msg))
}
