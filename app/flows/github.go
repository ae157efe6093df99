package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows/render"
)

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

// isBot says whether a user is the App's bot. While the bot's login is
// unknown nobody is (fail closed: a marker is trusted only from the App).
func (f *Flows) isBot(u *github.User) bool {
	bot := f.Bot()
	return u != nil && bot != "" && strings.EqualFold(u.GetLogin(), bot)
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

// bodyOf is body as the App sends it: within GitHub's limit (cut with a
// note, its hidden markers kept: render.Bound).
func bodyOf(body string) *string { return github.String(render.Bound(body, render.MaxBody)) }

// findComment returns the bot's comment that starts with marker. The App
// puts its marker first in every comment it writes; one anywhere else is
// text the comment quotes (a title, a reason), never the App's.
func (r *run) findComment(comments []*github.IssueComment, marker string) *github.IssueComment {
	for _, c := range comments {
		if strings.HasPrefix(c.GetBody(), marker) && r.f.isBot(c.GetUser()) {
			return c
		}
	}
	return nil
}

// upsertComment makes the bot's comment with marker on issue number say
// body: edits it when the text differs, creates it (under a claim) when
// missing. It returns the comment and whether it changed anything.
func (r *run) upsertComment(ctx context.Context, comments []*github.IssueComment, number, claimScope int, item, marker, body string) (*github.IssueComment, bool, error) {
	if !strings.HasPrefix(body, marker) {
		body = marker + "\n" + body
	}
	body = render.Bound(body, render.MaxBody) // as GitHub will hold it
	if c := r.findComment(comments, marker); c != nil {
		return r.sayBody(ctx, number, c, body)
	}
	created, posted, err := r.commentOnce(ctx, number, claimScope, item, marker, body)
	if err != nil {
		return nil, false, err
	}
	if posted {
		return created, true, nil
	}
	if created == nil {
		// Claimed done, yet not in the comments read earlier: a concurrent
		// run made it since (with what it saw then), or a person deleted
		// it (respected). Read again and make it say body.
		fresh, err := r.issueComments(ctx, number)
		if err != nil {
			return nil, false, err
		}
		if created = r.findComment(fresh, marker); created == nil {
			return nil, false, nil
		}
	}
	return r.sayBody(ctx, number, created, body)
}

// sayBody makes comment c on issue number say body: one edit, only when it
// says something else. It returns the comment and whether it changed it.
func (r *run) sayBody(ctx context.Context, number int, c *github.IssueComment, body string) (*github.IssueComment, bool, error) {
	if c.GetBody() == body {
		return c, false, nil
	}
	ec, _, err := r.gh.Issues.EditComment(ctx, r.owner, r.repo, c.GetID(), &github.IssueComment{Body: bodyOf(body)})
	if err != nil {
		return nil, false, fmt.Errorf("edit comment on #%d: %w", number, err)
	}
	return ec, true, nil
}

// commentOnce posts body, which starts with marker, on issue number exactly
// once, under the claim (scope, item). A fresh claim posts at once; a claim
// taken over from a run that died, or whose write may have landed with its
// answer lost, first looks for the comment by its marker (what this run read
// before claiming may predate that write). A post whose answer may have been
// lost is errMaybeMade, so the claim stays not fresh. It returns the comment,
// posted or found (nil when the claim was done already), and whether it
// posted.
func (r *run) commentOnce(ctx context.Context, number, scope int, item, marker, body string) (*github.IssueComment, bool, error) {
	var got *github.IssueComment
	posted := false
	_, err := r.createOnceFresh(ctx, scope, item, func(ctx context.Context, fresh bool) (string, error) {
		if !fresh {
			cs, err := r.issueComments(ctx, number)
			if err != nil {
				return "", err
			}
			if c := r.findComment(cs, marker); c != nil {
				got = c
				return strconv.FormatInt(c.GetID(), 10), nil
			}
		}
		c, _, err := r.gh.Issues.CreateComment(ctx, r.owner, r.repo, number, &github.IssueComment{Body: bodyOf(body)})
		if err != nil {
			return "", maybeMade(fmt.Errorf("comment on #%d: %w", number, err)) // the next claimer looks first
		}
		got, posted = c, true
		return strconv.FormatInt(c.GetID(), 10), nil
	})
	return got, posted, err
}

// maybeMade is a write's error as errMaybeMade when it does not prove GitHub
// did nothing (no answer, or a server error), else as it is.
func maybeMade(err error) error {
	if s := statusOf(err); s < 400 || s >= 500 {
		return errMaybeMade{err}
	}
	return err
}

// createOnce runs create under the claim (scope, item): it creates only when
// this worker acquires the claim. It returns whether it created. A claim held
// by another live worker is ErrInProgress (a claims.HeldError, which says
// when to try again); a claim done earlier (the object was made, then
// deleted by a person) is respected: nothing is created.
func (r *run) createOnce(ctx context.Context, scope int, item string, create func(ctx context.Context) (string, error)) (bool, error) {
	return r.createOnceFresh(ctx, scope, item, func(ctx context.Context, _ bool) (string, error) { return create(ctx) })
}

// sooner is which of two errors of the run it reports (claims.Sooner): of
// two claims other workers hold, the one that frees soonest, their waits
// compared on the claims' clock (their leases run on it; the calendar,
// r.f.now, may be moved).
func (r *run) sooner(a, b error) error {
	now := time.Now()
	if r.f.Claims != nil && r.f.Claims.Now != nil {
		now = r.f.Claims.Now()
	}
	return claims.Sooner(now, a, b)
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
	key, err := r.claimKey(ctx, scope, item)
	if err != nil {
		return false, err
	}
	cl, err := r.f.Claims.Claim(ctx, key)
	if err != nil {
		return false, err
	}
	switch cl.State {
	case claims.Held:
		return false, cl.InProgress()
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
// live run, it is ErrInProgress (a claims.HeldError: the job is snoozed,
// the longer the older the claim, and runs again); held by a run that
// died, it is taken over once its lease ran out. The returned context ends
// before the lease does, so a run never outlives its turn. Without claims
// there is nothing to lock.
func (r *run) lockIncident(ctx context.Context, incident int, item string) (context.Context, func(), error) {
	if r.f.Claims == nil {
		return ctx, func() {}, nil
	}
	key, err := r.claimKey(ctx, incident, item)
	if err != nil {
		return ctx, nil, err
	}
	cl, err := r.f.Claims.Claim(ctx, key)
	if err != nil {
		return ctx, nil, err
	}
	switch cl.State {
	case claims.Held:
		return ctx, nil, cl.InProgress()
	case claims.Done:
		// A lock is never completed; a done row is not ours to keep: the
		// retry takes the lock.
		_ = r.f.Claims.Forget(ctx, key)
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
