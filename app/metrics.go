package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the App's Prometheus metrics. Each Metrics has its own registry
// (no process-wide globals), served by Handler at GET /metrics. A nil *Metrics
// is valid and records nothing.
type Metrics struct {
	registry *prometheus.Registry

	webhooks    *prometheus.CounterVec
	ingest      *prometheus.HistogramVec
	jobs        *prometheus.CounterVec
	jobSeconds  *prometheus.HistogramVec
	githubCalls *prometheus.CounterVec
	rateLimit   *prometheus.GaugeVec

	ops *opsMetrics // metrics_ops.go: retries, check conclusions, follow-ups
}

// NewMetrics returns metrics registered on a fresh registry, with the Go
// runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_webhooks_total",
			Help: "Webhook deliveries by event and outcome (enqueued, ignored, unauthorized, malformed, too_large, unsupported_media_type, unavailable, busy: the in-flight body budget spent).",
		}, []string{"event", "outcome"}),
		ingest: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "postmortem_webhook_ingest_seconds",
			Help:    "Time from request to response for webhook deliveries, by outcome.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"outcome"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_jobs_total",
			Help: "Reconcile jobs worked, by kind and outcome (ok, error, snoozed, cancelled).",
		}, []string{"kind", "outcome"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "postmortem_job_seconds",
			Help:    "Reconcile job duration by kind.",
			Buckets: prometheus.DefBuckets,
		}, []string{"kind"}),
		githubCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postmortem_github_requests_total",
			Help: "Requests sent to the GitHub API, by method, route template and status (304 = served from cache after revalidation, 'error' = no response).",
		}, []string{"method", "route", "status"}),
		rateLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "postmortem_github_ratelimit_remaining",
			Help: "Last seen X-RateLimit-Remaining per installation (0 = the app itself).",
		}, []string{"installation"}),
	}
	m.registry.MustRegister(m.webhooks, m.ingest, m.jobs, m.jobSeconds, m.githubCalls, m.rateLimit,
		buildInfo(), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.ops = newOpsMetrics(m.registry)
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Registry is the registry the metrics live on (to add more collectors).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.registry
}

// WebhookDelivery counts one webhook delivery answered and how long the
// answer took (webhook.Observer).
func (m *Metrics) WebhookDelivery(event, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	if event == "" {
		event = "none"
	}
	m.webhooks.WithLabelValues(event, outcome).Inc()
	m.ingest.WithLabelValues(outcome).Observe(d.Seconds())
}

func (m *Metrics) job(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobSeconds.WithLabelValues(kind).Observe(d.Seconds())
}

// GitHubRequest counts one request to GitHub (ghclient.Observer).
func (m *Metrics) GitHubRequest(method, route, status string) {
	if m == nil {
		return
	}
	m.githubCalls.WithLabelValues(method, route, status).Inc()
}

// RateLimitRemaining records an installation's remaining rate limit
// (ghclient.Observer).
func (m *Metrics) RateLimitRemaining(installation int64, remaining int) {
	if m == nil {
		return
	}
	m.rateLimit.WithLabelValues(strconv.FormatInt(installation, 10)).Set(float64(remaining))
}
