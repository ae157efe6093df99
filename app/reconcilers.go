package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/redeliver"
)

// DefaultResyncInterval is how often the periodic resync runs (serve's
// default).
const DefaultResyncInterval = 15 * time.Minute

// periodicResync is the River periodic job enqueuing ResyncArgs{} (every
// installation) every interval, and once when the leader starts.
func periodicResync(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = DefaultResyncInterval
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return jobs.ResyncArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "postmortem-resync", RunOnStart: true})
}

// DefaultReminderInterval is how often the reminder pass runs (serve's
// default).
const DefaultReminderInterval = time.Hour

// periodicRemind is the River periodic job enqueuing RemindArgs{} (every
// installation with watched repositories) every interval, and once when
// the leader starts.
func periodicRemind(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = DefaultReminderInterval
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return jobs.RemindArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "postmortem-remind", RunOnStart: true})
}

// handleJobs adds the reconciler of each job kind to w: the flows'
// (incident, pull request, tracking), the resync's (resync, installation)
// and the redelivery's. A nil resyncer or redeliverer leaves its kinds out.
func handleJobs(w *queue.Workers, f *flows.Flows, rs *flows.Resyncer, rd *redeliver.Redeliverer, m *Metrics) error {
	errs := []error{
		queue.Handle(w, incidentReconciler(f, m)),
		queue.Handle(w, forgetReconciler(f)),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.MovedArgs]) ([]jobs.Args, error) {
			return nil, f.Moved(ctx, job.Args)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.RecurrenceArgs]) ([]jobs.Args, error) {
			_, err := f.Recurrence(ctx, job.Args)
			m.observeRecurrence(err)
			return nil, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.PullRequestArgs]) ([]jobs.Args, error) {
			res, err := f.PullRequest(ctx, job.Args, job.Args.Rerequested)
			m.observePullRequest(res)
			if res != nil {
				m.observeReview(res.Review)
				return res.Enqueued, retryLater(err)
			}
			return nil, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.ReviewArgs]) ([]jobs.Args, error) {
			_, err := f.Review(ctx, job.Args)
			m.observeReview(err)
			return nil, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.TrackingArgs]) ([]jobs.Args, error) {
			_, err := f.Tracking(ctx, job.Args)
			return nil, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.RemindArgs]) ([]jobs.Args, error) {
			res, err := f.Remind(ctx, job.Args)
			m.observeRemind(res)
			if res == nil {
				return nil, retryLater(err)
			}
			return res.Enqueued, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.DigestArgs]) ([]jobs.Args, error) {
			_, err := f.Digest(ctx, job.Args)
			return nil, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.RecordArgs]) ([]jobs.Args, error) {
			res, err := f.Record(ctx, job.Args)
			if res == nil {
				return nil, retryLater(err)
			}
			return res.Enqueued, retryLater(err)
		}),
		queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.CommandArgs]) ([]jobs.Args, error) {
			res, err := f.Command(ctx, job.Args)
			if res == nil {
				return nil, retryLater(err)
			}
			return res.Enqueued, retryLater(err)
		}),
	}
	if rs != nil {
		errs = append(errs,
			queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.ResyncArgs]) ([]jobs.Args, error) {
				res, err := rs.Resync(ctx, job.Args)
				return enqueued(res), retryLater(err)
			}),
			queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.InstallationArgs]) ([]jobs.Args, error) {
				res, err := rs.Resync(ctx, jobs.ResyncArgs{InstallationID: job.Args.InstallationID})
				return enqueued(res), retryLater(err)
			}))
	}
	if rd != nil {
		errs = append(errs, queue.Handle(w, func(ctx context.Context, job *river.Job[jobs.RedeliverArgs]) ([]jobs.Args, error) {
			_, err := rd.Run(ctx)
			return nil, retryLater(err)
		}))
	}
	return errors.Join(errs...)
}

// incidentReconciler runs the incident flow; the jobs it leaves are its
// draft's review (when GitHub refused it) and the recurrence comment's.
func incidentReconciler(f *flows.Flows, m *Metrics) queue.Reconciler[jobs.IncidentArgs] {
	return func(ctx context.Context, job *river.Job[jobs.IncidentArgs]) ([]jobs.Args, error) {
		res, err := f.Incident(ctx, job.Args)
		if res == nil {
			return nil, retryLater(err)
		}
		if res.Checks != nil {
			m.observeReview(res.Checks.Review)
			return append(res.Checks.Enqueued, res.Enqueued...), retryLater(err)
		}
		return res.Enqueued, retryLater(err)
	}
}

// forgetReconciler forgets repositories deleted or removed, or an
// installation uninstalled: the database's rows (the follow-up gauges' too).
func forgetReconciler(f *flows.Flows) queue.Reconciler[jobs.ForgetArgs] {
	return func(ctx context.Context, job *river.Job[jobs.ForgetArgs]) ([]jobs.Args, error) {
		_, err := f.Forget(ctx, job.Args) // the follow-up gauges are read from the database
		return nil, err
	}
}

// enqueued are the jobs a resync found necessary.
func enqueued(res *flows.ResyncResult) []jobs.Args {
	if res == nil {
		return nil
	}
	return res.Enqueued
}

// identityWait is how long a job waits while the App's bot login is
// unknown (GET /app is retried meanwhile, 5 s backing off to a minute).
const identityWait = 30 * time.Second

// retryLater says when a failed run is tried again: another worker
// holding a claim the run needed (claims.ErrInProgress) is a snooze, not an
// attempt, by when the object exists or the claim's lease expired: as long
// as the claim's age suggests (claims.HeldError.Wait; of several claims the
// run met, the one that frees soonest: claims.Wait), plus up to a tenth of
// that so runs waiting on one claim do not all wake together. An unknown
// identity (flows.ErrIdentityUnknown) is a snooze too; a rate limit, ours
// or go-github's, snoozes until it resets (the queue reads RetryAt);
// anything else is retried with backoff.
func retryLater(err error) error { return retryLaterAt(err, time.Now()) }

// retryLaterAt is retryLater at now.
func retryLaterAt(err error, now time.Time) error {
	if d, held := claims.Wait(err, now); held { // of several claims (joined), the soonest
		if errors.As(err, new(*claims.HeldError)) {
			d += rand.N(d / 10) // a claim's age to go by: jittered
		}
		return river.JobSnooze(d)
	}
	if errors.Is(err, flows.ErrIdentityUnknown) {
		// Not an attempt: the job waits until GET /app says who the App is.
		return river.JobSnooze(identityWait)
	}
	return ghclient.AsRateLimit(err, now)
}
