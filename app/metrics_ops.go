package app

import (
	"errors"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows"
	"github.com/prometheus/client_golang/prometheus"
)

// Operations: the metrics beyond webhooks, jobs and GitHub calls (metrics.go), and the
// structured logs that carry a delivery's id and installation from the webhook to every job
// run it caused.

type opsMetrics struct {
	retries  *prometheus.CounterVec
	attempts *prometheus.HistogramVec
	checks   *prometheus.CounterVec
	remind   *prometheus.CounterVec
	refused  *prometheus.CounterVec
}

func newOpsMetrics(reg *prometheus.Registry) *opsMetrics {
	o := &opsMetrics{
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_job_retries_total",
			Help: "Job runs that were retries (attempt 2 or later), by kind.",
		}, []string{"kind"}),
		attempts: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "postmortem_job_attempt",
			Help:    "The attempt number of each job run, by kind and outcome (1 = first try).",
			Buckets: []float64{1, 2, 3, 5, 8, 12},
		}, []string{"kind", "outcome"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_check_conclusions_total",
			Help: "Check runs completed by the App, by check (completeness, blameless) and conclusion (success, failure, neutral).",
		}, []string{"check", "conclusion"}),
		remind: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_reminders_total",
			Help: "What the reminder passes wrote, by kind: reminder (a follow-up's step), escalation, overdue_label (put on), owed (a postmortem owed), digest.",
		}, []string{"kind"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_secondary_writes_failed_total",
			Help: "Secondary writes (write=review: the review of suggested rewordings; write=recurrence: the comment naming earlier similar incidents) GitHub refused or that failed; the primary result (the check runs, the draft) stands and the write is retried on its own job.",
		}, []string{"write"}),
	}
	reg.MustRegister(o.retries, o.attempts, o.checks, o.remind, o.refused)
	return o
}

// Job counts one run of a job: its kind and outcome, how long it took, and
// which attempt it was (queue.Observer).
func (m *Metrics) Job(kind, outcome string, attempt int, d time.Duration) {
	m.job(kind, outcome, d)
	m.jobAttempt(kind, outcome, attempt)
}

func (m *Metrics) jobAttempt(kind, outcome string, attempt int) {
	if m == nil || m.ops == nil {
		return
	}
	if attempt > 1 {
		m.ops.retries.WithLabelValues(kind).Inc()
	}
	m.ops.attempts.WithLabelValues(kind, outcome).Observe(float64(attempt))
}

// observePullRequest counts the conclusions of the check runs a pull-request job completed.
// (The follow-ups a merge files are counted from the database: metrics_db.go.)
func (m *Metrics) observePullRequest(res *flows.PullRequestResult) {
	if m == nil || m.ops == nil || res == nil || res.Skipped != "" {
		return
	}
	for check, o := range map[string]flows.CheckOutcome{"completeness": res.Completeness, "blameless": res.Blameless} {
		if o.Conclusion != "" {
			m.ops.checks.WithLabelValues(check, o.Conclusion).Inc()
		}
	}
}

// observeRemind counts what a reminder pass wrote.
func (m *Metrics) observeRemind(res *flows.RemindResult) {
	if m == nil || m.ops == nil || res == nil {
		return
	}
	for kind, n := range map[string]int{"reminder": len(res.Reminded), "escalation": len(res.Escalated),
		"overdue_label": len(res.Labelled), "owed": len(res.OwedReminded)} {
		if n > 0 {
			m.ops.remind.WithLabelValues(kind).Add(float64(n))
		}
	}
	if res.Digest != 0 {
		m.ops.remind.WithLabelValues("digest").Inc()
	}
}

// observeReview counts a review of suggested rewordings that was not
// posted (err nil: nothing to count).
// observeRecurrence counts a failed run of the recurrence comment's job
// (not one that waits for another replica's run).
func (m *Metrics) observeRecurrence(err error) {
	if m == nil || m.ops == nil || err == nil || errors.Is(err, claims.ErrInProgress) {
		return
	}
	m.ops.refused.WithLabelValues("recurrence").Inc()
}

func (m *Metrics) observeReview(err error) {
	if m == nil || m.ops == nil || err == nil {
		return
	}
	m.ops.refused.WithLabelValues("review").Inc()
}
