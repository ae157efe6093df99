package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
)

// A postmortem is owed by a closed incident whose severity is in
// postmortem.required_for until a postmortem pull request of it merges or
// someone records why there is none (/postmortem skip: the label
// SkippedLabel). It is due postmortem.due after the incident closed;
// reminders follow the follow-ups' steps, on the incident and on its open
// postmortem pull request.

// SkippedLabel marks an incident whose postmortem was skipped, with the
// reason in the App's answer to /postmortem skip.
const SkippedLabel = "postmortem-skipped"

// owedWindow bounds how far back incidents are looked at: an incident
// owing its postmortem is updated by every reminder, so it stays inside.
const owedWindow = 120 * 24 * time.Hour

// owedIncident is an incident whose postmortem is owed.
type owedIncident struct {
	issue    *github.Issue
	severity string
	due      time.Time
	pr       *github.PullRequest // its open postmortem pull request, if any
}

// postmortemsOwed finds the incidents owing a postmortem and reminds them
// (only when postmortem.required_for is set: one list of incidents, and
// one of pull requests when some closed incident needs it).
func (r *run) postmortemsOwed(ctx context.Context, cfg *repoconfig.Config, now time.Time, res *RemindResult) ([]owedIncident, error) {
	owed, err := r.owedIncidents(ctx, cfg, now)
	if err != nil {
		return nil, err
	}
	var inProgress error
	for _, o := range owed {
		res.Owed = append(res.Owed, o.issue.GetNumber())
		err := r.remindOwed(ctx, cfg, o, now, res)
		// The first error, as before; but of claims other passes
		// hold, the one that frees soonest (r.sooner).
		if err != nil && (inProgress == nil || errors.Is(err, claims.ErrInProgress)) {
			inProgress = r.sooner(inProgress, err)
		}
	}
	return owed, inProgress
}

// owedIncidents are the closed incidents of a required severity without a
// merged postmortem or a recorded skip.
func (r *run) owedIncidents(ctx context.Context, cfg *repoconfig.Config, now time.Time) ([]owedIncident, error) {
	if len(cfg.Postmortem.RequiredFor) == 0 {
		return nil, nil
	}
	since := now.Add(-owedWindow)
	all, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{
			State: "closed", Labels: []string{cfg.IncidentLabel}, Since: since, Sort: "updated", Direction: "desc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list closed incidents: %w", err)
	}
	var cands []*github.Issue
	for _, is := range all {
		if is.IsPullRequest() || is.ClosedAt == nil || hasLabel(is.Labels, SkippedLabel) || hasLabel(is.Labels, cfg.CompleteLabel) {
			continue
		}
		if cfg.Postmortem.Required(render.SeverityFromLabels(labelNames(is.Labels))) {
			cands = append(cands, is)
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	pulls, _, err := r.postmortemPulls(ctx, since)
	if err != nil {
		return nil, err
	}
	var out []owedIncident
	for _, is := range cands {
		o := owedIncident{issue: is, severity: render.SeverityFromLabels(labelNames(is.Labels)),
			due: cfg.Postmortem.Due.After(is.GetClosedAt().Time)}
		merged := false
		for _, pr := range pulls[is.GetNumber()] {
			merged = merged || pr.MergedAt != nil
			if pr.GetState() == "open" && o.pr == nil {
				o.pr = pr
			}
		}
		if !merged {
			out = append(out, o)
		}
	}
	return out, nil
}

// remindOwed posts the reminder of the owed postmortem's step on the
// incident and on its open pull request, each once.
func (r *run) remindOwed(ctx context.Context, cfg *repoconfig.Config, o owedIncident, now time.Time, res *RemindResult) error {
	step := reminderStep(now, o.due, cfg.FollowUps.Reminders)
	if step == "" {
		return nil
	}
	n, due := o.issue.GetNumber(), o.due.Format("2006-01-02")
	item, marker := "owed:"+due+":"+step, MarkerOwed(n, due, step)
	prNum := o.pr.GetNumber()
	closed := o.issue.GetClosedAt().Time
	made, err := r.postOnce(ctx, n, n, item, marker, render.Owed(step, o.severity, closed, o.due, now, prNum, logins(o.issue.Assignees)))
	if err != nil {
		return err
	}
	if made {
		res.OwedReminded = append(res.OwedReminded, n)
		r.emit("remind", n, "reminded incident #%d that its postmortem is owed (%s, due %s)", n, step, due)
	}
	if prNum == 0 {
		return nil
	}
	_, err = r.postOnce(ctx, prNum, prNum, item+":pr:"+strconv.Itoa(n), marker,
		render.Owed(step, o.severity, closed, o.due, now, prNum, logins(o.issue.Assignees)))
	return err
}

func labelNames(ls []*github.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}
