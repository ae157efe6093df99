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
	"github.com/postmortem-app/postmortem/checks"
)

// RemindResult says what a reminder pass found or did.
type RemindResult struct {
	Skipped      string
	FollowUps    int   // open follow-ups seen
	Reminded     []int // follow-ups reminded by this pass (one comment each)
	Labelled     []int // follow-ups this pass put the overdue label on
	Unlabelled   []int // follow-ups this pass took it off (the date moved)
	Escalated    []int // follow-ups this pass escalated on their incident
	Owed         []int // incidents whose postmortem is owed
	OwedReminded []int // incidents reminded of it by this pass
	Digest       int   // the digest issue this pass wrote (0: none)
	// Enqueued are the passes an installation's (or every installation's)
	// pass fanned out to, for the queue.
	Enqueued []jobs.Args
}

// idleAfter is how long a watched repository is kept after its passes last
// found something open: a week and a day, so the next digest still tells
// what closed.
const idleAfter = 8 * 24 * time.Hour

// Remind runs the reminder pass a RemindArgs names: every installation with
// watched repositories, every watched repository of one (and the
// organization digests), or one repository (see jobs.RemindArgs). The date
// is the App's clock's.
func (f *Flows) Remind(ctx context.Context, a jobs.RemindArgs) (*RemindResult, error) {
	res := &RemindResult{}
	if f.Watch == nil {
		res.Skipped = "no watch list"
		return res, nil
	}
	switch {
	case a.InstallationID == 0:
		insts, err := f.Watch.Installations(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range insts {
			res.Enqueued = append(res.Enqueued, jobs.RemindArgs{InstallationID: id})
		}
		return res, nil
	case a.Owner == "" || a.Repo == "":
		repos, err := f.Watch.Repos(ctx, a.InstallationID)
		if err != nil {
			return nil, err
		}
		orgs := map[string]bool{}
		for _, rp := range repos {
			owner, name, ok := strings.Cut(rp.Name, "/")
			if !ok {
				continue
			}
			res.Enqueued = append(res.Enqueued, jobs.RemindArgs{InstallationID: a.InstallationID, Owner: owner, Repo: name, RepoID: rp.ID})
			if rp.Digest == checks.DigestOrganization && !orgs[owner] {
				orgs[owner] = true
				res.Enqueued = append(res.Enqueued, jobs.DigestArgs{InstallationID: a.InstallationID, Owner: owner})
			}
		}
		return res, nil
	}
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	return res, r.remind(ctx, res)
}

// remind is one repository's pass: one list of its open follow-ups (one
// call per hundred), then per follow-up only the writes it owes — the
// reminder of its step, the overdue label on or off, its escalation — and
// the postmortems owed and the digest when configured.
func (r *run) remind(ctx context.Context, res *RemindResult) error {
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			res.Skipped = "configuration is broken" // the flows report it when something happens
			return nil
		}
		return r.goneOr(ctx, err, res)
	}
	now := r.f.now()
	fus, err := r.openFollowUpIssues(ctx, cfg)
	if err != nil {
		return r.goneOr(ctx, err, res)
	}
	res.FollowUps = len(fus)
	if err := r.knowRepoFollowUps(ctx, fus); err != nil {
		return err
	}
	var inProgress error
	for _, is := range fus {
		err := r.remindFollowUp(ctx, cfg, is, now, res)
		if errors.Is(err, claims.ErrInProgress) {
			inProgress = r.sooner(inProgress, err) // another pass is posting it: the others go on
			continue
		}
		if err != nil {
			return err
		}
	}
	owed, err := r.postmortemsOwed(ctx, cfg, now, res)
	if errors.Is(err, claims.ErrInProgress) {
		inProgress, err = r.sooner(inProgress, err), nil
	}
	if err != nil {
		return err
	}
	if err := r.passed(ctx, cfg, now, len(fus)+len(owed) > 0); err != nil {
		return err
	}
	if cfg.Digest == checks.DigestRepository {
		if err := r.repoDigest(ctx, cfg, now, fus, owed, res); err != nil {
			return err
		}
	}
	return inProgress
}

// goneOr stops watching a repository the installation cannot see any
// more (deleted, transferred, uninstalled) and returns nil for it; other
// errors pass through.
func (r *run) goneOr(ctx context.Context, err error, res *RemindResult) error {
	switch statusOf(err) {
	case http.StatusNotFound, http.StatusForbidden, http.StatusUnauthorized, http.StatusGone:
		res.Skipped = "repository not available: " + err.Error()
		if r.f.Watch != nil {
			return r.f.Watch.Unwatch(ctx, r.inst, r.fullName())
		}
		return nil
	}
	return err
}

// passed records the pass on the watch list: active when something was
// open; a repository idle for idleAfter is no longer visited.
func (r *run) passed(ctx context.Context, cfg *repoconfig.Config, now time.Time, active bool) error {
	if r.f.Watch == nil {
		return nil
	}
	if err := r.f.Watch.Passed(ctx, r.inst, r.fullName(), r.repoID, now, active, cfg.Digest); err != nil {
		return err
	}
	if !active {
		if gone, err := r.f.Watch.UnwatchIdle(ctx, r.inst, r.fullName(), now.Add(-idleAfter)); err != nil || gone {
			return err
		}
	}
	return nil
}

// openFollowUpIssues lists the repository's open follow-ups: open issues
// with the follow-up label, opened by the App, carrying the marker.
func (r *run) openFollowUpIssues(ctx context.Context, cfg *repoconfig.Config) ([]*github.Issue, error) {
	all, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{
			State: "open", Labels: []string{cfg.FollowUps.Label}, Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list open follow-ups: %w", err)
	}
	var out []*github.Issue
	for _, is := range all {
		if _, _, ok := ParseFollowUpMarker(is.GetBody()); ok && !is.IsPullRequest() && r.f.isBot(is.GetUser()) {
			out = append(out, is)
		}
	}
	return out, nil
}

// remindFollowUp makes one open follow-up right for day now: the overdue
// label on when its date has passed (off when it moved), the reminder of
// its step unless snoozed, and its escalation on the incident.
func (r *run) remindFollowUp(ctx context.Context, cfg *repoconfig.Config, is *github.Issue, now time.Time, res *RemindResult) error {
	n, body := is.GetNumber(), is.GetBody()
	dueS, ok := render.Due(body)
	due, valid := parseDay(dueS)
	if err := r.overdueLabel(ctx, cfg, is, ok && valid && overdue(now, due), res); err != nil {
		return err
	}
	if !ok || !valid {
		return nil // no date: nothing to remind of
	}
	if until, ok := render.Snoozed(body); ok {
		if u, valid := parseDay(until); valid && checks.Date(now).Before(u) {
			return nil
		}
	}
	assignees := logins(is.Assignees)
	if step := reminderStep(now, due, cfg.FollowUps.Reminders); step != "" {
		made, err := r.postOnce(ctx, n, n, "remind:"+dueS+":"+step, MarkerReminder(dueS, step), render.Reminder(step, due, now, assignees))
		if err != nil {
			return err
		}
		if made {
			res.Reminded = append(res.Reminded, n)
			r.emit("remind", n, "reminded follow-up #%d (%s, due %s)", n, step, dueS)
		}
	}
	incident, _, _ := ParseFollowUpMarker(body)
	if incident == 0 || !escalationDue(now, due, cfg.FollowUps) {
		return nil
	}
	made, err := r.postOnce(ctx, incident, incident, "escalate:"+strconv.Itoa(n)+":"+dueS, MarkerEscalation(n, dueS),
		render.Escalation(cfg.FollowUps.EscalateTo, n, is.GetTitle(), due, now, assignees))
	if made {
		res.Escalated = append(res.Escalated, n)
		r.emit("remind", incident, "escalated follow-up #%d to %s on incident #%d", n, cfg.FollowUps.EscalateTo, incident)
	}
	return err
}

// overdueLabel puts the overdue label on a follow-up (want) or takes it
// off: one write, only when it changes.
func (r *run) overdueLabel(ctx context.Context, cfg *repoconfig.Config, is *github.Issue, want bool, res *RemindResult) error {
	label, n := cfg.FollowUps.OverdueLabel, is.GetNumber()
	if label == "" || want == hasLabel(is.Labels, label) {
		return nil
	}
	if want {
		if _, _, err := r.gh.Issues.AddLabelsToIssue(ctx, r.owner, r.repo, n, []string{label}); err != nil {
			return fmt.Errorf("label #%d %s: %w", n, label, err)
		}
		res.Labelled = append(res.Labelled, n)
		return nil
	}
	if _, err := r.gh.Issues.RemoveLabelForIssue(ctx, r.owner, r.repo, n, label); err != nil && statusOf(err) != http.StatusNotFound {
		return fmt.Errorf("remove label %s from #%d: %w", label, n, err)
	}
	res.Unlabelled = append(res.Unlabelled, n)
	return nil
}

// postOnce posts a comment on issue number exactly once, under the claim
// (scope, item): a fresh claim posts at once; a claim taken over from a
// pass that died (or whose write may have landed with its answer lost)
// first looks for the comment by its marker. It reports whether it posted.
func (r *run) postOnce(ctx context.Context, number, scope int, item, marker, body string) (bool, error) {
	_, posted, err := r.commentOnce(ctx, number, scope, item, marker, marker+"\n"+body)
	return posted, err
}

func logins(us []*github.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.GetLogin())
	}
	sort.Strings(out)
	return out
}
