package githubsim

import (
	"fmt"
	"strings"
)

func (v view) orgObj(a *account) map[string]any {
	u := v.api + "/orgs/" + a.Login
	return map[string]any{"login": a.Login, "id": a.ID, "node_id": nodeID("Organization", a.ID), "url": u,
		"repos_url": u + "/repos", "events_url": u + "/events", "hooks_url": u + "/hooks", "issues_url": u + "/issues",
		"members_url": u + "/members{/member}", "public_members_url": u + "/public_members{/member}",
		"avatar_url": v.web + "/avatars/u/" + a.Login, "description": nil}
}

// hookRepository is the repository object of webhook payloads.
func (v view) hookRepository(r *repo) map[string]any {
	m := v.repository(r)
	mergeSettings(m)
	m["has_discussions"] = false
	m["custom_properties"] = map[string]any{}
	return m
}

func (c *ctx) viaApp() *app {
	if c.auth.kind == "installation" {
		return c.auth.app
	}
	return nil
}

// setRef moves (or deletes, sha "") a ref and announces it: push,
// pull_request synchronize, check suites. Called with s.mu held.
func (s *Server) setRef(r *repo, ref, sha string, p *principal) {
	before := r.refs[ref]
	if sha == "" {
		delete(r.refs, ref)
	} else {
		r.refs[ref] = sha
	}
	now := s.clock()
	r.PushedAt = &now
	r.UpdatedAt = now
	s.afterRefChange(r, ref, before, sha, p.user)
}

func (s *Server) afterRefChange(r *repo, ref, before, after string, sender *account) {
	v := s.rootView()
	bz, az := before, after
	if bz == "" {
		bz = zeroSHA
	}
	if az == "" {
		az = zeroSHA
	}
	forced := before != "" && after != "" && !r.objects.isAncestor(before, after)
	var commits []any
	var head any
	if after != "" {
		base := before
		if base == "" {
			base = ""
		}
		list := r.objects.commitsBetween(base, after)
		if before == "" && len(list) > 0 {
			list = list[len(list)-1:]
		}
		if len(list) > 20 {
			list = list[len(list)-20:]
		}
		for _, c := range list {
			commits = append(commits, v.pushCommit(r, c))
		}
		head = v.pushCommit(r, after)
	}
	pusherName, pusherEmail := "", ""
	if sender != nil {
		pusherName, pusherEmail = sender.Login, sender.Email
	}
	compare := fmt.Sprintf("%s/%s/compare/%s...%s", v.web, r.fullName(), bz[:12], az[:12])
	repoObj := v.hookRepository(r)
	repoObj["created_at"] = r.CreatedAt.Unix()
	if r.PushedAt != nil {
		repoObj["pushed_at"] = r.PushedAt.Unix()
	}
	repoObj["stargazers"] = 0
	repoObj["master_branch"] = r.DefaultBranch
	if r.Owner.Type == "Organization" {
		repoObj["organization"] = r.Owner.Login
	}
	owner := v.user(r.Owner).(map[string]any)
	owner["name"] = r.Owner.Login
	owner["email"] = nil
	repoObj["owner"] = owner
	var pusherEmailV any = pusherEmail
	if pusherEmail == "" {
		pusherEmailV = nil
	}
	s.emit("push", "", r, map[string]any{
		"ref": ref, "before": bz, "after": az, "created": before == "", "deleted": after == "", "forced": forced,
		"base_ref": nil, "compare": compare, "commits": orEmpty(commits), "head_commit": head,
		"repository": repoObj, "pusher": map[string]any{"name": pusherName, "email": pusherEmailV},
	}, sender, hookTarget{})

	branch, isBranch := strings.CutPrefix(ref, "refs/heads/")
	if !isBranch || after == "" {
		return
	}
	// open pull requests with this head branch: synchronize
	for _, n := range r.sortedNumbers() {
		is := r.issues[n]
		if is.PR == nil || is.State != "open" || is.PR.Head != branch {
			continue
		}
		is.UpdatedAt = s.clock()
		s.emit("pull_request", "synchronize", r, map[string]any{"number": is.Number, "before": bz, "after": az,
			"pull_request": v.pull(r, is)}, sender, hookTarget{})
	}
	// check suites for apps with checks permission
	s.requestCheckSuites(r, after, branch, before)
}

func (v view) pushCommit(r *repo, sha string) map[string]any {
	cm, _ := r.objects.commit(sha)
	var added, removed, modified []string
	base := emptyTreeSHA
	if len(cm.Parents) > 0 {
		pc, _ := r.objects.commit(cm.Parents[0])
		base = pc.Tree
	}
	for _, f := range r.objects.diffTrees(base, cm.Tree) {
		switch f.Status {
		case "added":
			added = append(added, f.Filename)
		case "removed":
			removed = append(removed, f.Filename)
		default:
			modified = append(modified, f.Filename)
		}
	}
	person := func(sg signature) map[string]any {
		m := map[string]any{"name": sg.Name, "email": sg.Email}
		if u := v.s.userByEmail(sg.Email); u != nil {
			m["username"] = u.Login
		}
		return m
	}
	return map[string]any{"id": sha, "tree_id": cm.Tree, "distinct": true, "message": cm.Message,
		"timestamp": cm.Committer.When.Format("2006-01-02T15:04:05-07:00"),
		"url":       v.web + "/" + r.fullName() + "/commit/" + sha, "author": person(cm.Author), "committer": person(cm.Committer),
		"added": nonNil(added), "removed": nonNil(removed), "modified": nonNil(modified)}
}

func (r *repo) sortedNumbers() []int {
	ns := make([]int, 0, len(r.issues))
	for n := 1; n < r.nextNumber+1; n++ {
		if _, ok := r.issues[n]; ok {
			ns = append(ns, n)
		}
	}
	return ns
}
