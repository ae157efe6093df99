package githubsim

import (
	"fmt"
	"strings"
)

// People's access to a repository and their reactions to comments.

func (s *Server) routesPeople() {
	s.handle("GET /repos/{owner}/{repo}/collaborators/{username}/permission", repoRead("metadata"), s.collaboratorPermission)
	s.handle("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", repoRead("issues"), s.listCommentReactions)
	s.handle("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", repoWrite("issues"), s.createCommentReaction)
}

// roleOf is a person's role on a repository, as GitHub's role_name says
// it: admin (the owner, an organization's admin), the role SetRole gave,
// write (collaborators and, here, organization members: they may push),
// read (anyone, on a public repository) or none.
func (s *Server) roleOf(u *account, r *repo) string {
	login := strings.ToLower(u.Login)
	if role, ok := r.Roles[login]; ok {
		return role
	}
	switch {
	case u == r.Owner || u.SiteAdmin || (r.Owner.Members != nil && r.Owner.Members[login] == "admin"):
		return "admin"
	case r.Collaborators[login] || (r.Owner.Members != nil && r.Owner.Members[login] != ""):
		return "write"
	case !r.Private:
		return "read"
	}
	return "none"
}

// rolePermission is the legacy permission of a role: maintain is write,
// triage is read.
func rolePermission(role string) string {
	switch role {
	case "admin":
		return "admin"
	case "maintain", "write":
		return "write"
	case "triage", "read":
		return "read"
	}
	return "none"
}

func (s *Server) collaboratorPermission(c *ctx) (any, error) {
	u := s.accounts[strings.ToLower(c.param("username"))]
	if u == nil {
		return nil, notFound()
	}
	role := s.roleOf(u, c.repo)
	perm := rolePermission(role)
	user := c.user(u).(map[string]any)
	user["role_name"] = role
	user["permissions"] = map[string]any{"admin": perm == "admin", "maintain": role == "maintain" || role == "admin",
		"push": perm == "admin" || perm == "write", "triage": role != "read" && role != "none", "pull": role != "none"}
	return map[string]any{"permission": perm, "role_name": role, "user": user}, nil
}

var reactionContents = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true, "hooray": true, "rocket": true, "eyes": true}

func (c *ctx) reaction(rc *reaction) map[string]any {
	return map[string]any{"id": rc.ID, "node_id": nodeID("Reaction", rc.ID), "user": c.user(rc.User), "content": rc.Content, "created_at": ts(rc.CreatedAt)}
}

func (s *Server) listCommentReactions(c *ctx) (any, error) {
	cm, err := c.findComment()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, rc := range paginate(c, cm.Reactions) {
		if v := c.query("content"); v == "" || v == rc.Content {
			out = append(out, c.reaction(rc))
		}
	}
	return out, nil
}

// createCommentReaction adds a reaction; the same person's same reaction
// again is the existing one (200).
func (s *Server) createCommentReaction(c *ctx) (any, error) {
	cm, err := c.findComment()
	if err != nil {
		return nil, err
	}
	var in struct {
		Content *string `json:"content"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Content == nil || !reactionContents[*in.Content] {
		return nil, validationFailed("Reaction", "content", "invalid")
	}
	for _, rc := range cm.Reactions {
		if rc.User == c.auth.user && rc.Content == *in.Content {
			c.status = 200
			return c.reaction(rc), nil
		}
	}
	rc := &reaction{ID: s.newID(), User: c.auth.user, Content: *in.Content, CreatedAt: s.clock()}
	cm.Reactions = append(cm.Reactions, rc)
	c.status = 201
	return c.reaction(rc), nil
}

// SetRole gives login a repository role on repo (read, triage, write,
// maintain, admin), as a repository's settings would.
func (s *Server) SetRole(repo, login, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo)
	if r == nil {
		return fmt.Errorf("githubsim: no repository %s", repo)
	}
	switch role {
	case "read", "triage", "write", "maintain", "admin":
	default:
		return fmt.Errorf("githubsim: role %q is not read, triage, write, maintain or admin", role)
	}
	if r.Roles == nil {
		r.Roles = map[string]string{}
	}
	r.Roles[strings.ToLower(login)] = role
	return nil
}

// reactionCounts are a comment's reactions as GitHub sums them.
func reactionCounts(u string, rs []*reaction) map[string]any {
	m := map[string]any{"url": u + "/reactions", "total_count": len(rs)}
	for k := range reactionContents {
		m[k] = 0
	}
	for _, rc := range rs {
		m[rc.Content] = m[rc.Content].(int) + 1
	}
	return m
}
