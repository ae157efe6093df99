package flows

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
)

// The follow-up commands rewrite lines of the follow-up's body (its due
// date and snooze are the reminders' truth) and its assignees: setting
// what is already there changes nothing, so a command run twice is run
// once.

// maxSnoozeDays bounds /postmortem snooze.
const maxSnoozeDays = 12 * 7

func runDue(ctx context.Context, c *cmdRun) (string, error) {
	f := strings.Fields(c.args)
	if len(f) == 0 {
		return "", invalid("Which date? Write it YYYY-MM-DD.")
	}
	due, ok := parseDay(f[0])
	if !ok {
		return "", invalid("%s is not a date: write it YYYY-MM-DD.", render.Code(f[0], 40))
	}
	date := due.Format("2006-01-02")
	body := c.issue.GetBody()
	old, _ := render.Due(body)
	if old == date {
		return fmt.Sprintf("this follow-up is already due on %s.", render.Day(due)), nil
	}
	from := ""
	if old != "" {
		from = " from " + old
	}
	next := render.SetField(body, "Due", fmt.Sprintf("%s (moved%s by @%s on %s)", date, from, c.a.Login, c.at.UTC().Format("2006-01-02")))
	if err := c.editFollowUp(ctx, &github.IssueRequest{Body: github.String(next)}); err != nil {
		return "", err
	}
	if label := c.cfg.FollowUps.OverdueLabel; label != "" && hasLabel(c.issue.Labels, label) && !overdue(c.r.f.now(), due) {
		if _, err := c.r.gh.Issues.RemoveLabelForIssue(ctx, c.r.owner, c.r.repo, c.issue.GetNumber(), label); err != nil && statusOf(err) != http.StatusNotFound {
			return "", fmt.Errorf("remove label %s from #%d: %w", label, c.issue.GetNumber(), err)
		}
	}
	c.track()
	msg := fmt.Sprintf("this follow-up is now due on **%s**", render.Day(due))
	if old != "" {
		msg += " (it was " + old + ")"
	}
	if due.Before(checks.Date(c.r.f.now())) {
		msg += ". That date has passed: it stays overdue"
	}
	return msg + ". Reminders start over for the new date.", nil
}

func runSnooze(ctx context.Context, c *cmdRun) (string, error) {
	f := strings.Fields(c.args)
	var p checks.Period
	n := 0
	for k := min(3, len(f)); k >= 1; k-- {
		if q, err := checks.ParsePeriod(strings.Join(f[:k], " ")); err == nil && !q.IsZero() {
			p, n = q, k
			break
		}
	}
	switch {
	case n == 0:
		return "", invalid("For how long? Say it like `3d`, `1w` or `2 weeks`, then why.")
	case len(f) == n:
		return "", invalid("Why? Say the reason after the period, so the team knows when to look again.")
	case p.After(c.at).Sub(checks.Date(c.at)).Hours()/24 > maxSnoozeDays:
		return "", invalid("%s is too long: snooze for at most 12 weeks, or move the date with `/postmortem due`.", p)
	}
	until := p.After(c.at).Format("2006-01-02")
	reason := render.Echo(strings.Join(f[n:], " "), 200)
	next := render.SetField(c.issue.GetBody(), "Snoozed until", fmt.Sprintf("%s — %s (@%s)", until, reason, c.a.Login))
	if next != c.issue.GetBody() {
		if err := c.editFollowUp(ctx, &github.IssueRequest{Body: github.String(next)}); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("snoozed: no reminders on this follow-up until **%s** (%s). Reason: %s", render.Day(p.After(c.at)), p, reason), nil
}

var reLogin = regexp.MustCompile(`^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$`)

func runOwner(ctx context.Context, c *cmdRun) (string, error) {
	f := strings.Fields(c.args)
	if len(f) == 0 {
		return "", invalid("Who? Name one person: `/postmortem owner @login`.")
	}
	if strings.Contains(f[0], "/") {
		return "", invalid("%s is a team, and GitHub assigns issues to people only: name one person.", render.Echo(f[0], 60))
	}
	m := reLogin.FindStringSubmatch(f[0])
	if m == nil {
		return "", invalid("%s is not a GitHub login.", render.Code(f[0], 60))
	}
	login := m[1]
	if len(c.issue.Assignees) == 1 && strings.EqualFold(c.issue.Assignees[0].GetLogin(), login) {
		return fmt.Sprintf("@%s owns this follow-up already.", login), nil
	}
	next := render.SetField(c.issue.GetBody(), "Owner", fmt.Sprintf("@%s (set by @%s with `/postmortem owner`)", login, c.a.Login))
	err := c.editFollowUp(ctx, &github.IssueRequest{Body: github.String(next), Assignees: &[]string{login}})
	if statusOf(err) == http.StatusUnprocessableEntity {
		return "", invalid("@%s cannot be assigned in this repository (they need access to it).", login)
	}
	if err != nil {
		return "", err
	}
	c.track()
	return fmt.Sprintf("this follow-up is @%s's now.", login), nil
}

// editFollowUp edits the command's follow-up and keeps the edited issue.
func (c *cmdRun) editFollowUp(ctx context.Context, req *github.IssueRequest) error {
	if req.Body != nil {
		req.Body = bodyOf(*req.Body)
	}
	is, _, err := c.r.gh.Issues.Edit(ctx, c.r.owner, c.r.repo, c.issue.GetNumber(), req)
	if err != nil {
		return fmt.Errorf("edit follow-up #%d: %w", c.issue.GetNumber(), err)
	}
	c.issue = is
	return nil
}

// track asks for the tracking of the follow-up's incident: its comment
// shows the owner and the date.
func (c *cmdRun) track() {
	c.res.Enqueued = append(c.res.Enqueued, jobs.TrackingArgs{InstallationID: c.r.inst, Owner: c.r.owner, Repo: c.r.repo, RepoID: c.r.repoID, Number: c.issue.GetNumber()})
}
