package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// Commands in comments: a line "/postmortem VERB ARGS" in a new comment on
// an incident or a follow-up. Only people with triage access or more (or,
// on a follow-up, its assignees) may run them; the App acknowledges every
// command with a reaction (👍 ran, 😕 did not) and one answer, runs each
// comment once however often it is delivered (a claim on the comment), and
// never again when the comment is edited (edits are not routed).

// CommandResult says what a command did.
type CommandResult struct {
	Skipped string // nothing was done: why ("ran already", …)
	Verb    string
	// Outcome is done, help, refused (no permission) or invalid (a
	// mistake in the command, or the wrong kind of issue for it).
	Outcome  string
	Answer   string      // the answer posted, without its marker
	Enqueued []jobs.Args // jobs the command asks for (the tracking of a follow-up whose date moved)
}

// issueKind is what a command's issue is to the App.
type issueKind string

const (
	kindIncident issueKind = "incident"
	kindFollowUp issueKind = "follow-up"
	kindOther    issueKind = "other"
)

// verb is one command: where it works, how it is written, what it does.
type verb struct {
	on    issueKind
	usage string
	what  string
	run   func(ctx context.Context, c *cmdRun) (string, error)
}

// errInvalid is a mistake in a command: its message is the answer.
type errInvalid struct{ msg string }

func (e errInvalid) Error() string { return e.msg }

func invalid(format string, args ...any) error { return errInvalid{fmt.Sprintf(format, args...)} }

var verbs map[string]verb

func init() {
	verbs = map[string]verb{
		"skip":     {kindIncident, "/postmortem skip <reason>", "records why this incident has no postmortem (no more reminders that it is owed)", runSkip},
		"severity": {kindIncident, "/postmortem severity SEV1", "sets the incident's severity label", runSeverity},
		"timeline": {kindIncident, "/postmortem timeline <time> <text>", "adds an entry to the draft's timeline, in a commit on its branch (`14:05` or `2026-03-01 14:05`, UTC)", runTimeline},
		"redraft":  {kindIncident, "/postmortem redraft", "drafts the postmortem again from the incident, while only the App has committed to the draft", runRedraft},
		"due":      {kindFollowUp, "/postmortem due YYYY-MM-DD", "moves the due date (reminders start over for the new date)", runDue},
		"snooze":   {kindFollowUp, "/postmortem snooze <period> <reason>", "holds the reminders for a while (`3d`, `1w`, at most 12 weeks)", runSnooze},
		"owner":    {kindFollowUp, "/postmortem owner @login", "assigns the follow-up to someone else", runOwner},
	}
}

// cmdRun is one command being run.
type cmdRun struct {
	r     *run
	a     jobs.CommandArgs
	cfg   *repoconfig.Config
	issue *github.Issue
	kind  issueKind
	verb  string
	args  string
	at    time.Time // when the comment was written (the App's clock when unknown)
	res   *CommandResult
}

// Command runs the /postmortem command of a comment, once.
func (f *Flows) Command(ctx context.Context, a jobs.CommandArgs) (*CommandResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	res := &CommandResult{}
	ctx, finish, err := r.commandClaim(ctx, a, res)
	if finish == nil {
		return res, err
	}
	err = r.command(ctx, a, res)
	return res, finish(err)
}

// commandClaim takes the comment's claim: done already (a redelivery after
// the command ran) is a skip; held by another worker is ErrInProgress. The
// returned finish completes it (or gives it back after an error, for the
// retry: every effect of a command is idempotent).
func (r *run) commandClaim(ctx context.Context, a jobs.CommandArgs, res *CommandResult) (context.Context, func(error) error, error) {
	if r.f.Claims == nil {
		return ctx, func(err error) error { return err }, nil
	}
	key, err := r.claimKey(ctx, a.Number, "command:"+strconv.FormatInt(a.CommentID, 10))
	if err != nil {
		return ctx, nil, err
	}
	cl, err := r.f.Claims.Claim(ctx, key)
	switch {
	case err != nil:
		return ctx, nil, err
	case cl.State == claims.Done:
		res.Skipped = "ran already"
		return ctx, nil, nil
	case cl.State == claims.Held:
		return ctx, nil, cl.InProgress()
	}
	cctx, cancel := r.f.Claims.Creating(ctx, cl)
	return cctx, func(err error) error {
		cancel()
		if err != nil {
			if rerr := r.f.Claims.Release(context.WithoutCancel(ctx), cl); rerr != nil {
				r.f.log().Warn("release claim", "claim", key.String(), "err", rerr)
			}
			return err
		}
		return r.f.Claims.Complete(context.WithoutCancel(ctx), cl, res.Outcome)
	}, nil
}

// command reads the issue and the configuration, decides, runs, reacts and
// answers.
func (r *run) command(ctx context.Context, a jobs.CommandArgs, res *CommandResult) error {
	c := &cmdRun{r: r, a: a, res: res, at: r.f.now()}
	if t, err := time.Parse(time.RFC3339, a.At); err == nil {
		c.at = t
	}
	fields := strings.Fields(strings.TrimPrefix(a.Command, "/postmortem"))
	if len(fields) > 0 {
		c.verb = strings.ToLower(fields[0])
		c.args = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(a.Command, "/postmortem")), fields[0]))
	}
	res.Verb = c.verb
	cfg, err := r.config(ctx)
	var ce *repoconfig.Error
	if errors.As(err, &ce) {
		return c.answer(ctx, "invalid", "the postmortem configuration has a problem, so commands cannot run:\n\n"+render.ConfigProblems(ce))
	}
	if err != nil {
		return err
	}
	c.cfg = cfg
	is, resp, err := r.gh.Issues.Get(ctx, r.owner, r.repo, a.Number)
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
			res.Skipped = "issue not found"
			return nil
		}
		return fmt.Errorf("get issue #%d: %w", a.Number, err)
	}
	c.issue, c.kind = is, r.kindOf(cfg, is)
	outcome, msg, err := c.decide(ctx)
	if err != nil {
		return err
	}
	return c.answer(ctx, outcome, msg)
}

// decide runs the command if it may: its outcome and the answer's text.
func (c *cmdRun) decide(ctx context.Context) (outcome, msg string, err error) {
	v, known := verbs[c.verb]
	switch {
	case c.verb == "help" || c.verb == "":
		return "help", help(c.kind, ""), nil
	case !known:
		return "invalid", help(c.kind, fmt.Sprintf("I do not know %s.", render.Code(c.a.Command, 120))), nil
	case v.on != c.kind:
		return "invalid", help(c.kind, fmt.Sprintf("%s works on %s issue; this is %s.", render.Code(v.usage, 0), article(v.on), describe(c.kind))), nil
	}
	ok, err := c.r.mayRun(ctx, c.a.Login, c.issue, c.kind)
	if err != nil {
		return "", "", err
	}
	if !ok {
		who := "people with triage access or more to this repository"
		if c.kind == kindFollowUp {
			who += " and the follow-up's assignees"
		}
		return "refused", fmt.Sprintf("sorry, only %s can run %s. Ask one of them, or a maintainer, to run it for you.", who, render.Code("/postmortem "+c.verb, 0)), nil
	}
	msg, err = v.run(ctx, c)
	var bad errInvalid
	if errors.As(err, &bad) {
		return "invalid", bad.msg + "\n\nUsage: " + render.Code(v.usage, 0) + " — " + v.what + ".", nil
	}
	if err != nil {
		return "", "", err
	}
	return "done", msg, nil
}

// answer reacts to the comment (👍 done or help, 😕 otherwise) and posts
// the answer once.
func (c *cmdRun) answer(ctx context.Context, outcome, msg string) error {
	c.res.Outcome = outcome
	content := "+1"
	if outcome != "done" && outcome != "help" {
		content = "confused"
	}
	r, a := c.r, c.a
	if _, _, err := r.gh.Reactions.CreateIssueCommentReaction(ctx, r.owner, r.repo, a.CommentID, content); err != nil && statusOf(err) != http.StatusNotFound {
		return fmt.Errorf("react to comment %d: %w", a.CommentID, err)
	}
	c.res.Answer = fmt.Sprintf("@%s: %s\n", a.Login, msg)
	_, err := r.postOnce(ctx, a.Number, a.Number, "answer:"+strconv.FormatInt(a.CommentID, 10), MarkerCommand(a.CommentID), c.res.Answer)
	if err == nil {
		r.emit("command", a.Number, "ran %q of @%s on #%d: %s", render.OneLine(a.Command, 80), a.Login, a.Number, outcome)
	}
	return err
}

// kindOf tells an incident (its label) from a follow-up (the App's, with
// its marker) from anything else.
func (r *run) kindOf(cfg *repoconfig.Config, is *github.Issue) issueKind {
	switch {
	case is.IsPullRequest():
		return kindOther
	case r.f.isBot(is.GetUser()) && reFollowUpMarker.MatchString(is.GetBody()):
		return kindFollowUp
	case hasLabel(is.Labels, cfg.IncidentLabel):
		return kindIncident
	}
	return kindOther
}

// triageOrMore are the repository roles that may run commands.
var triageOrMore = map[string]bool{"triage": true, "write": true, "maintain": true, "admin": true}

// mayRun says whether login may run a command on is: a follow-up's
// assignee may on it; otherwise triage access or more (GitHub's role name,
// or a custom role whose base permission is write or admin).
func (r *run) mayRun(ctx context.Context, login string, is *github.Issue, kind issueKind) (bool, error) {
	if kind == kindFollowUp {
		for _, u := range is.Assignees {
			if strings.EqualFold(u.GetLogin(), login) {
				return true, nil
			}
		}
	}
	req, err := r.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", r.owner, r.repo, login), nil)
	if err != nil {
		return false, err
	}
	var p struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	if _, err := r.gh.Do(ctx, req, &p); err != nil {
		if statusOf(err) == http.StatusNotFound {
			return false, nil
		}
		return false, fmt.Errorf("permission of %s: %w", login, err)
	}
	return triageOrMore[p.RoleName] || p.Permission == "admin" || p.Permission == "write", nil
}

// help lists the commands of an issue of kind, after lead.
func help(kind issueKind, lead string) string {
	var b strings.Builder
	if lead != "" {
		b.WriteString(lead + " ")
	}
	var names []string
	for name, v := range verbs {
		if v.on == kind {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		b.WriteString("Commands work on incidents and on follow-up issues. On an incident: ")
		for i, on := range []issueKind{kindIncident, kindFollowUp} {
			if i == 1 {
				b.WriteString(". On a follow-up: ")
			}
			var us []string
			for _, name := range sortedVerbs(on) {
				us = append(us, render.Code(verbs[name].usage, 0))
			}
			b.WriteString(strings.Join(us, ", "))
		}
		b.WriteString(".\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Commands on %s:\n\n", describe(kind))
	for _, name := range names {
		fmt.Fprintf(&b, "- %s — %s\n", render.Code(verbs[name].usage, 0), verbs[name].what)
	}
	b.WriteString("- `/postmortem help` — this list\n\nPeople with triage access or more may run them")
	if kind == kindFollowUp {
		b.WriteString(", and the follow-up's assignees")
	}
	b.WriteString(".\n")
	return b.String()
}

func sortedVerbs(on issueKind) []string {
	var out []string
	for name, v := range verbs {
		if v.on == on {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func describe(k issueKind) string {
	switch k {
	case kindIncident:
		return "an incident"
	case kindFollowUp:
		return "a follow-up"
	}
	return "neither an incident nor a follow-up"
}

func article(k issueKind) string {
	if k == kindIncident {
		return "an incident"
	}
	return "a follow-up"
}
