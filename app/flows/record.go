package flows

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
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

// The record's files, in the postmortems directory, and the branch of its
// pull request when branch protection refuses the App's commit.
const (
	RecordREADME = "README.md"
	RecordJSON   = "index.json"
	RecordBranch = "postmortem-index"
)

// Bounds of one record run: the postmortems it reads (those whose blob
// changed; a first run over a large archive goes on in a run of its own),
// the files of the directory it considers, the pages of follow-up issues.
const (
	maxRecordReads  = 100
	maxRecordFiles  = 2000
	maxRecordIssues = 10 // pages of 100
)

// RecordResult says what the record flow found or did.
type RecordResult struct {
	Skipped     string // why nothing was written ("up to date", …)
	Postmortems int    // entries of the index
	Read        int    // postmortems read this run (their blob changed), and their suspect pull requests
	FollowUps   int    // closed follow-up issues examined this run for the pull requests that fixed them (at most maxFollowUpLookups)
	Commit      string // the commit on the default branch, when written there
	PullRequest int    // the record's pull request, when branch protection asks for one
	Enqueued    []jobs.Args
}

// Record brings the repository's record of postmortems up to date: the
// index of every postmortem of the configured directory in README.md (a
// table and Mermaid charts) and index.json (schema/postmortem-index.v1),
// both in the directory, in one commit by the App on the default branch —
// none when nothing changed. The ref moves fast-forward only, under a lock
// (replicas take turns; a lost race is retried and finds the record up to
// date). When branch protection refuses the commit, the same change goes
// to branch postmortem-index and its pull request (opened once, updated
// after).
func (f *Flows) Record(ctx context.Context, a jobs.RecordArgs) (*RecordResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	return r.record(ctx, a)
}

func (r *run) record(ctx context.Context, a jobs.RecordArgs) (*RecordResult, error) {
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			return &RecordResult{Skipped: "configuration is broken"}, nil
		}
		return nil, err
	}
	// One run at a time per repository: a second replica (a duplicate
	// delivery's job) waits and then finds the record up to date.
	ctx, unlock, err := r.lockIncident(ctx, 0, "lock:record")
	if err != nil {
		return nil, err
	}
	defer unlock()
	base, b, err := r.defaultBranch(ctx, a.DefaultBranch)
	if err != nil {
		return nil, err
	}
	head := b.GetCommit().GetSHA()
	baseTree, err := r.treeOf(ctx, b.GetCommit())
	if err != nil {
		return nil, err
	}
	dir := strings.Trim(path.Clean("/"+cfg.Directory), "/")
	files, err := r.recordFiles(ctx, baseTree, head, dir)
	if err != nil {
		return nil, err
	}
	res := &RecordResult{}
	entries, err := r.recordEntries(ctx, files, dir, res)
	if err != nil {
		return nil, err
	}
	more, err := r.recordFollowUps(ctx, cfg, entries, res)
	if err != nil {
		return nil, err
	}
	if (more || res.Read >= maxRecordReads) && len(res.Enqueued) == 0 {
		res.Enqueued = append(res.Enqueued, jobs.RecordArgs{InstallationID: r.inst, Owner: r.owner, Repo: r.repo, RepoID: r.repoID})
	}
	ix := record.Build(entries)
	res.Postmortems = len(ix.Postmortems)
	var tree []*github.TreeEntry
	add := func(name string, content []byte) {
		if gitBlobSHA(content) == files[name] {
			return
		}
		tree = append(tree, &github.TreeEntry{Path: github.String(path.Join(dir, name)), Mode: github.String("100644"),
			Type: github.String("blob"), Content: github.String(string(content))})
	}
	add(RecordJSON, ix.JSON())
	if md := ix.Markdown(); gitBlobSHA(md) != files[RecordREADME] {
		// Read only when it differs: it may be a README people wrote.
		if ok, err := r.ownsREADME(ctx, files[RecordREADME]); err != nil {
			return nil, err
		} else if ok {
			add(RecordREADME, md)
		}
	}
	if len(tree) == 0 {
		res.Skipped = "up to date"
		return res, nil
	}
	return res, r.writeRecord(ctx, base, head, baseTree, b.GetProtected(), tree, len(ix.Postmortems), res)
}

// defaultBranch reads the default branch: the one the job names (the
// merged pull request's base repository said which), else, or when it is
// gone, the one the repository names now.
func (r *run) defaultBranch(ctx context.Context, hint string) (string, *github.Branch, error) {
	if hint != "" {
		b, resp, err := r.gh.Repositories.GetBranch(ctx, r.owner, r.repo, hint, 1)
		if err == nil {
			return hint, b, nil
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return "", nil, fmt.Errorf("get branch %s: %w", hint, err)
		}
	}
	repo, err := r.repository(ctx)
	if err != nil {
		return "", nil, err
	}
	base := repo.GetDefaultBranch()
	b, _, err := r.gh.Repositories.GetBranch(ctx, r.owner, r.repo, base, 1)
	if err != nil {
		return "", nil, fmt.Errorf("get branch %s: %w", base, err)
	}
	return base, b, nil
}

// treeOf is a commit's tree (GitHub's branch answer has it; emulate's may
// not: one more read).
func (r *run) treeOf(ctx context.Context, c *github.RepositoryCommit) (string, error) {
	if t := c.GetCommit().GetTree().GetSHA(); t != "" {
		return t, nil
	}
	gc, _, err := r.gh.Git.GetCommit(ctx, r.owner, r.repo, c.GetSHA())
	if err != nil {
		return "", fmt.Errorf("get commit %s: %w", c.GetSHA(), err)
	}
	return gc.GetTree().GetSHA(), nil
}

// recordFiles are the files of the postmortems directory at the default
// branch's head, path relative to the directory → blob: one read of the
// whole tree, or of the directory alone when GitHub truncates the tree
// (very large repositories; then only its top level is seen).
func (r *run) recordFiles(ctx context.Context, tree, head, dir string) (map[string]string, error) {
	out := map[string]string{}
	t, _, err := r.gh.Git.GetTree(ctx, r.owner, r.repo, tree, true)
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", tree, err)
	}
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	if !t.GetTruncated() {
		for _, e := range t.Entries {
			rel, ok := strings.CutPrefix(e.GetPath(), prefix)
			if !ok || e.GetType() != "blob" || (dir == "" && strings.Contains(rel, "/")) || len(out) >= maxRecordFiles {
				continue
			}
			if e.GetSize() > repoconfig.MaxFileBytes {
				continue
			}
			out[rel] = e.GetSHA()
		}
		return out, nil
	}
	_, list, resp, err := r.gh.Repositories.GetContents(ctx, r.owner, r.repo, dir, &github.RepositoryContentGetOptions{Ref: head})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return out, nil
		}
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	for _, c := range list {
		if c.GetType() == "file" && c.GetSize() <= repoconfig.MaxFileBytes && len(out) < maxRecordFiles {
			out[c.GetName()] = c.GetSHA()
		}
	}
	return out, nil
}

// recordEntries are the entries of every postmortem of files: the
// index.json's own for those whose blob did not change, read again for the
// others (at most maxRecordReads a run; an entry not read yet keeps its old
// one, a new postmortem waits for the next run).
func (r *run) recordEntries(ctx context.Context, files map[string]string, dir string, res *RecordResult) ([]record.Entry, error) {
	old := map[string]record.Entry{}
	if sha := files[RecordJSON]; sha != "" {
		src, err := r.blob(ctx, sha)
		if err != nil {
			return nil, err
		}
		if ix, err := record.ParseIndex(src); err != nil {
			r.f.log().Warn("the record's index.json is unreadable; writing it anew", "repo", r.fullName(), "err", err)
		} else {
			for _, e := range ix.Postmortems {
				old[e.Path] = e
			}
		}
	}
	var paths []string
	for p := range files {
		if record.IsPostmortem(p) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []record.Entry
	for _, p := range paths {
		sha := files[p]
		if e, ok := old[p]; ok && e.Blob == sha {
			out = append(out, e)
			continue
		}
		if res.Read >= maxRecordReads {
			if e, ok := old[p]; ok {
				out = append(out, e)
			}
			continue
		}
		src, err := r.blob(ctx, sha)
		if err != nil {
			return nil, err
		}
		res.Read++
		release, err := r.f.parseSlot(ctx, len(src))
		if err != nil {
			return nil, err
		}
		e := record.Read(p, src)
		release()
		if dir == "" && e.Incident == "" && e.Severity == "" && e.Date().IsZero() {
			continue // at the repository's root, only what reads as a postmortem
		}
		e.Blob = sha
		if o, ok := old[p]; ok && o.Incident == e.Incident {
			// The follow-ups' fixes are the incident's, not the document's.
			e.FollowUpFiles, e.FollowUpsRead = o.FollowUpFiles, o.FollowUpsRead
		}
		if err := r.suspectFiles(ctx, &e, res); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Bounds of the files of a postmortem's suspect pull requests: the pull
// requests read (one page each), the files kept of each.
const (
	maxSuspectReads = 3
	maxSuspectFiles = 50
)

// suspectFiles sets e.Touched to the files its suspect pull requests (those
// of this repository its "Changes before the incident" section links)
// changed: one read each, at most maxSuspectReads, each counted in
// res.Read. A pull request GitHub no longer has is skipped.
func (r *run) suspectFiles(ctx context.Context, e *record.Entry, res *RecordResult) error {
	e.Touched = nil
	reads := 0
	for _, ref := range e.SuspectPulls {
		repo, num, _ := strings.Cut(ref, "#")
		n, err := strconv.Atoi(num)
		if err != nil || !strings.EqualFold(repo, r.fullName()) || reads == maxSuspectReads {
			continue
		}
		reads++
		res.Read++
		files, resp, err := r.gh.PullRequests.ListFiles(ctx, r.owner, r.repo, n, &github.ListOptions{PerPage: 100})
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				continue
			}
			return fmt.Errorf("list the files of #%d: %w", n, err)
		}
		for i, f := range files {
			if i == maxSuspectFiles {
				break
			}
			if name := f.GetFilename(); name != "" && len(name) <= 400 && !slices.Contains(e.Touched, name) {
				e.Touched = append(e.Touched, name)
			}
		}
	}
	return nil
}

// blob reads a git blob's bytes.
func (r *run) blob(ctx context.Context, sha string) ([]byte, error) {
	b, _, err := r.gh.Git.GetBlob(ctx, r.owner, r.repo, sha)
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", sha, err)
	}
	if b.GetEncoding() != "base64" {
		return []byte(b.GetContent()), nil
	}
	src, err := base64.StdEncoding.DecodeString(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, b.GetContent()))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", sha, err)
	}
	return src, nil
}

// ownsREADME says whether the App may write the directory's README.md:
// there is none, or it is the App's (it opens with record.IndexMarker). A
// README people wrote is left alone (index.json is still kept).
func (r *run) ownsREADME(ctx context.Context, sha string) (bool, error) {
	if sha == "" {
		return true, nil
	}
	src, err := r.blob(ctx, sha)
	if err != nil {
		return false, err
	}
	return strings.HasPrefix(string(src), record.IndexMarker), nil
}

// reIncidentRef reads the front matter's incident: a number, "#123" or a
// link to the issue.
var reIncidentRef = regexp.MustCompile(`^(?:#?(\d{1,9})|https?://\S+/issues/(\d{1,9}))\s*$`)

// entryIncident is the incident number of an entry (0 when its front
// matter names none, or another repository's).
func (r *run) entryIncident(e *record.Entry) int {
	m := reIncidentRef.FindStringSubmatch(strings.TrimSpace(e.Incident))
	if m == nil {
		return 0
	}
	if m[2] != "" && !strings.Contains(strings.ToLower(e.Incident), "/"+strings.ToLower(r.fullName())+"/issues/") {
		return 0
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	return n
}

// followUpState is an incident's follow-up issues: the open ones, and how
// many there are.
type followUpState struct {
	open   []int
	closed []int
	total  int
}

// followUpStates lists the repository's follow-up issues (the follow-up
// label, any state; at most maxRecordIssues pages) by the incident their
// marker names.
func (r *run) followUpStates(ctx context.Context, label, state string) (map[int]*followUpState, error) {
	out := map[int]*followUpState{}
	opts := &github.IssueListByRepoOptions{State: state, Labels: []string{label}, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxRecordIssues; page++ {
		list, resp, err := r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list follow-up issues: %w", err)
		}
		for _, is := range list {
			m := reFollowUpMarker.FindStringSubmatch(is.GetBody())
			if is.IsPullRequest() || m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[1])
			st := out[n]
			if st == nil {
				st = &followUpState{}
				out[n] = st
			}
			st.total++
			if is.GetState() == "open" {
				st.open = append(st.open, is.GetNumber())
			} else {
				st.closed = append(st.closed, is.GetNumber())
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

// recordFollowUps sets each entry's follow-ups from its incident's
// follow-up issues when it has any: the App filed one per open action item
// on merge, so an item is done when its box was ticked or its issue is
// closed (total − open issues). Entries without issues keep the
// document's ticked boxes. Then the files the fixes of its closed
// follow-ups changed (followUpFixes); more says closed follow-ups are left
// for another run.
func (r *run) recordFollowUps(ctx context.Context, cfg *repoconfig.Config, entries []record.Entry, res *RecordResult) (more bool, err error) {
	states, err := r.followUpStates(ctx, cfg.FollowUps.Label, "all")
	if err != nil {
		return false, err
	}
	for i := range entries {
		e := &entries[i]
		e.FollowUps.Open = nil
		st := states[r.entryIncident(e)]
		if st == nil || r.entryIncident(e) == 0 {
			continue
		}
		sort.Ints(st.open)
		e.FollowUps.Open = append([]int(nil), st.open...)
		e.FollowUps.Total = max(e.FollowUps.Total, st.total)
		e.FollowUps.Done = max(0, e.FollowUps.Total-len(st.open))
	}
	return r.followUpFixes(ctx, entries, states, res)
}

// Bounds of the follow-ups' fixes: the closed follow-up issues examined a
// run (a timeline read each, and the files of the pull request that fixed
// it: at most 2×maxFollowUpLookups reads), the follow-ups remembered per
// entry, the files kept per entry.
const (
	maxFollowUpLookups  = 4
	maxFollowUpsRead    = 100
	maxFollowUpFixFiles = 150
)

// followUpFixes adds to each entry the files changed by the pull requests
// that fixed its closed follow-up issues (Entry.FollowUpFiles): for each
// closed follow-up not examined yet (Entry.FollowUpsRead), one read of its
// timeline (the first page of 100), whose cross-referenced events name the
// pull requests that mention it; of those merged, of this repository, the
// one merged nearest to the issue's closing (the one that closed it, as a
// rule) has its files read (one page). At most maxFollowUpLookups a run,
// counted in res.FollowUps; more says some are left for another run. An
// issue or pull request GitHub no longer has is examined and gives nothing.
func (r *run) followUpFixes(ctx context.Context, entries []record.Entry, states map[int]*followUpState, res *RecordResult) (bool, error) {
	for i := range entries {
		e := &entries[i]
		// An index.json edited by hand is written back within the schema.
		e.FollowUpsRead = slices.DeleteFunc(e.FollowUpsRead, func(n int) bool { return n < 1 })
		e.FollowUpsRead = e.FollowUpsRead[:min(len(e.FollowUpsRead), maxFollowUpsRead)]
		e.FollowUpFiles = slices.DeleteFunc(e.FollowUpFiles, func(f string) bool { return f == "" || len(f) > 400 })
		e.FollowUpFiles = e.FollowUpFiles[:min(len(e.FollowUpFiles), maxFollowUpFixFiles)]
		n := r.entryIncident(e)
		st := states[n]
		if n == 0 || st == nil {
			continue
		}
		sort.Ints(st.closed)
		for _, fu := range st.closed {
			if slices.Contains(e.FollowUpsRead, fu) || len(e.FollowUpsRead) >= maxFollowUpsRead {
				continue
			}
			if res.FollowUps == maxFollowUpLookups {
				return true, nil
			}
			res.FollowUps++
			pr, err := r.followUpFix(ctx, fu)
			if err != nil {
				return false, err
			}
			if pr != 0 {
				if err := r.addFollowUpFiles(ctx, e, pr); err != nil {
					return false, err
				}
			}
			e.FollowUpsRead = append(e.FollowUpsRead, fu)
		}
	}
	return false, nil
}

// followUpFix is the merged pull request of this repository that fixed
// follow-up issue n, as its timeline says (0 when none): of those that
// cross-reference it, the one merged nearest to the issue's last closing.
func (r *run) followUpFix(ctx context.Context, n int) (int, error) {
	events, resp, err := r.gh.Issues.ListIssueTimeline(ctx, r.owner, r.repo, n, &github.ListOptions{PerPage: 100})
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
			return 0, nil
		}
		return 0, fmt.Errorf("timeline of #%d: %w", n, err)
	}
	var closed github.Timestamp
	type merged struct {
		number int
		at     github.Timestamp
	}
	var prs []merged
	here := "/" + strings.ToLower(r.fullName()) + "/pull/"
	for _, ev := range events {
		switch ev.GetEvent() {
		case "closed":
			closed = ev.GetCreatedAt()
		case "cross-referenced":
			is := ev.GetSource().GetIssue()
			if is == nil || !is.IsPullRequest() || is.GetPullRequestLinks().GetMergedAt().IsZero() ||
				!strings.Contains(strings.ToLower(is.GetHTMLURL()), here) {
				continue
			}
			prs = append(prs, merged{is.GetNumber(), is.GetPullRequestLinks().GetMergedAt()})
		}
	}
	best := -1
	for i, p := range prs {
		switch {
		case best < 0:
			best = i
		case closed.IsZero(): // no closing seen: the latest merged
			if p.at.After(prs[best].at.Time) {
				best = i
			}
		case p.at.Sub(closed.Time).Abs() < prs[best].at.Sub(closed.Time).Abs():
			best = i
		}
	}
	if best < 0 {
		return 0, nil
	}
	return prs[best].number, nil
}

// addFollowUpFiles adds the files pull request n changed to
// e.FollowUpFiles (one page, at most maxSuspectFiles of them; the entry
// keeps at most maxFollowUpFixFiles). A pull request gone is skipped.
func (r *run) addFollowUpFiles(ctx context.Context, e *record.Entry, n int) error {
	files, resp, err := r.gh.PullRequests.ListFiles(ctx, r.owner, r.repo, n, &github.ListOptions{PerPage: 100})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil
		}
		return fmt.Errorf("list the files of #%d: %w", n, err)
	}
	for i, f := range files {
		if i == maxSuspectFiles || len(e.FollowUpFiles) >= maxFollowUpFixFiles {
			break
		}
		if name := f.GetFilename(); name != "" && len(name) <= 400 && !slices.Contains(e.FollowUpFiles, name) {
			e.FollowUpFiles = append(e.FollowUpFiles, name)
		}
	}
	return nil
}

// gitBlobSHA is the git object id of content as a blob: what the tree says
// of a file with exactly these bytes.
func gitBlobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// writeRecord commits tree on top of head and moves the default branch to
// it, fast-forward only; when branch protection refuses (or the branch
// says it is protected), the commit goes to the record's branch and pull
// request instead.
func (r *run) writeRecord(ctx context.Context, base, head, baseTree string, protected bool, entries []*github.TreeEntry, n int, res *RecordResult) error {
	tree, _, err := r.gh.Git.CreateTree(ctx, r.owner, r.repo, baseTree, entries)
	if err != nil {
		return fmt.Errorf("create tree: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.GetPath())
	}
	msg := fmt.Sprintf("Update the postmortem record (%d postmortems)\n\n%s, written by the postmortem App from the merged postmortems.",
		n, strings.Join(names, " and "))
	if protected {
		return r.recordPR(ctx, base, head, tree.GetSHA(), msg, res)
	}
	commit, _, err := r.gh.Git.CreateCommit(ctx, r.owner, r.repo, &github.Commit{
		Message: github.String(msg), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: github.String(head)}},
	}, nil)
	if err != nil {
		return fmt.Errorf("create commit: %w", err)
	}
	_, _, err = r.gh.Git.UpdateRef(ctx, r.owner, r.repo, &github.Reference{
		Ref: github.String("refs/heads/" + base), Object: &github.GitObject{SHA: commit.SHA},
	}, false)
	switch {
	case err == nil:
		res.Commit = commit.GetSHA()
		r.emit("record", 0, "updated the postmortem record on %s (%d postmortems) in %s", base, n, render.ShortSHA(commit.GetSHA()))
		return nil
	case refusedByProtection(err):
		return r.recordPR(ctx, base, head, tree.GetSHA(), msg, res)
	}
	// Not a fast forward: the branch moved (a merge, or another run's
	// record): the retry reads it again.
	return fmt.Errorf("move %s to the record's commit: %w", base, err)
}

// refusedByProtection says whether GitHub refused a write to a branch for
// its protection (a rule asking for pull requests, status checks or
// reviews): 422 naming protected branches, or 403 from a ruleset.
func refusedByProtection(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	if s := er.Response.StatusCode; s != http.StatusUnprocessableEntity && s != http.StatusForbidden {
		return false
	}
	msg := strings.ToLower(er.Message)
	return strings.Contains(er.DocumentationURL, "protected-branches") || strings.Contains(er.DocumentationURL, "rulesets") ||
		strings.Contains(msg, "protected branch") || strings.Contains(msg, "status check") ||
		strings.Contains(msg, "through a pull request") || strings.Contains(msg, "repository rule")
}

// recordPR puts the record's tree on branch postmortem-index (one commit
// on top of the default branch's head; the branch is the App's and is
// moved whatever it held) and opens its pull request once. When the
// branch already holds that tree nothing is written.
func (r *run) recordPR(ctx context.Context, base, head, tree, msg string, res *RecordResult) error {
	ref, resp, err := r.gh.Git.GetRef(ctx, r.owner, r.repo, "heads/"+RecordBranch)
	exists := err == nil
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fmt.Errorf("get branch %s: %w", RecordBranch, err)
	}
	same := false
	if exists {
		c, _, err := r.gh.Git.GetCommit(ctx, r.owner, r.repo, ref.GetObject().GetSHA())
		if err != nil {
			return fmt.Errorf("get commit %s: %w", ref.GetObject().GetSHA(), err)
		}
		same = c.GetTree().GetSHA() == tree
	}
	if !same {
		commit, _, err := r.gh.Git.CreateCommit(ctx, r.owner, r.repo, &github.Commit{
			Message: github.String(msg), Tree: &github.Tree{SHA: github.String(tree)}, Parents: []*github.Commit{{SHA: github.String(head)}},
		}, nil)
		if err != nil {
			return fmt.Errorf("create commit: %w", err)
		}
		if exists {
			_, _, err = r.gh.Git.UpdateRef(ctx, r.owner, r.repo, &github.Reference{
				Ref: github.String("refs/heads/" + RecordBranch), Object: &github.GitObject{SHA: commit.SHA}}, true)
		} else {
			_, _, err = r.gh.Git.CreateRef(ctx, r.owner, r.repo, &github.Reference{
				Ref: github.String("refs/heads/" + RecordBranch), Object: &github.GitObject{SHA: commit.SHA}})
		}
		if err != nil {
			return fmt.Errorf("move %s: %w", RecordBranch, err)
		}
		r.emit("record", 0, "put the postmortem record on branch %s (%s is protected)", RecordBranch, base)
	}
	prs, _, err := r.gh.PullRequests.List(ctx, r.owner, r.repo, &github.PullRequestListOptions{
		State: "open", Head: r.owner + ":" + RecordBranch, Base: base, ListOptions: github.ListOptions{PerPage: 10}})
	if err != nil {
		return fmt.Errorf("list pull requests of %s: %w", RecordBranch, err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == RecordBranch {
			res.PullRequest = pr.GetNumber()
			return nil
		}
	}
	pr, _, err := r.gh.PullRequests.Create(ctx, r.owner, r.repo, &github.NewPullRequest{
		Title: github.String("Update the postmortem record"),
		Head:  github.String(RecordBranch), Base: github.String(base),
		Body: github.String("The postmortem App keeps the record of every merged postmortem (the directory's `README.md` and `index.json`). " +
			"Branch protection refuses its commits on `" + base + "`, so the update waits here; the App moves this branch when the record changes " +
			"again. Merge it when it suits you."),
	})
	if err != nil {
		if statusOf(err) == http.StatusUnprocessableEntity && errorMentions(err, "already exists") {
			return fmt.Errorf("open the record's pull request: %w (another run opened it: retried)", err)
		}
		return fmt.Errorf("open the record's pull request: %w", err)
	}
	res.PullRequest = pr.GetNumber()
	r.emit("record", pr.GetNumber(), "opened pull request #%d with the postmortem record (%s is protected)", pr.GetNumber(), base)
	return nil
}
