package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/checks"
)

// Check run names.
const (
	CheckRunCompleteness = "postmortem/completeness"
	CheckRunBlameless    = "postmortem/blameless"
)

// maxAnnotations is how many annotations one check run request may carry.
const maxAnnotations = 50

// CheckOutcome is one check run as created.
type CheckOutcome struct {
	ID          int64
	Conclusion  string
	Errors      int
	Warnings    int
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
	FollowUps    *FollowUpsResult
}

// PullRequest reconciles a pull request: while open, the two check runs on
// its head commit for every postmortem it adds or changes (and one review
// of suggested rewordings); once merged, the follow-up issues. rerequested
// forces new check runs on a head that has them already.
func (f *Flows) PullRequest(ctx context.Context, a jobs.PullRequestArgs, rerequested bool) (*PullRequestResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo)
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
		return &PullRequestResult{Skipped: "merged", FollowUps: fu}, err
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
	done := false
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
				done = true
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
		res.Skipped = "checks already done for " + shortSHA(head)
		_ = done
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
		return nil, fmt.Errorf("list check runs of %s: %w", shortSHA(sha), err)
	}
	for _, cr := range runs.CheckRuns {
		if cr.GetStatus() == "completed" && (cr.GetName() == CheckRunCompleteness || cr.GetName() == CheckRunBlameless) {
			out[cr.GetName()] = cr
		}
	}
	return out, nil
}

type checkedFile struct {
	path     string
	src      []byte
	patch    string
	added    bool
	findings []checks.Finding
}

// checkHead lints the postmortems the pull request changes and publishes
// the review of suggestions and the two check runs.
// The check runs in existing (made by an earlier attempt) are not made
// again. *posted becomes true once a check run request was sent (it may
// exist on GitHub from then on, even if this call fails).
func (r *run) checkHead(ctx context.Context, pr *github.PullRequest, res *PullRequestResult, existing map[string]*github.CheckRun, posted *bool) error {
	n, head := pr.GetNumber(), pr.GetHead().GetSHA()
	var files []*github.CommitFile
	drafted := r.drafted
	if drafted != nil && drafted.commit == head {
		// This run's own draft commit: one file added on top of the base.
		files = []*github.CommitFile{{Filename: github.String(drafted.path), Status: github.String("added")}}
	} else if pf := r.prefetched; pf != nil && pf.number == n {
		drafted, files = nil, pf.files
	} else {
		drafted = nil
		var err error
		if files, err = r.listFiles(ctx, n); err != nil {
			return err
		}
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
	var changed []*github.CommitFile
	touchesConfig := false
	for _, cf := range files {
		if cf.GetFilename() == repoconfig.Path && cf.GetStatus() != "removed" {
			touchesConfig = true
		}
		if inPostmortemDir(dir, cf.GetFilename()) && cf.GetStatus() != "removed" {
			changed = append(changed, cf)
		}
	}
	if len(changed) == 0 && !(ce != nil && touchesConfig) {
		return errNoPostmortem
	}
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
	var checked []*checkedFile
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
			checked = append(checked, &checkedFile{path: cf.GetFilename(), patch: cf.GetPatch(), added: cf.GetStatus() == "added",
				findings: tooLargeFindings(tl)})
			res.Files = append(res.Files, cf.GetFilename())
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", cf.GetFilename(), shortSHA(head), err)
		}
		if !found {
			continue
		}
		checked = append(checked, &checkedFile{
			path: cf.GetFilename(), src: src, patch: cf.GetPatch(), added: cf.GetStatus() == "added",
			findings: checks.Lint(src, opts),
		})
		res.Files = append(res.Files, cf.GetFilename())
	}
	// The review of suggestions comes first: the completed check runs tell
	// people (and the playground) that the review is there to read. Then
	// the two check runs, independent, together.
	if err := r.suggest(ctx, pr, checked, res); err != nil {
		return err
	}
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
	r.emit("pull_request", n, "checked #%d at %s: completeness %s (%s), blameless %s (%s)", n, shortSHA(head),
		res.Completeness.Conclusion, countText(res.Completeness.Errors, res.Completeness.Warnings),
		res.Blameless.Conclusion, countText(res.Blameless.Errors, res.Blameless.Warnings))
	return nil
}

// outcomeOf is a check run an earlier attempt made, as this run's outcome.
func outcomeOf(cr *github.CheckRun) CheckOutcome {
	return CheckOutcome{ID: cr.GetID(), Conclusion: cr.GetConclusion(), Annotations: cr.GetOutput().GetAnnotationsCount()}
}

// tooLargeFindings stand for the findings of a file too large to lint: one
// per check, on line 1, saying why it was not checked.
func tooLargeFindings(tl *repoconfig.TooLargeError) []checks.Finding {
	msg := fmt.Sprintf("This file is too large to check (%s; the App checks postmortems up to %s). "+
		"Move logs, dumps and data out of it and link to them.", repoconfig.HumanBytes(tl.Size), repoconfig.HumanBytes(repoconfig.MaxFileBytes))
	var out []checks.Finding
	for _, c := range []checks.Check{checks.CheckCompleteness, checks.CheckBlameless} {
		out = append(out, checks.Finding{Check: c, Rule: string(c) + "/too-large", Severity: checks.SeverityError,
			Line: 1, EndLine: 1, Column: 1, EndColumn: 1, Message: msg})
	}
	return out
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

func countText(errs, warns int) string {
	switch {
	case errs == 0 && warns == 0:
		return "no findings"
	case warns == 0:
		return plural(errs, "error", "errors")
	case errs == 0:
		return plural(warns, "warning", "warnings")
	}
	return plural(errs, "error", "errors") + ", " + plural(warns, "warning", "warnings")
}

// conclusion applies the default policy: errors fail; blameless warnings
// alone are neutral; nothing is success.
func conclusion(check checks.Check, errs, warns int) string {
	switch {
	case errs > 0:
		return "failure"
	case warns > 0 && check == checks.CheckBlameless:
		return "neutral"
	}
	return "success"
}

// publishRun creates one check run, already completed, with the first 50
// annotations; the rest follow in PATCH batches of 50.
func (r *run) publishRun(ctx context.Context, head string, check checks.Check, files []*checkedFile) (CheckOutcome, error) {
	name := CheckRunCompleteness
	if check == checks.CheckBlameless {
		name = CheckRunBlameless
	}
	var anns []*github.CheckRunAnnotation
	type row struct {
		file string
		f    checks.Finding
	}
	var rows []row
	out := CheckOutcome{}
	for _, cf := range files {
		for _, fd := range cf.findings {
			if fd.Check != check {
				continue
			}
			rows = append(rows, row{cf.path, fd})
			level := "warning"
			if fd.Severity == checks.SeverityError {
				level = "failure"
				out.Errors++
			} else {
				out.Warnings++
			}
			a := &github.CheckRunAnnotation{
				Path: github.String(cf.path), StartLine: github.Int(max(fd.Line, 1)), EndLine: github.Int(max(fd.EndLine, fd.Line, 1)),
				AnnotationLevel: github.String(level), Title: github.String(fd.Rule), Message: github.String(annotationMessage(fd)),
			}
			if fd.EndLine == fd.Line && fd.Column > 0 && fd.EndColumn >= fd.Column {
				a.StartColumn, a.EndColumn = github.Int(fd.Column), github.Int(fd.EndColumn)
			}
			anns = append(anns, a)
		}
	}
	out.Conclusion = conclusion(check, out.Errors, out.Warnings)
	out.Annotations = len(anns)
	title := "No problems found"
	if out.Errors+out.Warnings > 0 {
		title = countText(out.Errors, out.Warnings)
	}
	var sb strings.Builder
	switch check {
	case checks.CheckCompleteness:
		fmt.Fprintf(&sb, "**%s** in %s: ", title, plural(len(files), "postmortem", "postmortems"))
		if out.Errors > 0 {
			sb.WriteString("some required parts are missing or still say TODO.\n\n")
		} else {
			sb.WriteString("every required part is there.\n\n")
		}
	case checks.CheckBlameless:
		fmt.Fprintf(&sb, "**%s** in %s: ", title, plural(len(files), "postmortem", "postmortems"))
		if out.Errors+out.Warnings > 0 {
			sb.WriteString("some wording puts people at fault. Describe what the system allowed and what people knew at the time.\n\n")
		} else {
			sb.WriteString("the wording is blameless.\n\n")
		}
	}
	if len(rows) > 0 {
		sb.WriteString("| File | Line | Severity | Rule | Finding |\n|---|---:|---|---|---|\n")
		for i, rw := range rows {
			if i == 100 {
				fmt.Fprintf(&sb, "\n…and %d more (see the annotations).\n", len(rows)-100)
				break
			}
			fmt.Fprintf(&sb, "| `%s` | %d | %s | `%s` | %s |\n", cell(rw.file), rw.f.Line, rw.f.Severity, rw.f.Rule, cell(rw.f.Message))
		}
	}
	summary := sb.String()
	first := anns
	if len(first) > maxAnnotations {
		first = first[:maxAnnotations]
	}
	now := github.Timestamp{Time: r.f.now()}
	cr, _, err := r.gh.Checks.CreateCheckRun(ctx, r.owner, r.repo, github.CreateCheckRunOptions{
		Name: name, HeadSHA: head, Status: github.String("completed"), Conclusion: github.String(out.Conclusion),
		StartedAt: &now, CompletedAt: &now,
		Output: &github.CheckRunOutput{Title: github.String(title), Summary: github.String(summary), Annotations: first},
	})
	if err != nil {
		return out, fmt.Errorf("create check run %s: %w", name, err)
	}
	out.ID = cr.GetID()
	for i := maxAnnotations; i < len(anns); i += maxAnnotations {
		batch := anns[i:min(i+maxAnnotations, len(anns))]
		_, _, err := r.gh.Checks.UpdateCheckRun(ctx, r.owner, r.repo, cr.GetID(), github.UpdateCheckRunOptions{
			Name:   name,
			Output: &github.CheckRunOutput{Title: github.String(title), Summary: github.String(summary), Annotations: batch},
		})
		if err != nil {
			return out, fmt.Errorf("add annotations to %s: %w", name, err)
		}
	}
	return out, nil
}

func annotationMessage(f checks.Finding) string {
	m := f.Message
	if f.Suggestion != "" {
		m += "\n\nSuggestion: " + f.Suggestion
	}
	return m
}

// failOnConfig publishes both check runs as failures explaining the broken
// configuration.
func (r *run) failOnConfig(ctx context.Context, head string, ce *repoconfig.Error, res *PullRequestResult, existing map[string]*github.CheckRun) error {
	where := ce.Repo + ":" + ce.Path
	if ce.Line > 0 {
		where += fmt.Sprintf(" line %d", ce.Line)
	}
	summary := fmt.Sprintf("**The postmortem configuration has a problem**, so the postmortem could not be checked.\n\n`%s`: %s\n", where, ce.Message)
	now := github.Timestamp{Time: r.f.now()}
	for _, name := range []string{CheckRunCompleteness, CheckRunBlameless} {
		if cr := existing[name]; cr != nil {
			if name == CheckRunCompleteness {
				res.Completeness = outcomeOf(cr)
			} else {
				res.Blameless = outcomeOf(cr)
			}
			continue
		}
		opts := github.CreateCheckRunOptions{
			Name: name, HeadSHA: head, Status: github.String("completed"), Conclusion: github.String("failure"),
			StartedAt: &now, CompletedAt: &now,
			Output: &github.CheckRunOutput{Title: github.String("Configuration error"), Summary: github.String(summary)},
		}
		if ce.Repo == r.fullName() && ce.Path != "" {
			line := max(ce.Line, 1)
			opts.Output.Annotations = []*github.CheckRunAnnotation{{
				Path: github.String(ce.Path), StartLine: github.Int(line), EndLine: github.Int(line),
				AnnotationLevel: github.String("failure"), Title: github.String("postmortem configuration"), Message: github.String(ce.Message),
			}}
		}
		cr, _, err := r.gh.Checks.CreateCheckRun(ctx, r.owner, r.repo, opts)
		if err != nil {
			return fmt.Errorf("create check run %s: %w", name, err)
		}
		o := CheckOutcome{ID: cr.GetID(), Conclusion: "failure", Errors: 1, Annotations: len(opts.Output.Annotations)}
		if name == CheckRunCompleteness {
			res.Completeness = o
		} else {
			res.Blameless = o
		}
	}
	r.emit("pull_request", 0, "failed the checks on %s: configuration error at %s", shortSHA(head), where)
	return nil
}

// suggest posts one review per head commit with a suggested change for each
// blameless finding that has a Replacement, on lines the diff shows,
// skipping suggestions already made in earlier reviews.
func (r *run) suggest(ctx context.Context, pr *github.PullRequest, files []*checkedFile, res *PullRequestResult) error {
	type sugg struct {
		path string
		line int
		body string
	}
	var want []sugg
	for _, cf := range files {
		lines := strings.Split(string(cf.src), "\n")
		commentable := rightLines(cf.patch, cf.added, len(lines))
		byLine := map[int][]checks.Finding{}
		for _, f := range cf.findings {
			if f.Check == checks.CheckBlameless && f.Replacement != "" && f.Line == f.EndLine && f.Line >= 1 && f.Line <= len(lines) && commentable[f.Line] {
				byLine[f.Line] = append(byLine[f.Line], f)
			}
		}
		lineNums := make([]int, 0, len(byLine))
		for l := range byLine {
			lineNums = append(lineNums, l)
		}
		sort.Ints(lineNums)
		for _, l := range lineNums {
			text, msgs, ok := applyReplacements(strings.TrimSuffix(lines[l-1], "\r"), byLine[l])
			if !ok {
				continue
			}
			body := strings.Join(msgs, "\n") + "\n\n```suggestion\n" + text + "\n```"
			want = append(want, sugg{cf.path, l, body})
		}
	}
	if len(want) == 0 {
		return nil
	}
	n := pr.GetNumber()
	existing, err := listAll(ctx, func(o github.ListOptions) ([]*github.PullRequestComment, *github.Response, error) {
		return r.gh.PullRequests.ListComments(ctx, r.owner, r.repo, n, &github.PullRequestListCommentsOptions{ListOptions: o})
	})
	if err != nil {
		return fmt.Errorf("list review comments of #%d: %w", n, err)
	}
	made := map[string]bool{}
	for _, c := range existing {
		if r.f.isBot(c.GetUser()) {
			made[c.GetPath()+"\x00"+c.GetBody()] = true
		}
	}
	var comments []*github.DraftReviewComment
	for _, s := range want {
		if made[s.path+"\x00"+s.body] {
			continue
		}
		comments = append(comments, &github.DraftReviewComment{
			Path: github.String(s.path), Line: github.Int(s.line), Side: github.String("RIGHT"), Body: github.String(s.body),
		})
	}
	if len(comments) == 0 {
		return nil
	}
	head := pr.GetHead().GetSHA()
	_, err = r.createOnce(ctx, n, "review:"+head, func(ctx context.Context) (string, error) {
		rv, _, err := r.gh.PullRequests.CreateReview(ctx, r.owner, r.repo, n, &github.PullRequestReviewRequest{
			CommitID: github.String(head),
			Event:    github.String("COMMENT"),
			Body: github.String(fmt.Sprintf("%s to keep this postmortem blameless. Each can be applied with one click, or reworded your own way.",
				plural(len(comments), "suggested rewording", "suggested rewordings"))),
			Comments: comments,
		})
		if err != nil {
			return "", fmt.Errorf("post review on #%d: %w", n, err)
		}
		res.Suggestions = len(comments)
		return strconv.FormatInt(rv.GetID(), 10), nil
	})
	if err != nil {
		return err
	}
	if res.Suggestions > 0 {
		r.emit("pull_request", n, "suggested %s on #%d", plural(res.Suggestions, "blameless rewording", "blameless rewordings"), n)
	}
	return nil
}

// applyReplacements rewrites one line with its findings' replacements
// (right to left, skipping overlaps) and returns the messages.
func applyReplacements(line string, fs []checks.Finding) (string, []string, bool) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Column > fs[j].Column })
	var msgs []string
	limit := len(line) + 1
	changed := false
	for _, f := range fs {
		start, end := f.Column-1, f.EndColumn // EndColumn is inclusive, 1-based
		if start < 0 || end > len(line) || start > end || end >= limit {
			continue
		}
		line = line[:start] + f.Replacement + line[end:]
		limit = start + 1
		changed = true
		msgs = append([]string{"**" + f.Rule + "**: " + f.Message}, msgs...)
	}
	return line, msgs, changed
}

// rightLines are the new-file line numbers a review comment may address:
// every line of an added file, else the added and context lines of the
// patch's hunks.
func rightLines(patch string, added bool, total int) map[int]bool {
	out := map[int]bool{}
	if added || patch == "" && added {
		for i := 1; i <= total; i++ {
			out[i] = true
		}
		return out
	}
	line := 0
	for _, l := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			// @@ -a,b +c,d @@
			i := strings.Index(l, "+")
			if i < 0 {
				continue
			}
			rest := l[i+1:]
			if j := strings.IndexAny(rest, ", "); j >= 0 {
				rest = rest[:j]
			}
			line, _ = strconv.Atoi(rest)
		case line == 0:
		case strings.HasPrefix(l, "+"):
			out[line] = true
			line++
		case strings.HasPrefix(l, "-"):
		case strings.HasPrefix(l, `\`):
		default:
			out[line] = true
			line++
		}
	}
	return out
}

// randomToken is 24 random hex digits.
func randomToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
