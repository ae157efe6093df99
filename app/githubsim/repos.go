package githubsim

import (
	"fmt"
	"strings"
)

// A repository's life: created, renamed, deleted, as GitHub tells Apps by
// the `repository` event (to the installations covering it that subscribe
// to it), and a "selected" installation's repositories removed
// (installation_repositories.removed, always delivered). A repository
// deleted and created again under the same name is a new repository: a new
// id, no issues, no history.

// RepoID is the id of repository full ("owner/name"), 0 when there is none.
func (s *Server) RepoID(full string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repoLocked(full); r != nil {
		return r.ID
	}
	return 0
}

// CreateRepo creates repository owner/name (a README.md and files in its
// first commit) as login, and sends repository.created. It returns its id.
func (s *Server) CreateRepo(login, full string, files map[string]string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ownerLogin, name := splitRepo(full)
	owner, by := s.accounts[strings.ToLower(ownerLogin)], s.accounts[strings.ToLower(login)]
	if owner == nil || by == nil || name == "" {
		return 0, fmt.Errorf("githubsim: unknown account %q or %q", ownerLogin, login)
	}
	if s.repoLocked(full) != nil {
		return 0, fmt.Errorf("githubsim: repository %s exists", full)
	}
	r := s.createRepo(owner, name, "", false, "", true, files)
	s.emit("repository", "created", r, nil, by, hookTarget{})
	return r.ID, nil
}

// DeleteRepo deletes repository full as login: repository.deleted goes to
// the installations that covered it, then it is gone (its id too; a
// "selected" installation no longer lists it).
func (s *Server) DeleteRepo(login, full string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, by := s.repoLocked(full), s.accounts[strings.ToLower(login)]
	if r == nil || by == nil {
		return fmt.Errorf("githubsim: unknown repository %q or account %q", full, login)
	}
	s.emit("repository", "deleted", r, nil, by, hookTarget{})
	delete(s.repos, strings.ToLower(r.fullName()))
	delete(s.reposByID, r.ID)
	for _, in := range s.insts {
		delete(in.RepoIDs, r.ID)
	}
	return nil
}

// RenameRepo renames repository full to newName as login (its id, issues
// and history stay) and sends repository.renamed with the old name in
// changes.repository.name.from.
func (s *Server) RenameRepo(login, full, newName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, by := s.repoLocked(full), s.accounts[strings.ToLower(login)]
	if r == nil || by == nil || newName == "" {
		return fmt.Errorf("githubsim: unknown repository %q or account %q", full, login)
	}
	if s.repoLocked(r.Owner.Login+"/"+newName) != nil {
		return fmt.Errorf("githubsim: repository %s/%s exists", r.Owner.Login, newName)
	}
	old := r.Name
	delete(s.repos, strings.ToLower(r.fullName()))
	r.Name = newName
	r.UpdatedAt = s.clock()
	s.repos[strings.ToLower(r.fullName())] = r
	s.emit("repository", "renamed", r, map[string]any{"changes": map[string]any{"repository": map[string]any{"name": map[string]any{"from": old}}}}, by, hookTarget{})
	return nil
}

// RemoveInstallationRepos removes repositories from an installation (it
// becomes "selected") and sends installation_repositories.removed.
func (s *Server) RemoveInstallationRepos(installationID int64, repos ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.insts[installationID]
	if in == nil {
		return fmt.Errorf("githubsim: no installation %d", installationID)
	}
	if in.Selection == "all" {
		in.Selection = "selected"
		for _, k := range sortedKeys(s.repos) {
			if r := s.repos[k]; r.Owner == in.Account {
				in.RepoIDs[r.ID] = true
			}
		}
	}
	var removed []any
	for _, rn := range repos {
		r := s.repos[strings.ToLower(in.Account.Login+"/"+strings.TrimPrefix(rn, in.Account.Login+"/"))]
		if r == nil {
			return fmt.Errorf("githubsim: unknown repository %q", rn)
		}
		if in.RepoIDs[r.ID] {
			delete(in.RepoIDs, r.ID)
			removed = append(removed, s.rootView().repoMini(r))
		}
	}
	s.emit("installation_repositories", "removed", nil, map[string]any{"installation": s.hookInstallation(in), "repository_selection": in.Selection,
		"repositories_added": []any{}, "repositories_removed": orEmpty(removed), "requester": nil}, in.Account, hookTarget{inst: in, only: in.App, force: true})
	return nil
}
