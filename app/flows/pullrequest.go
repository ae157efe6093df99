package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
)

// Check run names.
const (
	CheckRunCompleteness = "postmortem/completeness"
	CheckRunBlameless    = "postmortem/blameless"
)

// maxAnnotations is how many annotations one check run request may carry
// (GitHub's limit): a check run is one request (render.MaxAnnotations).
const maxAnnotations = 50

// CheckOutcome is one check run as created.
type CheckOutcome struct {
	ID          int64
	Conclusion  string
	Errors      int
	Warnings    int
	Notices     int
	Annotations int
}

// PullRequestResult says what the pull request flow found or did.
type PullRequestResult struct {
	Skipped      string
	HeadSHA      string
	Files        []string // postmortems checked
	Completeness CheckOutcome
	Blameless    CheckOutcome
	Suggestions  int // suggested changes posted in this run's review
	// Review is why the review of suggested rewordings was not posted
	// (the check runs were); Enqueued then holds the job retrying it alone.
	Review    error
	Enqueued  []jobs.Args
	FollowUps *FollowUpsResult
}

// PullRequest reconciles a pull request: while open, the two check runs on
// its head commit for every postmortem it adds or changes (and one review
// of suggested rewordings); once merged, the follow-up issues. rerequested
// forces new check runs on a head that has them already.
func (f *Flows) PullRequest(ctx context.Context, a jobs.PullRequestArgs, rerequested bool) (*PullRequestResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	// The pull request, its files and the configuration do not depend on
	// each other: read together. The files are read ahead of knowing the
	// pull request is open; on a head checked already they are a 304 (free).
	var (
		pr   *github.PullRequest
		resp *github.Response
	)
	g := r.group()
	g.Go(func() error {
		pr, resp, err = r.gh.PullRequests.Get(ctx, a.Owner, a.Repo, a.Number)
		if err == nil {
			r.learnRepoID(pr.GetBase().GetRepo().GetID())
		}
		return nil
	})
	g.Go(func() error {
		files, ferr := r.listFiles(ctx, a.Number)
		if ferr == nil {
			r.prefetched = &prefetchedFiles{number: a.Number, files: files}
		}
		return nil
	})
	g.Go(func() error { _, _ = r.config(ctx); return nil })
	_ = g.Wait()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return &PullRequestResult{Skipped: "pull request not found"}, nil
		}
		return nil, fmt.Errorf("get pull request #%d: %w", a.Number, err)
	}
	res, err := r.pullRequest(ctx, pr, rerequested)
	if errors.Is(err, errStop) {
		return res, nil
	}
	return res, err
}

func (r *run) pullRequest(ctx context.Context, pr *github.PullRequest, rerequested bool) (*PullRequestResult, error) {
	n := pr.GetNumber()
	if pr.GetMerged() || pr.MergedAt != nil {
		fu, err := r.followUps(ctx, pr)
		res := &PullRequestResult{Skipped: "merged", FollowUps: fu}
		if fu != nil && fu.Incident != 0 && fu.Skipped == "" {
			// A postmortem merged: the record follows, in a job of its own
			// (a secondary write: the follow-ups never wait for it).
			res.Enqueued = append(res.Enqueued, jobs.RecordArgs{InstallationID: r.inst, Owner: r.owner, Repo: r.repo, RepoID: r.repoID,
				DefaultBranch: pr.GetBase().GetRepo().GetDefaultBranch()})
		}
		return res, err
	}
	if pr.GetState() != "open" {
		return &PullRequestResult{Skipped: "closed without merge"}, nil
	}
	head := pr.GetHead().GetSHA()
	res := &PullRequestResult{HeadSHA: head}

	// The check runs of a head commit are made once (rerequests aside): the
	// claim answers "done already" without a call to GitHub.
	item := "checks:" + head
	if rerequested {
		item += ":rerequest:" + randomToken()
	}
	_, err := r.createOnceFresh(ctx, n, item, func(ctx context.Context, fresh bool) (string, error) {
		// A fresh claim means no attempt made check runs on this head yet;
		// a rerequest makes new ones whatever exists. Otherwise an earlier
		// attempt may have made them (crashed before recording it done).
		// Only the runs still missing are made.
		var existing map[string]*github.CheckRun
		if !fresh && !rerequested {
			var err error
			if existing, err = r.existingRuns(ctx, head); err != nil {
				return "", err
			}
			if existing[CheckRunCompleteness] != nil && existing[CheckRunBlameless] != nil {
				// An earlier attempt made both and stopped before its
				// review: the review's own job finishes it (idempotent).
				res.Enqueued = append(res.Enqueued, r.reviewJob(pr))
				return "existing", nil
			}
		}
		posted := false
		if err := r.checkHead(ctx, pr, res, existing, &posted); err != nil {
			if posted {
				return "", errMaybeMade{err}
			}
			return "", err
		}
		return strconv.FormatInt(res.Completeness.ID, 10), nil
	})
	if err != nil {
		if errors.Is(err, errNoPostmortem) {
			return &PullRequestResult{Skipped: "no postmortem changed", HeadSHA: head}, nil
		}
		return res, err
	}
	if res.Completeness.ID == 0 && res.Skipped == "" {
		res.Skipped = "checks already done for " + render.ShortSHA(head)
	}
	return res, nil
}

var errNoPostmortem = errors.New("no postmortem in this pull request")

// prefetchedFiles are a pull request's files read together with it.
type prefetchedFiles struct {
	number int
	files  []*github.CommitFile
}

func (r *run) listFiles(ctx context.Context, n int) ([]*github.CommitFile, error) {
	files, err := listAll(ctx, func(o github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return r.gh.PullRequests.ListFiles(ctx, r.owner, r.repo, n, &o)
	})
	if err != nil {
		return nil, fmt.Errorf("list files of #%d: %w", n, err)
	}
	return files, nil
}

// existingRuns lists our check runs that exist, completed, on sha.
func (r *run) existingRuns(ctx context.Context, sha string) (map[string]*github.CheckRun, error) {
	out := map[string]*github.CheckRun{}
	runs, _, err := r.gh.Checks.ListCheckRunsForRef(ctx, r.owner, r.repo, sha, &github.ListCheckRunsOptions{
		Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 100},
	})
	if err != nil {
		return nil, fmt.Errorf("list check runs of %s: %w", render.ShortSHA(sha), err)
	}
	for _, cr := range runs.CheckRuns {
		if cr.GetStatus() == "completed" && (cr.GetName() == CheckRunCompleteness || cr.GetName() == CheckRunBlameless) {
			out[cr.GetName()] = cr
		}
	}
	return out, nil
}

// checkHead lints the postmortems the pull request changes and publishes
// the review of suggestions and the two check runs.
// The check runs in existing (made by an earlier attempt) are not made
// again. *posted becomes true once a check run request was sent (it may
// exist on GitHub from then on, even if this call fails).
func (r *run) checkHead(ctx context.Context, pr *github.PullRequest, res *PullRequestResult, existing map[string]*github.CheckRun, posted *bool) error {
	n, head := pr.GetNumber(), pr.GetHead().GetSHA()
	files, drafted, err := r.headFiles(ctx, n, head)
	if err != nil {
		return err
	}
	cfg, cfgErr := r.config(ctx)
	var ce *repoconfig.Error
	if cfgErr != nil && !errors.As(cfgErr, &ce) {
		return cfgErr
	}
	dir := checks.DefaultConfig().Directory
	if cfg != nil {
		dir = cfg.Directory
	}
	changed, touchesConfig := changedPostmortems(files, dir)
	if len(changed) == 0 && !(ce != nil && touchesConfig) {
		return errNoPostmortem
	}
	// The people the check knows are read meanwhile (prPeople).
	var people []blameless.Person
	pg := r.group()
	pg.Go(func() error { people = r.prPeople(ctx, pr); return nil })
	defer pg.Wait()
	var schema *checks.Schema
	if ce == nil {
		_, schema, cfgErr = r.template(ctx, cfg)
		if cfgErr != nil && !errors.As(cfgErr, &ce) {
			return cfgErr
		}
	}
	if ce != nil {
		*posted = true
		return r.failOnConfig(ctx, head, ce, res, existing)
	}

	opts := cfg.Options(schema)
	_ = pg.Wait()
	opts.Blameless.People = slices.Concat(opts.Blameless.People, people)
	checked, err := r.lintFiles(ctx, head, changed, drafted, opts, res)
	if err != nil {
		return err
	}
	// The two check runs first, independent, together: they are the
	// primary result and never wait on the review of suggestions, which
	// follows them (reviewAfterChecks).
	*posted = true
	var (
		compErr, blameErr error
		comp, blame       CheckOutcome
	)
	g := r.group()
	if cr := existing[CheckRunCompleteness]; cr != nil {
		comp = outcomeOf(cr)
	} else {
		g.Go(func() error { comp, compErr = r.publishRun(ctx, head, checks.CheckCompleteness, checked); return nil })
	}
	if cr := existing[CheckRunBlameless]; cr != nil {
		blame = outcomeOf(cr)
	} else {
		g.Go(func() error { blame, blameErr = r.publishRun(ctx, head, checks.CheckBlameless, checked); return nil })
	}
	_ = g.Wait()
	if err := errors.Join(compErr, blameErr); err != nil {
		return err
	}
	res.Completeness, res.Blameless = comp, blame
	r.emit("pull_request", n, "checked #%d at %s: completeness %s (%s), blameless %s (%s)", n, render.ShortSHA(head),
		res.Completeness.Conclusion, render.CountText(res.Completeness.Errors, res.Completeness.Warnings),
		res.Blameless.Conclusion, render.CountText(res.Blameless.Errors, res.Blameless.Warnings))
	r.reviewAfterChecks(ctx, pr, checked, res)
	return nil
}

// changedPostmortems are the postmortems (files under dir) among a pull
// request's files, not removed; touchesConfig says whether it changes the
// repository's configuration.
func changedPostmortems(files []*github.CommitFile, dir string) (changed []*github.CommitFile, touchesConfig bool) {
	for _, cf := range files {
		if cf.GetFilename() == repoconfig.Path && cf.GetStatus() != "removed" {
			touchesConfig = true
		}
		if inPostmortemDir(dir, cf.GetFilename()) && cf.GetStatus() != "removed" {
			changed = append(changed, cf)
		}
	}
	return changed, touchesConfig
}

// headFiles are the files pull request n changes at head: this run's own
// draft commit (one file added on top of the base, returned as drafted:
// its content need not be read back), or the files read with the pull
// request, or listed now.
func (r *run) headFiles(ctx context.Context, n int, head string) ([]*github.CommitFile, *draftedFile, error) {
	if d := r.drafted; d != nil && d.commit == head {
		return []*github.CommitFile{{Filename: github.String(d.path), Status: github.String("added")}}, d, nil
	}
	if pf := r.prefetched; pf != nil && pf.number == n {
		return pf.files, nil, nil
	}
	files, err := r.listFiles(ctx, n)
	return files, nil, err
}

// lintFiles reads each changed postmortem at head (drafted's from memory)
// and lints it with opts, at most render.MaxFilesChecked of them (the first
// of the rest says how many were not checked); one too large to read
// stands for findings saying so. The files checked are added to res.
func (r *run) lintFiles(ctx context.Context, head string, changed []*github.CommitFile, drafted *draftedFile, opts checks.Options, res *PullRequestResult) ([]*render.File, error) {
	var checked, notChecked []*render.File
	if n := len(changed) - render.MaxFilesChecked; n > 0 {
		// The first ones are read and checked; the first of the rest
		// carries a finding counting them all (never read).
		cf := changed[render.MaxFilesChecked]
		notChecked = append(notChecked, &render.File{Path: cf.GetFilename(), Patch: cf.GetPatch(), Added: cf.GetStatus() == "added",
			Findings: render.NotCheckedFindings(n)})
		changed = changed[:render.MaxFilesChecked]
	}
	for _, cf := range changed {
		var src []byte
		found, err := true, error(nil)
		if drafted != nil && cf.GetFilename() == drafted.path {
			src = drafted.src
		} else {
			src, found, err = repoconfig.GetFile(ctx, r.gh, r.owner, r.repo, cf.GetFilename(), head)
		}
		var tl *repoconfig.TooLargeError
		if errors.As(err, &tl) {
			checked = append(checked, &render.File{Path: cf.GetFilename(), Patch: cf.GetPatch(), Added: cf.GetStatus() == "added",
				Findings: render.TooLargeFindings(tl)})
			res.Files = append(res.Files, cf.GetFilename())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", cf.GetFilename(), render.ShortSHA(head), err)
		}
		if !found {
			continue
		}
		// The job's context stops a lint; its own budget (Flows.LintBudget,
		// default checks.DefaultLintBudget) ends in a
		// completeness/lint-stopped finding instead.
		if opts.Budget <= 0 {
			opts.Budget = r.f.LintBudget
		}
		release, err := r.f.parseSlot(ctx, len(src))
		if err != nil {
			return nil, fmt.Errorf("lint %s: %w", cf.GetFilename(), err)
		}
		findings, err := checks.LintContext(ctx, src, opts)
		release()
		if err != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("lint %s: %w", cf.GetFilename(), err)
		}
		// Of the source, only the suggested rewordings are kept: it is
		// released here, not held while the other files are checked.
		checked = append(checked, render.NewFile(cf.GetFilename(), src, cf.GetPatch(), cf.GetStatus() == "added", findings))
		res.Files = append(res.Files, cf.GetFilename())
	}
	return append(checked, notChecked...), nil
}

// outcomeOf is a check run an earlier attempt made, as this run's outcome.
func outcomeOf(cr *github.CheckRun) CheckOutcome {
	return CheckOutcome{ID: cr.GetID(), Conclusion: cr.GetConclusion(), Annotations: cr.GetOutput().GetAnnotationsCount()}
}

func inPostmortemDir(dir, file string) bool {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	ext := strings.ToLower(path.Ext(file))
	if ext != ".md" && ext != ".markdown" {
		return false
	}
	if dir == "" || dir == "." {
		return true
	}
	return strings.HasPrefix(file, dir+"/")
}

// publishRun creates one check run, already completed, with its
// annotations (at most render.MaxAnnotations: one request per run, however
// many findings; the summary counts the rest).
func (r *run) publishRun(ctx context.Context, head string, check checks.Check, files []*render.File) (CheckOutcome, error) {
	name := CheckRunCompleteness
	if check == checks.CheckBlameless {
		name = CheckRunBlameless
	}
	o := render.CheckRun(check, files)
	out := CheckOutcome{Conclusion: o.Conclusion, Errors: o.Errors, Warnings: o.Warnings, Notices: o.Notices, Annotations: len(o.Annotations)}
	id, err := r.createCheckRun(ctx, head, name, o)
	out.ID = id
	return out, err
}

// createCheckRun sends a completed check run in one request, with at most
// maxAnnotations annotations (render caps them already). It returns the
// run's id.
func (r *run) createCheckRun(ctx context.Context, head, name string, o render.CheckRunOutput) (int64, error) {
	anns := o.Annotations
	if len(anns) > maxAnnotations {
		anns = anns[:maxAnnotations]
	}
	now := github.Timestamp{Time: r.f.now()}
	cr, _, err := r.gh.Checks.CreateCheckRun(ctx, r.owner, r.repo, github.CreateCheckRunOptions{
		Name: name, HeadSHA: head, Status: github.String("completed"), Conclusion: github.String(o.Conclusion),
		StartedAt: &now, CompletedAt: &now,
		Output: &github.CheckRunOutput{Title: github.String(o.Title), Summary: github.String(render.Bound(o.Summary, render.MaxCheckOutput)), Annotations: anns},
	})
	if err != nil {
		return 0, fmt.Errorf("create check run %s: %w", name, err)
	}
	return cr.GetID(), nil
}

// failOnConfig publishes both check runs as failures explaining the broken
// configuration (those an earlier attempt made are kept).
func (r *run) failOnConfig(ctx context.Context, head string, ce *repoconfig.Error, res *PullRequestResult, existing map[string]*github.CheckRun) error {
	o := render.ConfigFailure(ce, r.fullName())
	for _, name := range []string{CheckRunCompleteness, CheckRunBlameless} {
		out := &res.Completeness
		if name == CheckRunBlameless {
			out = &res.Blameless
		}
		if cr := existing[name]; cr != nil {
			*out = outcomeOf(cr)
			continue
		}
		id, err := r.createCheckRun(ctx, head, name, o)
		if err != nil {
			return err
		}
		*out = CheckOutcome{ID: id, Conclusion: o.Conclusion, Errors: o.Errors, Annotations: len(o.Annotations)}
	}
	r.emit("pull_request", 0, "failed the checks on %s: configuration error at %s", render.ShortSHA(head), ce.Where())
	return nil
}

// suggest posts one review per head commit with a suggested change for each
// blameless finding that has a Replacement, on lines the diff shows,
// skipping suggestions already made in earlier reviews, at most
// render.MaxSuggestions of them (the review says how many more).
func (r *run) suggest(ctx context.Context, pr *github.PullRequest, files []*render.File, res *PullRequestResult) error {
	want := render.Suggestions(files)
	if len(want) == 0 {
		return nil
	}
	n := pr.GetNumber()
	comments, err := r.unsuggested(ctx, n, want)
	if err != nil || len(comments) == 0 {
		return err
	}
	head := pr.GetHead().GetSHA()
	_, err = r.createOnceFresh(ctx, n, "review:"+head, func(ctx context.Context, fresh bool) (string, error) {
		if !fresh {
			// An earlier attempt died, or its review may have landed with
			// the answer lost: what was read above may predate it.
			var err error
			if comments, err = r.unsuggested(ctx, n, want); err != nil || len(comments) == 0 {
				return "existing", err
			}
		}
		more := ""
		if len(comments) > render.MaxSuggestions {
			// One review of a bounded size: the rest are in the check run
			// (and suggested on a later push, once these are dealt with).
			more = fmt.Sprintf(" %s not suggested here: the blameless check run lists them.",
				render.Plural(len(comments)-render.MaxSuggestions, "more rewording is", "more rewordings are"))
			comments = comments[:render.MaxSuggestions]
		}
		rv, _, err := r.gh.PullRequests.CreateReview(ctx, r.owner, r.repo, n, &github.PullRequestReviewRequest{
			CommitID: github.String(head),
			Event:    github.String("COMMENT"),
			Body: github.String(fmt.Sprintf("%s to keep this postmortem blameless. Each can be applied with one click, or reworded your own way.%s",
				render.Plural(len(comments), "suggested rewording", "suggested rewordings"), more)),
			Comments: comments,
		})
		if err != nil {
			return "", maybeMade(fmt.Errorf("post review on #%d: %w", n, err))
		}
		res.Suggestions = len(comments)
		return strconv.FormatInt(rv.GetID(), 10), nil
	})
	if err != nil {
		return err
	}
	if res.Suggestions > 0 {
		r.emit("pull_request", n, "suggested %s on #%d", render.Plural(res.Suggestions, "blameless rewording", "blameless rewordings"), n)
	}
	return nil
}

// unsuggested are the review comments of want that the bot's earlier
// reviews of pull request n do not hold yet.
func (r *run) unsuggested(ctx context.Context, n int, want []render.Suggestion) ([]*github.DraftReviewComment, error) {
	existing, err := listAll(ctx, func(o github.ListOptions) ([]*github.PullRequestComment, *github.Response, error) {
		return r.gh.PullRequests.ListComments(ctx, r.owner, r.repo, n, &github.PullRequestListCommentsOptions{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list review comments of #%d: %w", n, err)
	}
	made := map[string]bool{}
	for _, c := range existing {
		if r.f.isBot(c.GetUser()) {
			made[c.GetPath()+"\x00"+c.GetBody()] = true
		}
	}
	var comments []*github.DraftReviewComment
	for _, s := range want {
		if made[s.Path+"\x00"+s.Body] {
			continue
		}
		comments = append(comments, &github.DraftReviewComment{
			Path: github.String(s.Path), Line: github.Int(s.Line), Side: github.String("RIGHT"), Body: github.String(s.Body),
		})
	}
	return comments, nil
}

// randomToken is 24 random hex digits.
func randomToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
