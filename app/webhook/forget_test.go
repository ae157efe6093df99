package webhook

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// TestRouteForget: GitHub's own example payloads (@octokit/webhooks-examples,
// api.github.com and GHES) of a repository deleted, an installation deleted
// and repositories removed from one each become one forget job naming what
// to forget by id (read here with encoding/json); a repository renamed or
// transferred is one moved job (its claims are by id: they stay); an edit
// queues nothing.
func TestRouteForget(t *testing.T) {
	type repo struct {
		ID       int64  `json:"id"`
		FullName string `json:"full_name"`
	}
	var p struct {
		Repository repo   `json:"repository"`
		Removed    []repo `json:"repositories_removed"`
	}
	forget := func(inst int64, rs ...repo) []jobs.Args {
		a := jobs.ForgetArgs{InstallationID: inst}
		for _, r := range rs {
			a.Repos = append(a.Repos, jobs.ForgetRepo{ID: r.ID, Name: r.FullName})
		}
		return []jobs.Args{a}
	}
	moved := func(inst int64, r repo) []jobs.Args {
		return []jobs.Args{jobs.MovedArgs{InstallationID: inst, Repo: jobs.ForgetRepo{ID: r.ID, Name: r.FullName}}}
	}
	want := map[string]func(inst int64) []jobs.Args{
		"repository.deleted":                func(inst int64) []jobs.Args { return forget(inst, p.Repository) },
		"installation.deleted":              func(inst int64) []jobs.Args { return forget(inst) },
		"installation_repositories.removed": func(inst int64) []jobs.Args { return forget(inst, p.Removed...) },
		"repository.renamed":                func(inst int64) []jobs.Args { return moved(inst, p.Repository) },
		"repository.transferred":            func(inst int64) []jobs.Args { return moved(inst, p.Repository) },
		"repository.edited":                 func(int64) []jobs.Args { return nil },
	}
	seen := map[string]int{}
	for i, e := range conformance.Examples() {
		w, ok := want[e.Event+"."+e.Action]
		if !ok {
			continue
		}
		inst := 7000 + int64(i)
		js, why, err := Route(e.Event, withInstallation(t, e.Payload, inst), "postmortem[bot]")
		if err != nil {
			t.Fatalf("%s/%s: %v", e.Target, e.Name, err)
		}
		p.Repository, p.Removed = repo{}, nil
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if exp := w(inst); !reflect.DeepEqual(js, exp) {
			t.Fatalf("%s/%s: %+v (%s), want %+v", e.Target, e.Name, js, why, exp)
		}
		seen[e.Event+"."+e.Action]++
	}
	for k := range want {
		if seen[k] == 0 {
			t.Errorf("no example of %s", k)
		}
	}
}
