package githubsim

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What happened in a repository besides issues and pulls: deployments and
// their statuses, releases, workflow runs (what the incident flow looks
// back on).
type history struct {
	deployments []*deployment
	releases    []*release
	runs        []*workflowRun
}

type deployment struct {
	ID          int64
	SHA, Ref    string
	Task        string
	Environment string
	Description *string
	Payload     json.RawMessage
	Production  bool
	Creator     *account
	ViaApp      *app
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Statuses    []*deploymentStatus
}

type deploymentStatus struct {
	ID          int64
	State       string
	Description string
	TargetURL   string
	LogURL      string
	EnvURL      string
	Creator     *account
	ViaApp      *app
	CreatedAt   time.Time
}

type release struct {
	ID          int64
	TagName     string
	Target      string
	Name        *string
	Body        *string
	Draft       bool
	Prerelease  bool
	Author      *account
	CreatedAt   time.Time
	PublishedAt *time.Time
}

type workflowRun struct {
	ID         int64
	Name       string
	Path       string // .github/workflows/deploy.yml
	WorkflowID int64
	RunNumber  int
	Event      string
	Status     string
	Conclusion *string
	HeadBranch string
	HeadSHA    string
	Actor      *account
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (r *repo) history() *history {
	if r.hist == nil {
		r.hist = &history{}
	}
	return r.hist
}

func (s *Server) routesHistory() {
	s.handle("GET /repos/{owner}/{repo}/deployments", repoRead("deployments"), s.listDeployments)
	s.handle("POST /repos/{owner}/{repo}/deployments", repoWrite("deployments"), s.createDeployment)
	s.handle("GET /repos/{owner}/{repo}/deployments/{deployment_id}", repoRead("deployments"), s.getDeployment)
	s.handle("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", repoRead("deployments"), s.listDeploymentStatuses)
	s.handle("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", repoWrite("deployments"), s.createDeploymentStatus)
	s.handle("GET /repos/{owner}/{repo}/releases", repoRead("contents"), s.listReleases)
	s.handle("POST /repos/{owner}/{repo}/releases", repoWrite("contents"), s.createRelease)
	s.handle("GET /repos/{owner}/{repo}/actions/runs", repoRead("actions"), s.listWorkflowRuns)
}

// ---- deployments

func (v view) deploymentObj(r *repo, d *deployment) map[string]any {
	u := v.repoURL(r) + "/deployments/" + strconv.FormatInt(d.ID, 10)
	var payload any = map[string]any{}
	if len(d.Payload) > 0 {
		_ = json.Unmarshal(d.Payload, &payload)
	}
	return map[string]any{
		"id": d.ID, "node_id": nodeID("Deployment", d.ID), "sha": d.SHA, "ref": d.Ref, "task": d.Task,
		"environment": d.Environment, "original_environment": d.Environment, "payload": payload,
		"description": d.Description, "creator": v.user(d.Creator), "statuses_url": u + "/statuses",
		"repository_url": v.repoURL(r), "url": u, "created_at": ts(d.CreatedAt), "updated_at": ts(d.UpdatedAt),
		"production_environment": d.Production, "transient_environment": false,
		"performed_via_github_app": v.appObj(d.ViaApp),
	}
}

func (v view) deploymentStatusObj(r *repo, d *deployment, st *deploymentStatus) map[string]any {
	du := v.repoURL(r) + "/deployments/" + strconv.FormatInt(d.ID, 10)
	return map[string]any{
		"id": st.ID, "node_id": nodeID("DeploymentStatus", st.ID), "state": st.State, "creator": v.user(st.Creator),
		"description": st.Description, "environment": d.Environment, "target_url": st.TargetURL, "log_url": st.LogURL,
		"environment_url": st.EnvURL, "deployment_url": du, "repository_url": v.repoURL(r),
		"url": du + "/statuses/" + strconv.FormatInt(st.ID, 10), "created_at": ts(st.CreatedAt), "updated_at": ts(st.CreatedAt),
		"performed_via_github_app": v.appObj(st.ViaApp),
	}
}

func (s *Server) listDeployments(c *ctx) (any, error) {
	var list []*deployment
	for _, d := range c.repo.history().deployments {
		if (c.query("sha") != "" && c.query("sha") != d.SHA) || (c.query("ref") != "" && c.query("ref") != d.Ref) ||
			(c.query("task") != "" && c.query("task") != d.Task) || (c.query("environment") != "" && c.query("environment") != d.Environment) {
			continue
		}
		list = append(list, d)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID > list[j].ID }) // newest first
	out := []any{}
	for _, d := range paginate(c, list) {
		out = append(out, c.deploymentObj(c.repo, d))
	}
	return out, nil
}

func (s *Server) createDeployment(c *ctx) (any, error) {
	var in struct {
		Ref         string          `json:"ref"`
		Task        string          `json:"task"`
		Environment string          `json:"environment"`
		Description *string         `json:"description"`
		Payload     json.RawMessage `json:"payload"`
		Production  *bool           `json:"production_environment"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Ref == "" {
		return nil, validationFailed("Deployment", "ref", "missing_field")
	}
	sha, ok := c.repo.resolve(in.Ref)
	if !ok {
		return nil, errf(422, "No ref found for: %s", in.Ref)
	}
	if in.Task == "" {
		in.Task = "deploy"
	}
	if in.Environment == "" {
		in.Environment = "production"
	}
	if len(in.Payload) > 0 && in.Payload[0] == '"' { // a JSON string holding JSON
		var s string
		_ = json.Unmarshal(in.Payload, &s)
		in.Payload = json.RawMessage(s)
	}
	now := s.clock()
	d := &deployment{ID: s.newID(), SHA: sha, Ref: in.Ref, Task: in.Task, Environment: in.Environment, Description: in.Description,
		Payload: in.Payload, Production: in.Production == nil && in.Environment == "production" || in.Production != nil && *in.Production,
		Creator: c.auth.user, ViaApp: c.viaApp(), CreatedAt: now, UpdatedAt: now}
	h := c.repo.history()
	h.deployments = append(h.deployments, d)
	c.status = 201
	return c.deploymentObj(c.repo, d), nil
}

func (c *ctx) deployment() (*deployment, error) {
	id, _ := strconv.ParseInt(c.param("deployment_id"), 10, 64)
	for _, d := range c.repo.history().deployments {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, notFound()
}

func (s *Server) getDeployment(c *ctx) (any, error) {
	d, err := c.deployment()
	if err != nil {
		return nil, err
	}
	return c.deploymentObj(c.repo, d), nil
}

func (s *Server) listDeploymentStatuses(c *ctx) (any, error) {
	d, err := c.deployment()
	if err != nil {
		return nil, err
	}
	list := append([]*deploymentStatus(nil), d.Statuses...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	out := []any{}
	for _, st := range paginate(c, list) {
		out = append(out, c.deploymentStatusObj(c.repo, d, st))
	}
	return out, nil
}

var deploymentStates = map[string]bool{"error": true, "failure": true, "inactive": true, "in_progress": true, "queued": true, "pending": true, "success": true}

func (s *Server) createDeploymentStatus(c *ctx) (any, error) {
	d, err := c.deployment()
	if err != nil {
		return nil, err
	}
	var in struct {
		State       string `json:"state"`
		Description string `json:"description"`
		TargetURL   string `json:"target_url"`
		LogURL      string `json:"log_url"`
		EnvURL      string `json:"environment_url"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if !deploymentStates[in.State] {
		return nil, validationFailed("DeploymentStatus", "state", "invalid")
	}
	if in.LogURL == "" {
		in.LogURL = in.TargetURL
	}
	now := s.clock()
	st := &deploymentStatus{ID: s.newID(), State: in.State, Description: in.Description, TargetURL: in.TargetURL, LogURL: in.LogURL,
		EnvURL: in.EnvURL, Creator: c.auth.user, ViaApp: c.viaApp(), CreatedAt: now}
	d.Statuses = append(d.Statuses, st)
	d.UpdatedAt = now
	c.status = 201
	return c.deploymentStatusObj(c.repo, d, st), nil
}

// ---- releases

func (v view) releaseObj(r *repo, rl *release) map[string]any {
	u := v.repoURL(r) + "/releases/" + strconv.FormatInt(rl.ID, 10)
	web := v.web + "/" + r.fullName()
	return map[string]any{
		"id": rl.ID, "node_id": nodeID("Release", rl.ID), "url": u, "html_url": web + "/releases/tag/" + pathEscape(rl.TagName),
		"assets_url": u + "/assets", "upload_url": strings.Replace(u, "/repos/", "/uploads/repos/", 1) + "/assets{?name,label}",
		"tarball_url": v.repoURL(r) + "/tarball/" + pathEscape(rl.TagName), "zipball_url": v.repoURL(r) + "/zipball/" + pathEscape(rl.TagName),
		"tag_name": rl.TagName, "target_commitish": rl.Target, "name": rl.Name, "body": rl.Body, "draft": rl.Draft,
		"prerelease": rl.Prerelease, "author": v.user(rl.Author), "assets": []any{},
		"created_at": ts(rl.CreatedAt), "published_at": tsPtr(rl.PublishedAt),
	}
}

func (s *Server) listReleases(c *ctx) (any, error) {
	list := append([]*release(nil), c.repo.history().releases...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	out := []any{}
	for _, rl := range paginate(c, list) {
		out = append(out, c.releaseObj(c.repo, rl))
	}
	return out, nil
}

func (s *Server) createRelease(c *ctx) (any, error) {
	var in struct {
		TagName    string  `json:"tag_name"`
		Target     string  `json:"target_commitish"`
		Name       *string `json:"name"`
		Body       *string `json:"body"`
		Draft      bool    `json:"draft"`
		Prerelease bool    `json:"prerelease"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.TagName == "" {
		return nil, validationFailed("Release", "tag_name", "missing_field")
	}
	for _, rl := range c.repo.history().releases {
		if rl.TagName == in.TagName {
			return nil, validationFailed("Release", "tag_name", "already_exists")
		}
	}
	if in.Target == "" {
		in.Target = c.repo.DefaultBranch
	}
	sha, ok := c.repo.resolve(in.Target)
	if !ok {
		return nil, validationFailed("Release", "target_commitish", "invalid")
	}
	if _, exists := c.repo.refs["refs/tags/"+in.TagName]; !exists {
		c.repo.refs["refs/tags/"+in.TagName] = sha
	}
	now := s.clock()
	rl := &release{ID: s.newID(), TagName: in.TagName, Target: in.Target, Name: in.Name, Body: in.Body, Draft: in.Draft,
		Prerelease: in.Prerelease, Author: c.auth.user, CreatedAt: now}
	if !in.Draft {
		rl.PublishedAt = &now
	}
	h := c.repo.history()
	h.releases = append(h.releases, rl)
	c.status = 201
	return c.releaseObj(c.repo, rl), nil
}

// ---- workflow runs

// WorkflowRun is a run of a GitHub Actions workflow, as a test adds it
// (AddWorkflowRun): runs are made by GitHub, not by an API call.
type WorkflowRun struct {
	Name       string // the workflow's name, e.g. "Deploy"
	Path       string // e.g. ".github/workflows/deploy.yml"
	Event      string // push (default), workflow_dispatch, deployment…
	Status     string // completed (default), in_progress, queued
	Conclusion string // success (default when completed), failure…
	HeadBranch string // default: the default branch
	HeadSHA    string // default: the head of HeadBranch
	Actor      string // login
	At         time.Time
}

// AddWorkflowRun records a workflow run in repo ("owner/name") created at
// run.At (GitHub's clock when zero) and returns its id.
func (s *Server) AddWorkflowRun(full string, run WorkflowRun) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(full)
	if r == nil {
		return 0
	}
	if run.At.IsZero() {
		run.At = s.clock()
	}
	if run.HeadBranch == "" {
		run.HeadBranch = r.DefaultBranch
	}
	if run.HeadSHA == "" {
		run.HeadSHA, _ = r.resolve(run.HeadBranch)
	}
	actor := s.accounts[strings.ToLower(run.Actor)]
	if actor == nil {
		actor = r.Owner
	}
	if run.Event == "" {
		run.Event = "push"
	}
	if run.Status == "" {
		run.Status = "completed"
	}
	wr := &workflowRun{ID: s.newID(), Name: run.Name, Path: run.Path, Event: run.Event, Status: run.Status,
		HeadBranch: run.HeadBranch, HeadSHA: run.HeadSHA, Actor: actor, CreatedAt: run.At.UTC(), UpdatedAt: run.At.UTC()}
	if run.Status == "completed" {
		c := run.Conclusion
		if c == "" {
			c = "success"
		}
		wr.Conclusion = &c
	}
	h := r.history()
	for _, o := range h.runs {
		if o.Path == run.Path && o.Name == run.Name {
			wr.WorkflowID = o.WorkflowID
			wr.RunNumber = max(wr.RunNumber, o.RunNumber)
		}
	}
	if wr.WorkflowID == 0 {
		wr.WorkflowID = s.newID()
	}
	wr.RunNumber++
	h.runs = append(h.runs, wr)
	return wr.ID
}

func (v view) workflowRunObj(r *repo, wr *workflowRun) map[string]any {
	u := v.repoURL(r) + "/actions/runs/" + strconv.FormatInt(wr.ID, 10)
	var headCommit any
	if cm, ok := r.objects.commit(wr.HeadSHA); ok {
		headCommit = map[string]any{"id": wr.HeadSHA, "tree_id": cm.Tree, "message": cm.Message, "timestamp": ts(cm.Committer.When),
			"author":    map[string]any{"name": cm.Author.Name, "email": cm.Author.Email},
			"committer": map[string]any{"name": cm.Committer.Name, "email": cm.Committer.Email}}
	}
	return map[string]any{
		"id": wr.ID, "node_id": nodeID("WorkflowRun", wr.ID), "name": wr.Name, "head_branch": wr.HeadBranch, "head_sha": wr.HeadSHA,
		"path": wr.Path, "display_title": wr.Name, "run_number": wr.RunNumber, "run_attempt": 1, "event": wr.Event,
		"status": wr.Status, "conclusion": wr.Conclusion, "workflow_id": wr.WorkflowID, "url": u,
		"html_url": v.web + "/" + r.fullName() + "/actions/runs/" + strconv.FormatInt(wr.ID, 10), "pull_requests": []any{},
		"created_at": ts(wr.CreatedAt), "updated_at": ts(wr.UpdatedAt), "run_started_at": ts(wr.CreatedAt),
		"actor": v.user(wr.Actor), "triggering_actor": v.user(wr.Actor),
		"jobs_url": u + "/jobs", "logs_url": u + "/logs", "check_suite_url": v.repoURL(r) + "/check-suites/" + strconv.FormatInt(wr.ID, 10),
		"artifacts_url": u + "/artifacts", "cancel_url": u + "/cancel", "rerun_url": u + "/rerun",
		"workflow_url": v.repoURL(r) + "/actions/workflows/" + strconv.FormatInt(wr.WorkflowID, 10),
		"head_commit":  headCommit, "repository": v.repository(r), "head_repository": v.repository(r),
	}
}

func (s *Server) listWorkflowRuns(c *ctx) (any, error) {
	from, to, ok := createdRange(c.query("created"))
	if !ok {
		return nil, validationFailed("WorkflowRun", "created", "invalid")
	}
	var list []*workflowRun
	for _, wr := range c.repo.history().runs {
		switch {
		case c.query("branch") != "" && c.query("branch") != wr.HeadBranch,
			c.query("event") != "" && c.query("event") != wr.Event,
			c.query("head_sha") != "" && c.query("head_sha") != wr.HeadSHA,
			c.query("status") != "" && c.query("status") != wr.Status && (wr.Conclusion == nil || c.query("status") != *wr.Conclusion),
			!from.IsZero() && wr.CreatedAt.Before(from), !to.IsZero() && wr.CreatedAt.After(to):
			continue
		}
		list = append(list, wr)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	out := []any{}
	for _, wr := range paginate(c, list) {
		out = append(out, c.workflowRunObj(c.repo, wr))
	}
	return map[string]any{"total_count": len(list), "workflow_runs": out}, nil
}

// createdRange reads GitHub's date-range qualifier: "A..B", ">=A", ">A",
// "<=B", "<B" or "A" (that day), each a date or an RFC 3339 time. Zero
// times are open ends.
func createdRange(q string) (from, to time.Time, ok bool) {
	if q == "" {
		return time.Time{}, time.Time{}, true
	}
	parse := func(s string) (time.Time, bool, bool) { // time, date-only, ok
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, false, true
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, true, true
		}
		return time.Time{}, false, false
	}
	end := func(t time.Time, day bool) time.Time {
		if day {
			return t.Add(24*time.Hour - time.Nanosecond)
		}
		return t
	}
	if a, b, found := strings.Cut(q, ".."); found {
		ta, _, ok1 := parse(a)
		tb, day, ok2 := parse(b)
		return ta, end(tb, day), ok1 && ok2
	}
	for _, op := range []string{">=", "<=", ">", "<"} {
		if rest, found := strings.CutPrefix(q, op); found {
			t, day, ok := parse(rest)
			switch op {
			case ">=":
				return t, time.Time{}, ok
			case ">":
				return end(t, day).Add(time.Nanosecond), time.Time{}, ok
			case "<=":
				return time.Time{}, end(t, day), ok
			default:
				return time.Time{}, t.Add(-time.Nanosecond), ok
			}
		}
	}
	t, day, ok := parse(q)
	return t, end(t, day), ok
}
