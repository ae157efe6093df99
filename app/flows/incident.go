package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/blameless"
	"github.com/postmortem-app/postmortem/templates"
)

// IncidentResult says what the incident flow found or did.
type IncidentResult struct {
	Skipped     string // why nothing was done ("" when the incident was handled)
	PullRequest int    // the postmortem pull request
	Branch      string
	Path        string // the postmortem file
	Created     bool   // this run published the branch or opened the pull request
	Checks      *PullRequestResult
	// Enqueued: the recurrence comment's job (a secondary write, after
	// this run), until an earlier one commented or found nothing similar.
	Enqueued []jobs.Args
}

// Incident reconciles an incident issue with its postmortem pull request:
// an open issue carrying the incident label gets a branch
// postmortem/<number>-<slug> with the postmortem drafted from the template,
// a pull request from it, its assignees as reviewers and one comment on the
// incident pointing to it. What exists already is kept; what is missing is
// completed.
func (f *Flows) Incident(ctx context.Context, a jobs.IncidentArgs) (*IncidentResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	res, err := r.incident(ctx, a)
	if errors.Is(err, errStop) {
		return &IncidentResult{Skipped: "a problem was reported on the incident"}, nil
	}
	if res != nil && r.wantRecurrence {
		res.Enqueued = append(res.Enqueued, jobs.RecurrenceArgs{InstallationID: a.InstallationID, Owner: a.Owner, Repo: a.Repo, RepoID: r.repoID, Number: a.Number})
	}
	return res, err
}

// claimSettled is the claim item recorded once the incident's pull request
// is opened, its reviewers requested, its checks made and the pointer
// comment posted: the commit point of the incident flow.
const claimSettled = "incident:settled"

// claimOpened is recorded as soon as the incident's pull request is opened
// (or found), before the pointer comment: a retry that finds no pointer
// still knows its pull request when people have since merged it and
// deleted its branch, and never drafts a second one.
const claimOpened = "incident:opened"

// aheadReads are the draft's reads made in parallel with the incident
// flow's first reads, on the delivery's hints (see IncidentArgs).
type aheadReads struct {
	branch            string // the default branch, as the delivery named it
	refs              []*github.Reference
	refsErr           error
	events            []*github.Timeline
	eventsErr         error
	baseSHA, baseTree string
	baseErr           error
}

func (r *run) incident(ctx context.Context, a jobs.IncidentArgs) (*IncidentResult, error) {
	number := a.Number
	// Settled: an earlier run finished everything (a redelivery, an edit of
	// the issue); nothing to read ahead. Without claims the pointer comment
	// alone says so.
	settled, opened, recurred, err := r.progress(ctx, number)
	if err != nil {
		return nil, err
	}
	fr := r.firstReads(ctx, a, settled)
	issue, cfg, skip, err := r.incidentIssue(ctx, number, fr)
	if skip != nil || err != nil {
		return skip, err
	}
	r.wantRecurrence = !recurred
	if fr.commentsErr != nil {
		return nil, fr.commentsErr
	}
	// The pointer comment says the pull request was opened: it is never
	// opened again. Settled, nothing is left to do; otherwise the run that
	// posted it may have stopped before the reviewers or the checks (they
	// go in parallel), and this one finishes them.
	if c := r.findComment(fr.comments, MarkerPointer(number)); c != nil {
		res := &IncidentResult{Skipped: "postmortem pull request already opened"}
		if m := rePointerPR.FindStringSubmatch(c.GetBody()); m != nil {
			res.PullRequest, _ = strconv.Atoi(m[1])
		}
		if settled || r.f.Claims == nil || res.PullRequest == 0 {
			return res, nil
		}
		return res, r.finishPointed(ctx, issue, res)
	}
	if err := r.configFixed(ctx, fr.comments); err != nil {
		return nil, err
	}
	res := &IncidentResult{}
	pr, err := r.openedEarlier(ctx, opened, res)
	if err != nil {
		return nil, err
	}
	if pr == nil {
		// The incident's people (display names read meanwhile) go in the
		// pull request for its checks.
		var people []blameless.Person
		pg := r.group()
		pg.Go(func() error { people = r.incidentPeople(ctx, issue, fr.comments); return nil })
		base, publishedNow, err := r.draftBranch(ctx, issue, cfg, fr.ahead, res)
		_ = pg.Wait()
		if err != nil {
			return nil, err
		}
		if pr, err = r.postmortemPR(ctx, issue, base, publishedNow, people, res); err != nil {
			return nil, err
		}
		if err := r.noteOpened(ctx, number, pr.GetNumber()); err != nil {
			return res, err
		}
	}
	// The reviewers, the checks of the draft and the pointer comment on the
	// incident are independent: together. The run is settled once all three
	// are done; a retry after a failure of one finds the pointer, opens
	// nothing again and finishes the others (finishPointed).
	body := fmt.Sprintf("%s\nA blameless postmortem for this incident is being drafted in #%d (branch `%s`).\n\n"+
		"Fill in the TODOs there: the checks `postmortem/completeness` and `postmortem/blameless` say what is still missing. "+
		"When it is merged, each action item becomes a follow-up issue linked here.",
		MarkerPointer(number), pr.GetNumber(), res.Branch)
	err = r.reviewersAndChecks(ctx, pr, issue, res, func() error {
		_, created, err := r.upsertComment(ctx, fr.comments, number, number, "comment:pr", MarkerPointer(number), body)
		if created {
			r.emit("incident", number, "commented on incident #%d with a link to #%d", number, pr.GetNumber())
		}
		return err
	})
	if err != nil {
		return res, err
	}
	return res, r.settle(ctx, number, pr.GetNumber())
}

// firstReads are the incident flow's first reads, made together.
type firstReads struct {
	issue       *github.Issue
	resp        *github.Response
	issueErr    error
	comments    []*github.IssueComment
	commentsErr error
	ahead       *aheadReads
}

// firstReads reads what does not depend on anything else together: the
// issue, the configuration (a 304 once seen) and the comments (is the
// pointer there?). The comments are read ahead of knowing the issue is an
// incident, which costs a read on other labelled issues (a 304 once seen)
// and saves the reviewer a round trip. When the delivery said the issue
// carries the incident label and nothing is settled yet, what the draft
// needs goes too: the branches of an earlier run, the issue's timeline and
// the head of the default branch the delivery named.
func (r *run) firstReads(ctx context.Context, a jobs.IncidentArgs, settled bool) *firstReads {
	fr := &firstReads{}
	if !settled && a.DefaultBranch != "" && slices.Contains(a.Labels, r.f.incidentLabel(r)) {
		fr.ahead = &aheadReads{branch: a.DefaultBranch}
	}
	g := r.group()
	g.Go(func() error {
		fr.issue, fr.resp, fr.issueErr = r.gh.Issues.Get(ctx, r.owner, r.repo, a.Number)
		return nil
	})
	g.Go(func() error { _, _ = r.config(ctx); return nil })
	g.Go(func() error { fr.comments, fr.commentsErr = r.issueComments(ctx, a.Number); return nil })
	if ahead := fr.ahead; ahead != nil {
		g.Go(func() error { ahead.refs, ahead.refsErr = r.matchingRefs(ctx, a.Number); return nil })
		g.Go(func() error { ahead.events, ahead.eventsErr = r.timeline(ctx, a.Number); return nil })
		g.Go(func() error {
			ahead.baseSHA, ahead.baseTree, ahead.baseErr = r.branchHead(ctx, a.DefaultBranch)
			return nil
		})
	}
	_ = g.Wait()
	return fr
}

// incidentIssue is the issue and its configuration when the issue is an
// open incident; otherwise a result saying why it is skipped (a broken
// configuration is reported on an issue that carries its incident label).
func (r *run) incidentIssue(ctx context.Context, number int, fr *firstReads) (*github.Issue, *repoconfig.Config, *IncidentResult, error) {
	issue := fr.issue
	if err := fr.issueErr; err != nil {
		if fr.resp != nil && (fr.resp.StatusCode == http.StatusNotFound || fr.resp.StatusCode == http.StatusGone) {
			return nil, nil, &IncidentResult{Skipped: "issue not found"}, nil
		}
		return nil, nil, nil, fmt.Errorf("get issue #%d: %w", number, err)
	}
	switch {
	case issue.IsPullRequest():
		return nil, nil, &IncidentResult{Skipped: "a pull request"}, nil
	case issue.GetState() != "open":
		return nil, nil, &IncidentResult{Skipped: "issue is closed"}, nil
	case len(issue.Labels) == 0:
		return nil, nil, &IncidentResult{Skipped: "issue has no labels"}, nil
	}
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) && hasLabel(issue.Labels, ce.IncidentLabel) {
			return nil, nil, &IncidentResult{Skipped: "configuration is broken"}, r.reportConfigError(ctx, number, ce)
		}
		return nil, nil, nil, err
	}
	r.f.rememberIncidentLabel(r, cfg.IncidentLabel)
	if !hasLabel(issue.Labels, cfg.IncidentLabel) {
		return nil, nil, &IncidentResult{Skipped: "not labelled " + cfg.IncidentLabel}, nil
	}
	if len(cfg.Postmortem.RequiredFor) > 0 {
		// Its postmortem may come to be owed: the reminder pass visits.
		if err := r.watchRepo(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	return issue, cfg, nil, nil
}

// configFixed says (once) on the comment that reported a broken
// configuration that it is fixed now, since the flow got this far.
func (r *run) configFixed(ctx context.Context, comments []*github.IssueComment) error {
	c := r.findComment(comments, MarkerConfigError)
	if c == nil {
		return nil
	}
	resolved := MarkerConfigError + "\n~~The postmortem configuration had a problem.~~ It is fixed now; drafting the postmortem."
	if c.GetBody() == resolved {
		return nil
	}
	if _, _, err := r.gh.Issues.EditComment(ctx, r.owner, r.repo, c.GetID(), &github.IssueComment{Body: github.String(resolved)}); err != nil {
		return fmt.Errorf("edit comment: %w", err)
	}
	return nil
}

// draftBranch finds the branch of an earlier run (whatever the title was
// then), and meanwhile prepares the draft (template, timeline, base
// branch): reads only, wasted when an earlier run's branch exists. Read
// ahead, only the template is left (none for a built-in one). Without a
// branch, it publishes the draft. It returns the pull request's base (the
// branch the draft was made on) and whether it published the branch now.
func (r *run) draftBranch(ctx context.Context, issue *github.Issue, cfg *repoconfig.Config, ahead *aheadReads, res *IncidentResult) (base string, publishedNow bool, err error) {
	number := issue.GetNumber()
	var (
		refs    []*github.Reference
		prep    *draftPrep
		prepErr error
	)
	if ahead != nil {
		refs, err = ahead.refs, ahead.refsErr
		prep, prepErr = r.prepareDraft(ctx, issue, cfg, ahead)
	} else {
		g := r.group()
		g.Go(func() error { refs, err = r.matchingRefs(ctx, number); return nil })
		g.Go(func() error { prep, prepErr = r.prepareDraft(ctx, issue, cfg, nil); return nil })
		_ = g.Wait()
	}
	if err != nil && statusOf(err) != http.StatusNotFound {
		return "", false, fmt.Errorf("list branches: %w", err)
	}
	prefix := fmt.Sprintf("postmortem/%d-", number)
	for _, ref := range refs {
		if b := strings.TrimPrefix(ref.GetRef(), "refs/heads/"); strings.HasPrefix(b, prefix) {
			res.Branch = b
			break
		}
	}
	if res.Branch == "" {
		if prepErr != nil {
			return "", false, r.configProblem(ctx, number, prepErr)
		}
		branch, file, created, err := r.publishDraft(ctx, issue, cfg, prep)
		if err != nil {
			return "", false, err
		}
		res.Branch, res.Path, publishedNow = branch, file, created
		res.Created = created
	}
	if prep != nil && prepErr == nil {
		return prep.base, publishedNow, nil
	}
	repo, err := r.repository(ctx)
	if err != nil {
		return "", false, err
	}
	return repo.GetDefaultBranch(), publishedNow, nil
}

// postmortemPR finds the pull request of res.Branch, or opens it against
// base (a branch this run published has none yet).
func (r *run) postmortemPR(ctx context.Context, issue *github.Issue, base string, publishedNow bool, people []blameless.Person, res *IncidentResult) (*github.PullRequest, error) {
	var pr *github.PullRequest
	if !publishedNow {
		var err error
		if pr, err = r.findPR(ctx, res.Branch); err != nil {
			return nil, err
		}
	}
	if pr == nil {
		var created bool
		var err error
		if pr, created, err = r.openPR(ctx, issue, res.Branch, base, people); err != nil {
			return nil, err
		}
		res.Created = res.Created || created
		if created {
			r.emit("incident", issue.GetNumber(), "opened postmortem pull request #%d from %s", pr.GetNumber(), res.Branch)
		}
	}
	res.PullRequest = pr.GetNumber()
	return pr, nil
}

// finishPointed completes a run that posted the pointer comment but did not
// settle: the reviewers and the checks of the pull request the pointer names
// (both free when already done), never a second branch or pull request.
func (r *run) finishPointed(ctx context.Context, issue *github.Issue, res *IncidentResult) error {
	pr, resp, err := r.gh.PullRequests.Get(ctx, r.owner, r.repo, res.PullRequest)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return r.settle(ctx, issue.GetNumber(), res.PullRequest)
		}
		return fmt.Errorf("get pull request #%d: %w", res.PullRequest, err)
	}
	if !r.f.isBot(pr.GetUser()) {
		// Not the App's pull request: nothing of it is the App's to touch.
		res.Skipped = "the pointer names a pull request the App did not open"
		return nil
	}
	if err := r.reviewersAndChecks(ctx, pr, issue, res, nil); err != nil {
		return err
	}
	return r.settle(ctx, issue.GetNumber(), res.PullRequest)
}

// reviewersAndChecks requests the incident's assignees as reviewers of pr
// and makes its check runs (when it is open), and runs also (when not nil),
// all three in parallel.
func (r *run) reviewersAndChecks(ctx context.Context, pr *github.PullRequest, issue *github.Issue, res *IncidentResult, also func() error) error {
	var revErr, checkErr, alsoErr error
	g := r.group()
	if pr.GetState() == "open" {
		g.Go(func() error { revErr = r.requestReviewers(ctx, pr, issue); return nil })
		g.Go(func() error { res.Checks, checkErr = r.pullRequest(ctx, pr, false); return nil })
	}
	if also != nil {
		g.Go(func() error { alsoErr = also(); return nil })
	}
	_ = g.Wait()
	return errors.Join(revErr, checkErr, alsoErr)
}

// progress reports what earlier runs recorded of the incident: settled,
// the pull request they opened (0: none recorded), and whether the
// recurrence comment was made (or nothing was similar), in one read.
func (r *run) progress(ctx context.Context, number int) (settled bool, opened int, recurred bool, err error) {
	if r.f.Claims == nil {
		return false, 0, false, nil
	}
	scope, err := r.claimKey(ctx, number, "")
	if err != nil {
		return false, 0, false, err
	}
	done, err := r.f.Claims.Results(ctx, scope, "")
	if err != nil {
		return false, 0, false, err
	}
	opened, _ = strconv.Atoi(strings.TrimPrefix(done[claimOpened], "#"))
	recurred = done[claimRecurrence] != "" || done[claimRecurrenceQuiet] != ""
	return done[claimSettled] != "", opened, recurred, nil
}

// noteOpened records the pull request an incident's run opened or found.
func (r *run) noteOpened(ctx context.Context, number, pr int) error {
	if r.f.Claims == nil {
		return nil
	}
	key, err := r.claimKey(ctx, number, claimOpened)
	if err != nil {
		return err
	}
	return r.f.Claims.MarkDone(context.WithoutCancel(ctx), key, "#"+strconv.Itoa(pr))
}

// openedEarlier returns the pull request an earlier run opened (recorded
// before its pointer comment failed), whatever its state or branch now; nil
// when none was recorded or GitHub no longer has it.
func (r *run) openedEarlier(ctx context.Context, number int, res *IncidentResult) (*github.PullRequest, error) {
	if number == 0 {
		return nil, nil
	}
	pr, resp, err := r.gh.PullRequests.Get(ctx, r.owner, r.repo, number)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("get pull request #%d: %w", number, err)
	}
	res.Branch, res.PullRequest = pr.GetHead().GetRef(), number
	return pr, nil
}

// settle records that the incident's pull request is complete.
func (r *run) settle(ctx context.Context, number, pr int) error {
	if r.f.Claims == nil {
		return nil
	}
	key, err := r.claimKey(ctx, number, claimSettled)
	if err != nil {
		return err
	}
	return r.f.Claims.MarkDone(context.WithoutCancel(ctx), key, "#"+strconv.Itoa(pr))
}

// matchingRefs lists the branches an earlier run of incident number may
// have published (postmortem/<number>-…). The endpoint answers every match
// at once: it takes no page or per_page (GitHub's description).
func (r *run) matchingRefs(ctx context.Context, number int) ([]*github.Reference, error) {
	prefix := fmt.Sprintf("heads/postmortem/%d-", number)
	refs, _, err := r.gh.Git.ListMatchingRefs(ctx, r.owner, r.repo, &github.ReferenceListOptions{Ref: prefix})
	return refs, err
}

// timeline reads the whole timeline of issue number.
func (r *run) timeline(ctx context.Context, number int) ([]*github.Timeline, error) {
	events, err := listAll(ctx, func(o github.ListOptions) ([]*github.Timeline, *github.Response, error) {
		return r.gh.Issues.ListIssueTimeline(ctx, r.owner, r.repo, number, &o)
	})
	if err != nil {
		return nil, fmt.Errorf("read the timeline of #%d: %w", number, err)
	}
	return events, nil
}

// draftPrep is what publishing the draft needs, read ahead: the rendered
// postmortem, its path, and the branch it goes on with its head commit and
// tree.
type draftPrep struct {
	doc               []byte
	file              string
	base              string
	baseSHA, baseTree string
}

// prepareDraft renders the postmortem and reads the base it goes on; the
// template, the timeline and the default branch are read in parallel (or
// were read ahead). Reads only: a configuration problem is returned (as a
// *RepoConfigError), not reported, so that it is reported only when the
// draft is needed.
func (r *run) prepareDraft(ctx context.Context, issue *github.Issue, cfg *repoconfig.Config, ahead *aheadReads) (*draftPrep, error) {
	number := issue.GetNumber()
	var (
		tmpl            []byte
		events          []*github.Timeline
		tmplErr, evErr  error
		base            string
		baseSHA, baseTr string
		baseErr         error
	)
	g := r.group()
	g.Go(func() error { tmpl, _, tmplErr = r.template(ctx, cfg); return nil })
	var look *lookBackReads
	g.Go(func() error { look = r.readLookBack(ctx, issue, cfg.LookBack.Duration()); return nil })
	if ahead != nil {
		events, evErr = ahead.events, ahead.eventsErr
		base, baseSHA, baseTr, baseErr = ahead.branch, ahead.baseSHA, ahead.baseTree, ahead.baseErr
	} else {
		g.Go(func() error { events, evErr = r.timeline(ctx, number); return nil })
	}
	if ahead == nil || errors.Is(baseErr, errNoBranch) {
		// Not read ahead, or the delivery's default branch is gone (renamed
		// since): the repository says which it is now.
		g.Go(func() error {
			repo, err := r.repository(ctx)
			if err != nil {
				baseErr = err
				return nil
			}
			base = repo.GetDefaultBranch()
			baseSHA, baseTr, baseErr = r.branchHead(ctx, base)
			return nil
		})
	}
	_ = g.Wait()
	if tmplErr != nil {
		return nil, tmplErr
	}
	if evErr != nil {
		return nil, evErr
	}
	doc, err := r.renderDraft(issue, events, tmpl, look, base, cfg)
	if err != nil {
		return nil, err
	}
	slug := render.Slug(issue.GetTitle())
	created0 := issue.GetCreatedAt().Time.UTC()
	name, err := cfg.FileName(checks.FilenameData{
		Date: created0.Format("2006-01-02"), Year: created0.Format("2006"), Month: created0.Format("01"), Day: created0.Format("02"),
		Number: number, Slug: slug, Title: issue.GetTitle(),
	})
	if err != nil {
		return nil, cfg.Errorf("filename: %v", err)
	}
	if baseErr != nil {
		return nil, baseErr
	}
	return &draftPrep{doc: doc, file: path.Join(strings.Trim(cfg.Directory, "/"), name),
		base: base, baseSHA: baseSHA, baseTree: baseTr}, nil
}

// renderDraft renders the template for the incident, with the changes
// before it in the timeline and in a section of their own after it.
func (r *run) renderDraft(issue *github.Issue, events []*github.Timeline, tmpl []byte, look *lookBackReads, base string, cfg *repoconfig.Config) ([]byte, error) {
	lb, err := look.changes(events, base)
	if err != nil {
		return nil, err
	}
	inc := render.Incident(issue, events, r.fullName(), r.f.Bot())
	if lb != nil {
		inc.Timeline = append(inc.Timeline, lb.Timeline()...)
	}
	doc, err := templates.Render(tmpl, inc)
	if err != nil {
		return nil, cfg.Errorf("template %s does not render: %v", cfg.Template, err)
	}
	if lb == nil {
		return doc, nil // look_back: off
	}
	return render.InsertSection(doc, render.ChangesSection(lb)), nil
}

// errNoBranch: the branch does not exist.
var errNoBranch = errors.New("no such branch")

// branchHead is the head commit of branch and its tree.
func (r *run) branchHead(ctx context.Context, branch string) (sha, tree string, err error) {
	b, resp, err := r.gh.Repositories.GetBranch(ctx, r.owner, r.repo, branch, 1)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			err = errNoBranch
		}
		return "", "", fmt.Errorf("get branch %s: %w", branch, err)
	}
	sha = b.GetCommit().GetSHA()
	tree = b.GetCommit().GetCommit().GetTree().GetSHA()
	if tree == "" {
		// Without a base tree the new tree would hold the postmortem only,
		// and the branch would delete every other file. GitHub always sends
		// it; an answer without it (emulate@0.12.2) costs one more read.
		c, _, err := r.gh.Git.GetCommit(ctx, r.owner, r.repo, sha)
		if err != nil {
			return "", "", fmt.Errorf("get commit %s: %w", sha, err)
		}
		if tree = c.GetTree().GetSHA(); tree == "" {
			return "", "", fmt.Errorf("commit %s of branch %s has no tree", sha, branch)
		}
	}
	return sha, tree, nil
}

// publishDraft writes the prepared postmortem in a commit on top of the
// default branch and publishes branch postmortem/<n>-<slug> pointing at it.
// Creating the ref is atomic and comes last: a branch never exists
// half-built, and "Reference already exists" means another worker won.
func (r *run) publishDraft(ctx context.Context, issue *github.Issue, cfg *repoconfig.Config, prep *draftPrep) (branch, file string, created bool, err error) {
	number := issue.GetNumber()
	branch = fmt.Sprintf("postmortem/%d-%s", number, render.Slug(issue.GetTitle()))
	file, doc, baseSHA, baseTree := prep.file, prep.doc, prep.baseSHA, prep.baseTree
	tree, _, err := r.gh.Git.CreateTree(ctx, r.owner, r.repo, baseTree, []*github.TreeEntry{{
		Path: github.String(file), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(string(doc)),
	}})
	if err != nil {
		return "", "", false, fmt.Errorf("create tree: %w", err)
	}
	commit, _, err := r.gh.Git.CreateCommit(ctx, r.owner, r.repo, &github.Commit{
		Message: github.String(fmt.Sprintf("Draft the postmortem of #%d: %s", number, render.CommitLine(issue.GetTitle(), 72))),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.String(baseSHA)}},
	}, nil)
	if err != nil {
		return "", "", false, fmt.Errorf("create commit: %w", err)
	}
	_, _, err = r.gh.Git.CreateRef(ctx, r.owner, r.repo, &github.Reference{
		Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: commit.SHA},
	})
	if err != nil {
		if statusOf(err) == http.StatusUnprocessableEntity && errorMentions(err, "already exists") {
			return branch, file, false, nil // another worker published it first
		}
		return "", "", false, fmt.Errorf("create branch %s: %w", branch, err)
	}
	if len(doc) <= repoconfig.MaxFileBytes {
		r.drafted = &draftedFile{commit: commit.GetSHA(), path: file, src: doc}
	}
	r.emit("incident", number, "drafted %s from the %s template on branch %s", file, cfg.Template, branch)
	return branch, file, true, nil
}

// configProblem reports a configuration error on the incident and returns
// nil for it (retrying cannot fix it); other errors pass through.
func (r *run) configProblem(ctx context.Context, number int, err error) error {
	var ce *repoconfig.Error
	if errors.As(err, &ce) {
		if rerr := r.reportConfigError(ctx, number, ce); rerr != nil {
			return rerr
		}
		return errStop
	}
	return err
}

// errStop ends a flow without error after it reported a problem to people.
var errStop = errors.New("stopped: reported to the user")

// reportConfigError puts (or updates) one comment on the incident saying
// what is wrong with the configuration and where.
func (r *run) reportConfigError(ctx context.Context, number int, ce *repoconfig.Error) error {
	comments, err := r.issueComments(ctx, number)
	if err != nil {
		return err
	}
	where := ce.Where()
	body := fmt.Sprintf("%s\n**The postmortem configuration has a problem, so no postmortem was drafted.**\n\n"+
		"%s\nFix the file on the default branch, then remove and re-add the incident label (or edit this issue) to try again.",
		MarkerConfigError, render.ConfigProblems(ce))
	_, changed, err := r.upsertComment(ctx, comments, number, number, "comment:config-error", MarkerConfigError, body)
	if err != nil {
		return err
	}
	if changed {
		r.emit("incident", number, "reported a broken configuration on #%d (%s)", number, where)
	}
	return nil
}

// findPR returns the pull request (any state) whose head is branch.
func (r *run) findPR(ctx context.Context, branch string) (*github.PullRequest, error) {
	prs, _, err := r.gh.PullRequests.List(ctx, r.owner, r.repo, &github.PullRequestListOptions{
		State: "all", Head: r.owner + ":" + branch, ListOptions: github.ListOptions{PerPage: 10},
	})
	if err != nil {
		return nil, fmt.Errorf("list pull requests of %s: %w", branch, err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == branch {
			return pr, nil
		}
	}
	return nil, nil
}

// openPR opens the postmortem pull request; when another worker opened it
// first (422 "already exists") it finds that one.
func (r *run) openPR(ctx context.Context, issue *github.Issue, branch, base string, people []blameless.Person) (*github.PullRequest, bool, error) {
	n := issue.GetNumber()
	body := fmt.Sprintf("Blameless postmortem of incident #%d, drafted from the incident's history.\n\n"+
		"- [ ] Replace every TODO (the `postmortem/completeness` check lists them)\n"+
		"- [ ] Keep the wording blameless (the `postmortem/blameless` check suggests rewordings)\n"+
		"- [ ] List the action items with an owner and a due date: each becomes a follow-up issue on merge\n\n%s",
		n, MarkerIncidentPR(n))
	if m := markerPeople(people); m != "" {
		body += "\n" + m
	}
	pr, _, err := r.gh.PullRequests.Create(ctx, r.owner, r.repo, &github.NewPullRequest{
		Title: github.String("Postmortem: " + render.Plain(issue.GetTitle(), 200)),
		Head:  github.String(branch),
		Base:  github.String(base),
		Body:  bodyOf(body),
	})
	if err == nil {
		return pr, true, nil
	}
	if statusOf(err) == http.StatusUnprocessableEntity && errorMentions(err, "already exists") {
		pr, ferr := r.findPR(ctx, branch)
		if ferr != nil {
			return nil, false, ferr
		}
		if pr != nil {
			return pr, false, nil
		}
	}
	return nil, false, fmt.Errorf("open pull request from %s: %w", branch, err)
}

// requestReviewers asks the incident's assignees to review, those not
// already requested (the bot cannot review its own pull request, people
// without access are skipped).
func (r *run) requestReviewers(ctx context.Context, pr *github.PullRequest, issue *github.Issue) error {
	requested := map[string]bool{strings.ToLower(pr.GetUser().GetLogin()): true}
	for _, u := range pr.RequestedReviewers {
		requested[strings.ToLower(u.GetLogin())] = true
	}
	var want []string
	for _, u := range issue.Assignees {
		if !requested[strings.ToLower(u.GetLogin())] {
			want = append(want, u.GetLogin())
			requested[strings.ToLower(u.GetLogin())] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	_, _, err := r.gh.PullRequests.RequestReviewers(ctx, r.owner, r.repo, pr.GetNumber(), github.ReviewersRequest{Reviewers: want})
	if err != nil {
		if statusOf(err) == http.StatusUnprocessableEntity {
			r.f.log().Warn("cannot request reviewers", "pr", pr.GetNumber(), "reviewers", want, "err", err)
			return nil
		}
		return fmt.Errorf("request reviewers on #%d: %w", pr.GetNumber(), err)
	}
	r.emit("incident", pr.GetNumber(), "requested reviews on #%d from %s", pr.GetNumber(), strings.Join(want, ", "))
	return nil
}
