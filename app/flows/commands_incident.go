package flows

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The incident commands: skip (a label and the answer record why),
// severity (the label), timeline and redraft (commits on the draft's
// branch). Each checks what is there first, so running it again changes
// nothing.

func runSkip(ctx context.Context, c *cmdRun) (string, error) {
	reason := strings.TrimSpace(c.args)
	if reason == "" {
		return "", invalid("Why is there no postmortem? Say it after `skip`: the reason is what the team reads later.")
	}
	if !hasLabel(c.issue.Labels, SkippedLabel) {
		if _, _, err := c.r.gh.Issues.AddLabelsToIssue(ctx, c.r.owner, c.r.repo, c.issue.GetNumber(), []string{SkippedLabel}); err != nil {
			return "", fmt.Errorf("label #%d %s: %w", c.issue.GetNumber(), SkippedLabel, err)
		}
	}
	return fmt.Sprintf("recorded: this incident has no postmortem (label `%s`). Reason: %s. No more reminders that one is owed.",
		SkippedLabel, render.Echo(reason, 300)), nil
}

func runSeverity(ctx context.Context, c *cmdRun) (string, error) {
	want, ok := c.cfg.Severity(strings.TrimSpace(c.args))
	if !ok {
		return "", invalid("%s is not one of this repository's severities (%s).", render.Code(c.args, 40), render.Echo(strings.Join(c.cfg.Severities, ", "), 200))
	}
	label := strings.ToLower(want)
	var keep []string
	already, sevLabels := false, 0
	for _, l := range c.issue.Labels {
		if render.SeverityFromLabels([]string{l.GetName()}) == "" {
			keep = append(keep, l.GetName())
			continue
		}
		sevLabels++
		already = already || l.GetName() == label
	}
	if already && sevLabels == 1 {
		return fmt.Sprintf("the severity is %s already.", want), nil
	}
	if _, _, err := c.r.gh.Issues.ReplaceLabelsForIssue(ctx, c.r.owner, c.r.repo, c.issue.GetNumber(), append(keep, label)); err != nil {
		return "", fmt.Errorf("label #%d: %w", c.issue.GetNumber(), err)
	}
	return fmt.Sprintf("the severity is now **%s** (label `%s`). The postmortem's front matter says what it says: change it there too.", want, label), nil
}

// draft is the incident's open postmortem pull request and its file.
type draft struct {
	branch, path, sha string // the file's blob, for the contents API
	pr                *github.PullRequest
	src               []byte
}

// openDraft finds the incident's draft: its branch, pull request (open)
// and postmortem file as it is on the branch. A missing or finished one is
// an answer for the person.
func (c *cmdRun) openDraft(ctx context.Context) (*draft, error) {
	r, n := c.r, c.issue.GetNumber()
	refs, err := r.matchingRefs(ctx, n)
	if err != nil && statusOf(err) != http.StatusNotFound {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	d := &draft{}
	for _, ref := range refs {
		if b := strings.TrimPrefix(ref.GetRef(), "refs/heads/"); strings.HasPrefix(b, fmt.Sprintf("postmortem/%d-", n)) {
			d.branch = b
			break
		}
	}
	if d.branch == "" {
		return nil, invalid("this incident has no postmortem draft yet.")
	}
	if d.pr, err = r.findPR(ctx, d.branch); err != nil {
		return nil, err
	}
	if d.pr == nil || d.pr.GetState() != "open" {
		return nil, invalid("the postmortem pull request of this incident is not open: edit the postmortem in a new pull request.")
	}
	files, err := r.listFiles(ctx, d.pr.GetNumber())
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if inPostmortemDir(c.cfg.Directory, f.GetFilename()) && f.GetStatus() != "removed" {
			d.path = f.GetFilename()
			break
		}
	}
	if d.path == "" {
		return nil, invalid("the postmortem pull request #%d has no postmortem file.", d.pr.GetNumber())
	}
	fc, _, _, err := r.gh.Repositories.GetContents(ctx, r.owner, r.repo, d.path, &github.RepositoryContentGetOptions{Ref: d.branch})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.path, err)
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, err
	}
	d.src, d.sha = []byte(s), fc.GetSHA()
	return d, nil
}

// commit writes the draft's file with content on its branch.
func (c *cmdRun) commit(ctx context.Context, d *draft, content []byte, message string) (string, error) {
	out, _, err := c.r.gh.Repositories.UpdateFile(ctx, c.r.owner, c.r.repo, d.path, &github.RepositoryContentFileOptions{
		Message: github.String(message), Content: content, SHA: github.String(d.sha), Branch: github.String(d.branch),
	})
	if err != nil {
		if statusOf(err) == http.StatusConflict {
			return "", invalid("the draft changed while I was writing to it: run the command again.")
		}
		return "", fmt.Errorf("commit %s on %s: %w", d.path, d.branch, err)
	}
	return out.GetSHA(), nil
}

// timelinePrefix starts the message of a commit made by /postmortem timeline.
const timelinePrefix = "Timeline: "

func runTimeline(ctx context.Context, c *cmdRun) (string, error) {
	at, text, err := parseTimeline(c.args, c.at)
	if err != nil {
		return "", err
	}
	d, err := c.openDraft(ctx)
	if err != nil {
		return "", err
	}
	line := render.TimelineLine(at, text, c.a.Login)
	if strings.Contains(string(d.src), line) {
		return fmt.Sprintf("that entry is in the timeline of #%d already.", d.pr.GetNumber()), nil
	}
	release, err := c.r.f.parseSlot(ctx, len(d.src))
	if err != nil {
		return "", err
	}
	next, ok := render.InsertTimelineEntry(d.src, line, at)
	release()
	if !ok {
		return "", invalid("the draft in #%d has no timeline list to add to (or its timeline is a table): add the entry there yourself.", d.pr.GetNumber())
	}
	sha, err := c.commit(ctx, d, next, fmt.Sprintf("%s%s (/postmortem timeline by @%s)", timelinePrefix, render.CommitLine(text, 60), c.a.Login))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("added to the timeline of the draft in #%d (commit %s):\n\n%s", d.pr.GetNumber(), render.ShortSHA(sha), render.Echo(line, 400)), nil
}

// parseTimeline reads "<time> <text>": 14:05, 2026-03-01 14:05 or RFC 3339,
// an optional "UTC"; a time alone is on the day of the comment (UTC).
func parseTimeline(args string, at time.Time) (time.Time, string, error) {
	f := strings.Fields(args)
	var t time.Time
	n := 0
	if len(f) >= 2 {
		if x, err := time.Parse("2006-01-02 15:04", f[0]+" "+f[1]); err == nil {
			t, n = x, 2
		}
	}
	if n == 0 && len(f) >= 1 {
		if x, err := time.Parse(time.RFC3339, f[0]); err == nil {
			t, n = x.UTC(), 1
		} else if x, err := time.Parse("15:04", f[0]); err == nil {
			y, m, d := at.UTC().Date()
			t, n = time.Date(y, m, d, x.Hour(), x.Minute(), 0, 0, time.UTC), 1
		}
	}
	if n == 0 {
		return t, "", invalid("When? Start with the time: `14:05`, `2026-03-01 14:05` (UTC) or `2026-03-01T14:05:00Z`.")
	}
	if n < len(f) && strings.EqualFold(f[n], "UTC") {
		n++
	}
	if n == len(f) {
		return t, "", invalid("What happened then? Say it after the time.")
	}
	return t, strings.Join(f[n:], " "), nil
}

func runRedraft(ctx context.Context, c *cmdRun) (string, error) {
	d, err := c.openDraft(ctx)
	if ie, ok := err.(errInvalid); ok && strings.Contains(ie.msg, "no postmortem draft yet") {
		if c.issue.GetState() != "open" {
			return "", invalid("this incident has no postmortem draft, and it is closed: reopen it (or label it again) to have one drafted.")
		}
		c.res.Enqueued = append(c.res.Enqueued, jobs.IncidentArgs{InstallationID: c.r.inst, Owner: c.r.owner, Repo: c.r.repo, RepoID: c.r.repoID, Number: c.issue.GetNumber()})
		return "this incident had no draft: drafting one now.", nil
	}
	if err != nil {
		return "", err
	}
	commits, _, err := c.r.gh.PullRequests.ListCommits(ctx, c.r.owner, c.r.repo, d.pr.GetNumber(), &github.ListOptions{PerPage: 100})
	if err != nil {
		return "", fmt.Errorf("list commits of #%d: %w", d.pr.GetNumber(), err)
	}
	for _, cm := range commits {
		if !c.r.f.isBot(cm.GetAuthor()) || strings.HasPrefix(cm.GetCommit().GetMessage(), timelinePrefix) {
			return "", invalid("the draft in #%d has changes made by people (or with `/postmortem timeline`); redrafting would throw them away. Edit the draft instead.", d.pr.GetNumber())
		}
	}
	prep, err := c.r.prepareDraft(ctx, c.issue, c.cfg, nil)
	if err != nil {
		return "", err
	}
	if string(prep.doc) == string(d.src) {
		return fmt.Sprintf("the draft in #%d is up to date with the incident.", d.pr.GetNumber()), nil
	}
	sha, err := c.commit(ctx, d, prep.doc, fmt.Sprintf("Redraft the postmortem of #%d (/postmortem redraft by @%s)", c.issue.GetNumber(), c.a.Login))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("drafted the postmortem again from the incident in #%d (commit %s).", d.pr.GetNumber(), render.ShortSHA(sha)), nil
}
