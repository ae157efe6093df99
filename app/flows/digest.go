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

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
)

// The weekly digest: one issue per repository (digest: repository) or per
// organization in its .github repository (digest: organization), edited in
// place by the first pass of each ISO week (UTC). Its marker names its
// target; the watch list remembers the week it was last written for and
// its number, so a pass knows without a call whether this week's is due.

// DigestLabel is on every digest issue.
const DigestLabel = "postmortem-digest"

// DigestResult says what an organization's digest job did.
type DigestResult struct {
	Skipped string
	Issue   int // the digest issue written (0: none)
	Repos   int
}

// repoDigest writes the repository's digest for this week, once: the open
// follow-ups the pass listed, the postmortems owed, and the follow-ups
// closed in the last seven days (one more list call, weekly).
func (r *run) repoDigest(ctx context.Context, cfg *repoconfig.Config, now time.Time, fus []*github.Issue, owed []owedIncident, res *RemindResult) error {
	if r.f.Watch == nil {
		return nil
	}
	target, week := r.fullName(), isoWeek(now)
	last, known, err := r.f.Watch.Digest(ctx, r.inst, target)
	if err != nil || last == week {
		return err
	}
	d := render.DigestData{Scope: target, Today: now}
	if err := r.digestPart(ctx, cfg, now, fus, owed, "", &d); err != nil {
		return err
	}
	n, err := r.writeDigest(ctx, target, week, known, "Postmortem follow-ups: weekly digest", render.Digest(d))
	if err != nil {
		return err
	}
	res.Digest = n
	return r.f.Watch.SetDigest(ctx, r.inst, target, week, n)
}

// digestPart adds one repository's follow-ups (open: fus; closed in the
// last seven days: listed here) and postmortems owed to d; refs are
// prefixed with prefix ("acme/services" in an organization's digest).
func (r *run) digestPart(ctx context.Context, cfg *repoconfig.Config, now time.Time, fus []*github.Issue, owed []owedIncident, prefix string, d *render.DigestData) error {
	for _, is := range fus {
		o := render.DigestOpen{Ref: prefix + "#" + strconv.Itoa(is.GetNumber()), Title: is.GetTitle(), Owners: logins(is.Assignees)}
		if s, ok := render.Due(is.GetBody()); ok {
			o.Due, o.HasDue = parseDay(s)
		}
		if until, ok := render.Snoozed(is.GetBody()); ok && until >= now.UTC().Format("2006-01-02") {
			o.Snoozed = until
		}
		if inc, _, ok := ParseFollowUpMarker(is.GetBody()); ok {
			o.Incident = prefix + "#" + strconv.Itoa(inc)
		}
		d.Open = append(d.Open, o)
	}
	for _, o := range owed {
		w := render.DigestOwed{Ref: prefix + "#" + strconv.Itoa(o.issue.GetNumber()), Title: o.issue.GetTitle(), Severity: o.severity, Due: o.due}
		if o.pr != nil {
			w.PR = prefix + "#" + strconv.Itoa(o.pr.GetNumber())
		}
		d.Owed = append(d.Owed, w)
	}
	since := now.Add(-7 * 24 * time.Hour)
	closed, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{
			State: "closed", Labels: []string{cfg.FollowUps.Label}, Since: since, Sort: "updated", Direction: "desc", ListOptions: o,
		})
	})
	if err != nil {
		return fmt.Errorf("list closed follow-ups: %w", err)
	}
	for _, is := range closed {
		if _, _, ok := ParseFollowUpMarker(is.GetBody()); !ok || is.ClosedAt == nil || is.GetClosedAt().Time.Before(since) || !r.f.isBot(is.GetUser()) {
			continue
		}
		d.Closed = append(d.Closed, render.DigestClosed{Ref: prefix + "#" + strconv.Itoa(is.GetNumber()), Title: is.GetTitle(),
			Owners: logins(is.Assignees), NotPlanned: is.GetStateReason() == "not_planned"})
	}
	return nil
}

// writeDigest makes the run's repository's digest issue of target say body
// for week, once per week (a claim): the known issue is edited; unknown,
// the digest label's issues are searched for its marker, and only when
// none has it is the issue opened. It returns the issue's number.
func (r *run) writeDigest(ctx context.Context, target, week string, known int, title, body string) (int, error) {
	body = MarkerDigest(target) + "\n" + markerDigestWeek(week) + "\n" + body
	number := known
	_, err := r.createOnce(ctx, 0, "digest:"+target+":"+week, func(ctx context.Context) (string, error) {
		if number != 0 {
			_, _, err := r.gh.Issues.Edit(ctx, r.owner, r.repo, number, &github.IssueRequest{Body: bodyOf(body)})
			if err == nil {
				return strconv.Itoa(number), nil
			}
			if s := statusOf(err); s != http.StatusNotFound && s != http.StatusGone {
				return "", fmt.Errorf("edit digest #%d: %w", number, err)
			}
			number = 0 // deleted or moved: find or open it again
		}
		n, err := r.findOrOpenDigest(ctx, target, title, body)
		number = n
		return strconv.Itoa(n), err
	})
	if err != nil {
		return 0, err
	}
	if number == 0 { // done earlier this week by another pass
		number = known
	}
	r.emit("digest", number, "wrote the digest of %s for %s in #%d", target, week, number)
	return number, nil
}

// findOrOpenDigest edits the digest issue of target found by its marker
// among the digest label's issues, or opens it.
func (r *run) findOrOpenDigest(ctx context.Context, target, title, body string) (int, error) {
	all, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{State: "all", Labels: []string{DigestLabel}, ListOptions: o})
	})
	if err != nil {
		return 0, fmt.Errorf("list digest issues: %w", err)
	}
	for _, is := range all {
		if strings.HasPrefix(is.GetBody(), MarkerDigest(target)) && r.f.isBot(is.GetUser()) {
			if _, _, err := r.gh.Issues.Edit(ctx, r.owner, r.repo, is.GetNumber(), &github.IssueRequest{Body: bodyOf(body)}); err != nil {
				return 0, fmt.Errorf("edit digest #%d: %w", is.GetNumber(), err)
			}
			return is.GetNumber(), nil
		}
	}
	is, _, err := r.gh.Issues.Create(ctx, r.owner, r.repo, &github.IssueRequest{Title: github.String(title), Body: bodyOf(body),
		Labels: &[]string{DigestLabel}})
	if err != nil {
		return 0, errMaybeMade{fmt.Errorf("open the digest issue: %w", err)}
	}
	return is.GetNumber(), nil
}

// Digest writes this week's digest of an organization in its .github
// repository: the open follow-ups, postmortems owed and recent closings of
// its watched repositories whose configuration says digest: organization.
func (f *Flows) Digest(ctx context.Context, a jobs.DigestArgs) (*DigestResult, error) {
	res := &DigestResult{}
	if f.Watch == nil {
		res.Skipped = "no watch list"
		return res, nil
	}
	now, target := f.now(), a.Owner
	week := isoWeek(now)
	last, known, err := f.Watch.Digest(ctx, a.InstallationID, target)
	if err != nil || last == week {
		res.Skipped = "written this week"
		return res, err
	}
	repos, err := f.Watch.Repos(ctx, a.InstallationID)
	if err != nil {
		return nil, err
	}
	d := render.DigestData{Scope: "the " + a.Owner + " organization", Today: now}
	for _, rp := range repos {
		owner, name, _ := strings.Cut(rp.Name, "/")
		if owner != a.Owner || rp.Digest != checks.DigestOrganization {
			continue
		}
		if err := f.orgDigestPart(ctx, a.InstallationID, owner, name, now, &d); err != nil {
			return nil, err
		}
		res.Repos++
	}
	home, err := f.newRun(a.InstallationID, a.Owner, ".github", 0)
	if err != nil {
		return nil, err
	}
	n, err := home.writeDigest(ctx, target, week, known, "Postmortem follow-ups across "+a.Owner+": weekly digest", render.Digest(d))
	if s := statusOf(err); s == http.StatusNotFound || s == http.StatusForbidden || s == http.StatusGone {
		// No .github repository the App may write to: said once a week.
		f.log().Warn("organization digest: cannot write to the .github repository", "owner", a.Owner, "err", err)
		res.Skipped = "no writable " + a.Owner + "/.github repository"
		return res, f.Watch.SetDigest(ctx, a.InstallationID, target, week, 0)
	}
	if err != nil {
		return nil, err
	}
	res.Issue = n
	return res, f.Watch.SetDigest(ctx, a.InstallationID, target, week, n)
}

// orgDigestPart adds one repository of an organization's digest.
func (f *Flows) orgDigestPart(ctx context.Context, inst int64, owner, name string, now time.Time, d *render.DigestData) error {
	r, err := f.newRun(inst, owner, name, 0)
	if err != nil {
		return err
	}
	cfg, err := r.config(ctx)
	var ce *repoconfig.Error
	if errors.As(err, &ce) || statusOf(err) == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	fus, err := r.openFollowUpIssues(ctx, cfg)
	if err != nil {
		return err
	}
	owed, err := r.owedIncidents(ctx, cfg, now)
	if err != nil {
		return err
	}
	return r.digestPart(ctx, cfg, now, fus, owed, r.fullName(), d)
}
