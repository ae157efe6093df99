package githubsim

import (
	"encoding/json"
	"net/http"
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
