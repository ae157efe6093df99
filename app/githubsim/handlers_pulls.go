package githubsim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func (s *Server) routesPulls() {
	s.handle("GET /repos/{owner}/{repo}/pulls", repoRead("pull_requests"), s.listPulls)
	s.handle("POST /repos/{owner}/{repo}/pulls", repoWrite("pull_requests"), s.createPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}", repoRead("pull_requests"), s.getPull)
	s.handle("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", repoWrite("pull_requests"), s.editPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", repoRead("pull_requests"), s.pullFiles)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", repoRead("pull_requests"), s.pullCommits)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/merge", repoRead("pull_requests"), s.isMerged)
	s.handle("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", repoWrite("contents"), s.mergePull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", repoRead("pull_requests"), s.listReviews)
	s.handle("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", repoWrite("pull_requests"), s.createReview)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}", repoRead("pull_requests"), s.getReview)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments", repoRead("pull_requests"), s.listReviewCommentsOfReview)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", repoRead("pull_requests"), s.listReviewComments)
	s.handle("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments", repoWrite("pull_requests"), s.createReviewComment)
	s.handle("GET /repos/{owner}/{repo}/pulls/comments", repoRead("pull_requests"), s.listRepoReviewComments)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repoRead("pull_requests"), s.listRequestedReviewers)
	s.handle("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repoWrite("pull_requests"), s.requestReviewers)
	s.handle("DELETE /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repoWrite("pull_requests"), s.removeReviewers)
}

func (c *ctx) pullIssue() (*issue, error) {
	n, err := strconv.Atoi(c.param("pull_number"))
	if err != nil {
		return nil, notFound()
	}
	is := c.repo.issues[n]
	if is == nil || is.PR == nil {
		return nil, notFound()
	}
	return is, nil
}

// heads of a PR: live while open, frozen once closed.
func (r *repo) pullSHAs(is *issue) (head, base string) {
	if is.PR.HeadSHA != "" {
		return is.PR.HeadSHA, is.PR.BaseSHA
	}
	return r.refs["refs/heads/"+is.PR.Head], r.refs["refs/heads/"+is.PR.Base]
}

func (s *Server) freezePR(r *repo, is *issue) {
	is.PR.HeadSHA, is.PR.BaseSHA = r.refs["refs/heads/"+is.PR.Head], r.refs["refs/heads/"+is.PR.Base]
}

// mergeTrees does a path-level three-way merge of head into base.
func (o objectStore) mergeTrees(baseSHA, headSHA string) (string, bool) {
	if o.isAncestor(baseSHA, headSHA) {
		hc, _ := o.commit(headSHA)
		return hc.Tree, true
	}
	mb := o.mergeBase(baseSHA, headSHA)
	mbTree := emptyTreeSHA
	if mb != "" {
		mc, _ := o.commit(mb)
		mbTree = mc.Tree
	}
	bc, _ := o.commit(baseSHA)
	hc, _ := o.commit(headSHA)
	anc, ours, theirs := o.flatten(mbTree), o.flatten(bc.Tree), o.flatten(hc.Tree)
	out := map[string]flatEntry{}
	for p, e := range ours {
		out[p] = e
	}
	paths := map[string]bool{}
	for p := range anc {
		paths[p] = true
	}
	for p := range theirs {
		paths[p] = true
	}
	for p := range ours {
		paths[p] = true
	}
	for p := range paths {
		a, inA := anc[p]
		b, inB := ours[p]
		t, inT := theirs[p]
		theirsChanged := inA != inT || a != t
		if !theirsChanged {
			continue
		}
		oursChanged := inA != inB || a != b
		if oursChanged && (inB != inT || b != t) {
			return "", false
		}
		if inT {
			out[p] = t
		} else {
			delete(out, p)
		}
	}
	return o.writeFlat(out), true
}

func (v view) pullSimple(r *repo, is *issue) map[string]any {
	head, base := r.pullSHAs(is)
	pu := fmt.Sprintf("%s/pulls/%d", v.repoURL(r), is.Number)
	iu := v.issueURL(r, is)
	html := fmt.Sprintf("%s/%s/pull/%d", v.web, r.fullName(), is.Number)
	var assignee any
	if len(is.Assignees) > 0 {
		assignee = v.user(is.Assignees[0])
	}
	side := func(branch, sha string) map[string]any {
		var rp map[string]any
		if v.hook {
			rp = v.hookRepository(r)
		} else {
			rp = v.repository(r)
		}
		return map[string]any{"label": r.Owner.Login + ":" + branch, "ref": branch, "sha": sha, "user": v.user(r.Owner), "repo": rp}
	}
	var body any
	if is.Body != nil {
		body = *is.Body
	}
	link := func(h string) map[string]any { return map[string]any{"href": h} }
	return map[string]any{
		"url": pu, "id": is.ID, "node_id": nodeID("PullRequest", is.ID), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": iu, "commits_url": pu + "/commits",
		"review_comments_url": pu + "/comments", "review_comment_url": v.repoURL(r) + "/pulls/comments{/number}",
		"comments_url": iu + "/comments", "statuses_url": v.repoURL(r) + "/statuses/" + head,
		"number": is.Number, "state": is.State, "locked": is.Locked, "title": is.Title, "user": v.user(is.User),
		"body": body, "labels": v.labels(r, is.Labels), "milestone": nil, "active_lock_reason": nil,
		"created_at": ts(is.CreatedAt), "updated_at": ts(is.UpdatedAt), "closed_at": tsPtr(is.ClosedAt),
		"merged_at": tsPtr(is.PR.MergedAt), "merge_commit_sha": strPtr(is.PR.MergeCommitSHA), "assignee": assignee,
		"assignees": v.users(is.Assignees), "requested_reviewers": v.users(is.PR.RequestedReviewers), "requested_teams": []any{},
		"head": side(is.PR.Head, head), "base": side(is.PR.Base, base),
		"_links": map[string]any{"self": link(pu), "html": link(html), "issue": link(iu), "comments": link(iu + "/comments"),
			"review_comments": link(pu + "/comments"), "review_comment": link(v.repoURL(r) + "/pulls/comments{/number}"),
			"commits": link(pu + "/commits"), "statuses": link(v.repoURL(r) + "/statuses/" + head)},
		"author_association": v.s.association(is.User, r), "auto_merge": nil, "draft": is.PR.Draft,
	}
}

func (v view) pull(r *repo, is *issue) map[string]any {
	m := v.pullSimple(r, is)
	head, base := r.pullSHAs(is)
	var mergeable any
	state := "unknown"
	if is.State == "open" && head != "" && base != "" {
		_, ok := r.objects.mergeTrees(base, head)
		mergeable = ok
		state = "clean"
		if !ok {
			state = "dirty"
		}
	}
	if is.PR.Merged {
		mergeable, state = nil, "unknown"
	}
	adds, dels, files := 0, 0, 0
	commits := 0
	if head != "" && base != "" {
		mb := r.objects.mergeBase(base, head)
		for _, f := range r.pullChanges(mb, head) {
			adds += f.Additions
			dels += f.Deletions
			files++
		}
		commits = len(r.objects.commitsBetween(base, head))
		if is.PR.Merged {
			commits = len(r.objects.commitsBetween(mb, head))
		}
	}
	comments, rc := r.commentCount(is), 0
	for _, x := range r.revComment {
		if x.PR == is {
			rc++
		}
	}
	m["merged"] = is.PR.Merged
	m["mergeable"] = mergeable
	m["rebaseable"] = mergeable
	m["mergeable_state"] = state
	m["merged_by"] = v.user(is.PR.MergedBy)
	m["comments"] = comments
	m["review_comments"] = rc
	m["maintainer_can_modify"] = is.PR.MaintainerCanModify
	m["commits"] = commits
	m["additions"] = adds
	m["deletions"] = dels
	m["changed_files"] = files
	return m
}

func (r *repo) pullChanges(mb, head string) []fileChange {
	base := emptyTreeSHA
	if mb != "" {
		c, _ := r.objects.commit(mb)
		base = c.Tree
	}
	hc, _ := r.objects.commit(head)
	return r.objects.diffTrees(base, hc.Tree)
}

func (s *Server) createPull(c *ctx) (any, error) {
	var in struct {
		Title               *string `json:"title"`
		Head                string  `json:"head"`
		Base                string  `json:"base"`
		Body                *string `json:"body"`
		Draft               bool    `json:"draft"`
		MaintainerCanModify *bool   `json:"maintainer_can_modify"`
		Issue               int     `json:"issue"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	head := in.Head
	if owner, br, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, c.repo.Owner.Login) {
			return nil, validationFailed("PullRequest", "head", "invalid")
		}
		head = br
	}
	if e := bodyTooLong("PullRequest", in.Body); e != nil {
		return nil, e
	}
	if in.Title == nil && in.Issue == 0 {
		return nil, validationFailed("PullRequest", "title", "missing_field")
	}
	if head == "" {
		return nil, validationFailed("PullRequest", "head", "missing_field")
	}
	if in.Base == "" {
		return nil, validationFailed("PullRequest", "base", "missing_field")
	}
	hs, okH := c.repo.refs["refs/heads/"+head]
	bs, okB := c.repo.refs["refs/heads/"+in.Base]
	if !okH {
		return nil, validationFailed("PullRequest", "head", "invalid")
	}
	if !okB {
		return nil, validationFailed("PullRequest", "base", "invalid")
	}
	for _, n := range c.repo.sortedNumbers() {
		is := c.repo.issues[n]
		if is.PR != nil && is.State == "open" && is.PR.Head == head && is.PR.Base == in.Base {
			e := validationFailed("PullRequest", "", "custom")
			e.Errors[0]["message"] = fmt.Sprintf("A pull request already exists for %s:%s.", c.repo.Owner.Login, head)
			delete(e.Errors[0], "field")
			return nil, e
		}
	}
	if len(c.repo.objects.commitsBetween(bs, hs)) == 0 {
		e := validationFailed("PullRequest", "", "custom")
		e.Errors[0]["message"] = "No commits between " + in.Base + " and " + head
		delete(e.Errors[0], "field")
		return nil, e
	}
	now := s.clock()
	var is *issue
	if in.Issue != 0 {
		is = c.repo.issues[in.Issue]
		if is == nil || is.PR != nil {
			return nil, validationFailed("PullRequest", "issue", "invalid")
		}
	} else {
		c.repo.nextNumber++
		is = &issue{ID: s.newID(), Number: c.repo.nextNumber, Title: *in.Title, Body: in.Body, User: c.auth.user, State: "open",
			CreatedAt: now, UpdatedAt: now, ViaApp: c.viaApp()}
		c.repo.issues[is.Number] = is
	}
	mcm := true
	if in.MaintainerCanModify != nil {
		mcm = *in.MaintainerCanModify
	}
	is.PR = &pull{Head: head, Base: in.Base, Draft: in.Draft, MaintainerCanModify: mcm}
	s.emit("pull_request", "opened", c.repo, map[string]any{"number": is.Number, "pull_request": s.rootView().pull(c.repo, is)}, c.auth.user, hookTarget{})
	s.crossReference(c, is, derefStr(in.Body))
	c.status = 201
	return c.pull(c.repo, is), nil
}

func (s *Server) getPull(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	c.lastModified = is.UpdatedAt
	return c.pull(c.repo, is), nil
}

func (s *Server) listPulls(c *ctx) (any, error) {
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	headF := c.query("head")
	var list []*issue
	for _, n := range c.repo.sortedNumbers() {
		is := c.repo.issues[n]
		if is.PR == nil || (state != "all" && is.State != state) {
			continue
		}
		if headF != "" {
			owner, br, ok := strings.Cut(headF, ":")
			if !ok {
				br = owner
			} else if !strings.EqualFold(owner, c.repo.Owner.Login) {
				continue
			}
			if br != is.PR.Head {
				continue
			}
		}
		if b := c.query("base"); b != "" && b != is.PR.Base {
			continue
		}
		list = append(list, is)
	}
	desc := c.query("direction") != "asc"
	if c.query("direction") == "" && c.query("sort") == "" {
		desc = true
	}
	sortKey := c.query("sort")
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		less := a.Number < b.Number
		if sortKey == "updated" {
			less = a.UpdatedAt.Before(b.UpdatedAt) || (a.UpdatedAt.Equal(b.UpdatedAt) && a.Number < b.Number)
		}
		if desc {
			return !less
		}
		return less
	})
	out := []any{}
	for _, is := range paginate(c, list) {
		out = append(out, c.pullSimple(c.repo, is))
	}
	return out, nil
}

func (s *Server) editPull(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if e := bodyTooLong("PullRequest", in.Body); e != nil {
		return nil, e
	}
	changes := map[string]any{}
	if in.Title != nil && *in.Title != is.Title {
		changes["title"] = map[string]any{"from": is.Title}
		is.Title = *in.Title
	}
	if in.Body != nil && *in.Body != derefStr(is.Body) {
		changes["body"] = map[string]any{"from": derefStr(is.Body)}
		is.Body = in.Body
	}
	if in.Base != nil && *in.Base != is.PR.Base {
		if _, ok := c.repo.refs["refs/heads/"+*in.Base]; !ok {
			return nil, validationFailed("PullRequest", "base", "invalid")
		}
		changes["base"] = map[string]any{"ref": map[string]any{"from": is.PR.Base}, "sha": map[string]any{"from": c.repo.refs["refs/heads/"+is.PR.Base]}}
		is.PR.Base = *in.Base
	}
	if len(changes) > 0 {
		is.UpdatedAt = s.clock()
		s.emit("pull_request", "edited", c.repo, map[string]any{"number": is.Number, "changes": changes, "pull_request": s.rootView().pull(c.repo, is)}, c.auth.user, hookTarget{})
	}
	if in.State != nil && *in.State != is.State {
		if *in.State != "open" && *in.State != "closed" {
			return nil, validationFailed("PullRequest", "state", "invalid")
		}
		if is.PR.Merged {
			return nil, validationFailed("PullRequest", "state", "invalid")
		}
		s.setState(c, is, *in.State, nil)
	}
	return c.pull(c.repo, is), nil
}

func (s *Server) pullFiles(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	head, base := c.repo.pullSHAs(is)
	mb := c.repo.objects.mergeBase(base, head)
	files, _, _ := c.files(c.repo, c.repo.pullChanges(mb, head), head)
	return paginate(c, files), nil
}

func (s *Server) pullCommits(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	head, base := c.repo.pullSHAs(is)
	if is.PR.Merged {
		base = c.repo.objects.mergeBase(base, head)
	}
	out := []any{}
	for _, sha := range c.repo.objects.commitsBetween(base, head) {
		out = append(out, c.commitFull(c.repo, sha, false))
	}
	return paginate(c, out), nil
}

func (s *Server) isMerged(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	if !is.PR.Merged {
		return nil, notFound()
	}
	c.status = 204
	return nil, nil
}

func (s *Server) mergePull(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		CommitTitle   string `json:"commit_title"`
		CommitMessage string `json:"commit_message"`
		SHA           string `json:"sha"`
		MergeMethod   string `json:"merge_method"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if is.State != "open" || is.PR.Merged {
		return nil, errf(405, "Pull Request is not mergeable")
	}
	if is.PR.Draft {
		return nil, errf(405, "Pull Request is still a draft")
	}
	head, base := c.repo.pullSHAs(is)
	if in.SHA != "" && !strings.EqualFold(in.SHA, head) {
		return nil, errf(409, "Head branch was modified. Review and try the merge again.")
	}
	tree, ok := c.repo.objects.mergeTrees(base, head)
	if !ok {
		return nil, errf(405, "Pull Request is not mergeable")
	}
	method := in.MergeMethod
	if method == "" {
		method = "merge"
	}
	now := s.clock()
	author := c.actorSignature()
	committer := signature{Name: "GitHub", Email: "noreply@github.com", When: now}
	var msg string
	var parents []string
	switch method {
	case "merge":
		title := in.CommitTitle
		if title == "" {
			title = fmt.Sprintf("Merge pull request #%d from %s/%s", is.Number, c.repo.Owner.Login, is.PR.Head)
		}
		body := in.CommitMessage
		if body == "" {
			body = is.Title
		}
		msg = title + "\n\n" + body
		parents = []string{base, head}
	case "squash", "rebase":
		title := in.CommitTitle
		if title == "" {
			title = fmt.Sprintf("%s (#%d)", is.Title, is.Number)
		}
		body := in.CommitMessage
		if body == "" {
			var parts []string
			for _, sha := range c.repo.objects.commitsBetween(base, head) {
				cm, _ := c.repo.objects.commit(sha)
				parts = append(parts, "* "+strings.TrimSpace(cm.Message))
			}
			body = strings.Join(parts, "\n\n")
		}
		msg = title
		if body != "" {
			msg += "\n\n" + body
		}
		parents = []string{base}
		if method == "rebase" {
			hc, _ := c.repo.objects.commit(head)
			author = hc.Author
		}
	default:
		return nil, validationFailed("PullRequest", "merge_method", "invalid")
	}
	sha := c.repo.objects.put("commit", encodeCommit(commitObj{Tree: tree, Parents: parents, Author: author, Committer: committer, Message: msg}))
	s.freezePR(c.repo, is)
	is.PR.Merged, is.PR.MergedAt, is.PR.MergedBy, is.PR.MergeCommitSHA = true, &now, c.auth.user, &sha
	r := "completed"
	is.State, is.ClosedAt, is.ClosedBy, is.UpdatedAt, is.StateReason = "closed", &now, c.auth.user, now, &r
	s.addEvent(c.repo, is, c.auth.user, "merged", c.viaApp(), func(e *issueEvent) { e.CommitID = &sha })
	s.addEvent(c.repo, is, c.auth.user, "closed", c.viaApp(), func(e *issueEvent) { e.CommitID = &sha })
	s.setRef(c.repo, "refs/heads/"+is.PR.Base, sha, c.auth)
	s.emit("pull_request", "closed", c.repo, map[string]any{"number": is.Number, "pull_request": s.rootView().pull(c.repo, is)}, c.auth.user, hookTarget{})
	return map[string]any{"sha": sha, "merged": true, "message": "Pull Request successfully merged"}, nil
}

// ---- reviews

func (v view) review(r *repo, rv *review) map[string]any {
	pu := fmt.Sprintf("%s/pulls/%d", v.repoURL(r), rv.PR.Number)
	html := fmt.Sprintf("%s/%s/pull/%d#pullrequestreview-%d", v.web, r.fullName(), rv.PR.Number, rv.ID)
	state := rv.State
	if v.hook {
		state = strings.ToLower(state) // webhook payloads use lower case
	}
	m := map[string]any{"id": rv.ID, "node_id": nodeID("PullRequestReview", rv.ID), "user": v.user(rv.User), "body": rv.Body,
		"state": state, "html_url": html, "pull_request_url": pu, "commit_id": rv.CommitID,
		"author_association": v.s.association(rv.User, r),
		"_links":             map[string]any{"html": map[string]any{"href": html}, "pull_request": map[string]any{"href": pu}}}
	if rv.State != "PENDING" {
		m["submitted_at"] = ts(rv.SubmittedAt)
	}
	return m
}

func (v view) reviewComment(r *repo, rc *reviewComment) map[string]any {
	u := fmt.Sprintf("%s/pulls/comments/%d", v.repoURL(r), rc.ID)
	pu := fmt.Sprintf("%s/pulls/%d", v.repoURL(r), rc.PR.Number)
	html := fmt.Sprintf("%s/%s/pull/%d#discussion_r%d", v.web, r.fullName(), rc.PR.Number, rc.ID)
	intp := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var revID any
	if rc.ReviewID != 0 {
		revID = rc.ReviewID
	}
	m := map[string]any{"url": u, "pull_request_review_id": revID, "id": rc.ID, "node_id": nodeID("PullRequestReviewComment", rc.ID),
		"diff_hunk": rc.DiffHunk, "path": rc.Path, "position": intp(rc.Position), "original_position": intp(rc.Position),
		"commit_id": rc.CommitID, "original_commit_id": rc.CommitID, "user": v.user(rc.User), "body": rc.Body,
		"created_at": ts(rc.CreatedAt), "updated_at": ts(rc.UpdatedAt), "html_url": html, "pull_request_url": pu,
		"author_association": v.s.association(rc.User, r),
		"_links":             map[string]any{"self": map[string]any{"href": u}, "html": map[string]any{"href": html}, "pull_request": map[string]any{"href": pu}},
		"start_line":         intp(rc.StartLine), "original_start_line": intp(rc.StartLine), "start_side": strPtr(rc.StartSide),
		"line": intp(rc.Line), "original_line": intp(rc.Line), "side": rc.Side, "subject_type": "line",
		"reactions": v.reactions(u)}
	if rc.InReplyTo != nil {
		m["in_reply_to_id"] = *rc.InReplyTo
	}
	return m
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// diffLines returns which lines of a file's patch can carry comments per side,
// and the position (1-based line index in the patch) of each.
func diffLines(patch string) (right, left map[int]int) {
	right, left = map[int]int{}, map[int]int{}
	var oldN, newN int
	for i, line := range strings.Split(patch, "\n") {
		if m := hunkHeader.FindStringSubmatch(line); m != nil {
			oldN, _ = strconv.Atoi(m[1])
			newN, _ = strconv.Atoi(m[3])
			continue
		}
		if line == "" {
			continue
		}
		switch line[0] {
		case '+':
			right[newN] = i
			newN++
		case '-':
			left[oldN] = i
			oldN++
		case ' ':
			right[newN] = i
			left[oldN] = i
			newN++
			oldN++
		}
	}
	return right, left
}

type reviewCommentIn struct {
	Path      string  `json:"path"`
	Position  *int    `json:"position"`
	Line      *int    `json:"line"`
	Side      string  `json:"side"`
	StartLine *int    `json:"start_line"`
	StartSide *string `json:"start_side"`
	Body      string  `json:"body"`
	InReplyTo *int64  `json:"in_reply_to"`
	CommitID  string  `json:"commit_id"`
}

// newReviewComment validates a line comment against the PR diff.
func (s *Server) newReviewComment(c *ctx, is *issue, in reviewCommentIn, commitID string) (*reviewComment, *apiError) {
	head, base := c.repo.pullSHAs(is)
	mb := c.repo.objects.mergeBase(base, head)
	var patch string
	found := false
	for _, f := range c.repo.pullChanges(mb, head) {
		if f.Filename == in.Path {
			patch, found = f.Patch, true
		}
	}
	if in.Body == "" {
		return nil, validationFailed("PullRequestReviewComment", "body", "missing_field")
	}
	if e := bodyTooLong("PullRequestReviewComment", &in.Body); e != nil {
		return nil, e
	}
	if !found {
		return nil, unprocessable("Unprocessable Entity: Pull request review thread path could not be resolved")
	}
	right, left := diffLines(patch)
	side := strings.ToUpper(in.Side)
	if side == "" {
		side = "RIGHT"
	}
	lines := right
	if side == "LEFT" {
		lines = left
	}
	now := s.clock()
	rc := &reviewComment{ID: s.newID(), PR: is, User: c.auth.user, Body: in.Body, Path: in.Path, Side: side, CommitID: commitID,
		CreatedAt: now, UpdatedAt: now}
	switch {
	case in.Line != nil:
		pos, ok := lines[*in.Line]
		if !ok {
			return nil, unprocessable("Unprocessable Entity: Pull request review thread line must be part of the diff")
		}
		if in.StartLine != nil {
			if _, ok := lines[*in.StartLine]; !ok || *in.StartLine >= *in.Line {
				return nil, unprocessable("Unprocessable Entity: Pull request review thread start line must be part of the same hunk as the line.")
			}
			rc.StartLine, rc.StartSide = in.StartLine, sp(side)
		}
		l := *in.Line
		rc.Line, rc.Position = &l, &pos
	case in.Position != nil:
		pos := *in.Position
		n := len(strings.Split(patch, "\n"))
		if pos < 1 || pos >= n {
			return nil, unprocessable("Unprocessable Entity: Pull request review thread position is invalid")
		}
		for ln, p := range right {
			if p == pos {
				l := ln
				rc.Line = &l
			}
		}
		rc.Position = &pos
	default:
		return nil, validationFailed("PullRequestReviewComment", "line", "missing_field")
	}
	// diff hunk up to the commented line
	pl := strings.Split(patch, "\n")
	end := min(*rc.Position, len(pl)-1)
	start := 0
	for i := end; i >= 0; i-- {
		if strings.HasPrefix(pl[i], "@@") {
			start = i
			break
		}
	}
	rc.DiffHunk = strings.Join(pl[start:end+1], "\n")
	return rc, nil
}

func (s *Server) createReview(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		CommitID string            `json:"commit_id"`
		Body     string            `json:"body"`
		Event    string            `json:"event"`
		Comments []reviewCommentIn `json:"comments"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	state := "PENDING"
	switch in.Event {
	case "APPROVE":
		state = "APPROVED"
	case "REQUEST_CHANGES":
		state = "CHANGES_REQUESTED"
	case "COMMENT":
		state = "COMMENTED"
	case "":
	default:
		return nil, validationFailed("PullRequestReview", "event", "invalid")
	}
	bodies := []string{in.Body}
	for _, rc := range in.Comments {
		bodies = append(bodies, rc.Body)
	}
	if e := reviewTooLong(bodies...); e != nil {
		return nil, e
	}
	if (state == "CHANGES_REQUESTED" || state == "COMMENTED") && in.Body == "" && len(in.Comments) == 0 {
		e := errf(422, "Unprocessable Entity")
		e.Errors = []map[string]any{{"resource": "PullRequestReview", "field": "body", "code": "custom", "message": "Body is required"}}
		return nil, e
	}
	if is.User == c.auth.user && (state == "APPROVED" || state == "CHANGES_REQUESTED") {
		e := errf(422, "Unprocessable Entity")
		verb := "approve"
		if state == "CHANGES_REQUESTED" {
			verb = "request changes on"
		}
		e.Errors = []map[string]any{{"resource": "PullRequestReview", "code": "custom", "message": "Can not " + verb + " your own pull request"}}
		return nil, e
	}
	head, _ := c.repo.pullSHAs(is)
	commit := head
	if in.CommitID != "" {
		if _, ok := c.repo.objects.commit(strings.ToLower(in.CommitID)); !ok {
			return nil, unprocessable("Unprocessable Entity: commit_id is not part of the pull request")
		}
		commit = strings.ToLower(in.CommitID)
	}
	var rcs []*reviewComment
	for _, ci := range in.Comments {
		rc, e := s.newReviewComment(c, is, ci, commit)
		if e != nil {
			return nil, e
		}
		rcs = append(rcs, rc)
	}
	now := s.clock()
	rv := &review{ID: s.newID(), PR: is, User: c.auth.user, Body: in.Body, State: state, CommitID: commit, SubmittedAt: now}
	c.repo.reviews = append(c.repo.reviews, rv)
	for _, rc := range rcs {
		rc.ReviewID = rv.ID
		c.repo.revComment = append(c.repo.revComment, rc)
	}
	// a review by a requested reviewer satisfies the request
	var keep []*account
	for _, a := range is.PR.RequestedReviewers {
		if a != c.auth.user || state == "PENDING" {
			keep = append(keep, a)
		}
	}
	is.PR.RequestedReviewers = keep
	if state != "PENDING" {
		v := s.rootView()
		s.addEvent(c.repo, is, c.auth.user, "reviewed", c.viaApp(), nil)
		s.emit("pull_request_review", "submitted", c.repo, map[string]any{"review": v.review(c.repo, rv), "pull_request": v.pullSimple(c.repo, is)}, c.auth.user, hookTarget{})
		for _, rc := range rcs {
			s.emit("pull_request_review_comment", "created", c.repo, map[string]any{"comment": v.reviewComment(c.repo, rc), "pull_request": v.pullSimple(c.repo, is)}, c.auth.user, hookTarget{})
		}
	}
	c.status = 200
	return c.review(c.repo, rv), nil
}

func (s *Server) listReviews(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, rv := range c.repo.reviews {
		if rv.PR == is && (rv.State != "PENDING" || rv.User == c.auth.user) {
			out = append(out, c.review(c.repo, rv))
		}
	}
	return paginate(c, out), nil
}

func (s *Server) getReview(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(c.param("review_id"), 10, 64)
	for _, rv := range c.repo.reviews {
		if rv.PR == is && rv.ID == id {
			return c.review(c.repo, rv), nil
		}
	}
	return nil, notFound()
}

func (s *Server) listReviewCommentsOfReview(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(c.param("review_id"), 10, 64)
	out := []any{}
	for _, rc := range c.repo.revComment {
		if rc.PR == is && rc.ReviewID == id {
			out = append(out, c.reviewComment(c.repo, rc))
		}
	}
	return paginate(c, out), nil
}

func (s *Server) listReviewComments(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, rc := range c.repo.revComment {
		if rc.PR == is {
			out = append(out, c.reviewComment(c.repo, rc))
		}
	}
	return paginate(c, out), nil
}

func (s *Server) listRepoReviewComments(c *ctx) (any, error) {
	out := []any{}
	for _, rc := range c.repo.revComment {
		out = append(out, c.reviewComment(c.repo, rc))
	}
	return paginate(c, out), nil
}

func (s *Server) createReviewComment(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in reviewCommentIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	head, _ := c.repo.pullSHAs(is)
	var rc *reviewComment
	if in.InReplyTo != nil {
		var parent *reviewComment
		for _, x := range c.repo.revComment {
			if x.ID == *in.InReplyTo && x.PR == is {
				parent = x
			}
		}
		if parent == nil {
			return nil, notFound()
		}
		if in.Body == "" {
			return nil, validationFailed("PullRequestReviewComment", "body", "missing_field")
		}
		if e := bodyTooLong("PullRequestReviewComment", &in.Body); e != nil {
			return nil, e
		}
		now := s.clock()
		cp := *parent
		cp.ID, cp.Body, cp.User, cp.CreatedAt, cp.UpdatedAt, cp.InReplyTo = s.newID(), in.Body, c.auth.user, now, now, in.InReplyTo
		rc = &cp
	} else {
		commit := head
		if in.CommitID != "" {
			commit = strings.ToLower(in.CommitID)
		}
		var e *apiError
		rc, e = s.newReviewComment(c, is, in, commit)
		if e != nil {
			return nil, e
		}
	}
	rv := &review{ID: s.newID(), PR: is, User: c.auth.user, State: "COMMENTED", CommitID: rc.CommitID, SubmittedAt: s.clock()}
	c.repo.reviews = append(c.repo.reviews, rv)
	rc.ReviewID = rv.ID
	c.repo.revComment = append(c.repo.revComment, rc)
	v := s.rootView()
	s.emit("pull_request_review_comment", "created", c.repo, map[string]any{"comment": v.reviewComment(c.repo, rc), "pull_request": v.pullSimple(c.repo, is)}, c.auth.user, hookTarget{})
	c.status = 201
	return c.reviewComment(c.repo, rc), nil
}

func (s *Server) listRequestedReviewers(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	return map[string]any{"users": c.users(is.PR.RequestedReviewers), "teams": []any{}}, nil
}

func (s *Server) requestReviewers(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var add []*account
	for _, l := range in.Reviewers {
		u := s.accounts[strings.ToLower(l)]
		if u == nil || !s.canPush(u, c.repo) {
			return nil, unprocessable("Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the " + c.repo.fullName() + " repository.")
		}
		if u == is.User {
			return nil, unprocessable("Review cannot be requested from pull request author.")
		}
		add = append(add, u)
	}
	v := s.rootView()
	for _, u := range add {
		dup := false
		for _, x := range is.PR.RequestedReviewers {
			dup = dup || x == u
		}
		if dup {
			continue
		}
		u := u
		is.PR.RequestedReviewers = append(is.PR.RequestedReviewers, u)
		s.addEvent(c.repo, is, c.auth.user, "review_requested", c.viaApp(), func(e *issueEvent) { e.Reviewer = u })
		s.emit("pull_request", "review_requested", c.repo, map[string]any{"number": is.Number, "requested_reviewer": v.user(u), "pull_request": v.pull(c.repo, is)}, c.auth.user, hookTarget{})
	}
	c.status = 201
	return c.pullSimple(c.repo, is), nil
}

func (s *Server) removeReviewers(c *ctx) (any, error) {
	is, err := c.pullIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Reviewers []string `json:"reviewers"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var keep []*account
	for _, a := range is.PR.RequestedReviewers {
		drop := false
		for _, l := range in.Reviewers {
			drop = drop || strings.EqualFold(l, a.Login)
		}
		if !drop {
			keep = append(keep, a)
		}
	}
	is.PR.RequestedReviewers = keep
	c.status = http.StatusOK
	return c.pullSimple(c.repo, is), nil
}
