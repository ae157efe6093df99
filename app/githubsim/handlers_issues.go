package githubsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routesIssues() {
	s.handle("GET /repos/{owner}/{repo}/issues", repoRead("issues"), s.listIssues)
	s.handle("POST /repos/{owner}/{repo}/issues", repoWrite("issues"), s.createIssue)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}", repoRead("issues"), s.getIssue)
	s.handle("PATCH /repos/{owner}/{repo}/issues/{issue_number}", repoWrite("issues"), s.editIssue)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/labels", repoRead("issues"), s.listIssueLabels)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", repoWrite("issues"), s.addLabels)
	s.handle("PUT /repos/{owner}/{repo}/issues/{issue_number}/labels", repoWrite("issues"), s.setLabels)
	s.handle("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels", repoWrite("issues"), s.clearLabels)
	s.handle("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", repoWrite("issues"), s.removeLabel)
	s.handle("GET /repos/{owner}/{repo}/labels", repoRead("issues"), s.listLabels)
	s.handle("POST /repos/{owner}/{repo}/labels", repoWrite("issues"), s.createLabel)
	s.handle("GET /repos/{owner}/{repo}/labels/{name}", repoRead("issues"), s.getLabel)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", repoRead("issues"), s.listComments)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", repoWrite("issues"), s.createComment)
	s.handle("GET /repos/{owner}/{repo}/issues/comments", repoRead("issues"), s.listRepoComments)
	s.handle("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", repoRead("issues"), s.getComment)
	s.handle("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", repoWrite("issues"), s.editComment)
	s.handle("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", repoWrite("issues"), s.deleteComment)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/events", repoRead("issues"), s.listIssueEvents)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/timeline", repoRead("issues"), s.listTimeline)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/assignees", repoWrite("issues"), s.addAssignees)
	s.handle("DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees", repoWrite("issues"), s.removeAssignees)
	s.handle("GET /repos/{owner}/{repo}/assignees", repoRead("issues"), s.listAssignees)
	s.handle("GET /repos/{owner}/{repo}/assignees/{assignee}", repoRead("issues"), s.checkAssignee)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", repoRead("issues"), s.listSubIssues)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", repoWrite("issues"), s.addSubIssue)
	s.handle("DELETE /repos/{owner}/{repo}/issues/{issue_number}/sub_issue", repoWrite("issues"), s.removeSubIssue)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/parent", repoRead("issues"), s.getParent)
}

func (c *ctx) findIssue() (*issue, error) {
	n, err := strconv.Atoi(c.param("issue_number"))
	if err != nil {
		return nil, notFound()
	}
	is := c.repo.issues[n]
	if is == nil {
		return nil, notFound()
	}
	return is, nil
}

func (r *repo) findLabel(name string) *label {
	for _, l := range r.labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

func (s *Server) ensureLabel(r *repo, name string) *label {
	if l := r.findLabel(name); l != nil {
		return l
	}
	l := &label{ID: s.newID(), Name: name, Color: "ededed"}
	r.labels = append(r.labels, l)
	return l
}

func (s *Server) addEvent(r *repo, is *issue, actor *account, event string, via *app, mod func(e *issueEvent)) {
	e := &issueEvent{ID: s.newID(), Issue: is, Actor: actor, Event: event, CreatedAt: s.clock(), ViaApp: via}
	if mod != nil {
		mod(e)
	}
	r.events = append(r.events, e)
}

func (s *Server) issueHook(c *ctx, is *issue, action string, extra map[string]any) {
	v := s.rootView()
	event, key := "issues", "issue"
	p := map[string]any{key: v.issue(c.repo, is)}
	for k, val := range extra {
		p[k] = val
	}
	if is.PR != nil {
		// label, assign, edit and close on a PR are pull_request events
		switch action {
		case "opened", "closed", "reopened", "edited", "labeled", "unlabeled", "assigned", "unassigned":
			event = "pull_request"
			delete(p, "issue")
			p["number"] = is.Number
			p["pull_request"] = v.pull(c.repo, is)
		}
	}
	s.emit(event, action, c.repo, p, c.auth.user, hookTarget{})
}

func (s *Server) resolveAssignees(c *ctx, logins []string) ([]*account, error) {
	var out []*account
	for _, l := range logins {
		u := s.accounts[strings.ToLower(l)]
		if u == nil || !s.assignable(u, c.repo) {
			return nil, validationFailed("Issue", "assignees", "invalid")
		}
		dup := false
		for _, o := range out {
			dup = dup || o == u
		}
		if !dup {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Server) createIssue(c *ctx) (any, error) {
	var in struct {
		Title     any      `json:"title"`
		Body      *string  `json:"body"`
		Labels    []any    `json:"labels"`
		Assignees []string `json:"assignees"`
		Assignee  *string  `json:"assignee"`
		Milestone any      `json:"milestone"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	title := ""
	switch t := in.Title.(type) {
	case string:
		title = t
	case float64:
		title = strconv.FormatFloat(t, 'f', -1, 64)
	}
	if strings.TrimSpace(title) == "" {
		return nil, validationFailed("Issue", "title", "missing_field")
	}
	if e := bodyTooLong("Issue", in.Body); e != nil {
		return nil, e
	}
	logins := in.Assignees
	if in.Assignee != nil && *in.Assignee != "" {
		logins = append(logins, *in.Assignee)
	}
	assignees, err := s.resolveAssignees(c, logins)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	c.repo.nextNumber++
	is := &issue{ID: s.newID(), Number: c.repo.nextNumber, Title: title, Body: in.Body, User: c.auth.user, State: "open",
		CreatedAt: now, UpdatedAt: now, ViaApp: c.viaApp()}
	is.Assignees = assignees
	for _, l := range in.Labels {
		name := ""
		switch x := l.(type) {
		case string:
			name = x
		case map[string]any:
			name, _ = x["name"].(string)
		}
		if name != "" {
			lb := s.ensureLabel(c.repo, name)
			if !hasLabel(is, lb) {
				is.Labels = append(is.Labels, lb)
			}
		}
	}
	c.repo.issues[is.Number] = is
	s.issueHook(c, is, "opened", nil)
	// like GitHub, an issue opened with labels/assignees also announces them
	for _, lb := range is.Labels {
		s.addEvent(c.repo, is, c.auth.user, "labeled", c.viaApp(), func(e *issueEvent) { e.Label = lb })
		s.issueHook(c, is, "labeled", map[string]any{"label": s.rootView().label(c.repo, lb)})
	}
	for _, a := range is.Assignees {
		s.addEvent(c.repo, is, c.auth.user, "assigned", c.viaApp(), func(e *issueEvent) { e.Assignee, e.Assigner = a, c.auth.user })
		s.issueHook(c, is, "assigned", map[string]any{"assignee": s.rootView().user(a)})
	}
	s.crossReference(c, is, derefStr(in.Body))
	c.status = 201
	return c.issue(c.repo, is), nil
}

func derefStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func hasLabel(is *issue, l *label) bool {
	for _, x := range is.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// crossReference records cross-referenced events on issues mentioned as #N.
func (s *Server) crossReference(c *ctx, src *issue, text string) {
	for i := 0; i < len(text); i++ {
		if text[i] != '#' || (i > 0 && isWordByte(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if j == i+1 {
			continue
		}
		n, _ := strconv.Atoi(text[i+1 : j])
		if target := c.repo.issues[n]; target != nil && target != src {
			s.addEvent(c.repo, target, c.auth.user, "cross-referenced", c.viaApp(), func(e *issueEvent) { e.Source = src })
		}
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '&'
}

func (s *Server) getIssue(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	c.lastModified = is.UpdatedAt
	return c.issue(c.repo, is), nil
}

func (s *Server) listIssues(c *ctx) (any, error) {
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	var since time.Time
	if v := c.query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, validationFailed("Issue", "since", "invalid")
		}
		since = t
	}
	var want []string
	if v := c.query("labels"); v != "" {
		want = strings.Split(v, ",")
	}
	var list []*issue
	for _, n := range c.repo.sortedNumbers() {
		is := c.repo.issues[n]
		if state != "all" && is.State != state {
			continue
		}
		if cr := c.query("creator"); cr != "" && !strings.EqualFold(is.User.Login, cr) {
			continue
		}
		if as := c.query("assignee"); as != "" {
			ok := false
			for _, a := range is.Assignees {
				ok = ok || strings.EqualFold(a.Login, as)
			}
			if as == "none" {
				ok = len(is.Assignees) == 0
			} else if as == "*" {
				ok = len(is.Assignees) > 0
			}
			if !ok {
				continue
			}
		}
		ok := true
		for _, w := range want {
			found := false
			for _, l := range is.Labels {
				found = found || strings.EqualFold(l.Name, strings.TrimSpace(w))
			}
			ok = ok && found
		}
		if !ok || (!since.IsZero() && is.UpdatedAt.Before(since)) {
			continue
		}
		list = append(list, is)
	}
	sortKey := c.query("sort")
	desc := c.query("direction") != "asc"
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		var less bool
		switch sortKey {
		case "updated":
			less = a.UpdatedAt.Before(b.UpdatedAt) || (a.UpdatedAt.Equal(b.UpdatedAt) && a.Number < b.Number)
		case "comments":
			ca, cb := c.repo.commentCount(a), c.repo.commentCount(b)
			less = ca < cb || (ca == cb && a.Number < b.Number)
		default:
			less = a.Number < b.Number
		}
		if desc {
			return !less
		}
		return less
	})
	out := []any{}
	for _, is := range paginate(c, list) {
		out = append(out, c.issue(c.repo, is))
	}
	return out, nil
}

func (r *repo) commentCount(is *issue) int {
	n := 0
	for _, cm := range r.comments {
		if cm.Issue == is {
			n++
		}
	}
	return n
}

func (s *Server) editIssue(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := c.decode(&raw); err != nil {
		return nil, err
	}
	var in struct {
		Title       *string   `json:"title"`
		Body        *string   `json:"body"`
		State       *string   `json:"state"`
		StateReason *string   `json:"state_reason"`
		Labels      []any     `json:"labels"`
		Assignees   *[]string `json:"assignees"`
		Assignee    *string   `json:"assignee"`
	}
	_ = c.decode(&in)
	if e := bodyTooLong("Issue", in.Body); e != nil {
		return nil, e
	}
	now := s.clock()
	changes := map[string]any{}
	if in.Title != nil && *in.Title != is.Title {
		if strings.TrimSpace(*in.Title) == "" {
			return nil, validationFailed("Issue", "title", "missing_field")
		}
		changes["title"] = map[string]any{"from": is.Title}
		is.Title = *in.Title
	}
	if _, ok := raw["body"]; ok && derefStr(in.Body) != derefStr(is.Body) {
		changes["body"] = map[string]any{"from": derefStr(is.Body)}
		is.Body = in.Body
		s.crossReference(c, is, derefStr(in.Body))
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		return nil, validationFailed("Issue", "state", "invalid")
	}
	if in.StateReason != nil {
		switch *in.StateReason {
		case "completed", "not_planned", "reopened", "duplicate":
		default:
			return nil, validationFailed("Issue", "state_reason", "invalid")
		}
	}
	if _, ok := raw["assignees"]; ok || in.Assignee != nil {
		var logins []string
		if in.Assignees != nil {
			logins = *in.Assignees
		}
		if in.Assignee != nil && *in.Assignee != "" {
			logins = append(logins, *in.Assignee)
		}
		as, err := s.resolveAssignees(c, logins)
		if err != nil {
			return nil, err
		}
		s.setAssignees(c, is, as)
	}
	if _, ok := raw["labels"]; ok {
		var names []string
		for _, l := range in.Labels {
			switch x := l.(type) {
			case string:
				names = append(names, x)
			case map[string]any:
				if n, ok := x["name"].(string); ok {
					names = append(names, n)
				}
			}
		}
		s.replaceLabels(c, is, names)
	}
	if len(changes) > 0 {
		is.UpdatedAt = now
		s.issueHook(c, is, "edited", map[string]any{"changes": changes})
	}
	if in.State != nil && *in.State != is.State {
		s.setState(c, is, *in.State, in.StateReason)
	} else if in.StateReason != nil && is.State == "closed" && *in.StateReason != "reopened" {
		is.StateReason = in.StateReason
	}
	return c.issue(c.repo, is), nil
}

func (s *Server) setState(c *ctx, is *issue, state string, reason *string) {
	now := s.clock()
	is.UpdatedAt = now
	if state == "closed" {
		r := "completed"
		if reason != nil && *reason != "reopened" {
			r = *reason
		}
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = "closed", &r, &now, c.auth.user
		if is.PR != nil {
			s.freezePR(c.repo, is)
		}
		s.addEvent(c.repo, is, c.auth.user, "closed", c.viaApp(), func(e *issueEvent) { e.StateReason = &r })
		s.issueHook(c, is, "closed", nil)
	} else {
		r := "reopened"
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = "open", &r, nil, nil
		if is.PR != nil {
			is.PR.HeadSHA, is.PR.BaseSHA = "", ""
		}
		s.addEvent(c.repo, is, c.auth.user, "reopened", c.viaApp(), nil)
		s.issueHook(c, is, "reopened", nil)
	}
}

func (s *Server) setAssignees(c *ctx, is *issue, as []*account) {
	old := is.Assignees
	in := func(list []*account, a *account) bool {
		for _, x := range list {
			if x == a {
				return true
			}
		}
		return false
	}
	is.Assignees = as
	for _, a := range old {
		if !in(as, a) {
			a := a
			is.UpdatedAt = s.clock()
			s.addEvent(c.repo, is, c.auth.user, "unassigned", c.viaApp(), func(e *issueEvent) { e.Assignee, e.Assigner = a, c.auth.user })
			s.issueHook(c, is, "unassigned", map[string]any{"assignee": s.rootView().user(a)})
		}
	}
	for _, a := range as {
		if !in(old, a) {
			a := a
			is.UpdatedAt = s.clock()
			s.addEvent(c.repo, is, c.auth.user, "assigned", c.viaApp(), func(e *issueEvent) { e.Assignee, e.Assigner = a, c.auth.user })
			s.issueHook(c, is, "assigned", map[string]any{"assignee": s.rootView().user(a)})
		}
	}
}

func (s *Server) addAssignees(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Assignees []string `json:"assignees"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// GitHub silently ignores users who cannot be assigned here
	as := append([]*account(nil), is.Assignees...)
	for _, l := range in.Assignees {
		u := s.accounts[strings.ToLower(l)]
		if u == nil || !s.assignable(u, c.repo) {
			continue
		}
		dup := false
		for _, a := range as {
			dup = dup || a == u
		}
		if !dup && len(as) < 10 {
			as = append(as, u)
		}
	}
	s.setAssignees(c, is, as)
	c.status = 201
	return c.issue(c.repo, is), nil
}

func (s *Server) removeAssignees(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Assignees []string `json:"assignees"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var keep []*account
	for _, a := range is.Assignees {
		drop := false
		for _, l := range in.Assignees {
			drop = drop || strings.EqualFold(l, a.Login)
		}
		if !drop {
			keep = append(keep, a)
		}
	}
	s.setAssignees(c, is, keep)
	return c.issue(c.repo, is), nil
}

func (s *Server) listAssignees(c *ctx) (any, error) {
	var out []*account
	for _, k := range sortedKeys(s.accounts) {
		if a := s.accounts[k]; s.assignable(a, c.repo) {
			out = append(out, a)
		}
	}
	res := []any{}
	for _, a := range paginate(c, out) {
		res = append(res, c.user(a))
	}
	return res, nil
}

func (s *Server) checkAssignee(c *ctx) (any, error) {
	if u := s.accounts[strings.ToLower(c.param("assignee"))]; u != nil && s.assignable(u, c.repo) {
		c.status = 204
		return nil, nil
	}
	return nil, notFound()
}

// ---- labels

func labelNames(body []byte) ([]string, bool) {
	var obj struct {
		Labels []any `json:"labels"`
	}
	var arr []any
	if json.Unmarshal(body, &arr) != nil {
		if json.Unmarshal(body, &obj) != nil {
			return nil, false
		}
		arr = obj.Labels
	}
	var out []string
	for _, l := range arr {
		switch x := l.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			if n, ok := x["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out, true
}

func (s *Server) listIssueLabels(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	return paginate(c, c.labels(c.repo, is.Labels)), nil
}

func (s *Server) labelIssue(c *ctx, is *issue, lb *label) {
	if hasLabel(is, lb) {
		return
	}
	is.Labels = append(is.Labels, lb)
	is.UpdatedAt = s.clock()
	s.addEvent(c.repo, is, c.auth.user, "labeled", c.viaApp(), func(e *issueEvent) { e.Label = lb })
	s.issueHook(c, is, "labeled", map[string]any{"label": s.rootView().label(c.repo, lb)})
}

func (s *Server) unlabelIssue(c *ctx, is *issue, lb *label) {
	for i, x := range is.Labels {
		if x == lb {
			is.Labels = append(is.Labels[:i:i], is.Labels[i+1:]...)
			is.UpdatedAt = s.clock()
			s.addEvent(c.repo, is, c.auth.user, "unlabeled", c.viaApp(), func(e *issueEvent) { e.Label = lb })
			s.issueHook(c, is, "unlabeled", map[string]any{"label": s.rootView().label(c.repo, lb)})
			return
		}
	}
}

func (s *Server) replaceLabels(c *ctx, is *issue, names []string) {
	var want []*label
	for _, n := range names {
		want = append(want, s.ensureLabel(c.repo, n))
	}
	for _, old := range append([]*label(nil), is.Labels...) {
		keep := false
		for _, w := range want {
			keep = keep || w == old
		}
		if !keep {
			s.unlabelIssue(c, is, old)
		}
	}
	for _, w := range want {
		s.labelIssue(c, is, w)
	}
}

func (s *Server) addLabels(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	names, ok := labelNames(c.body)
	if !ok {
		return nil, errf(400, "Problems parsing JSON")
	}
	if len(names) == 0 {
		return nil, validationFailed("Label", "name", "missing_field")
	}
	for _, n := range names {
		s.labelIssue(c, is, s.ensureLabel(c.repo, n))
	}
	c.status = 200
	return c.labels(c.repo, is.Labels), nil
}

func (s *Server) setLabels(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	names, ok := labelNames(c.body)
	if !ok {
		return nil, errf(400, "Problems parsing JSON")
	}
	s.replaceLabels(c, is, names)
	return c.labels(c.repo, is.Labels), nil
}

func (s *Server) clearLabels(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	s.replaceLabels(c, is, nil)
	c.status = 204
	return nil, nil
}

func (s *Server) removeLabel(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	lb := c.repo.findLabel(c.param("name"))
	if lb == nil || !hasLabel(is, lb) {
		return nil, errf(404, "Label does not exist")
	}
	s.unlabelIssue(c, is, lb)
	return c.labels(c.repo, is.Labels), nil
}

func (s *Server) listLabels(c *ctx) (any, error) {
	return paginate(c, c.labels(c.repo, c.repo.labels)), nil
}

func (s *Server) getLabel(c *ctx) (any, error) {
	lb := c.repo.findLabel(c.param("name"))
	if lb == nil {
		return nil, notFound()
	}
	return c.label(c.repo, lb), nil
}

func (s *Server) createLabel(c *ctx) (any, error) {
	var in struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, validationFailed("Label", "name", "missing_field")
	}
	if c.repo.findLabel(in.Name) != nil {
		return nil, validationFailed("Label", "name", "already_exists")
	}
	color := strings.TrimPrefix(in.Color, "#")
	if color == "" {
		color = "ededed"
	}
	lb := &label{ID: s.newID(), Name: in.Name, Color: color, Description: in.Description}
	c.repo.labels = append(c.repo.labels, lb)
	c.status = 201
	return c.label(c.repo, lb), nil
}

// ---- comments

func (s *Server) listComments(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var since time.Time
	if v := c.query("since"); v != "" {
		since, _ = time.Parse(time.RFC3339, v)
	}
	var list []*comment
	for _, cm := range c.repo.comments {
		if cm.Issue == is && (since.IsZero() || !cm.UpdatedAt.Before(since)) {
			list = append(list, cm)
		}
	}
	out := []any{}
	for _, cm := range paginate(c, list) {
		out = append(out, c.comment(c.repo, cm))
	}
	return out, nil
}

func (s *Server) listRepoComments(c *ctx) (any, error) {
	out := []any{}
	for _, cm := range paginate(c, c.repo.comments) {
		out = append(out, c.comment(c.repo, cm))
	}
	return out, nil
}

func (s *Server) createComment(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		Body *string `json:"body"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Body == nil || *in.Body == "" {
		return nil, validationFailed("IssueComment", "body", "missing_field")
	}
	if e := bodyTooLong("IssueComment", in.Body); e != nil {
		return nil, e
	}
	if is.Locked && !s.canPush(c.auth.user, c.repo) && c.auth.kind != "installation" {
		return nil, errf(403, "Unable to create comment because issue is locked.")
	}
	now := s.clock()
	cm := &comment{ID: s.newID(), Issue: is, User: c.auth.user, Body: *in.Body, CreatedAt: now, UpdatedAt: now, ViaApp: c.viaApp()}
	c.repo.comments = append(c.repo.comments, cm)
	is.UpdatedAt = now
	s.crossReference(c, is, cm.Body)
	s.emit("issue_comment", "created", c.repo, map[string]any{"issue": s.rootView().issue(c.repo, is), "comment": s.rootView().comment(c.repo, cm)}, c.auth.user, hookTarget{})
	c.status = 201
	return c.comment(c.repo, cm), nil
}

func (c *ctx) findComment() (*comment, error) {
	id, _ := strconv.ParseInt(c.param("comment_id"), 10, 64)
	for _, cm := range c.repo.comments {
		if cm.ID == id {
			return cm, nil
		}
	}
	return nil, notFound()
}

func (s *Server) getComment(c *ctx) (any, error) {
	cm, err := c.findComment()
	if err != nil {
		return nil, err
	}
	c.lastModified = cm.UpdatedAt
	return c.comment(c.repo, cm), nil
}

func (s *Server) editComment(c *ctx) (any, error) {
	cm, err := c.findComment()
	if err != nil {
		return nil, err
	}
	var in struct {
		Body *string `json:"body"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Body == nil {
		return nil, validationFailed("IssueComment", "body", "missing_field")
	}
	if e := bodyTooLong("IssueComment", in.Body); e != nil {
		return nil, e
	}
	if cm.User != c.auth.user && !s.canPush(c.auth.user, c.repo) && c.auth.kind != "installation" {
		return nil, errf(403, "Must have admin rights to Repository.")
	}
	old := cm.Body
	cm.Body = *in.Body
	cm.UpdatedAt = s.clock()
	if old != cm.Body {
		s.emit("issue_comment", "edited", c.repo, map[string]any{"issue": s.rootView().issue(c.repo, cm.Issue),
			"comment": s.rootView().comment(c.repo, cm), "changes": map[string]any{"body": map[string]any{"from": old}}}, c.auth.user, hookTarget{})
	}
	return c.comment(c.repo, cm), nil
}

func (s *Server) deleteComment(c *ctx) (any, error) {
	cm, err := c.findComment()
	if err != nil {
		return nil, err
	}
	for i, x := range c.repo.comments {
		if x == cm {
			c.repo.comments = append(c.repo.comments[:i:i], c.repo.comments[i+1:]...)
		}
	}
	s.emit("issue_comment", "deleted", c.repo, map[string]any{"issue": s.rootView().issue(c.repo, cm.Issue),
		"comment": s.rootView().comment(c.repo, cm)}, c.auth.user, hookTarget{})
	c.status = http.StatusNoContent
	return nil, nil
}

// ---- events and timeline

func (v view) event(r *repo, e *issueEvent) map[string]any {
	m := map[string]any{"id": e.ID, "node_id": nodeID("IssueEvent", e.ID), "url": v.repoURL(r) + "/issues/events/" + strconv.FormatInt(e.ID, 10),
		"actor": v.user(e.Actor), "event": e.Event, "commit_id": strPtr(e.CommitID), "commit_url": nil,
		"created_at": ts(e.CreatedAt), "performed_via_github_app": v.appObj(e.ViaApp)}
	if e.CommitID != nil {
		m["commit_url"] = v.repoURL(r) + "/commits/" + *e.CommitID
	}
	if e.Label != nil {
		m["label"] = map[string]any{"name": e.Label.Name, "color": e.Label.Color}
	}
	if e.Assignee != nil {
		m["assignee"] = v.user(e.Assignee)
		m["assigner"] = v.user(e.Assigner)
	}
	if e.Reviewer != nil {
		m["requested_reviewer"] = v.user(e.Reviewer)
		m["review_requester"] = v.user(e.Actor)
	}
	if e.StateReason != nil {
		m["state_reason"] = *e.StateReason
	}
	return m
}

func (s *Server) listIssueEvents(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var out []any
	for _, e := range c.repo.events {
		if e.Issue == is && e.Event != "cross-referenced" && e.Event != "commented" {
			m := c.event(c.repo, e)
			m["issue"] = c.issue(c.repo, is)
			out = append(out, m)
		}
	}
	return paginate(c, orEmpty(out)), nil
}

func (s *Server) listTimeline(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	type item struct {
		at  time.Time
		id  int64
		obj map[string]any
	}
	var items []item
	for _, e := range c.repo.events {
		if e.Issue != is {
			continue
		}
		if e.Event == "cross-referenced" {
			items = append(items, item{e.CreatedAt, e.ID, map[string]any{"event": "cross-referenced", "actor": c.user(e.Actor),
				"created_at": ts(e.CreatedAt), "updated_at": ts(e.CreatedAt),
				"source": map[string]any{"type": "issue", "issue": c.issue(c.repo, e.Source)}}})
			continue
		}
		items = append(items, item{e.CreatedAt, e.ID, c.event(c.repo, e)})
	}
	for _, cm := range c.repo.comments {
		if cm.Issue != is {
			continue
		}
		m := c.comment(c.repo, cm)
		m["event"] = "commented"
		m["actor"] = c.user(cm.User)
		items = append(items, item{cm.CreatedAt, cm.ID, m})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].at.Equal(items[j].at) {
			return items[i].at.Before(items[j].at)
		}
		return items[i].id < items[j].id
	})
	out := []any{}
	for _, it := range items {
		out = append(out, it.obj)
	}
	return paginate(c, out), nil
}

// ---- sub-issues

func (s *Server) listSubIssues(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, id := range is.SubIssues {
		if sub := c.repo.issueByID(id); sub != nil {
			out = append(out, c.issue(c.repo, sub))
		}
	}
	return paginate(c, out), nil
}

func (s *Server) addSubIssue(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		SubIssueID    int64 `json:"sub_issue_id"`
		ReplaceParent bool  `json:"replace_parent"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	sub := c.repo.issueByID(in.SubIssueID)
	if sub == nil {
		// a number instead of an id is the classic mistake: GitHub says 404 too
		return nil, notFound()
	}
	if sub == is || sub.PR != nil {
		return nil, validationFailed("Issue", "sub_issue_id", "invalid")
	}
	if sub.ParentID != 0 && sub.ParentID != is.ID {
		if !in.ReplaceParent {
			return nil, unprocessable("An error occurred while adding the sub-issue to the parent issue. Sub issue may only have one parent")
		}
		if old := c.repo.issueByID(sub.ParentID); old != nil {
			old.SubIssues = removeID(old.SubIssues, sub.ID)
		}
	}
	for _, id := range is.SubIssues {
		if id == sub.ID {
			return nil, unprocessable("An error occurred while adding the sub-issue to the parent issue. Issue may not contain duplicate sub-issues")
		}
	}
	if len(is.SubIssues) >= 100 {
		return nil, unprocessable("An error occurred while adding the sub-issue to the parent issue. Parent cannot have more than 100 sub-issues")
	}
	sub.ParentID = is.ID
	is.SubIssues = append(is.SubIssues, sub.ID)
	is.UpdatedAt = s.clock()
	s.addEvent(c.repo, is, c.auth.user, "sub_issue_added", c.viaApp(), nil)
	c.status = 201
	return c.issue(c.repo, is), nil
}

func removeID(ids []int64, id int64) []int64 {
	var out []int64
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) removeSubIssue(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	var in struct {
		SubIssueID int64 `json:"sub_issue_id"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	sub := c.repo.issueByID(in.SubIssueID)
	if sub == nil || sub.ParentID != is.ID {
		return nil, notFound()
	}
	sub.ParentID = 0
	is.SubIssues = removeID(is.SubIssues, sub.ID)
	return c.issue(c.repo, sub), nil
}

func (s *Server) getParent(c *ctx) (any, error) {
	is, err := c.findIssue()
	if err != nil {
		return nil, err
	}
	p := c.repo.issueByID(is.ParentID)
	if p == nil {
		return nil, notFound()
	}
	return c.issue(c.repo, p), nil
}
