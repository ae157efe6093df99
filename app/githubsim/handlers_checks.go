package githubsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routesChecks() {
	s.handle("POST /repos/{owner}/{repo}/check-runs", repoWrite("checks"), s.createCheckRun)
	s.handle("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", repoRead("checks"), s.getCheckRun)
	s.handle("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", repoWrite("checks"), s.updateCheckRun)
	s.handle("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", repoRead("checks"), s.listAnnotations)
	s.handle("POST /repos/{owner}/{repo}/check-runs/{check_run_id}/rerequest", repoWrite("checks"), s.rerequestRun)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", repoRead("checks"), s.listRunsForRef)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-suites", repoRead("checks"), s.listSuitesForRef)
	s.handle("GET /repos/{owner}/{repo}/check-suites/{check_suite_id}", repoRead("checks"), s.getSuite)
	s.handle("GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs", repoRead("checks"), s.listRunsForSuite)
	s.handle("POST /repos/{owner}/{repo}/check-suites/{check_suite_id}/rerequest", repoWrite("checks"), s.rerequestSuite)
	s.handle("POST /repos/{owner}/{repo}/check-suites", repoWrite("checks"), s.createSuite)
}

func (v view) checkRun(r *repo, cr *checkRun) map[string]any {
	u := fmt.Sprintf("%s/check-runs/%d", v.repoURL(r), cr.ID)
	html := fmt.Sprintf("%s/%s/runs/%d", v.web, r.fullName(), cr.ID)
	return map[string]any{
		"id": cr.ID, "head_sha": cr.HeadSHA, "node_id": nodeID("CheckRun", cr.ID), "external_id": derefStr(cr.ExternalID),
		"url": u, "html_url": html, "details_url": strOr(cr.DetailsURL, html), "status": cr.Status,
		"conclusion": strPtr(cr.Conclusion), "started_at": tsPtr(cr.StartedAt), "completed_at": tsPtr(cr.CompletedAt),
		"output": map[string]any{"title": strPtr(cr.Title), "summary": strPtr(cr.Summary), "text": strPtr(cr.Text),
			"annotations_count": len(cr.Annotations), "annotations_url": u + "/annotations"},
		"name": cr.Name, "check_suite": map[string]any{"id": cr.Suite.ID}, "app": v.appObj(cr.App),
		"pull_requests": v.checkPulls(r, cr.HeadSHA),
	}
}

func strOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// checkPulls lists open PRs whose head is sha (as GitHub does for checks).
func (v view) checkPulls(r *repo, sha string) []any {
	out := []any{}
	for _, n := range r.sortedNumbers() {
		is := r.issues[n]
		if is.PR == nil || is.State != "open" {
			continue
		}
		head, base := r.pullSHAs(is)
		if head != sha {
			continue
		}
		mini := map[string]any{"id": r.ID, "url": v.repoURL(r), "name": r.Name}
		out = append(out, map[string]any{"url": fmt.Sprintf("%s/pulls/%d", v.repoURL(r), is.Number), "id": is.ID, "number": is.Number,
			"head": map[string]any{"ref": is.PR.Head, "sha": head, "repo": mini},
			"base": map[string]any{"ref": is.PR.Base, "sha": base, "repo": mini}})
	}
	return out
}

func (v view) checkSuite(r *repo, cs *checkSuite) map[string]any {
	u := fmt.Sprintf("%s/check-suites/%d", v.repoURL(r), cs.ID)
	n := 0
	for _, cr := range r.checkRuns {
		if cr.Suite == cs {
			n++
		}
	}
	cm, _ := r.objects.commit(cs.HeadSHA)
	m := map[string]any{
		"id": cs.ID, "node_id": nodeID("CheckSuite", cs.ID), "head_branch": strPtr(cs.HeadBranch), "head_sha": cs.HeadSHA,
		"status": cs.Status, "conclusion": strPtr(cs.Conclusion), "url": u, "before": strPtr(cs.Before), "after": strPtr(cs.After),
		"pull_requests": v.checkPulls(r, cs.HeadSHA), "app": v.appObj(cs.App), "repository": v.repository(r),
		"created_at": ts(cs.CreatedAt), "updated_at": ts(cs.UpdatedAt),
		"head_commit": map[string]any{"id": cs.HeadSHA, "tree_id": cm.Tree, "message": cm.Message, "timestamp": ts(cm.Committer.When),
			"author": map[string]any{"name": cm.Author.Name, "email": cm.Author.Email}, "committer": map[string]any{"name": cm.Committer.Name, "email": cm.Committer.Email}},
		"latest_check_runs_count": n, "check_runs_url": u + "/check-runs", "rerequestable": true, "runs_rerequestable": true,
	}
	if v.hook {
		delete(m, "repository")
		delete(m, "rerequestable")
		delete(m, "runs_rerequestable")
	}
	return m
}

func (v view) annotation(r *repo, cr *checkRun, a annotation) map[string]any {
	intp := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return map[string]any{"path": a.Path, "start_line": a.StartLine, "end_line": a.EndLine, "start_column": intp(a.StartColumn),
		"end_column": intp(a.EndColumn), "annotation_level": a.AnnotationLevel, "title": strPtr(a.Title), "message": a.Message,
		"raw_details": strPtr(a.RawDetails), "blob_href": v.web + "/" + r.fullName() + "/blob/" + cr.HeadSHA + "/" + pathEscape(a.Path)}
}

type checkOutputIn struct {
	Title       *string `json:"title"`
	Summary     *string `json:"summary"`
	Text        *string `json:"text"`
	Annotations []struct {
		Path            string  `json:"path"`
		StartLine       *int    `json:"start_line"`
		EndLine         *int    `json:"end_line"`
		StartColumn     *int    `json:"start_column"`
		EndColumn       *int    `json:"end_column"`
		AnnotationLevel string  `json:"annotation_level"`
		Message         string  `json:"message"`
		Title           *string `json:"title"`
		RawDetails      *string `json:"raw_details"`
	} `json:"annotations"`
}

type checkRunIn struct {
	Name        *string          `json:"name"`
	HeadSHA     string           `json:"head_sha"`
	DetailsURL  *string          `json:"details_url"`
	ExternalID  *string          `json:"external_id"`
	Status      *string          `json:"status"`
	StartedAt   *time.Time       `json:"started_at"`
	Conclusion  *string          `json:"conclusion"`
	CompletedAt *time.Time       `json:"completed_at"`
	Output      *checkOutputIn   `json:"output"`
	Actions     []map[string]any `json:"actions"`
}

var conclusions = map[string]bool{"action_required": true, "cancelled": true, "failure": true, "neutral": true, "success": true, "skipped": true, "stale": true, "timed_out": true}

// applyCheckRun validates and applies a create/update body.
func (s *Server) applyCheckRun(cr *checkRun, in checkRunIn) *apiError {
	if in.Status != nil {
		switch *in.Status {
		case "queued", "in_progress", "completed", "waiting", "requested", "pending":
		default:
			return validationFailed("CheckRun", "status", "invalid")
		}
	}
	if in.Conclusion != nil && !conclusions[*in.Conclusion] {
		return validationFailed("CheckRun", "conclusion", "invalid")
	}
	if in.Status != nil && *in.Status == "completed" && in.Conclusion == nil && cr.Conclusion == nil {
		return unprocessable("Invalid request.\n\nNo subschema in \"anyOf\" matched.\n\"conclusion\" wasn't supplied.")
	}
	if len(in.Actions) > 3 {
		return unprocessable("Invalid request.\n\nactions: at most 3 actions")
	}
	var anns []annotation
	if o := in.Output; o != nil {
		if o.Summary == nil || (o.Title == nil && cr.Title == nil) {
			return unprocessable("Invalid request.\n\nFor 'properties/output', {\"title\" and \"summary\"} are required.")
		}
		if e := checkOutputTooLong(o.Summary, o.Text); e != nil {
			return e
		}
		if len(o.Annotations) > 50 {
			return unprocessable("Invalid request.\n\nFor 'properties/annotations', " + strconv.Itoa(len(o.Annotations)) + " items were given, but must have at most 50.")
		}
		for _, a := range o.Annotations {
			if a.Path == "" || a.StartLine == nil || a.EndLine == nil || a.Message == "" {
				return unprocessable("Invalid request.\n\n\"path\", \"start_line\", \"end_line\", \"annotation_level\" and \"message\" are required for annotations.")
			}
			switch a.AnnotationLevel {
			case "notice", "warning", "failure":
			default:
				return unprocessable("Invalid request.\n\nannotation_level must be notice, warning or failure.")
			}
			if (a.StartColumn != nil || a.EndColumn != nil) && *a.StartLine != *a.EndLine {
				return unprocessable("Invalid request.\n\nstart_column and end_column may only be used when start_line and end_line are the same.")
			}
			anns = append(anns, annotation{Path: a.Path, StartLine: *a.StartLine, EndLine: *a.EndLine, StartColumn: a.StartColumn,
				EndColumn: a.EndColumn, AnnotationLevel: a.AnnotationLevel, Title: a.Title, Message: a.Message, RawDetails: a.RawDetails})
		}
	}
	// valid: apply
	if in.Name != nil {
		cr.Name = *in.Name
	}
	if in.DetailsURL != nil {
		cr.DetailsURL = in.DetailsURL
	}
	if in.ExternalID != nil {
		cr.ExternalID = in.ExternalID
	}
	if in.StartedAt != nil {
		t := in.StartedAt.UTC()
		cr.StartedAt = &t
	}
	if in.Status != nil {
		cr.Status = *in.Status
	}
	if in.Conclusion != nil {
		cr.Conclusion = in.Conclusion
		cr.Status = "completed"
	}
	if cr.Status == "completed" {
		t := s.clock()
		if in.CompletedAt != nil {
			t = in.CompletedAt.UTC()
		}
		if cr.CompletedAt == nil || in.CompletedAt != nil {
			cr.CompletedAt = &t
		}
	}
	if o := in.Output; o != nil {
		if o.Title != nil {
			cr.Title = o.Title
		}
		cr.Summary = o.Summary
		if o.Text != nil {
			cr.Text = o.Text
		}
		cr.Annotations = append(cr.Annotations, anns...)
	}
	if in.Actions != nil {
		cr.Actions = in.Actions
	}
	return nil
}

func (s *Server) suiteFor(r *repo, a *app, sha string) *checkSuite {
	for _, cs := range r.suites {
		if cs.App == a && cs.HeadSHA == sha {
			return cs
		}
	}
	now := s.clock()
	cs := &checkSuite{ID: s.newID(), App: a, HeadSHA: sha, Status: "queued", CreatedAt: now, UpdatedAt: now}
	for _, ref := range sortedKeys(r.refs) {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok && r.refs[ref] == sha {
			cs.HeadBranch = sp(b)
			break
		}
	}
	r.suites = append(r.suites, cs)
	return cs
}

// refreshSuite recomputes a suite's status and announces completion.
func (s *Server) refreshSuite(r *repo, cs *checkSuite, sender *account) {
	var runs []*checkRun
	for _, cr := range r.checkRuns {
		if cr.Suite == cs {
			runs = append(runs, cr)
		}
	}
	if len(runs) == 0 {
		return
	}
	status := "completed"
	for _, cr := range runs {
		if cr.Status != "completed" {
			status = "in_progress"
			if cr.Status == "queued" && cs.Status == "queued" {
				status = "queued"
			}
		}
	}
	was := cs.Status
	cs.Status = status
	cs.UpdatedAt = s.clock()
	if status != "completed" {
		cs.Conclusion = nil
		return
	}
	rank := []string{"action_required", "cancelled", "timed_out", "failure", "neutral", "skipped", "stale", "success"}
	best := len(rank)
	for _, cr := range runs {
		for i, c := range rank {
			if cr.Conclusion != nil && *cr.Conclusion == c && i < best {
				best = i
			}
		}
	}
	concl := "success"
	if best < len(rank) {
		concl = rank[best]
		if concl == "skipped" || concl == "stale" {
			concl = "neutral"
		}
	}
	cs.Conclusion = &concl
	if was != "completed" {
		s.emit("check_suite", "completed", r, map[string]any{"check_suite": s.rootView().checkSuite(r, cs)}, sender, hookTarget{only: cs.App, force: true})
	}
}

// requestCheckSuites creates a suite per app with checks permission and
// sends check_suite requested, as GitHub does on push.
func (s *Server) requestCheckSuites(r *repo, sha, branch, before string) {
	for _, a := range s.sortedApps() {
		in := s.installationFor(a, r)
		if in == nil || in.Permissions["checks"] == "" {
			continue
		}
		existed := false
		for _, cs := range r.suites {
			existed = existed || (cs.App == a && cs.HeadSHA == sha)
		}
		if existed {
			continue
		}
		cs := s.suiteFor(r, a, sha)
		cs.HeadBranch = sp(branch)
		if before != "" {
			cs.Before = sp(before)
		} else {
			cs.Before = sp(zeroSHA)
		}
		cs.After = sp(sha)
		force := in.Permissions["checks"] == "write"
		s.emit("check_suite", "requested", r, map[string]any{"check_suite": s.rootView().checkSuite(r, cs)}, r.Owner, hookTarget{only: a, force: force})
	}
}

func (s *Server) sortedApps() []*app {
	var ids []int64
	for id := range s.apps {
		ids = append(ids, id)
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			if ids[j] < ids[i] {
				ids[i], ids[j] = ids[j], ids[i]
			}
		}
	}
	out := make([]*app, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.apps[id])
	}
	return out
}

func (c *ctx) requireApp() *apiError {
	if c.auth.kind != "installation" || c.auth.app == nil {
		return errf(403, "You must authenticate via a GitHub App.")
	}
	return nil
}

func (s *Server) createCheckRun(c *ctx) (any, error) {
	if err := c.requireApp(); err != nil {
		return nil, err
	}
	var in checkRunIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Name == nil || *in.Name == "" {
		return nil, validationFailed("CheckRun", "name", "missing_field")
	}
	sha := strings.ToLower(in.HeadSHA)
	if _, ok := c.repo.objects.commit(sha); !ok {
		return nil, unprocessable("No commit found for SHA: " + in.HeadSHA)
	}
	cs := s.suiteFor(c.repo, c.auth.app, sha)
	now := s.clock()
	cr := &checkRun{ID: s.newID(), Suite: cs, HeadSHA: sha, Status: "queued", App: c.auth.app, StartedAt: &now}
	if err := s.applyCheckRun(cr, in); err != nil {
		return nil, err
	}
	c.repo.checkRuns = append(c.repo.checkRuns, cr)
	v := s.rootView()
	s.emit("check_run", "created", c.repo, map[string]any{"check_run": v.hookCheckRun(c.repo, cr)}, c.auth.user, hookTarget{})
	if cr.Status == "completed" {
		s.emit("check_run", "completed", c.repo, map[string]any{"check_run": v.hookCheckRun(c.repo, cr)}, c.auth.user, hookTarget{})
	}
	s.refreshSuite(c.repo, cs, c.auth.user)
	c.status = 201
	return c.checkRun(c.repo, cr), nil
}

func (v view) hookCheckRun(r *repo, cr *checkRun) map[string]any {
	m := v.checkRun(r, cr)
	cs := v.checkSuite(r, cr.Suite)
	for _, k := range []string{"latest_check_runs_count", "check_runs_url", "head_commit"} {
		delete(cs, k)
	}
	m["check_suite"] = cs
	return m
}

func (c *ctx) findRun() (*checkRun, error) {
	id, _ := strconv.ParseInt(c.param("check_run_id"), 10, 64)
	for _, cr := range c.repo.checkRuns {
		if cr.ID == id {
			return cr, nil
		}
	}
	return nil, notFound()
}

func (s *Server) getCheckRun(c *ctx) (any, error) {
	cr, err := c.findRun()
	if err != nil {
		return nil, err
	}
	return c.checkRun(c.repo, cr), nil
}

func (s *Server) updateCheckRun(c *ctx) (any, error) {
	if err := c.requireApp(); err != nil {
		return nil, err
	}
	cr, err := c.findRun()
	if err != nil {
		return nil, err
	}
	if cr.App != c.auth.app {
		return nil, errNotIntegration
	}
	var in checkRunIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	was := cr.Status
	if e := s.applyCheckRun(cr, in); e != nil {
		return nil, e
	}
	if was != "completed" && cr.Status == "completed" {
		s.emit("check_run", "completed", c.repo, map[string]any{"check_run": s.rootView().hookCheckRun(c.repo, cr)}, c.auth.user, hookTarget{})
	}
	s.refreshSuite(c.repo, cr.Suite, c.auth.user)
	return c.checkRun(c.repo, cr), nil
}

func (s *Server) listAnnotations(c *ctx) (any, error) {
	cr, err := c.findRun()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, a := range cr.Annotations {
		out = append(out, c.annotation(c.repo, cr, a))
	}
	return paginate(c, out), nil
}

func (s *Server) rerequestRun(c *ctx) (any, error) {
	cr, err := c.findRun()
	if err != nil {
		return nil, err
	}
	if cr.Status != "completed" {
		return nil, unprocessable("This check run is not rerequestable")
	}
	s.emit("check_run", "rerequested", c.repo, map[string]any{"check_run": s.rootView().hookCheckRun(c.repo, cr)}, c.auth.user, hookTarget{only: cr.App, force: true})
	c.status = 201
	return map[string]any{}, nil
}

func (s *Server) listRunsForRef(c *ctx) (any, error) {
	sha, ok := c.repo.resolve(c.param("ref"))
	if !ok {
		return nil, unprocessable("No commit found for SHA: " + c.param("ref"))
	}
	filter := c.query("filter")
	var list []*checkRun
	latest := map[string]*checkRun{}
	for _, cr := range c.repo.checkRuns {
		if cr.HeadSHA != sha {
			continue
		}
		if n := c.query("check_name"); n != "" && n != cr.Name {
			continue
		}
		if st := c.query("status"); st != "" && st != cr.Status {
			continue
		}
		if a := c.query("app_id"); a != "" && a != strconv.FormatInt(cr.App.ID, 10) {
			continue
		}
		list = append(list, cr)
		key := fmt.Sprintf("%d/%s", cr.App.ID, cr.Name)
		if p := latest[key]; p == nil || cr.ID > p.ID {
			latest[key] = cr
		}
	}
	if filter != "all" {
		var keep []*checkRun
		for _, cr := range list {
			if latest[fmt.Sprintf("%d/%s", cr.App.ID, cr.Name)] == cr {
				keep = append(keep, cr)
			}
		}
		list = keep
	}
	// newest first, like GitHub
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	out := []any{}
	total := len(list)
	for _, cr := range paginate(c, list) {
		out = append(out, c.checkRun(c.repo, cr))
	}
	return map[string]any{"total_count": total, "check_runs": out}, nil
}

func (s *Server) listSuitesForRef(c *ctx) (any, error) {
	sha, ok := c.repo.resolve(c.param("ref"))
	if !ok {
		return nil, unprocessable("No commit found for SHA: " + c.param("ref"))
	}
	var list []*checkSuite
	for _, cs := range c.repo.suites {
		if cs.HeadSHA != sha {
			continue
		}
		if a := c.query("app_id"); a != "" && a != strconv.FormatInt(cs.App.ID, 10) {
			continue
		}
		list = append(list, cs)
	}
	out := []any{}
	total := len(list)
	for _, cs := range paginate(c, list) {
		out = append(out, c.checkSuite(c.repo, cs))
	}
	return map[string]any{"total_count": total, "check_suites": out}, nil
}

func (c *ctx) findSuite() (*checkSuite, error) {
	id, _ := strconv.ParseInt(c.param("check_suite_id"), 10, 64)
	for _, cs := range c.repo.suites {
		if cs.ID == id {
			return cs, nil
		}
	}
	return nil, notFound()
}

func (s *Server) getSuite(c *ctx) (any, error) {
	cs, err := c.findSuite()
	if err != nil {
		return nil, err
	}
	return c.checkSuite(c.repo, cs), nil
}

func (s *Server) listRunsForSuite(c *ctx) (any, error) {
	cs, err := c.findSuite()
	if err != nil {
		return nil, err
	}
	var list []*checkRun
	for _, cr := range c.repo.checkRuns {
		if cr.Suite == cs {
			list = append(list, cr)
		}
	}
	out := []any{}
	for _, cr := range paginate(c, list) {
		out = append(out, c.checkRun(c.repo, cr))
	}
	return map[string]any{"total_count": len(list), "check_runs": out}, nil
}

func (s *Server) rerequestSuite(c *ctx) (any, error) {
	cs, err := c.findSuite()
	if err != nil {
		return nil, err
	}
	cs.Status, cs.Conclusion, cs.Rerequested = "queued", nil, true
	cs.UpdatedAt = s.clock()
	s.emit("check_suite", "rerequested", c.repo, map[string]any{"check_suite": s.rootView().checkSuite(c.repo, cs)}, c.auth.user, hookTarget{only: cs.App, force: true})
	c.status = 201
	return map[string]any{}, nil
}

func (s *Server) createSuite(c *ctx) (any, error) {
	if err := c.requireApp(); err != nil {
		return nil, err
	}
	var in struct {
		HeadSHA string `json:"head_sha"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	sha := strings.ToLower(in.HeadSHA)
	if _, ok := c.repo.objects.commit(sha); !ok {
		return nil, unprocessable("No commit found for SHA: " + in.HeadSHA)
	}
	n := len(c.repo.suites)
	cs := s.suiteFor(c.repo, c.auth.app, sha)
	if len(c.repo.suites) == n {
		c.status = 200
	} else {
		c.status = 201
	}
	return c.checkSuite(c.repo, cs), nil
}
