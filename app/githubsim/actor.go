package githubsim

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Actor is a person driving a scenario over the same HTTP API, with a user token.
type Actor struct {
	Login  string
	Client *github.Client
	srv    *Server
}

// As returns an Actor acting as login (a token is created when the seed has none).
func (s *Server) As(login string) *Actor {
	tok := s.UserToken(login)
	hc := &http.Client{Transport: &tokenTransport{token: tok, base: http.DefaultTransport}}
	c, _ := github.NewClient(hc).WithEnterpriseURLs(s.URL()+"/", s.URL()+"/")
	c.BaseURL, _ = c.BaseURL.Parse(s.URL() + "/")
	return &Actor{Login: login, Client: c, srv: s}
}

type tokenTransport struct {
	token string
	base  http.RoundTripper
}

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "token "+t.token)
	return t.base.RoundTrip(r)
}

func splitRepo(full string) (string, string) {
	o, r, _ := strings.Cut(full, "/")
	return o, r
}

// OpenIssue opens an issue in repo ("owner/name") and returns its number.
func (a *Actor) OpenIssue(repo, title, body string, labels ...string) (int, error) {
	o, r := splitRepo(repo)
	req := &github.IssueRequest{Title: &title, Body: &body}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := a.Client.Issues.Create(context.Background(), o, r, req)
	if err != nil {
		return 0, err
	}
	return is.GetNumber(), nil
}

// AddLabels labels an issue or PR.
func (a *Actor) AddLabels(repo string, number int, labels ...string) error {
	o, r := splitRepo(repo)
	_, _, err := a.Client.Issues.AddLabelsToIssue(context.Background(), o, r, number, labels)
	return err
}

// RemoveLabel removes one label.
func (a *Actor) RemoveLabel(repo string, number int, label string) error {
	o, r := splitRepo(repo)
	_, err := a.Client.Issues.RemoveLabelForIssue(context.Background(), o, r, number, label)
	return err
}

// Comment comments on an issue or PR and returns the comment id.
func (a *Actor) Comment(repo string, number int, body string) (int64, error) {
	o, r := splitRepo(repo)
	c, _, err := a.Client.Issues.CreateComment(context.Background(), o, r, number, &github.IssueComment{Body: &body})
	if err != nil {
		return 0, err
	}
	return c.GetID(), nil
}

// PushFiles commits files (path → content; "" content deletes the path) on
// top of branch (created from the default branch when missing) and returns
// the new commit sha.
func (a *Actor) PushFiles(repo, branch string, files map[string]string, message string) (string, error) {
	ctx := context.Background()
	o, r := splitRepo(repo)
	ref, resp, err := a.Client.Git.GetRef(ctx, o, r, "heads/"+branch)
	create := false
	var parent string
	if err != nil {
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return "", err
		}
		rp, _, err := a.Client.Repositories.Get(ctx, o, r)
		if err != nil {
			return "", err
		}
		def, _, err := a.Client.Git.GetRef(ctx, o, r, "heads/"+rp.GetDefaultBranch())
		if err != nil {
			return "", err
		}
		parent, create = def.GetObject().GetSHA(), true
	} else {
		parent = ref.GetObject().GetSHA()
	}
	pc, _, err := a.Client.Git.GetCommit(ctx, o, r, parent)
	if err != nil {
		return "", err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var entries []*github.TreeEntry
	for _, p := range paths {
		e := &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob")}
		if files[p] == "" {
			// a nil SHA with no content deletes the path
		} else {
			e.Content = github.String(files[p])
		}
		entries = append(entries, e)
	}
	tree, _, err := a.Client.Git.CreateTree(ctx, o, r, pc.GetTree().GetSHA(), entries)
	if err != nil {
		return "", err
	}
	cm, _, err := a.Client.Git.CreateCommit(ctx, o, r, &github.Commit{Message: &message, Tree: &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: &parent}}}, nil)
	if err != nil {
		return "", err
	}
	if create {
		_, _, err = a.Client.Git.CreateRef(ctx, o, r, &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: cm.SHA}})
	} else {
		_, _, err = a.Client.Git.UpdateRef(ctx, o, r, &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: cm.SHA}}, false)
	}
	if err != nil {
		return "", err
	}
	return cm.GetSHA(), nil
}

// EditFile changes one file on a PR's head branch.
func (a *Actor) EditFile(repo string, pr int, path, content, message string) (string, error) {
	o, r := splitRepo(repo)
	p, _, err := a.Client.PullRequests.Get(context.Background(), o, r, pr)
	if err != nil {
		return "", err
	}
	return a.PushFiles(repo, p.GetHead().GetRef(), map[string]string{path: content}, message)
}

// OpenPR opens a pull request from head into base and returns its number.
func (a *Actor) OpenPR(repo, head, base, title, body string) (int, error) {
	o, r := splitRepo(repo)
	p, _, err := a.Client.PullRequests.Create(context.Background(), o, r, &github.NewPullRequest{Title: &title, Head: &head, Base: &base, Body: &body})
	if err != nil {
		return 0, err
	}
	return p.GetNumber(), nil
}

// ApprovePR submits an approving review.
func (a *Actor) ApprovePR(repo string, pr int, body string) error {
	o, r := splitRepo(repo)
	_, _, err := a.Client.PullRequests.CreateReview(context.Background(), o, r, pr, &github.PullRequestReviewRequest{Event: github.String("APPROVE"), Body: &body})
	return err
}

// MergePR merges a pull request (method merge, squash or rebase; "" = merge).
func (a *Actor) MergePR(repo string, pr int, method string) (string, error) {
	o, r := splitRepo(repo)
	res, _, err := a.Client.PullRequests.Merge(context.Background(), o, r, pr, "", &github.PullRequestOptions{MergeMethod: method})
	if err != nil {
		return "", err
	}
	return res.GetSHA(), nil
}

// CloseIssue closes an issue with a reason: completed or not_planned.
func (a *Actor) CloseIssue(repo string, number int, reason string) error {
	o, r := splitRepo(repo)
	req := &github.IssueRequest{State: github.String("closed")}
	if reason != "" {
		req.StateReason = &reason
	}
	_, _, err := a.Client.Issues.Edit(context.Background(), o, r, number, req)
	return err
}

// ReopenIssue reopens an issue.
func (a *Actor) ReopenIssue(repo string, number int) error {
	o, r := splitRepo(repo)
	_, _, err := a.Client.Issues.Edit(context.Background(), o, r, number, &github.IssueRequest{State: github.String("open")})
	return err
}

// ---------------------------------------------------------------------------
// inspection helpers (snapshots, safe to keep)

// Issue is a snapshot of an issue or pull request.
type Issue struct {
	Number      int
	ID          int64
	Title       string
	Body        string
	State       string
	StateReason string
	User        string
	Labels      []string
	Assignees   []string
	IsPull      bool
	Comments    []Comment
	Parent      int   // parent issue number, 0 when none
	SubIssues   []int // numbers
}

// Comment is a snapshot of an issue comment.
type Comment struct {
	ID   int64
	User string
	Body string
	// Reactions are "login:content" ("postmortem[bot]:+1"), in order.
	Reactions []string
}

// Pull is a snapshot of a pull request.
type Pull struct {
	Number         int
	Title          string
	Body           string
	State          string
	User           string
	Head, Base     string
	HeadSHA        string
	Merged         bool
	MergeCommitSHA string
	Reviews        []Review
}

// Review is a snapshot of a pull request review with its line comments.
type Review struct {
	User     string
	State    string
	Body     string
	Comments []ReviewComment
}

// ReviewComment is a line comment of a review.
type ReviewComment struct {
	Path string
	Line int
	Side string
	Body string
}

// CheckRun is a snapshot of a check run.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	App         string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
}

// Annotation is a check run annotation.
type Annotation struct {
	Path      string
	StartLine int
	EndLine   int
	Level     string
	Title     string
	Message   string
}

func (s *Server) repoLocked(full string) *repo { return s.repos[strings.ToLower(full)] }

// Issues returns every issue and PR of repo, by number.
func (s *Server) Issues(repo string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return nil
	}
	var out []Issue
	for _, n := range r.sortedNumbers() {
		is := r.issues[n]
		x := Issue{Number: is.Number, ID: is.ID, Title: is.Title, Body: derefStr(is.Body), State: is.State, StateReason: derefStr(is.StateReason),
			User: is.User.Login, IsPull: is.PR != nil}
		for _, l := range is.Labels {
			x.Labels = append(x.Labels, l.Name)
		}
		for _, a := range is.Assignees {
			x.Assignees = append(x.Assignees, a.Login)
		}
		for _, c := range r.comments {
			if c.Issue == is {
				cm := Comment{ID: c.ID, User: c.User.Login, Body: c.Body}
				for _, rc := range c.Reactions {
					cm.Reactions = append(cm.Reactions, rc.User.Login+":"+rc.Content)
				}
				x.Comments = append(x.Comments, cm)
			}
		}
		if p := r.issueByID(is.ParentID); p != nil {
			x.Parent = p.Number
		}
		for _, id := range is.SubIssues {
			if sub := r.issueByID(id); sub != nil {
				x.SubIssues = append(x.SubIssues, sub.Number)
			}
		}
		out = append(out, x)
	}
	return out
}

// Pulls returns every pull request of repo.
func (s *Server) Pulls(repo string) []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return nil
	}
	var out []Pull
	for _, n := range r.sortedNumbers() {
		is := r.issues[n]
		if is.PR == nil {
			continue
		}
		head, _ := r.pullSHAs(is)
		p := Pull{Number: n, Title: is.Title, Body: derefStr(is.Body), State: is.State, User: is.User.Login, Head: is.PR.Head,
			Base: is.PR.Base, HeadSHA: head, Merged: is.PR.Merged, MergeCommitSHA: derefStr(is.PR.MergeCommitSHA)}
		for _, rv := range r.reviews {
			if rv.PR != is {
				continue
			}
			x := Review{User: rv.User.Login, State: rv.State, Body: rv.Body}
			for _, rc := range r.revComment {
				if rc.ReviewID == rv.ID {
					line := 0
					if rc.Line != nil {
						line = *rc.Line
					}
					x.Comments = append(x.Comments, ReviewComment{Path: rc.Path, Line: line, Side: rc.Side, Body: rc.Body})
				}
			}
			p.Reviews = append(p.Reviews, x)
		}
		out = append(out, p)
	}
	return out
}

// CheckRuns returns the check runs on a commit (sha or ref), oldest first.
func (s *Server) CheckRuns(repo, ref string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return nil
	}
	sha, ok := r.resolve(ref)
	if !ok {
		return nil
	}
	var out []CheckRun
	for _, cr := range r.checkRuns {
		if cr.HeadSHA != sha {
			continue
		}
		x := CheckRun{ID: cr.ID, Name: cr.Name, HeadSHA: cr.HeadSHA, App: cr.App.Slug, Status: cr.Status, Conclusion: derefStr(cr.Conclusion),
			Title: derefStr(cr.Title), Summary: derefStr(cr.Summary), Text: derefStr(cr.Text)}
		for _, a := range cr.Annotations {
			x.Annotations = append(x.Annotations, Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine, Level: a.AnnotationLevel,
				Title: derefStr(a.Title), Message: a.Message})
		}
		out = append(out, x)
	}
	return out
}

// FileAt returns a file's content at ref (branch, tag or sha).
func (s *Server) FileAt(repo, ref, path string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return "", fmt.Errorf("githubsim: no repository %s", repo)
	}
	sha, ok := r.resolve(ref)
	if !ok {
		return "", fmt.Errorf("githubsim: %s: no ref %s", repo, ref)
	}
	cm, _ := r.objects.commit(sha)
	e, ok := r.objects.lookupPath(cm.Tree, path)
	if !ok || e.Type != "blob" {
		return "", fmt.Errorf("githubsim: %s@%s: no file %s", repo, ref, path)
	}
	d, _ := r.objects.get(e.SHA, "blob")
	return string(d), nil
}

// RefSHA returns the commit a ref ("main", "heads/x", sha…) points at.
func (s *Server) RefSHA(repo, ref string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return ""
	}
	sha, _ := r.resolve(ref)
	return sha
}

// Commits are the commits of branch in repo, newest first (first parents).
func (s *Server) Commits(repo, branch string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return nil
	}
	var out []string
	for sha := r.refs["refs/heads/"+branch]; sha != ""; {
		c, ok := r.objects.commit(sha)
		if !ok {
			break
		}
		out = append(out, sha)
		if len(c.Parents) == 0 {
			break
		}
		sha = c.Parents[0]
	}
	return out
}

// File is path's content on branch of repo ("" when missing).
func (s *Server) File(repo, branch, path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return ""
	}
	c, ok := r.objects.commit(r.refs["refs/heads/"+branch])
	if !ok {
		return ""
	}
	e, ok := r.objects.lookupPath(c.Tree, path)
	if !ok {
		return ""
	}
	b, _ := r.objects.get(e.SHA, "blob")
	return string(b)
}
