package githubsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func postManifest(t *testing.T, srv *Server, path, state string, m map[string]any, cookie string) *http.Response {
	t.Helper()
	b, _ := json.Marshal(m)
	req, _ := http.NewRequest("POST", srv.URL()+path+"?state="+url.QueryEscape(state), strings.NewReader(url.Values{"manifest": {string(b)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: ManifestUserCookie, Value: cookie})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func testManifest() map[string]any {
	return map[string]any{
		"name": "Postmortem Staging", "url": "https://example.com/pm",
		"hook_attributes":     map[string]any{"url": "https://hooks.example.com/webhook"},
		"redirect_url":        "http://127.0.0.1:9/callback",
		"default_permissions": map[string]string{"issues": "write", "checks": "write"},
		"default_events":      []string{"issues", "check_run"},
	}
}

func TestManifestFlowOrgAndConversion(t *testing.T) {
	srv := MustStart(Options{Seed: testSeed(t)})
	defer srv.Close()
	resp := postManifest(t, srv, "/organizations/acme/settings/apps/new", "s1", testManifest(), "")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "127.0.0.1:9" || loc.Path != "/callback" || loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %q", resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")

	// unauthenticated conversion, through the OpenAPI-validating transport, on the GHES path
	gh, _ := github.NewClient(&http.Client{Transport: newConf(t)}).WithEnterpriseURLs(srv.URL()+"/api/v3/", srv.URL()+"/api/uploads/")
	cfg, r, err := gh.Apps.CompleteAppManifest(context.Background(), code)
	if err != nil || r.StatusCode != 201 {
		t.Fatalf("conversion: %v %v", r, err)
	}
	if cfg.GetSlug() != "postmortem-staging" || cfg.GetWebhookSecret() == "" || !strings.Contains(cfg.GetPEM(), "RSA PRIVATE KEY") ||
		cfg.GetClientSecret() == "" || cfg.GetOwner().GetLogin() != "acme" {
		t.Fatalf("app config %+v", cfg)
	}
	var got *AppInfo
	for _, a := range srv.Apps() {
		if a.ID == cfg.GetID() {
			got = &a
		}
	}
	if got == nil || got.WebhookURL != "https://hooks.example.com/webhook" || got.WebhookSecret != cfg.GetWebhookSecret() ||
		got.Permissions["issues"] != "write" || got.Permissions["metadata"] != "read" || strings.Join(got.Events, ",") != "issues,check_run" ||
		string(got.PrivateKeyPEM) != cfg.GetPEM() {
		t.Fatalf("simulator app %+v", got)
	}
	// the new App authenticates with its key
	if _, err := srv.Install(cfg.GetID(), "acme", "services"); err != nil {
		t.Fatal(err)
	}

	// a code converts once
	if _, r, err := gh.Apps.CompleteAppManifest(context.Background(), code); err == nil || r.StatusCode != 404 {
		t.Fatalf("second conversion: %v %v", r, err)
	}
	// the same name again is taken
	resp = postManifest(t, srv, "/settings/apps/new", "s2", testManifest(), "bob")
	code2, _ := url.Parse(resp.Header.Get("Location"))
	if _, r, err := gh.Apps.CompleteAppManifest(context.Background(), code2.Query().Get("code")); err == nil || r.StatusCode != 422 {
		t.Fatalf("duplicate name: %v %v", r, err)
	}
}

func TestManifestFlowUserAndErrors(t *testing.T) {
	srv := MustStart(Options{Seed: testSeed(t)})
	defer srv.Close()
	m := testManifest()
	m["name"] = "pm-bob"
	resp := postManifest(t, srv, "/settings/apps/new", "x", m, "bob")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	gh := github.NewClient(nil)
	gh, _ = gh.WithEnterpriseURLs(srv.URL()+"/api/v3/", srv.URL()+"/api/uploads/")
	cfg, _, err := gh.Apps.CompleteAppManifest(context.Background(), loc.Query().Get("code"))
	if err != nil || cfg.GetOwner().GetLogin() != "bob" {
		t.Fatalf("user app: %v owner %q", err, cfg.GetOwner().GetLogin())
	}

	for name, tc := range map[string]struct {
		path   string
		mutate func(map[string]any)
		want   int
	}{
		"unknown org":       {"/organizations/nope/settings/apps/new", func(map[string]any) {}, 404},
		"user is not org":   {"/organizations/bob/settings/apps/new", func(map[string]any) {}, 404},
		"no redirect":       {"/settings/apps/new", func(m map[string]any) { delete(m, "redirect_url") }, 422},
		"bad name":          {"/settings/apps/new", func(m map[string]any) { m["name"] = "" }, 422},
		"bad permission":    {"/settings/apps/new", func(m map[string]any) { m["default_permissions"] = map[string]string{"issues": "all"} }, 422},
		"events, no hook":   {"/settings/apps/new", func(m map[string]any) { m["hook_attributes"] = map[string]any{} }, 422},
		"redirect not http": {"/settings/apps/new", func(m map[string]any) { m["redirect_url"] = "javascript:alert(1)" }, 422},
	} {
		m := testManifest()
		tc.mutate(m)
		if resp := postManifest(t, srv, tc.path, "x", m, ""); resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
	// GET is not the flow
	resp, err = http.Get(srv.URL() + "/settings/apps/new")
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %v %v", resp, err)
	}
	// an unknown code
	if _, r, err := gh.Apps.CompleteAppManifest(context.Background(), "deadbeef"); err == nil || r.StatusCode != 404 {
		t.Fatalf("unknown code: %v", err)
	}
}
