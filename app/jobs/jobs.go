// Package jobs is what the App asks its queue to do: one argument type per
// kind of job (which incident, pull request or installation to reconcile),
// how two jobs are the same job, and the Enqueuer that durably stores them.
// A webhook delivery becomes jobs here; the queue runs them; the flows do
// the work. Nothing here calls GitHub or a database.
package jobs

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job arguments. A webhook only says WHICH incident, pull request or
// installation to look at (with the repository's id, which the App's claims
// are keyed by: see app/claims); the job reconciles from GitHub's current state
// later (level-triggered). Fields carried besides the identity (HeadSHA…) are
// hints from the delivery that enqueued the job, possibly stale by the time it
// runs.
//
// Each kind is unique by its identifying fields (the `river:"unique"` tags)
// among pending states, so a burst of deliveries for one pull request is ONE
// pending job. Finished jobs do not count: an event after a job completed
// enqueues a new one. A running job does count (River requires it), so when a
// delivery arrives while its job is running, the queue adds one follow-up
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

// UniqueInsertOpts are the insert options of every kind: unique by the
// fields tagged river:"unique" among pending states.
func UniqueInsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniquePending}}
}

// Args is implemented by the App's job kinds.
type Args interface {
	river.JobArgs
	// RerunOf returns a copy keyed as the follow-up run of the running
	// job id (see Rerun in each kind).
	RerunOf(id int64) Args
}

// Job kinds.
const (
	KindIncident    = "incident"
	KindPullRequest = "pull_request"
	// KindTracking runs the tracking flow. Its stored name is "follow_up"
	// (jobs queued before the flow was named tracking must still run).
	KindTracking     = "follow_up"
	KindInstallation = "installation"
	KindResync       = "resync"
	KindRedeliver    = "redeliver"
	KindRemind       = "remind"
	KindDigest       = "digest"
	KindCommand      = "command"
	KindReview       = "review"
	KindRecord       = "record"
	KindRecurrence   = "recurrence"
	KindForget       = "forget"
	KindMoved        = "moved"
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
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID is the repository's id (GitHub's repository.id, a hint: 0 when
	// the enqueuer did not know it, and the job asks). Not part of the identity.
	RepoID        int64    `json:"repo_id,omitempty"`
	Number        int      `json:"number" river:"unique"`
	Rerun         int64    `json:"rerun,omitempty" river:"unique"`
	Labels        []string `json:"labels,omitempty"`
	DefaultBranch string   `json:"default_branch,omitempty"`
}

func (IncidentArgs) Kind() string                 { return KindIncident }
func (IncidentArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a IncidentArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// PullRequestArgs: reconcile pull request Number (check runs while open, the
// merge flow once merged). HeadSHA is the head the delivery saw; it is not
// part of the identity, the job reads the current head.
type PullRequestArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID  int64  `json:"repo_id,omitempty"`
	Number  int    `json:"number" river:"unique"`
	HeadSHA string `json:"head_sha,omitempty"`
	// Rerequested: a person asked to re-run the checks (check_suite or
	// check_run rerequested), so completed runs for the head are made again.
	Rerequested bool  `json:"rerequested,omitempty" river:"unique"`
	Rerun       int64 `json:"rerun,omitempty" river:"unique"`
}

func (PullRequestArgs) Kind() string                 { return KindPullRequest }
func (PullRequestArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a PullRequestArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// TrackingArgs: reconcile the tracking of an incident's follow-ups (its
// tracking comment, complete label and closing). Number is the follow-up issue
// whose state changed (0 when the job is about a whole incident); Incident is
// the incident issue number when known (0: the job finds it from the
// follow-up). The job decides whether Number is a follow-up at all.
type TrackingArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID   int64 `json:"repo_id,omitempty"`
	Number   int   `json:"number" river:"unique"`
	Incident int   `json:"incident,omitempty" river:"unique"`
	Rerun    int64 `json:"rerun,omitempty" river:"unique"`
}

func (TrackingArgs) Kind() string                 { return KindTracking }
func (TrackingArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a TrackingArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// InstallationArgs: an installation was created, deleted, suspended or its
// repositories changed; reconcile what the App keeps per installation.
type InstallationArgs struct {
	InstallationID int64 `json:"installation_id" river:"unique"`
	Rerun          int64 `json:"rerun,omitempty" river:"unique"`
}

func (InstallationArgs) Kind() string                 { return KindInstallation }
func (InstallationArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a InstallationArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// ForgetArgs: forget what the App keeps in its database about repositories
// of an installation (Repos: deleted, or removed from the installation) or
// about the whole installation (Repos empty: uninstalled): their claims,
// watch list rows, digests' weeks, resync cursor, metric series and
// cached client. The job calls no GitHub API.
type ForgetArgs struct {
	InstallationID int64        `json:"installation_id" river:"unique"`
	Repos          []ForgetRepo `json:"repos,omitempty" river:"unique"`
	Rerun          int64        `json:"rerun,omitempty" river:"unique"`
}

// ForgetRepo is a repository to forget: its id and full name.
type ForgetRepo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"` // "owner/name"
}

func (ForgetArgs) Kind() string                 { return KindForget }
func (ForgetArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a ForgetArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// MovedArgs: repository Repo.ID was renamed or transferred; it is now
// Repo.Name under installation InstallationID. Its claims stay (they are by
// id) and go with the installation; its watch row takes the new name. The
// job calls no GitHub API.
type MovedArgs struct {
	InstallationID int64      `json:"installation_id" river:"unique"`
	Repo           ForgetRepo `json:"repo" river:"unique"`
	Rerun          int64      `json:"rerun,omitempty" river:"unique"`
}

func (MovedArgs) Kind() string                 { return KindMoved }
func (MovedArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a MovedArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// ResyncArgs: periodic or manual full resync of one repository (or of every
// repository of the installation when Owner and Repo are empty), to catch
// deliveries GitHub never made.
type ResyncArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner,omitempty" river:"unique"`
	Repo           string `json:"repo,omitempty" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID int64 `json:"repo_id,omitempty"`
	Rerun  int64 `json:"rerun,omitempty" river:"unique"`
	// Account and AccountType are the installation's account ("acme",
	// "Organization"), when the pass that fanned out knew them (they
	// scope the installation's searches; unknown, the resync asks).
	Account     string `json:"account,omitempty"`
	AccountType string `json:"account_type,omitempty"`
}

func (ResyncArgs) Kind() string                 { return KindResync }
func (ResyncArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a ResyncArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// RedeliverArgs: look for failed webhook deliveries and redeliver them.
// One pending job at a time (unique); Rerun keys a follow-up run.
type RedeliverArgs struct {
	Rerun int64 `json:"rerun,omitempty" river:"unique"`
}

func (RedeliverArgs) Kind() string                 { return KindRedeliver }
func (RedeliverArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a RedeliverArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// RemindArgs: the reminder pass. InstallationID 0 is every installation
// with watched repositories (one job each); Owner and Repo empty is every
// watched repository of the installation (one job each, and the
// organization digests); otherwise one repository's pass: reminders on its
// open follow-ups and its postmortems owed, the overdue label, escalations,
// its digest. The pass reads the date from the App's clock, so a test moves
// the clock and enqueues a pass; production enqueues RemindArgs{} from a
// River periodic job (on the leader: once across replicas).
type RemindArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner,omitempty" river:"unique"`
	Repo           string `json:"repo,omitempty" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID int64 `json:"repo_id,omitempty"`
	Rerun  int64 `json:"rerun,omitempty" river:"unique"`
}

func (RemindArgs) Kind() string                 { return KindRemind }
func (RemindArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a RemindArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// DigestArgs: write this week's digest of an organization (Owner), in its
// .github repository, over its repositories whose configuration says
// digest: organization.
type DigestArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Rerun          int64  `json:"rerun,omitempty" river:"unique"`
}

func (DigestArgs) Kind() string                 { return KindDigest }
func (DigestArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a DigestArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// CommandArgs: run the /postmortem command of comment CommentID on issue
// (or pull request) Number, written by Login at At (RFC 3339). The command
// line is the delivery's (GitHub signed it): the comment as it was
// created, never as edited since. Unique by the comment: a comment runs
// once however often it is delivered (the flow's claim covers deliveries
// after the job finished).
type CommandArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID    int64  `json:"repo_id,omitempty"`
	CommentID int64  `json:"comment_id" river:"unique"`
	Number    int    `json:"number"`
	Login     string `json:"login"`
	Command   string `json:"command"`
	At        string `json:"at,omitempty"`
	Rerun     int64  `json:"rerun,omitempty" river:"unique"`
}

func (CommandArgs) Kind() string                 { return KindCommand }
func (CommandArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a CommandArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// ReviewArgs: post the review of suggested rewordings on pull request
// Number at head HeadSHA, alone. The pull request flow posts its check runs
// first and the review after them; when GitHub refuses the review (a 422,
// a 5xx), this job retries it on its own, never touching the check runs. A
// head that moved on is skipped (the new head's checks bring its own
// review).
type ReviewArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID  int64  `json:"repo_id,omitempty"`
	Number  int    `json:"number" river:"unique"`
	HeadSHA string `json:"head_sha" river:"unique"`
	Rerun   int64  `json:"rerun,omitempty" river:"unique"`
}

func (ReviewArgs) Kind() string                 { return KindReview }
func (ReviewArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a ReviewArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// RecordArgs: bring the repository's record of postmortems up to date
// (postmortems/README.md and postmortems/index.json in its postmortems
// directory, on the default branch, or in a pull request when branch
// protection refuses the App's commit). Enqueued when a postmortem pull
// request merged; one pending job per repository.
type RecordArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID int64 `json:"repo_id,omitempty"`
	Rerun  int64 `json:"rerun,omitempty" river:"unique"`
	// DefaultBranch is the merged pull request's (a hint, not part of the
	// identity): without it, or when it is gone, the repository names it.
	DefaultBranch string `json:"default_branch,omitempty"`
}

func (RecordArgs) Kind() string                 { return KindRecord }
func (RecordArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a RecordArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }

// RecurrenceArgs: comment once on incident Number with the earlier
// incidents of the repository's record that look like it (the files, labels
// and services they share) and their follow-ups still open; quiet when
// none does. Enqueued by the incident flow, apart from it: the comment
// never delays the postmortem pull request.
type RecurrenceArgs struct {
	InstallationID int64  `json:"installation_id" river:"unique"`
	Owner          string `json:"owner" river:"unique"`
	Repo           string `json:"repo" river:"unique"`
	// RepoID: as IncidentArgs.RepoID.
	RepoID int64 `json:"repo_id,omitempty"`
	Number int   `json:"number" river:"unique"`
	Rerun  int64 `json:"rerun,omitempty" river:"unique"`
}

func (RecurrenceArgs) Kind() string                 { return KindRecurrence }
func (RecurrenceArgs) InsertOpts() river.InsertOpts { return UniqueInsertOpts() }
func (a RecurrenceArgs) RerunOf(id int64) Args      { a.Rerun = id; return a }
