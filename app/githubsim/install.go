package githubsim

import (
	"fmt"
	"strings"
)

func (v view) repoMini(r *repo) map[string]any {
	return map[string]any{"id": r.ID, "node_id": nodeID("Repository", r.ID), "name": r.Name, "full_name": r.fullName(), "private": r.Private}
}

func (s *Server) hookInstallation(in *installation) map[string]any {
	m := s.rootView().installationObj(in)
	for _, k := range []string{"client_id", "has_multiple_single_files", "single_file_paths"} {
		delete(m, k)
	}
	var evs []string
	for _, e := range in.Events {
		if hookAppEvents[e] {
			evs = append(evs, e)
		}
	}
	m["events"] = nonNil(evs)
	return m
}

func (s *Server) installRepos(in *installation) []any {
	out := []any{}
	for _, k := range sortedKeys(s.repos) {
		if r := s.repos[k]; s.instCoversRepo(in, r) {
			out = append(out, s.rootView().repoMini(r))
		}
	}
	return out
}

// Install installs an app on an account (all repositories when repos is
// empty) and sends installation.created. It returns the installation id.
func (s *Server) Install(appID int64, accountLogin string, repos ...string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[appID]
	acct := s.accounts[strings.ToLower(accountLogin)]
	if a == nil || acct == nil {
		return 0, fmt.Errorf("githubsim: unknown app %d or account %q", appID, accountLogin)
	}
	in := &installation{ID: s.newID(), App: a, Account: acct, Selection: "all", RepoIDs: map[int64]bool{},
		Permissions: a.Permissions, Events: a.Events, CreatedAt: s.clock()}
	for _, rn := range repos {
		r := s.repos[strings.ToLower(acct.Login+"/"+strings.TrimPrefix(rn, acct.Login+"/"))]
		if r == nil {
			return 0, fmt.Errorf("githubsim: unknown repository %q", rn)
		}
		in.Selection = "selected"
		in.RepoIDs[r.ID] = true
	}
	s.insts[in.ID] = in
	s.emit("installation", "created", nil, map[string]any{"installation": s.hookInstallation(in), "repositories": s.installRepos(in), "requester": s.rootView().user(acct)}, acct, hookTarget{inst: in, only: a, force: true})
	return in.ID, nil
}

// Uninstall removes an installation (its tokens stop working) and sends installation.deleted.
func (s *Server) Uninstall(installationID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.insts[installationID]
	if in == nil {
		return
	}
	payload := map[string]any{"installation": s.hookInstallation(in), "repositories": s.installRepos(in), "requester": nil}
	delete(s.insts, installationID)
	s.emit("installation", "deleted", nil, payload, in.Account, hookTarget{inst: in, only: in.App, force: true})
}

// AddInstallationRepos adds repositories to a "selected" installation and
// sends installation_repositories.added.
func (s *Server) AddInstallationRepos(installationID int64, repos ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.insts[installationID]
	if in == nil {
		return fmt.Errorf("githubsim: no installation %d", installationID)
	}
	var added []any
	for _, rn := range repos {
		r := s.repos[strings.ToLower(in.Account.Login+"/"+strings.TrimPrefix(rn, in.Account.Login+"/"))]
		if r == nil {
			return fmt.Errorf("githubsim: unknown repository %q", rn)
		}
		if !in.RepoIDs[r.ID] {
			in.RepoIDs[r.ID] = true
			added = append(added, s.rootView().repoMini(r))
		}
	}
	s.emit("installation_repositories", "added", nil, map[string]any{"installation": s.hookInstallation(in), "repository_selection": in.Selection,
		"repositories_added": orEmpty(added), "repositories_removed": []any{}, "requester": nil}, in.Account, hookTarget{inst: in, only: in.App, force: true})
	return nil
}
