package githubsim

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestInstallationEvents(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.AddInstallationRepos(testInstID, "private-notes"); err != nil {
		t.Fatal(err)
	}
	must[*github.Repository](t)(e.inst.Repositories.Get(bg, "acme", "private-notes"))
	id, err := e.srv.Install(testAppID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Uninstall(id)
	e.srv.WaitIdle()
	if got := strings.Join(e.hooks.names(), " "); got != "installation_repositories.added installation.created installation.deleted" {
		t.Fatalf("events = %s", got)
	}
	for _, r := range e.hooks.all() {
		if ev, ok := r.parsed.(*github.InstallationEvent); ok && ev.GetInstallation().GetID() != id {
			t.Fatalf("installation id = %d", ev.GetInstallation().GetID())
		}
	}
	_, resp, err := e.app.Apps.GetInstallation(bg, id)
	wantStatus(t, resp, err, 404)
}

func BenchmarkGetIssue(b *testing.B) {
	srv := MustStart(Options{Seed: testSeed(b), RateLimit: 1 << 30})
	defer srv.Close()
	a := srv.As("alice")
	n, err := a.OpenIssue(testRepo, "bench", "body")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := a.Client.Issues.Get(bg, "acme", "services", n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPushAndPR(b *testing.B) {
	srv := MustStart(Options{Seed: testSeed(b), RateLimit: 1 << 30})
	defer srv.Close()
	a := srv.As("alice")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		br := "bench-" + strconv.Itoa(i)
		if _, err := a.PushFiles(testRepo, br, map[string]string{"pm/" + br + ".md": "# x\n"}, "m"); err != nil {
			b.Fatal(err)
		}
		if _, err := a.OpenPR(testRepo, br, "main", "t", ""); err != nil {
			b.Fatal(err)
		}
	}
}
