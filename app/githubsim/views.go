package githubsim

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// view renders resources with URLs under a base.
type view struct {
	s    *Server
	hook bool   // webhook payload flavour
	api  string // API root URL (maybe with /api/v3)
	web  string // web root URL
}

func (s *Server) rootView() view {
	return view{s: s, api: s.baseURL, web: s.baseURL, hook: true}
}

// nodeID is GitHub's legacy global id: base64("0<len>:<Type><id>").
func nodeID(typ string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("0%d:%s%d", len(typ), typ, id)))
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (v view) user(a *account) any {
	if a == nil {
		return nil
	}
	u := v.api + "/users/" + a.Login
	typ := a.Type
	m := map[string]any{
		"login": a.Login, "id": a.ID, "node_id": nodeID(typ, a.ID),
		"avatar_url":  v.web + "/avatars/u/" + a.Login,
		"gravatar_id": "", "url": u, "html_url": v.web + "/" + a.Login,
		"followers_url": u + "/followers", "following_url": u + "/following{/other_user}",
		"gists_url": u + "/gists{/gist_id}", "starred_url": u + "/starred{/owner}{/repo}",
		"subscriptions_url": u + "/subscriptions", "organizations_url": u + "/orgs",
		"repos_url": u + "/repos", "events_url": u + "/events{/privacy}",
		"received_events_url": u + "/received_events", "type": typ, "site_admin": a.SiteAdmin,
	}
	if !v.hook {
		m["user_view_type"] = "public"
	}
	return m
}

func (v view) users(as []*account) []any {
	out := []any{}
	for _, a := range as {
		out = append(out, v.user(a))
	}
	return out
}

func (v view) repoURL(r *repo) string { return v.api + "/repos/" + r.fullName() }

func (v view) repository(r *repo) map[string]any {
	u := v.repoURL(r)
	html := v.web + "/" + r.fullName()
	vis := "public"
	if r.Private {
		vis = "private"
	}
	openIssues := 0
	for _, is := range r.issues {
		if is.State == "open" {
			openIssues++
		}
	}
	var desc any
	if r.Description != "" {
		desc = r.Description
	}
	var lang any
	if r.Language != "" {
		lang = r.Language
	}
	topics := r.Topics
	if topics == nil {
		topics = []string{}
	}
	pushed := tsPtr(r.PushedAt)
	m := map[string]any{
		"id": r.ID, "node_id": nodeID("Repository", r.ID), "name": r.Name, "full_name": r.fullName(),
		"private": r.Private, "owner": v.user(r.Owner), "html_url": html, "description": desc, "fork": false,
		"url": u, "forks_url": u + "/forks", "keys_url": u + "/keys{/key_id}",
		"collaborators_url": u + "/collaborators{/collaborator}", "teams_url": u + "/teams",
		"hooks_url": u + "/hooks", "issue_events_url": u + "/issues/events{/number}",
		"events_url": u + "/events", "assignees_url": u + "/assignees{/user}",
		"branches_url": u + "/branches{/branch}", "tags_url": u + "/tags",
		"blobs_url": u + "/git/blobs{/sha}", "git_tags_url": u + "/git/tags{/sha}",
		"git_refs_url": u + "/git/refs{/sha}", "trees_url": u + "/git/trees{/sha}",
		"statuses_url": u + "/statuses/{sha}", "languages_url": u + "/languages",
		"stargazers_url": u + "/stargazers", "contributors_url": u + "/contributors",
		"subscribers_url": u + "/subscribers", "subscription_url": u + "/subscription",
		"commits_url": u + "/commits{/sha}", "git_commits_url": u + "/git/commits{/sha}",
		"comments_url": u + "/comments{/number}", "issue_comment_url": u + "/issues/comments{/number}",
		"contents_url": u + "/contents/{+path}", "compare_url": u + "/compare/{base}...{head}",
		"merges_url": u + "/merges", "archive_url": u + "/{archive_format}{/ref}",
		"downloads_url": u + "/downloads", "issues_url": u + "/issues{/number}",
		"pulls_url": u + "/pulls{/number}", "milestones_url": u + "/milestones{/number}",
		"notifications_url": u + "/notifications{?since,all,participating}",
		"labels_url":        u + "/labels{/name}", "releases_url": u + "/releases{/id}",
		"deployments_url": u + "/deployments",
		"created_at":      ts(r.CreatedAt), "updated_at": ts(r.UpdatedAt), "pushed_at": pushed,
		"git_url":   strings.Replace(html, "http", "git", 1) + ".git",
		"ssh_url":   "git@" + strings.TrimPrefix(strings.TrimPrefix(v.web, "http://"), "https://") + ":" + r.fullName() + ".git",
		"clone_url": html + ".git", "svn_url": html, "homepage": nil, "size": 0,
		"stargazers_count": 0, "watchers_count": 0, "language": lang, "has_issues": true,
		"has_projects": true, "has_downloads": true, "has_wiki": true, "has_pages": false,
		"has_discussions": false, "forks_count": 0, "mirror_url": nil, "archived": false,
		"disabled": false, "open_issues_count": openIssues, "license": nil, "allow_forking": true,
		"is_template": false, "web_commit_signoff_required": false, "topics": topics,
		"visibility": vis, "forks": 0, "open_issues": openIssues, "watchers": 0,
		"default_branch": r.DefaultBranch,
	}
	return m
}

// mergeSettings adds the repository's merge settings, which the full REST
// representation and webhook payloads both carry.
func mergeSettings(m map[string]any) {
	m["allow_merge_commit"] = true
	m["allow_squash_merge"] = true
	m["allow_rebase_merge"] = true
	m["allow_auto_merge"] = false
	m["delete_branch_on_merge"] = false
	m["allow_update_branch"] = false
	m["use_squash_pr_title_as_default"] = false
}

func (v view) fullRepository(r *repo, viewer *account) map[string]any {
	m := v.repository(r)
	m["network_count"] = 0
	m["subscribers_count"] = 0
	mergeSettings(m)
	m["squash_merge_commit_title"] = "COMMIT_OR_PR_TITLE"
	m["squash_merge_commit_message"] = "COMMIT_MESSAGES"
	m["merge_commit_title"] = "MERGE_MESSAGE"
	m["merge_commit_message"] = "PR_TITLE"
	if r.Owner.Type == "Organization" {
		m["organization"] = v.user(r.Owner)
	}
	if viewer != nil {
		push := v.s.canPush(viewer, r)
		m["permissions"] = map[string]any{"admin": viewer == r.Owner, "maintain": push, "push": push, "triage": push, "pull": true}
	}
	return m
}

func (v view) label(r *repo, l *label) map[string]any {
	var desc any
	if l.Description != "" {
		desc = l.Description
	}
	return map[string]any{"id": l.ID, "node_id": nodeID("Label", l.ID), "url": v.repoURL(r) + "/labels/" + pathEscape(l.Name),
		"name": l.Name, "color": l.Color, "description": desc, "default": l.Default}
}

func (v view) labels(r *repo, ls []*label) []any {
	out := []any{}
	for _, l := range ls {
		out = append(out, v.label(r, l))
	}
	return out
}

func (v view) appObj(a *app) any {
	if a == nil {
		return nil
	}
	m := map[string]any{
		"id": a.ID, "slug": a.Slug, "node_id": nodeID("Integration", a.ID), "client_id": "Iv1." + a.Slug,
		"owner": v.user(a.Owner), "name": a.Name, "description": a.Description,
		"external_url": v.web + "/apps/" + a.Slug, "html_url": v.web + "/apps/" + a.Slug,
		"created_at": ts(a.CreatedAt), "updated_at": ts(a.CreatedAt),
		"permissions": a.Permissions, "events": nonNil(a.Events),
		"installations_count": v.s.countInstallations(a),
	}
	if v.hook {
		// webhook payloads carry the older app shape and only repository-level event names
		delete(m, "installations_count")
		delete(m, "client_id")
		var evs []string
		for _, e := range a.Events {
			if hookAppEvents[e] {
				evs = append(evs, e)
			}
		}
		m["events"] = nonNil(evs)
	}
	return m
}

var hookAppEvents = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`branch_protection_rule check_run check_suite code_scanning_alert commit_comment create delete
		dependabot_alert deployment deployment_protection_rule deployment_review deployment_status deploy_key discussion
		discussion_comment fork gollum issues issue_comment label member membership merge_group merge_queue_entry milestone
		organization org_block page_build project projects_v2_item project_card project_column public pull_request
		pull_request_review pull_request_review_comment pull_request_review_thread push registry_package release repository
		repository_dispatch repository_ruleset secret_scanning_alert secret_scanning_alert_location security_and_analysis star
		status team team_add watch workflow_dispatch workflow_job workflow_run`) {
		hookAppEvents[e] = true
	}
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func (s *Server) countInstallations(a *app) int {
	n := 0
	for _, in := range s.insts {
		if in.App == a {
			n++
		}
	}
	return n
}

func (v view) installationObj(in *installation) map[string]any {
	u := v.api + fmt.Sprintf("/app/installations/%d", in.ID)
	return map[string]any{
		"id": in.ID, "account": v.user(in.Account), "repository_selection": in.Selection,
		"access_tokens_url": u + "/access_tokens", "repositories_url": v.api + "/installation/repositories",
		"html_url": v.web + fmt.Sprintf("/settings/installations/%d", in.ID), "app_id": in.App.ID,
		"app_slug": in.App.Slug, "client_id": "Iv1." + in.App.Slug,
		"target_id": in.Account.ID, "target_type": in.Account.Type, "permissions": in.Permissions,
		"events": nonNil(in.Events), "created_at": ts(in.CreatedAt), "updated_at": ts(in.CreatedAt),
		"single_file_name": nil, "has_multiple_single_files": false, "single_file_paths": []string{},
		"suspended_by": nil, "suspended_at": nil,
	}
}

func (v view) issueURL(r *repo, is *issue) string {
	return fmt.Sprintf("%s/issues/%d", v.repoURL(r), is.Number)
}

func (v view) issue(r *repo, is *issue) map[string]any {
	u := v.issueURL(r, is)
	var assignee any
	if len(is.Assignees) > 0 {
		assignee = v.user(is.Assignees[0])
	}
	kind := "issues"
	if is.PR != nil {
		kind = "pull"
	}
	var body any
	if is.Body != nil {
		body = *is.Body
	}
	comments := 0
	for _, cm := range r.comments {
		if cm.Issue == is {
			comments++
		}
	}
	m := map[string]any{
		"id": is.ID, "node_id": nodeID("Issue", is.ID), "url": u, "repository_url": v.repoURL(r),
		"labels_url": u + "/labels{/name}", "comments_url": u + "/comments", "events_url": u + "/events",
		"html_url": fmt.Sprintf("%s/%s/%s/%d", v.web, r.fullName(), kind, is.Number),
		"number":   is.Number, "state": is.State, "state_reason": strPtr(is.StateReason), "title": is.Title,
		"body": body, "user": v.user(is.User), "labels": v.labels(r, is.Labels), "assignee": assignee,
		"assignees": v.users(is.Assignees), "milestone": nil, "locked": is.Locked, "active_lock_reason": nil,
		"comments": comments, "closed_at": tsPtr(is.ClosedAt), "created_at": ts(is.CreatedAt),
		"updated_at": ts(is.UpdatedAt), "closed_by": v.user(is.ClosedBy), "author_association": v.s.association(is.User, r),
		"timeline_url": u + "/timeline", "performed_via_github_app": v.appObj(is.ViaApp),
		"reactions": v.reactions(u),
	}
	if v.hook {
		delete(m, "closed_by")
	}
	if is.PR == nil {
		if v.hook {
			return m
		}
		total, done := 0, 0
		for _, id := range is.SubIssues {
			total++
			if sub := r.issueByID(id); sub != nil && sub.State == "closed" {
				done++
			}
		}
		pct := 0
		if total > 0 {
			pct = done * 100 / total
		}
		m["sub_issues_summary"] = map[string]any{"total": total, "completed": done, "percent_completed": pct}
		if is.ParentID != 0 {
			if p := r.issueByID(is.ParentID); p != nil {
				m["parent_issue_url"] = v.issueURL(r, p)
			}
		}
	} else {
		pu := fmt.Sprintf("%s/pulls/%d", v.repoURL(r), is.Number)
		m["pull_request"] = map[string]any{"url": pu, "html_url": fmt.Sprintf("%s/%s/pull/%d", v.web, r.fullName(), is.Number),
			"diff_url":  fmt.Sprintf("%s/%s/pull/%d.diff", v.web, r.fullName(), is.Number),
			"patch_url": fmt.Sprintf("%s/%s/pull/%d.patch", v.web, r.fullName(), is.Number), "merged_at": tsPtr(is.PR.MergedAt)}
		m["draft"] = is.PR.Draft
	}
	return m
}

func (v view) reactions(u string) map[string]any {
	return map[string]any{"url": u + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
		"confused": 0, "heart": 0, "rocket": 0, "eyes": 0}
}

func (s *Server) association(u *account, r *repo) string {
	switch {
	case u == nil:
		return "NONE"
	case u == r.Owner:
		return "OWNER"
	case r.Owner.Members != nil && r.Owner.Members[strings.ToLower(u.Login)] != "":
		return "MEMBER"
	case r.Collaborators[strings.ToLower(u.Login)]:
		return "COLLABORATOR"
	}
	return "NONE"
}

func (v view) comment(r *repo, cm *comment) map[string]any {
	u := fmt.Sprintf("%s/issues/comments/%d", v.repoURL(r), cm.ID)
	kind := "issues"
	if cm.Issue.PR != nil {
		kind = "pull"
	}
	return map[string]any{
		"id": cm.ID, "node_id": nodeID("IssueComment", cm.ID), "url": u,
		"html_url": fmt.Sprintf("%s/%s/%s/%d#issuecomment-%d", v.web, r.fullName(), kind, cm.Issue.Number, cm.ID),
		"body":     cm.Body, "user": v.user(cm.User), "created_at": ts(cm.CreatedAt), "updated_at": ts(cm.UpdatedAt),
		"issue_url": v.issueURL(r, cm.Issue), "author_association": v.s.association(cm.User, r),
		"performed_via_github_app": v.appObj(cm.ViaApp), "reactions": reactionCounts(u, cm.Reactions),
	}
}

func (r *repo) issueByID(id int64) *issue {
	for _, is := range r.issues {
		if is.ID == id {
			return is
		}
	}
	return nil
}
