package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// TrackingResult says what the tracking flow found or did.
type TrackingResult struct {
	Skipped         string
	Incident        int
	FollowUps       int
	Done            int
	Open            int // follow-ups still open
	Overdue         int // open follow-ups past their due date
	CommentChanged  bool
	Completed       bool // every follow-up is done
	IncidentClosed  bool // this run closed the incident
	LabelledDone    bool // this run added the complete label
	LabelRemovedNow bool // a follow-up reopened: this run removed the complete label
}

// Tracking reconciles the tracking of an incident after one of its
// follow-ups was closed or reopened (or the incident itself changed).
func (f *Flows) Tracking(ctx context.Context, a jobs.TrackingArgs) (*TrackingResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	incident := a.Incident
	var followUp *github.Issue // the follow-up whose state changed, when read
	if incident == 0 {
		is, resp, err := r.gh.Issues.Get(ctx, a.Owner, a.Repo, a.Number)
		if err != nil {
			if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
				return &TrackingResult{Skipped: "issue not found"}, nil
			}
			return nil, fmt.Errorf("get issue #%d: %w", a.Number, err)
		}
		m := reFollowUpMarker.FindStringSubmatch(is.GetBody())
		if m == nil || !f.isBot(is.GetUser()) {
			return &TrackingResult{Skipped: "not a follow-up"}, nil
		}
		incident, _ = strconv.Atoi(m[1])
		followUp = is
	}
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			// Retrying cannot help; the incident and PR flows tell people.
			return &TrackingResult{Skipped: "configuration is broken: " + ce.Error(), Incident: incident}, nil
		}
		return nil, err
	}
	if err := r.followUpChanged(ctx, cfg, followUp); err != nil {
		return nil, err
	}
	// One tracking run per incident at a time: runs for two follow-ups
	// closed together would otherwise read the follow-ups at different
	// moments, and the one that read earlier could write its older count
	// (and take the complete label away) after the other completed.
	ctx, unlock, err := r.lockIncident(ctx, incident, "lock:tracking")
	if err != nil {
		return nil, err
	}
	defer unlock()
	fus, err := r.listFollowUps(ctx, cfg, incident)
	if err != nil {
		return nil, err
	}
	comments, err := r.issueComments(ctx, incident)
	if err != nil {
		return nil, err
	}
	if r.findComment(comments, MarkerTracking(incident)) == nil {
		// The merge flow has not run (or not finished): it owns creation.
		return &TrackingResult{Skipped: "no tracking comment yet", Incident: incident}, nil
	}
	return r.tracking(ctx, cfg, incident, fus, comments, nil)
}

// tracking renders the incident's tracking comment from its follow-ups and
// edits it only when the text changed; when every follow-up is done it
// completes the incident (complete), and a follow-up reopened takes the
// complete label away again (reopened). unfiled are the action items the
// merge did not file (nil: as the comment says already).
func (r *run) tracking(ctx context.Context, cfg *repoconfig.Config, incident int, fus []*github.Issue, comments []*github.IssueComment, unfiled *render.Unfiled) (*TrackingResult, error) {
	sort.Slice(fus, func(i, j int) bool { return fus[i].GetNumber() < fus[j].GetNumber() })
	if unfiled == nil {
		u := render.UnfiledOf(r.findComment(comments, MarkerTracking(incident)).GetBody())
		unfiled = &u
	}
	t := render.TrackingComment(fus, r.f.now().UTC().Format("2006-01-02"), *unfiled)
	res := &TrackingResult{Incident: incident, FollowUps: len(fus), Done: t.Done, Open: t.Open, Overdue: t.Overdue}
	if err := r.knowIncidentFollowUps(ctx, incident, fus); err != nil {
		return res, err
	}
	body := MarkerTracking(incident) + "\n" + t.Body
	_, changed, err := r.upsertComment(ctx, comments, incident, incident, "comment:tracking", MarkerTracking(incident), body)
	if err != nil {
		return res, err
	}
	res.CommentChanged = changed
	if changed {
		r.emit("tracking", incident, "updated the tracking comment on incident #%d: %d of %d follow-ups done", incident, res.Done, len(fus))
	}
	finalPosted := r.findComment(comments, MarkerComplete(incident)) != nil
	if !t.AllDone && !finalPosted {
		// Never completed: the App never put the complete label on, so
		// there is nothing to take back (and no need to read the incident).
		return res, nil
	}
	inc, _, err := r.gh.Issues.Get(ctx, r.owner, r.repo, incident)
	if err != nil {
		return res, fmt.Errorf("get incident #%d: %w", incident, err)
	}
	if !t.AllDone {
		return res, r.reopened(ctx, cfg, inc, res)
	}
	return res, r.complete(ctx, cfg, inc, len(fus), finalPosted, res)
}

// reopened takes the complete label off an incident whose follow-up was
// reopened.
func (r *run) reopened(ctx context.Context, cfg *repoconfig.Config, inc *github.Issue, res *TrackingResult) error {
	label, incident := cfg.CompleteLabel, inc.GetNumber()
	if label == "" || !hasLabel(inc.Labels, label) {
		return nil
	}
	if _, err := r.gh.Issues.RemoveLabelForIssue(ctx, r.owner, r.repo, incident, label); err != nil && statusOf(err) != http.StatusNotFound {
		return fmt.Errorf("remove label %s from #%d: %w", label, incident, err)
	}
	res.LabelRemovedNow = true
	r.emit("tracking", incident, "a follow-up was reopened: removed %q from incident #%d", label, incident)
	return nil
}

// complete posts the completion comment once per incident (a reopen and
// re-close does not repeat it), labels the incident complete and closes it
// when configured.
func (r *run) complete(ctx context.Context, cfg *repoconfig.Config, inc *github.Issue, followUps int, finalPosted bool, res *TrackingResult) error {
	incident, label := inc.GetNumber(), cfg.CompleteLabel
	res.Completed = true
	if !finalPosted {
		final := MarkerComplete(incident) + "\n" + render.CompleteComment(followUps)
		_, made, err := r.commentOnce(ctx, incident, incident, "comment:complete", MarkerComplete(incident), final)
		if err != nil {
			return err
		}
		if made {
			r.emit("tracking", incident, "posted the completion comment on incident #%d", incident)
		}
	}
	if label != "" && !hasLabel(inc.Labels, label) {
		if _, _, err := r.gh.Issues.AddLabelsToIssue(ctx, r.owner, r.repo, incident, []string{label}); err != nil {
			return fmt.Errorf("label #%d %s: %w", incident, label, err)
		}
		res.LabelledDone = true
		r.emit("tracking", incident, "labelled incident #%d %q", incident, label)
	}
	if cfg.CloseIncident && inc.GetState() == "open" {
		if _, _, err := r.gh.Issues.Edit(ctx, r.owner, r.repo, incident, &github.IssueRequest{
			State: github.String("closed"), StateReason: github.String("completed"),
		}); err != nil {
			return fmt.Errorf("close incident #%d: %w", incident, err)
		}
		res.IncidentClosed = true
		r.emit("tracking", incident, "closed incident #%d", incident)
	}
	return nil
}

// followUpChanged keeps up what the reminders own on a follow-up whose
// state changed: closed, it loses the overdue label; reopened, its
// repository is watched again.
func (r *run) followUpChanged(ctx context.Context, cfg *repoconfig.Config, is *github.Issue) error {
	if is == nil {
		return nil
	}
	if is.GetState() == "open" {
		return r.watchRepo(ctx)
	}
	label := cfg.FollowUps.OverdueLabel
	if label == "" || !hasLabel(is.Labels, label) {
		return nil
	}
	if _, err := r.gh.Issues.RemoveLabelForIssue(ctx, r.owner, r.repo, is.GetNumber(), label); err != nil && statusOf(err) != http.StatusNotFound {
		return fmt.Errorf("remove label %s from #%d: %w", label, is.GetNumber(), err)
	}
	r.emit("tracking", is.GetNumber(), "follow-up #%d closed: removed %q", is.GetNumber(), label)
	return nil
}
