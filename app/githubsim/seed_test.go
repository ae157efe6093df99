package githubsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

func TestSeedYAMLEmulateShape(t *testing.T) {
	seed, err := LoadSeed("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if seed.Tokens["bob-token"].Login != "bob" || seed.GitHub.Orgs[0].Members[1].Login != "bob" {
		t.Fatalf("short forms not read: %+v", seed)
	}
	srv := MustStart(Options{Seed: seed})
	defer srv.Close()
	// JSON seeds read the same
	js, _ := json.Marshal(seed)
	if _, err := ParseSeed(js); err != nil {
		t.Fatal(err)
	}
	atr, err := ghinstallation.NewAppsTransport(newConf(t), 1234, []byte(seed.GitHub.Apps[0].PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = srv.URL() + "/api/v3"
	itr := ghinstallation.NewFromAppsTransport(atr, 99)
	itr.BaseURL = atr.BaseURL
	itr.InstallationTokenOptions = &github.InstallationTokenOptions{}
	c, _ := github.NewClient(&http.Client{Transport: itr}).WithEnterpriseURLs(srv.URL(), srv.URL())
	r := must[*github.Repository](t)(c.Repositories.Get(bg, "acme", "services"))
	if r.GetDefaultBranch() != "main" || r.GetOwner().GetType() != "Organization" {
		t.Fatalf("repo = %s %s", r.GetDefaultBranch(), r.GetOwner().GetType())
	}
	if got, _ := srv.FileAt("acme/services", "main", "README.md"); got != "# services\n\nOur services\n" {
		t.Fatalf("README = %q", got)
	}
	_, resp, err := c.Git.GetRef(bg, "acme", "bare", "heads/main")
	wantStatus(t, resp, err, 404) // not in the installation
	if srv.RefSHA("acme/bare", "main") != "" {
		t.Fatal("auto_init: false repo has a commit")
	}
	// seeded user token
	u := github.NewClient(&http.Client{Transport: &tokenTransport{token: "alice-token", base: newConf(t)}})
	u.BaseURL, _ = u.BaseURL.Parse(srv.URL() + "/")
	me := must[*github.User](t)(u.Users.Get(bg, ""))
	if me.GetLogin() != "alice" || me.GetName() != "Alice Example" {
		t.Fatalf("user = %s %s", me.GetLogin(), me.GetName())
	}
	if _, err := ParseSeed([]byte("github: {apps: [{slug: x}]}")); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Seed: &Seed{GitHub: SeedGitHub{Apps: []SeedApp{{Slug: "x"}}}}}); err == nil {
		t.Fatal("app without id accepted")
	}
}

// TestSeedStrict: a typo in a seed is an error with its line, at every level and in the short
// forms, never silently ignored (before, `logn:` seeded a user with no login).
func TestSeedStrict(t *testing.T) {
	for name, c := range map[string]struct{ seed, want string }{
		"top level":       {"tokens: {}\ngihtub: {}\n", "line 2: field gihtub not found"},
		"user":            {"github:\n  users:\n    - logn: alice\n", "line 3: field logn not found"},
		"repo":            {"github:\n  repos:\n    - owner: acme\n      name: web\n      privte: true\n", "line 5: field privte not found"},
		"installation":    {"github:\n  apps:\n    - app_id: 1\n      installations:\n        - installation_id: 2\n          acount: acme\n", "line 6: field acount not found"},
		"member, long":    {"github:\n  orgs:\n    - login: acme\n      members:\n        - {login: alice, rol: admin}\n", `line 5: unknown member key "rol"`},
		"token, long":     {"tokens:\n  t1: {login: alice, scope: [repo]}\n", `line 2: unknown token key "scope"`},
		"two documents":   {"github: {}\n---\ngithub: {}\n", "more than one YAML document"},
		"JSON, wrong key": {`{"github": {"users": [{"login": "a", "emial": "x"}]}}`, "field emial not found"},
	} {
		_, err := ParseSeed([]byte(c.seed))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	for _, ok := range []string{"", "# nothing\n", "tokens:\n  t: alice\ngithub:\n  orgs: [{login: acme, members: [bob, {login: alice, role: admin}]}]\n"} {
		if _, err := ParseSeed([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
