package app

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job arguments. A webhook only says WHICH incident, pull request or
// installation to look at; the job reconciles from GitHub's current state
// later (level-triggered). Fields carried besides the identity (HeadSHA…) are
// hints from the delivery that enqueued the job, possibly stale by the time it
// runs.
//
// Each kind is unique by its identifying fields (the `river:"unique"` tags)
// among pending states, so a burst of deliveries for one pull request is ONE
// pending job. Finished jobs do not count: an event after a job completed
// enqueues a new one. A running job does count (River requires it), so when a
// delivery arrives while its job is running, Queue.Enqueue adds one follow-up
// run keyed by Rerun = the running job's ID: changes made during a run are
// never lost, and a burst during a run still adds only one job.

// uniquePending are the states in which an equal job makes an insert a
// no-op. River requires available, pending, running and scheduled (snoozed
// jobs are scheduled); retryable is left out so a new event is not held
// behind a failing job's backoff.
var uniquePending = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

func uniqueInsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniquePending}}
}

// JobArgs is implemented by the App's job kinds.
type JobArgs interface {
	river.JobArgs
	// rerun returns a copy keyed as the follow-up of the running job id.
	rerun(id int64) JobArgs
}

// Job kinds.
const (
	KindIncident     = "incident"
	KindPullRequest  = "pull_request"
	KindFollowUp     = "follow_up"
	KindInstallation = "installation"
	KindResync       = "resync"
)

// IncidentArgs: reconcile incident issue Number (draft or update its
// postmortem pull request). The job decides whether the issue is an incident
// (the label name is per-repository configuration).
//
// Labels and DefaultBranch are hints from the delivery (not part of the
// identity, possibly stale): when the labels include the repository's
// incident label, the flow reads what a draft needs (matching branches,
// the timeline, the default branch's head) in parallel with its
// first reads instead of after them.
type IncidentArgs struct {
	InstallationID int64    `json:"installation_id" river:"unique"`
	Owner          string   `json:"owner" river:"unique"`
	Repo           string   `json:"repo" river:"unique"`
	Number         int      `json:"number" river:"unique"`
	Rerun          int64    `json:"rerun,omitempty" river:"unique"`
	Labels         []string `json:"labels,omitempty"`
	DefaultBranch  string   `json:"default_branch,omitempty"`
}

func (IncidentArgs) Kind() string                 { return KindIncident }
func (IncidentArgs) InsertOpts() river.InsertOpts { return uniqueInsertOpts() }
func (a IncidentArgs) rerun(id int64) JobArgs     { a.Rerun = id; return a }

// PullRequestArgs: reconcile pull request Number (check runs while open, the
// merge flow once merged). HeadSHA is the head the delivery saw; it is not
// part of the identity, the job reads the current head.
type PullRequestArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	Number         int    `json:"number" river:"unique"`
	HeadSHA        string `json:"head_sha,omitempty"`
	// Rerequested: a person asked to re-run the checks (check_suite or
	// check_run rerequested), so completed runs for the head are made again.
	Rerequested bool  `json:"rerequested,omitempty" river:"unique"`
	Rerun       int64 `json:"rerun,omitempty" river:"unique"`
}

func (PullRequestArgs) Kind() string                 { return KindPullRequest }
func (PullRequestArgs) InsertOpts() river.InsertOpts { return uniqueInsertOpts() }
func (a PullRequestArgs) rerun(id int64) JobArgs     { a.Rerun = id; return a }

// FollowUpArgs: reconcile follow-up tracking. Number is the follow-up issue
// whose state changed (0 when the job is about a whole incident); Incident is
// the incident issue number when known (0: the job finds it from the
// follow-up). The job decides whether Number is a follow-up at all.
type FollowUpArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	Number         int    `json:"number" river:"unique"`
	Incident       int    `json:"incident,omitempty" river:"unique"`
	Rerun          int64  `json:"rerun,omitempty" river:"unique"`
}

func (FollowUpArgs) Kind() string                 { return KindFollowUp }
func (FollowUpArgs) InsertOpts() river.InsertOpts { return uniqueInsertOpts() }
func (a FollowUpArgs) rerun(id int64) JobArgs     { a.Rerun = id; return a }

// InstallationArgs: an installation was created, deleted, suspended or its
// repositories changed; reconcile what the App keeps per installation.
type InstallationArgs struct {
	InstallationID int64 `json:"installation_id" river:"unique"`
	Rerun          int64 `json:"rerun,omitempty" river:"unique"`
}

func (InstallationArgs) Kind() string                 { return KindInstallation }
func (InstallationArgs) InsertOpts() river.InsertOpts { return uniqueInsertOpts() }
func (a InstallationArgs) rerun(id int64) JobArgs     { a.Rerun = id; return a }

// ResyncArgs: periodic or manual full resync of one repository (or of every
// repository of the installation when Owner and Repo are empty), to catch
// deliveries GitHub never made.
type ResyncArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner,omitempty" river:"unique"`
	Repo           string `json:"repo,omitempty" river:"unique"`
	Rerun          int64  `json:"rerun,omitempty" river:"unique"`
}

func (ResyncArgs) Kind() string                 { return KindResync }
func (ResyncArgs) InsertOpts() river.InsertOpts { return uniqueInsertOpts() }
func (a ResyncArgs) rerun(id int64) JobArgs     { a.Rerun = id; return a }
