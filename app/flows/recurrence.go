package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks/record"
)

// The recurrence comment's claims: the comment (its id), or that nothing
// was similar when the incident was labelled. Either is the end of it.
const (
	claimRecurrence      = "recurrence:comment"
	claimRecurrenceQuiet = "recurrence:quiet"
	claimRecurrencePre   = "recurrence:"
)

// Bounds of the recurrence comment: the earlier incidents it names, the
// incident's text it reads for paths (description and comments), and the
// pages of open follow-up issues.
const (
	maxRecurrence          = 3
	maxRecurrenceText      = 64 << 10
	maxRecurrenceFollowUps = 3 // pages of 100
)

// RecurrenceResult says what the recurrence flow found or did.
type RecurrenceResult struct {
	Skipped  string // why no comment was posted ("nothing similar", …)
	Compared int    // postmortems of the record compared
	Earlier  []int  // the earlier incidents named (0: a postmortem naming none)
	Comment  int64  // the comment posted by this run
}

// Recurrence comments once on incident a.Number with the earlier
// incidents of the repository's record (postmortems/index.json, kept by
// the record flow on each merge) that look like it (record.Similar: the
// files, labels and title words they share), at most three, and their
// follow-ups open now; nothing when none is similar. A secondary write:
// the incident flow enqueues it once its own run is done. Once commented
// (or found nothing), the claim says so and later runs read nothing; the
// marker in the comment keeps it once without claims, or when a run's
// answer was lost.
func (f *Flows) Recurrence(ctx context.Context, a jobs.RecurrenceArgs) (*RecurrenceResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	return r.recurrence(ctx, a.Number)
}

func (r *run) recurrence(ctx context.Context, number int) (*RecurrenceResult, error) {
	if done, err := r.recurrenceDone(ctx, number); err != nil || done {
		return &RecurrenceResult{Skipped: "already looked"}, err
	}
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			return &RecurrenceResult{Skipped: "configuration is broken"}, nil
		}
		return nil, err
	}
	// The record first: without an earlier postmortem nothing can be
	// similar, and the repository's first incidents cost one read.
	dir := strings.Trim(path.Clean("/"+cfg.Directory), "/")
	ix, err := r.readRecord(ctx, dir)
	if err != nil {
		return nil, err
	}
	var entries []record.Entry
	for _, e := range ix.Postmortems {
		if r.entryIncident(&e) != number {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return &RecurrenceResult{Skipped: "nothing similar"}, r.recurrenceMark(ctx, number, claimRecurrenceQuiet, "quiet")
	}
	var (
		issue            *github.Issue
		resp             *github.Response
		issueErr, comErr error
		comments         []*github.IssueComment
	)
	g := r.group()
	g.Go(func() error { issue, resp, issueErr = r.gh.Issues.Get(ctx, r.owner, r.repo, number); return nil })
	g.Go(func() error { comments, comErr = r.issueComments(ctx, number); return nil })
	_ = g.Wait()
	if issueErr != nil {
		if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
			return &RecurrenceResult{Skipped: "issue not found"}, nil
		}
		return nil, fmt.Errorf("get issue #%d: %w", number, issueErr)
	}
	if issue.IsPullRequest() || issue.GetState() != "open" || !hasLabel(issue.Labels, cfg.IncidentLabel) {
		return &RecurrenceResult{Skipped: "not an open incident"}, nil
	}
	if comErr != nil {
		return nil, comErr
	}
	if c := r.findComment(comments, MarkerRecurrence(number)); c != nil {
		return &RecurrenceResult{Skipped: "already commented"}, r.recurrenceMark(ctx, number, claimRecurrence, strconv.FormatInt(c.GetID(), 10))
	}
	return r.recurrenceComment(ctx, issue, comments, cfg, dir, entries)
}

// recurrenceComment compares the incident with the record's entries and
// posts the comment, or records that nothing was similar.
func (r *run) recurrenceComment(ctx context.Context, issue *github.Issue, comments []*github.IssueComment, cfg *repoconfig.Config, dir string, entries []record.Entry) (*RecurrenceResult, error) {
	number := issue.GetNumber()
	res := &RecurrenceResult{Compared: len(entries)}
	matches := record.Similar(recurrenceIncident(r, issue, comments), entries, []string{cfg.IncidentLabel, cfg.FollowUps.Label}, maxRecurrence)
	if len(matches) == 0 {
		res.Skipped = "nothing similar"
		return res, r.recurrenceMark(ctx, number, claimRecurrenceQuiet, "quiet")
	}
	open, err := r.openFollowUpsByIncident(ctx, cfg.FollowUps.Label)
	if err != nil {
		return nil, err
	}
	repo := repoWebURL(issue)
	var earlier []render.Earlier
	for _, m := range matches {
		e := m.Entry
		n := r.entryIncident(&e)
		res.Earlier = append(res.Earlier, n)
		it := render.Earlier{Incident: n, Title: e.Title, Severity: e.Severity, Files: m.Files, Labels: m.Labels, Words: m.Words,
			Fixed: fixedOnly(m.Files, e)}
		if d := e.Date(); !d.IsZero() {
			it.Date = d.Format("2006-01-02")
		}
		if repo != "" {
			it.URL = repo + "/blob/HEAD/" + (&url.URL{Path: path.Join(dir, e.Path)}).EscapedPath()
		}
		if n > 0 {
			it.Open = open[n]
		}
		earlier = append(earlier, it)
	}
	body := MarkerRecurrence(number) + "\n" + render.RecurrenceComment(earlier, len(entries), path.Join(dir, RecordJSON))
	c, posted, err := r.commentOnce(ctx, number, number, claimRecurrence, MarkerRecurrence(number), body)
	if err != nil {
		return nil, err
	}
	if posted {
		res.Comment = c.GetID()
	}
	if res.Comment != 0 {
		r.emit("recurrence", number, "commented on #%d with %s that look like it", number, render.Plural(len(earlier), "earlier incident", "earlier incidents"))
	}
	return res, nil
}

// recurrenceIncident is what the incident is compared on: its title, its
// labels and the paths its description and people's comments name (the
// first 64 KiB of them).
func recurrenceIncident(r *run, issue *github.Issue, comments []*github.IssueComment) record.Incident {
	in := record.Incident{Title: issue.GetTitle()}
	for _, l := range issue.Labels {
		in.Labels = append(in.Labels, l.GetName())
	}
	text := issue.GetBody()
	for _, c := range comments {
		if len(text) >= maxRecurrenceText {
			break
		}
		if !r.f.isBot(c.GetUser()) {
			text += "\n" + c.GetBody()
		}
	}
	if len(text) > maxRecurrenceText {
		text = text[:maxRecurrenceText]
	}
	in.Files = record.Paths(text, maxNamedFiles)
	return in
}

// readRecord reads the record's index.json from the default branch (one
// read, a 304 while it is unchanged); none yet is an empty record.
func (r *run) readRecord(ctx context.Context, dir string) (*record.Index, error) {
	p := path.Join(dir, RecordJSON)
	fc, _, resp, err := r.gh.Repositories.GetContents(ctx, r.owner, r.repo, p, nil)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return record.Build(nil), nil
		}
		return nil, fmt.Errorf("get %s: %w", p, err)
	}
	if fc == nil {
		return record.Build(nil), nil // a directory
	}
	if fc.GetSize() > record.MaxIndexBytes {
		r.f.log().Warn("the record's index.json is too large; no earlier incident compared", "repo", r.fullName(), "bytes", fc.GetSize())
		return record.Build(nil), nil
	}
	var src []byte
	if fc.GetEncoding() == "none" || (fc.Content == nil && fc.GetSize() > 0) {
		// Over 1 MB the contents API sends no content: its blob has it.
		if src, err = r.blob(ctx, fc.GetSHA()); err != nil {
			return nil, err
		}
	} else {
		s, err := fc.GetContent()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		src = []byte(s)
	}
	ix, err := record.ParseIndex(src)
	if err != nil {
		r.f.log().Warn("the record's index.json is unreadable; no earlier incident compared", "repo", r.fullName(), "err", err)
		return record.Build(nil), nil
	}
	return ix, nil
}

// openFollowUpsByIncident are the open follow-up issues by the incident their
// marker names, sorted (at most maxRecurrenceFollowUps pages).
func (r *run) openFollowUpsByIncident(ctx context.Context, label string) (map[int][]int, error) {
	out := map[int][]int{}
	opts := &github.IssueListByRepoOptions{State: "open", Labels: []string{label}, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxRecurrenceFollowUps; page++ {
		list, resp, err := r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list follow-up issues: %w", err)
		}
		for _, is := range list {
			if n, _, ok := ParseFollowUpMarker(is.GetBody()); ok && !is.IsPullRequest() {
				out[n] = append(out[n], is.GetNumber())
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	for _, ns := range out {
		sort.Ints(ns)
	}
	return out, nil
}

// recurrenceDone says whether an earlier run commented or found nothing
// similar (one read of the claims; without claims, never).
func (r *run) recurrenceDone(ctx context.Context, number int) (bool, error) {
	if r.f.Claims == nil {
		return false, nil
	}
	scope, err := r.claimKey(ctx, number, "")
	if err != nil {
		return false, err
	}
	done, err := r.f.Claims.Results(ctx, scope, claimRecurrencePre)
	return len(done) > 0, err
}

// recurrenceMark records the end of the recurrence of incident number.
func (r *run) recurrenceMark(ctx context.Context, number int, item, result string) error {
	if r.f.Claims == nil {
		return nil
	}
	key, err := r.claimKey(ctx, number, item)
	if err != nil {
		return err
	}
	return r.f.Claims.MarkDone(context.WithoutCancel(ctx), key, result)
}

// fixedOnly are the files of shared that e has only from the fixes of its
// follow-ups (Entry.FollowUpFiles): the postmortem never names them and
// its suspect changes did not touch them.
func fixedOnly(shared []string, e record.Entry) []string {
	var out []string
	for _, f := range shared {
		in := func(xs []string) bool {
			return slices.ContainsFunc(xs, func(x string) bool { return strings.TrimSpace(x) == f })
		}
		if in(e.FollowUpFiles) && !in(e.Files) && !in(e.Touched) {
			out = append(out, f)
		}
	}
	return out
}
