package app

import (
	"testing"
	"time"
)

// What the client stack observes reaches /metrics with its labels.
func TestMetricsGitHubRequests(t *testing.T) {
	m := NewMetrics()
	m.GitHubRequest("GET", "/repos/{owner}/{repo}/contents/{path}", "304")
	m.RateLimitRemaining(1, 4999)
	text := scrape(t, m)
	wantMetric(t, text, `postmortem_github_requests_total{method="GET",route="/repos/{owner}/{repo}/contents/{path}",status="304"} 1`)
	wantMetric(t, text, `postmortem_github_ratelimit_remaining{installation="1"} 4999`)
	var none *Metrics // a nil *Metrics records nothing
	none.GitHubRequest("GET", "/", "200")
	none.RateLimitRemaining(1, 1)
}

// What the webhook handler observes reaches /metrics with its labels.
func TestMetricsWebhookDeliveries(t *testing.T) {
	m := NewMetrics()
	m.WebhookDelivery("pull_request", "enqueued", time.Millisecond)
	m.WebhookDelivery("pull_request", "enqueued", time.Millisecond)
	m.WebhookDelivery("unverified", "unauthorized", time.Millisecond)
	text := scrape(t, m)
	wantMetric(t, text, `postmortem_webhooks_total{event="pull_request",outcome="enqueued"} 2`)
	wantMetric(t, text, `postmortem_webhooks_total{event="unverified",outcome="unauthorized"} 1`)
	wantMetric(t, text, `postmortem_webhook_ingest_seconds_count{outcome="enqueued"} 2`)
	m.WebhookDelivery("", "malformed", 0)
	wantMetric(t, scrape(t, m), `postmortem_webhooks_total{event="none",outcome="malformed"} 1`)
}
