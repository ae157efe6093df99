package ghclient

import (
	"net/http"
	"strconv"
	"strings"
)

// Observer is told of every request the clients send to GitHub (the App's
// metrics implement it). Its methods must be safe for concurrent use.
type Observer interface {
	// GitHubRequest counts one request by method, route template
	// (/repos/{owner}/{repo}/pulls/{n}/files) and status ("304": served
	// from the cache after revalidation; "error": no response).
	GitHubRequest(method, route, status string)
	// RateLimitRemaining is the installation's last X-RateLimit-Remaining
	// (installation 0: the App itself).
	RateLimitRemaining(installation int64, remaining int)
}

// metricsTransport counts requests by route template and status and records
// the installation's remaining rate limit.
type metricsTransport struct {
	installation int64
	metrics      Observer
	apiPath      string
	next         http.RoundTripper
}

func (t *metricsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if t.metrics == nil {
		return resp, err
	}
	route := routeTemplate(strings.TrimPrefix(req.URL.Path, strings.TrimSuffix(t.apiPath, "/")))
	if err != nil {
		t.metrics.GitHubRequest(req.Method, route, "error")
		return resp, err
	}
	t.metrics.GitHubRequest(req.Method, route, strconv.Itoa(resp.StatusCode))
	if rem, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining")); err == nil && !isTokenRequest(req.URL.Path) {
		t.metrics.RateLimitRemaining(t.installation, rem)
	}
	return resp, nil
}

// routeTemplate maps a REST path to a low-cardinality label:
// /repos/o/r/pulls/12/files → /repos/{owner}/{repo}/pulls/{n}/files.
func routeTemplate(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return "/"
	}
	out := make([]string, 0, len(segs))
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case i == 1 && (prev == "repos" || prev == "users" || prev == "orgs"):
			out = append(out, map[string]string{"repos": "{owner}", "users": "{user}", "orgs": "{org}"}[prev])
		case i == 2 && segs[0] == "repos":
			out = append(out, "{repo}")
		case prev == "contents" || prev == "refs" || prev == "ref" || prev == "compare":
			out = append(out, "{path}")
			i = len(segs)
		case prev == "commits" || prev == "labels" || prev == "branches" || prev == "trees" || prev == "blobs":
			out = append(out, "{ref}")
		case isDigits(s):
			out = append(out, "{n}")
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
