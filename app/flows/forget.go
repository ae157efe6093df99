package flows

import (
	"context"
	"strconv"
	"strings"

	"github.com/postmortem-app/postmortem/app/jobs"
)

// ForgetResult says what a forget job removed.
type ForgetResult struct {
	Claims  int64 // claim rows deleted
	Watched int64 // watch list and digest rows deleted
	// Repos are the repositories forgotten, by name ("owner/name"): for an
	// uninstall, those the watch list named (their metric series go too).
	Repos []string
}

// forgetClients is implemented by clients that cache per installation
// (ghclient.Clients): its token and cache go when it is uninstalled.
type forgetClients interface{ Forget(id int64) }

// Forget removes what the App keeps in its database about repositories
// deleted or removed from an installation, or about an installation
// uninstalled: its claims (so a repository created again under the name
// starts afresh, and no row outlives what it was about), its watch list
// rows, digests' weeks and resync cursor, and (on this replica) the cached
// client and remembered labels. It calls no GitHub API, and needs no
// identity: nothing is read from GitHub.
func (f *Flows) Forget(ctx context.Context, a jobs.ForgetArgs) (res *ForgetResult, err error) {
	res = &ForgetResult{}
	defer func() {
		f.log().Info("forgot", "installation", a.InstallationID, "uninstalled", len(a.Repos) == 0, "repos", res.Repos,
			"claims", res.Claims, "watched", res.Watched, "err", err)
	}()
	if len(a.Repos) == 0 {
		return res, f.forgetInstallation(ctx, a.InstallationID, res)
	}
	for _, r := range a.Repos {
		if f.Claims != nil && r.ID > 0 {
			n, err := f.Claims.ForgetRepository(ctx, a.InstallationID, r.ID, r.Name)
			res.Claims += n
			if err != nil {
				return res, err
			}
		}
		if f.Watch != nil {
			n, err := f.Watch.ForgetRepo(ctx, a.InstallationID, r.Name, r.ID)
			res.Watched += n
			if err != nil {
				return res, err
			}
		}
		f.forgetMemory(strconv.FormatInt(a.InstallationID, 10)+"/"+r.Name, false)
		res.Repos = append(res.Repos, r.Name)
	}
	return res, nil
}

func (f *Flows) forgetInstallation(ctx context.Context, inst int64, res *ForgetResult) error {
	if f.Watch != nil {
		watched, err := f.Watch.Repos(ctx, inst)
		if err != nil {
			return err
		}
		for _, r := range watched {
			res.Repos = append(res.Repos, r.Name)
		}
		n, err := f.Watch.ForgetCount(ctx, inst)
		res.Watched += n
		if err != nil {
			return err
		}
	}
	if f.Claims != nil {
		n, err := f.Claims.ForgetInstallation(ctx, inst)
		res.Claims += n
		if err != nil {
			return err
		}
	}
	if c, ok := f.Clients.(forgetClients); ok {
		c.Forget(inst)
	}
	f.forgetMemory(strconv.FormatInt(inst, 10)+"/", true)
	return nil
}

// forgetMemory drops the remembered incident labels and watch days of key
// (or, prefix true, of every key starting with it).
func (f *Flows) forgetMemory(key string, prefix bool) {
	match := func(k string) bool { return k == key || prefix && strings.HasPrefix(k, key) }
	f.labelsMu.Lock()
	for k := range f.labels {
		if match(k) {
			delete(f.labels, k)
		}
	}
	f.labelsMu.Unlock()
	f.watchedMu.Lock()
	for k := range f.watched {
		if match(k) {
			delete(f.watched, k)
		}
	}
	f.watchedMu.Unlock()
}

// Moved records that a repository was renamed or transferred: its claims
// go with the installation that has it now (they are by its id, so they
// stay), its watch row takes its new name. No GitHub API is called.
func (f *Flows) Moved(ctx context.Context, a jobs.MovedArgs) error {
	if f.Claims != nil {
		if err := f.Claims.Moved(ctx, a.InstallationID, a.Repo.ID); err != nil {
			return err
		}
	}
	if f.Watch != nil {
		if err := f.Watch.Moved(ctx, a.InstallationID, a.Repo.Name, a.Repo.ID); err != nil {
			return err
		}
	}
	f.log().Info("repository moved", "installation", a.InstallationID, "repo", a.Repo.Name, "repo_id", a.Repo.ID)
	return nil
}
