package githubsim

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRepositoryEvents: a repository renamed, deleted, created again under
// its old name, and one removed from the installation reach the App as
// GitHub sends them (the hook sink validates each payload against
// @octokit/webhooks-schemas): renamed keeps its id and says the old name,
// deleted names the id that is gone, a re-created repository has a new id
// (and, outside a "selected" installation, is not delivered at all).
func TestRepositoryEvents(t *testing.T) {
	e := newEnv(t)
	e.srv.mu.Lock()
	e.srv.insts[testInstID].Events = append(e.srv.insts[testInstID].Events, "repository")
	e.srv.mu.Unlock()
	id := e.srv.RepoID(testRepo)
	if err := e.srv.RenameRepo("alice", testRepo, "platform"); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.RepoID("acme/platform"); got != id || e.srv.RepoID(testRepo) != 0 {
		t.Fatalf("renamed: id %d, want %d; old name still there: %d", got, id, e.srv.RepoID(testRepo))
	}
	if err := e.srv.DeleteRepo("alice", "acme/platform"); err != nil {
		t.Fatal(err)
	}
	again, err := e.srv.CreateRepo("alice", "acme/platform", map[string]string{"a.md": "x"})
	if err != nil || again == id || again == 0 {
		t.Fatalf("re-created: id %d (was %d), %v", again, id, err)
	}
	if err := e.srv.RemoveInstallationRepos(testInstID, "empty"); err != nil {
		t.Fatal(err)
	}
	e.srv.WaitIdle()
	if got := strings.Join(e.hooks.names(), " "); got != "repository.renamed repository.deleted installation_repositories.removed" {
		t.Fatalf("events = %s", got)
	}
	var p struct {
		Repository struct {
			ID       int64  `json:"id"`
			FullName string `json:"full_name"`
		} `json:"repository"`
		Changes struct {
			Repository struct {
				Name struct{ From string } `json:"name"`
			} `json:"repository"`
		} `json:"changes"`
		Installation struct{ ID int64 } `json:"installation"`
		Removed      []struct {
			ID       int64  `json:"id"`
			FullName string `json:"full_name"`
		} `json:"repositories_removed"`
	}
	all := e.hooks.all()
	for i, want := range []string{"acme/platform", "acme/platform"} {
		p.Repository.ID = 0
		if err := json.Unmarshal(all[i].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Repository.ID != id || p.Repository.FullName != want || p.Installation.ID != testInstID {
			t.Fatalf("%s: repository %d %s, installation %d", all[i].action, p.Repository.ID, p.Repository.FullName, p.Installation.ID)
		}
	}
	json.Unmarshal(all[0].body, &p)
	if p.Changes.Repository.Name.From != "services" {
		t.Fatalf("renamed from %q", p.Changes.Repository.Name.From)
	}
	json.Unmarshal(all[2].body, &p)
	if len(p.Removed) != 1 || p.Removed[0].FullName != "acme/empty" || p.Removed[0].ID == 0 {
		t.Fatalf("removed %+v", p.Removed)
	}
	lr, _, err := e.inst.Apps.ListRepos(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lr.Repositories {
		if r.GetName() == "empty" {
			t.Fatal("a removed repository is still listed by the installation")
		}
	}
}
