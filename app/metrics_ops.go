package app

import (
	"errors"
	"strconv"
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
	open     *prometheus.GaugeVec
	overdue  *prometheus.GaugeVec
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
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "postmortem_followups_open",
			Help: "Open follow-up issues of an incident, as last seen by this replica's tracking job.",
		}, []string{"repository", "incident"}),
		overdue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "postmortem_followups_overdue",
			Help: "Open follow-up issues of an incident past their due date, as last seen by this replica's tracking job.",
		}, []string{"repository", "incident"}),
		remind: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_reminders_total",
			Help: "What the reminder passes wrote, by kind: reminder (a follow-up's step), escalation, overdue_label (put on), owed (a postmortem owed), digest.",
		}, []string{"kind"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_secondary_writes_failed_total",
			Help: "Secondary writes (write=review: the review of suggested rewordings; write=recurrence: the comment naming earlier similar incidents) GitHub refused or that failed; the primary result (the check runs, the draft) stands and the write is retried on its own job.",
		}, []string{"write"}),
	}
	reg.MustRegister(o.retries, o.attempts, o.checks, o.open, o.overdue, o.remind, o.refused)
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

// observePullRequest counts the conclusions of the check runs a pull-request job completed,
// and on a merge the follow-ups it tracks.
func (m *Metrics) observePullRequest(repo string, res *flows.PullRequestResult, err error) {
	if m == nil || m.ops == nil || res == nil {
		return
	}
	if res.FollowUps != nil { // a merged postmortem (the result says Skipped: "merged")
		m.observeTracking(repo, res.FollowUps.Tracking, err)
	}
	if res.Skipped != "" {
		return
	}
	for check, o := range map[string]flows.CheckOutcome{"completeness": res.Completeness, "blameless": res.Blameless} {
		if o.Conclusion != "" {
			m.ops.checks.WithLabelValues(check, o.Conclusion).Inc()
		}
	}
}

// observeTracking sets an incident's open and overdue follow-ups; an incident whose follow-ups
// are all done leaves the gauges (no series for finished incidents).
func (m *Metrics) observeTracking(repo string, res *flows.TrackingResult, err error) {
	if m == nil || m.ops == nil || res == nil || res.Skipped != "" || res.Incident == 0 {
		return
	}
	inc := strconv.Itoa(res.Incident)
	if res.Open == 0 {
		m.ops.open.DeleteLabelValues(repo, inc)
		m.ops.overdue.DeleteLabelValues(repo, inc)
		return
	}
	m.ops.open.WithLabelValues(repo, inc).Set(float64(res.Open))
	m.ops.overdue.WithLabelValues(repo, inc).Set(float64(res.Overdue))
}

// forgetRepos drops the follow-up series of repositories the App forgot
// (deleted, removed, uninstalled).
func (m *Metrics) forgetRepos(repos []string) {
	if m == nil || m.ops == nil {
		return
	}
	for _, r := range repos {
		m.ops.open.DeletePartialMatch(prometheus.Labels{"repository": r})
		m.ops.overdue.DeletePartialMatch(prometheus.Labels{"repository": r})
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
