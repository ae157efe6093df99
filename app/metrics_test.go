package app

import "testing"

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
