package githubsim

import (
	"context"

	"github.com/google/go-github/v62/github"
)

// Deploy creates a deployment of ref to environment and gives it a status
// (state "" for none), as a deploy tool does; it returns the deployment's id.
func (a *Actor) Deploy(repo, ref, environment, state string) (int64, error) {
	o, r := splitRepo(repo)
	d, _, err := a.Client.Repositories.CreateDeployment(context.Background(), o, r, &github.DeploymentRequest{
		Ref: &ref, Environment: &environment, RequiredContexts: &[]string{}, AutoMerge: github.Bool(false)})
	if err != nil {
		return 0, err
	}
	if state != "" {
		if _, _, err := a.Client.Repositories.CreateDeploymentStatus(context.Background(), o, r, d.GetID(), &github.DeploymentStatusRequest{State: &state}); err != nil {
			return 0, err
		}
	}
	return d.GetID(), nil
}

// Release publishes a release of tag at target ("" for the default branch).
func (a *Actor) Release(repo, tag, target, name string) (string, error) {
	o, r := splitRepo(repo)
	rel := &github.RepositoryRelease{TagName: &tag, Name: &name}
	if target != "" {
		rel.TargetCommitish = &target
	}
	rl, _, err := a.Client.Repositories.CreateRelease(context.Background(), o, r, rel)
	if err != nil {
		return "", err
	}
	return rl.GetHTMLURL(), nil
}
