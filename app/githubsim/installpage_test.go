package githubsim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAppInstallPage: the App's page and "Install it" link that registration prints answer (they
// were 404), a person installs the App on an org they administer, the App gets installation.created,
// and GET /apps/{slug} without text/html stays the REST API's.
func TestAppInstallPage(t *testing.T) {
	s := MustStart(Options{Seed: &Seed{GitHub: SeedGitHub{
		Users: []SeedUser{{Login: "alice"}, {Login: "bob"}},
		Orgs:  []SeedOrg{{Login: "acme", Members: []SeedMember{{Login: "alice", Role: "admin"}}}, {Login: "other"}},
		Repos: []SeedRepo{{Owner: "acme", Name: "web"}},
		Apps:  []SeedApp{{AppID: 9, Slug: "postmortem", Name: "postmortem", Description: "Blameless postmortems", Permissions: map[string]string{"issues": "write"}, Events: []string{"issues"}}},
	}}})
	defer s.Close()
	get := func(path, accept string) (int, string, string) {
		req, _ := http.NewRequest("GET", s.URL()+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	if code, _, body := get("/apps/postmortem", "text/html,application/xhtml+xml"); code != 200 || !strings.Contains(body, `href="/apps/postmortem/installations/new"`) || !strings.Contains(body, "issues: write") {
		t.Fatalf("app page: %d %s", code, body)
	}
	// the REST API's route (which the simulator does not serve), not the page
	if code, ct, body := get("/apps/postmortem", "application/vnd.github+json"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("REST GET /apps/postmortem: %d %s %s", code, ct, body)
	}
	code, _, body := get("/apps/postmortem/installations/new", "text/html")
	if code != 200 || !strings.Contains(body, `value="alice"`) || !strings.Contains(body, `value="acme"`) || strings.Contains(body, `value="other"`) {
		t.Fatalf("install page: %d %s", code, body)
	}
	if code, _, _ := get("/apps/nope/installations/new", "text/html"); code != 404 {
		t.Errorf("unknown app: %d", code)
	}
	post := func(account string) (int, string) {
		resp, err := http.PostForm(s.URL()+"/apps/postmortem/installations/new", url.Values{"account": {account}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("other"); code != 403 {
		t.Errorf("install on an org alice does not administer: %d %s", code, body)
	}
	code, body = post("acme")
	if code != 201 || !strings.Contains(body, "Installed postmortem on acme") {
		t.Fatalf("install: %d %s", code, body)
	}
	s.WaitIdle()
	created := 0
	for _, d := range s.Deliveries() {
		if d.Event == "installation" && d.Action == "created" && d.AppID == 9 {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d installation.created deliveries, want 1", created)
	}
	if code, _ := post("acme"); code != 422 {
		t.Errorf("a second install on acme: %d", code)
	}
	if _, _, body := get("/apps/postmortem/installations/new", "text/html"); !strings.Contains(body, "acme: installed (installation") {
		t.Errorf("install page after: %s", body)
	}
}
