package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/app/jobs"
)

// The review of suggested rewordings is a secondary write: it is posted
// after the check runs, and when GitHub refuses it the check runs stand
// and the review is retried by its own job (jobs.ReviewArgs).

// reviewJob is the job posting pr's review at its head alone.
func (r *run) reviewJob(pr *github.PullRequest) jobs.ReviewArgs {
	return jobs.ReviewArgs{InstallationID: r.inst, Owner: r.owner, Repo: r.repo, RepoID: r.repoID, Number: pr.GetNumber(), HeadSHA: pr.GetHead().GetSHA()}
}

// reviewAfterChecks posts the review of suggestions once the check runs
// are out. A failure is logged and recorded in res (Review, and the job
// that retries it in Enqueued); it never fails the checks.
func (r *run) reviewAfterChecks(ctx context.Context, pr *github.PullRequest, checked []*render.File, res *PullRequestResult) {
	err := r.suggest(ctx, pr, checked, res)
	if err == nil {
		return
	}
	res.Review = err
	res.Enqueued = append(res.Enqueued, r.reviewJob(pr))
	r.f.log().Warn("review of suggested rewordings not posted; the check runs are; retried on its own job",
		"flow", "pull_request", "repo", r.fullName(), "number", pr.GetNumber(), "head", render.ShortSHA(pr.GetHead().GetSHA()), "err", err)
}

// Review posts the review of suggested rewordings on a pull request's head
// alone (the job a refused review left): it reads the pull request, its
// files and configuration, lints the postmortems again and posts what is
// missing. It never creates or changes a check run. A closed pull request,
// or one whose head moved on, is skipped.
func (f *Flows) Review(ctx context.Context, a jobs.ReviewArgs) (*PullRequestResult, error) {
	r, err := f.newRun(a.InstallationID, a.Owner, a.Repo, a.RepoID)
	if err != nil {
		return nil, err
	}
	pr, resp, err := r.gh.PullRequests.Get(ctx, a.Owner, a.Repo, a.Number)
	if err == nil {
		r.learnRepoID(pr.GetBase().GetRepo().GetID())
	}
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return &PullRequestResult{Skipped: "pull request not found"}, nil
		}
		return nil, fmt.Errorf("get pull request #%d: %w", a.Number, err)
	}
	head := pr.GetHead().GetSHA()
	res := &PullRequestResult{HeadSHA: head}
	switch {
	case pr.GetState() != "open":
		res.Skipped = "pull request not open"
		return res, nil
	case head != a.HeadSHA:
		res.Skipped = "head moved on from " + render.ShortSHA(a.HeadSHA)
		return res, nil
	}
	files, drafted, err := r.headFiles(ctx, a.Number, head)
	if err != nil {
		return nil, err
	}
	cfg, err := r.config(ctx)
	var ce *repoconfig.Error
	if errors.As(err, &ce) {
		res.Skipped = "configuration error"
		return res, nil
	} else if err != nil {
		return nil, err
	}
	changed, _ := changedPostmortems(files, cfg.Directory)
	_, schema, err := r.template(ctx, cfg)
	if errors.As(err, &ce) {
		res.Skipped = "configuration error"
		return res, nil
	} else if err != nil {
		return nil, err
	}
	checked, err := r.lintFiles(ctx, head, changed, drafted, cfg.Options(schema), res)
	if err != nil {
		return nil, err
	}
	return res, r.suggest(ctx, pr, checked, res)
}
