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
	// Only the core budget: a search answer's remaining is search's own
	// (30 a minute), not the installation's hourly budget.
	if res := resp.Header.Get("X-RateLimit-Resource"); res != "" && res != "core" {
		return resp, nil
	}
	if rem, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining")); err == nil && !isTokenRequest(req.URL.Path) {
		t.metrics.RateLimitRemaining(t.installation, rem)
	}
	return resp, nil
}

// routeTemplate maps a REST path to a low-cardinality label:
// /repos/o/r/pulls/12/files → /repos/{owner}/{repo}/pulls/{n}/files. The
// label is bounded by construction: a segment that names something (an
// owner, a repository, a number, a person, a label, a SHA) becomes a
// placeholder, the segments after a multi-segment parameter (a path, a
// ref, a branch that may hold slashes) become one, and any other segment
// that is not a plain lower-case word becomes {x}. TestRouteLabels holds
// the labels to GitHub's route templates over every flow.
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
		case restParam[prev] != "" && (prev != "refs" || i+1 < len(segs)):
			out = append(out, restParam[prev])
			i = len(segs)
		case prev == "refs": // PATCH git/refs/heads: a one-segment ref
			out = append(out, "{path}")
		case oneParam[prev] != "":
			out = append(out, oneParam[prev])
		case isDigits(s):
			out = append(out, "{n}")
		case !isWord(s):
			out = append(out, "{x}")
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// restParam: the segments after these are one parameter that may hold
// slashes (GitHub's x-multi-segment parameters).
var restParam = map[string]string{
	"contents": "{path}", "ref": "{path}", "refs": "{path}", "matching-refs": "{path}", "compare": "{path}",
	"branches": "{ref}", "labels": "{ref}",
}

// oneParam: the segment after these is a parameter.
var oneParam = map[string]string{
	"commits": "{ref}", "trees": "{ref}", "blobs": "{ref}",
	"collaborators": "{user}", "assignees": "{user}", "members": "{user}", "memberships": "{user}", "teams": "{team}",
}

// isWord: lower-case letters, '-' and '_' (GitHub's literal path segments).
func isWord(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' && r != '_' {
			return false
		}
	}
	return s != ""
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
