package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func (s *Server) routes() {
	s.handle("GET /app", access{kind: accApp}, s.getApp)
	s.handle("GET /app/installations", access{kind: accApp}, s.listInstallations)
	s.handle("GET /app/installations/{installation_id}", access{kind: accApp}, s.getInstallation)
	s.handle("POST /app/installations/{installation_id}/access_tokens", access{kind: accApp}, s.createAccessToken)
	s.handle("GET /repos/{owner}/{repo}/installation", access{kind: accApp}, s.repoInstallation)
	s.handle("GET /orgs/{org}/installation", access{kind: accApp}, s.accountInstallation)
	s.handle("GET /users/{username}/installation", access{kind: accApp}, s.accountInstallation)
	s.handle("GET /installation/repositories", access{kind: accInstallation}, s.installationRepos)
	s.handle("GET /app/hook/deliveries", access{kind: accApp}, s.listDeliveries)
	s.handle("GET /app/hook/deliveries/{delivery_id}", access{kind: accApp}, s.getDelivery)
	s.handle("POST /app/hook/deliveries/{delivery_id}/attempts", access{kind: accApp}, s.redeliver)
	s.handle("GET /rate_limit", access{kind: accPublic}, s.rateLimit)
	s.handle("GET /users/{username}", access{kind: accPublic}, s.getUser)
	s.handle("GET /user", access{kind: accAuthed}, s.getAuthUser)
	s.handle("GET /orgs/{org}", access{kind: accPublic}, s.getOrg)
	s.routesGit()
	s.routesIssues()
	s.routesPeople()
	s.routesPulls()
	s.routesChecks()
	s.routesManifest()
	s.routesHistory()
	s.routesSearch()
}

func (s *Server) getApp(c *ctx) (any, error) {
	return c.appObj(c.auth.app), nil
}

func (s *Server) appInstallations(a *app) []*installation {
	var out []*installation
	for _, in := range s.insts {
		if in.App == a {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Server) listInstallations(c *ctx) (any, error) {
	out := []any{}
	for _, in := range paginate(c, s.appInstallations(c.auth.app)) {
		out = append(out, c.installationObj(in))
	}
	return out, nil
}

func (c *ctx) appInstallation() (*installation, error) {
	id, _ := strconv.ParseInt(c.param("installation_id"), 10, 64)
	in := c.s.insts[id]
	if in == nil || in.App != c.auth.app {
		return nil, notFound()
	}
	return in, nil
}

func (s *Server) getInstallation(c *ctx) (any, error) {
	in, err := c.appInstallation()
	if err != nil {
		return nil, err
	}
	return c.installationObj(in), nil
}

func (s *Server) createAccessToken(c *ctx) (any, error) {
	in, err := c.appInstallation()
	if err != nil {
		return nil, err
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if string(c.body) != "null" {
		if err := c.decode(&body); err != nil {
			return nil, err
		}
	}
	perms := map[string]string{}
	for k, v := range in.Permissions {
		perms[k] = v
	}
	if len(body.Permissions) > 0 {
		perms = map[string]string{}
		for k, v := range body.Permissions {
			have := in.Permissions[k]
			if have == "" || (v == "write" && have == "read") || (v == "admin" && have != "admin") {
				return nil, unprocessable("The permissions requested are not granted to this installation.")
			}
			perms[k] = v
		}
		if perms["metadata"] == "" {
			perms["metadata"] = "read"
		}
	}
	var repoIDs map[int64]bool
	var repos []*repo
	if len(body.Repositories) > 0 || len(body.RepositoryIDs) > 0 {
		repoIDs = map[int64]bool{}
		add := func(r *repo) error {
			if r == nil || !s.instCoversRepo(in, r) {
				return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.")
			}
			if !repoIDs[r.ID] {
				repoIDs[r.ID] = true
				repos = append(repos, r)
			}
			return nil
		}
		for _, name := range body.Repositories {
			if !strings.Contains(name, "/") {
				name = in.Account.Login + "/" + name
			}
			if err := add(s.repos[strings.ToLower(name)]); err != nil {
				return nil, err
			}
		}
		for _, id := range body.RepositoryIDs {
			if err := add(s.reposByID[id]); err != nil {
				return nil, err
			}
		}
	}
	t := s.mintToken(in, perms, repoIDs)
	sel := in.Selection
	if repoIDs != nil {
		sel = "selected"
	}
	res := map[string]any{"token": t.Value, "expires_at": ts(t.ExpiresAt), "permissions": perms, "repository_selection": sel}
	if repos != nil {
		list := []any{}
		for _, r := range repos {
			list = append(list, c.repository(r))
		}
		res["repositories"] = list
	}
	c.status = 201
	return res, nil
}

func (s *Server) repoInstallation(c *ctx) (any, error) {
	r := s.repos[strings.ToLower(c.param("owner")+"/"+c.param("repo"))]
	if r == nil {
		return nil, notFound()
	}
	in := s.installationFor(c.auth.app, r)
	if in == nil {
		return nil, notFound()
	}
	return c.installationObj(in), nil
}

func (s *Server) accountInstallation(c *ctx) (any, error) {
	name := c.param("org")
	if name == "" {
		name = c.param("username")
	}
	for _, in := range s.appInstallations(c.auth.app) {
		if strings.EqualFold(in.Account.Login, name) {
			return c.installationObj(in), nil
		}
	}
	return nil, notFound()
}

func (s *Server) installationRepos(c *ctx) (any, error) {
	t := c.auth.tok
	var list []*repo
	for _, k := range sortedKeys(s.repos) {
		r := s.repos[k]
		if s.tokenCoversRepo(t, r) {
			list = append(list, r)
		}
	}
	out := []any{}
	for _, r := range paginate(c, list) {
		m := c.repository(r)
		m["permissions"] = map[string]any{"admin": false, "maintain": false, "push": t.Permissions["contents"] == "write", "triage": true, "pull": true}
		out = append(out, m)
	}
	sel := t.Inst.Selection
	if t.RepoIDs != nil {
		sel = "selected"
	}
	return map[string]any{"total_count": len(list), "repositories": out, "repository_selection": sel}, nil
}

// ---- webhook deliveries API

func (v view) deliveryItem(d *Delivery) map[string]any {
	var action any
	if d.Action != "" {
		action = d.Action
	}
	var repoID any
	if d.RepositoryID != 0 {
		repoID = d.RepositoryID
	}
	status := d.Status
	if !d.Attempted {
		status = "pending"
	}
	return map[string]any{"id": d.ID, "guid": d.GUID, "delivered_at": ts(d.DeliveredAt), "redelivery": d.Redelivery,
		"duration": d.Duration.Seconds(), "status": status, "status_code": d.StatusCode, "event": d.Event, "action": action,
		"installation_id": d.InstallationID, "repository_id": repoID, "throttled_at": nil}
}

func (s *Server) appDeliveries(a *app) []*Delivery {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*Delivery
	for i := len(h.all) - 1; i >= 0; i-- {
		if d := h.all[i]; d.AppID == a.ID {
			cp := *d
			out = append(out, &cp)
		}
	}
	return out
}

func (s *Server) listDeliveries(c *ctx) (any, error) {
	all := s.appDeliveries(c.auth.app)
	perPage := 30
	if v, err := strconv.Atoi(c.query("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	start := 0
	if cur := c.query("cursor"); cur != "" {
		id, err := strconv.ParseInt(cur, 10, 64)
		if err != nil {
			return nil, validationFailed("Delivery", "cursor", "invalid")
		}
		start = len(all)
		for i, d := range all {
			if d.ID <= id {
				start = i
				break
			}
		}
	}
	end := min(start+perPage, len(all))
	out := []any{}
	for _, d := range all[start:end] {
		out = append(out, c.deliveryItem(d))
	}
	if end < len(all) {
		c.header.Set("Link", fmt.Sprintf(`<%s/app/hook/deliveries?per_page=%d&cursor=%d>; rel="next"`, c.api, perPage, all[end].ID))
	}
	return out, nil
}

func (s *Server) getDelivery(c *ctx) (any, error) {
	id, _ := strconv.ParseInt(c.param("delivery_id"), 10, 64)
	for _, d := range s.appDeliveries(c.auth.app) {
		if d.ID != id {
			continue
		}
		m := c.deliveryItem(d)
		m["url"] = d.URL
		reqH := map[string]any{}
		for k := range d.RequestHeader {
			reqH[k] = d.RequestHeader.Get(k)
		}
		var payload any
		_ = json.Unmarshal(d.Payload, &payload)
		m["request"] = map[string]any{"headers": reqH, "payload": payload}
		respH := map[string]any{}
		for k := range d.ResponseHeader {
			respH[k] = d.ResponseHeader.Get(k)
		}
		var respBody any
		if d.Attempted {
			respBody = d.ResponseBody
		}
		m["response"] = map[string]any{"headers": respH, "payload": respBody}
		return m, nil
	}
	return nil, notFound()
}

func (s *Server) redeliver(c *ctx) (any, error) {
	id, _ := strconv.ParseInt(c.param("delivery_id"), 10, 64)
	h := s.hooks
	h.mu.Lock()
	var orig *Delivery
	for _, d := range h.all {
		if d.ID == id && d.AppID == c.auth.app.ID {
			orig = d
		}
	}
	h.mu.Unlock()
	if orig == nil {
		return nil, notFound()
	}
	// handlers run under s.mu: the app's current hook is read here
	h.redeliver(orig, &hookConfig{url: c.auth.app.WebhookURL, secret: c.auth.app.WebhookSecret})
	c.status = http.StatusAccepted
	return map[string]any{}, nil
}

// ---- misc

func (s *Server) rateLimit(c *ctx) (any, error) {
	b := s.bucket(c.auth)
	core := map[string]any{"limit": b.limit, "used": b.used, "remaining": max(b.limit-b.used, 0), "reset": b.reset.Unix()}
	sb := s.searchBucket(c.auth)
	search := map[string]any{"limit": sb.limit, "used": sb.used, "remaining": max(sb.limit-sb.used, 0), "reset": sb.reset.Unix()}
	return map[string]any{"resources": map[string]any{"core": core, "search": search}, "rate": core}, nil
}

func (s *Server) getUser(c *ctx) (any, error) {
	a := s.accounts[strings.ToLower(c.param("username"))]
	if a == nil {
		return nil, notFound()
	}
	m := c.user(a).(map[string]any)
	m["name"] = nilIfEmpty(a.Name)
	m["email"] = nilIfEmpty(a.Email)
	m["created_at"] = ts(a.CreatedAt)
	m["updated_at"] = ts(a.CreatedAt)
	for k, v := range map[string]any{"bio": nil, "blog": "", "company": nil, "location": nil, "hireable": nil,
		"twitter_username": nil, "followers": 0, "following": 0, "public_gists": 0, "public_repos": s.publicRepos(a)} {
		m[k] = v
	}
	return m, nil
}

func (s *Server) publicRepos(a *account) int {
	n := 0
	for _, r := range s.repos {
		if r.Owner == a && !r.Private {
			n++
		}
	}
	return n
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) getAuthUser(c *ctx) (any, error) {
	if c.auth.kind != "user" {
		return nil, errNotIntegration
	}
	c.r.SetPathValue("username", c.auth.user.Login)
	return s.getUser(c)
}

func (s *Server) getOrg(c *ctx) (any, error) {
	a := s.accounts[strings.ToLower(c.param("org"))]
	if a == nil || a.Type != "Organization" {
		return nil, notFound()
	}
	m := c.orgObj(a)
	m["name"] = nilIfEmpty(a.Name)
	m["type"] = "Organization"
	m["html_url"] = c.web + "/" + a.Login
	m["created_at"] = ts(a.CreatedAt)
	m["updated_at"] = ts(a.CreatedAt)
	return m, nil
}
