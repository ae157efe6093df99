package githubsim

import (
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// Deployments and their statuses, releases and workflow runs, as GitHub
// answers them (held to the OpenAPI description by the conformance
// transport), and the installation's 403 where the App was not granted
// deployments or actions.
func TestDeploymentsReleasesRuns(t *testing.T) {
	e := newEnv(t)
	alice := e.user(t, "alice")
	d := must[*github.Deployment](t)(alice.Repositories.CreateDeployment(bg, "acme", "services", &github.DeploymentRequest{
		Ref: github.String("main"), Environment: github.String("production"), Description: github.String("pool size"), RequiredContexts: &[]string{}}))
	if d.GetSHA() == "" || d.GetEnvironment() != "production" || d.GetCreator().GetLogin() != "alice" {
		t.Fatalf("deployment: %+v", d)
	}
	st := must[*github.DeploymentStatus](t)(alice.Repositories.CreateDeploymentStatus(bg, "acme", "services", d.GetID(), &github.DeploymentStatusRequest{State: github.String("success")}))
	if st.GetState() != "success" {
		t.Fatalf("status: %+v", st)
	}
	ds := must[[]*github.Deployment](t)(alice.Repositories.ListDeployments(bg, "acme", "services", &github.DeploymentsListOptions{Environment: "production"}))
	if len(ds) != 1 || ds[0].GetID() != d.GetID() {
		t.Fatalf("deployments: %+v", ds)
	}
	sts := must[[]*github.DeploymentStatus](t)(alice.Repositories.ListDeploymentStatuses(bg, "acme", "services", d.GetID(), nil))
	if len(sts) != 1 {
		t.Fatalf("statuses: %+v", sts)
	}
	rl := must[*github.RepositoryRelease](t)(alice.Repositories.CreateRelease(bg, "acme", "services", &github.RepositoryRelease{TagName: github.String("v1.4.0"), Name: github.String("1.4.0")}))
	if rl.GetPublishedAt().IsZero() || rl.GetHTMLURL() == "" {
		t.Fatalf("release: %+v", rl)
	}
	if _, resp, err := alice.Repositories.CreateRelease(bg, "acme", "services", &github.RepositoryRelease{TagName: github.String("v1.4.0")}); err == nil || resp.StatusCode != 422 {
		t.Errorf("same tag again: %v", err)
	}
	rls := must[[]*github.RepositoryRelease](t)(alice.Repositories.ListReleases(bg, "acme", "services", nil))
	if len(rls) != 1 {
		t.Fatalf("releases: %+v", rls)
	}

	now := time.Now().UTC().Truncate(time.Second)
	e.srv.AddWorkflowRun("acme/services", WorkflowRun{Name: "Deploy", Path: ".github/workflows/deploy.yml", Actor: "alice", At: now.Add(-2 * time.Hour)})
	e.srv.AddWorkflowRun("acme/services", WorkflowRun{Name: "Deploy", Path: ".github/workflows/deploy.yml", Conclusion: "failure", At: now.Add(-30 * time.Minute)})
	e.srv.AddWorkflowRun("acme/services", WorkflowRun{Name: "CI", Path: ".github/workflows/ci.yml", At: now.Add(-48 * time.Hour)})
	created := now.Add(-24*time.Hour).Format(time.RFC3339) + ".." + now.Format(time.RFC3339)
	runs := must[*github.WorkflowRuns](t)(alice.Actions.ListRepositoryWorkflowRuns(bg, "acme", "services", &github.ListWorkflowRunsOptions{Created: created}))
	if runs.GetTotalCount() != 2 || len(runs.WorkflowRuns) != 2 || runs.WorkflowRuns[0].GetConclusion() != "failure" || runs.WorkflowRuns[1].GetRunNumber() != 1 || runs.WorkflowRuns[0].GetRunNumber() != 2 {
		t.Fatalf("runs in the window: %+v", runs)
	}
	all := must[*github.WorkflowRuns](t)(alice.Actions.ListRepositoryWorkflowRuns(bg, "acme", "services", nil))
	if all.GetTotalCount() != 3 {
		t.Errorf("all runs: %d", all.GetTotalCount())
	}

	// The test App has neither deployments nor actions: GitHub says 403.
	if _, resp, err := e.inst.Repositories.ListDeployments(bg, "acme", "services", nil); err == nil || resp.StatusCode != 403 {
		t.Errorf("installation without deployments: %v", err)
	}
	if _, resp, err := e.inst.Actions.ListRepositoryWorkflowRuns(bg, "acme", "services", nil); err == nil || resp.StatusCode != 403 {
		t.Errorf("installation without actions: %v", err)
	}
	if got := must[[]*github.RepositoryRelease](t)(e.inst.Repositories.ListReleases(bg, "acme", "services", nil)); len(got) != 1 {
		t.Errorf("releases need contents only: %d", len(got))
	}
	for _, ct := range e.conf {
		if v := ct.Violations(); len(v) > 0 {
			t.Errorf("violations: %v", v)
		}
	}
}

func TestCreatedRange(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, c := range []struct {
		q        string
		from, to string
	}{
		{"2026-03-01T10:00:00Z..2026-03-02T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"},
		{">=2026-03-01", "2026-03-01T00:00:00Z", ""},
		{"2026-03-01", "2026-03-01T00:00:00Z", "2026-03-01T23:59:59.999999999Z"},
	} {
		from, to, ok := createdRange(c.q)
		if !ok || !from.Equal(day(c.from)) || (c.to != "" && !to.Equal(day(c.to))) || (c.to == "" && !to.IsZero()) {
			t.Errorf("%s: %v %v %v", c.q, from, to, ok)
		}
	}
	if _, _, ok := createdRange("yesterday"); ok {
		t.Error("a word is not a range")
	}
}
