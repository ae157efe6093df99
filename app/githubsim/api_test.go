package githubsim

import (
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestAppAuthAndInstallation(t *testing.T) {
	e := newEnv(t)
	a := must[*github.App](t)(e.app.Apps.Get(bg, ""))
	if a.GetID() != testAppID || a.GetSlug() != "postmortem" {
		t.Fatalf("app = %d %s", a.GetID(), a.GetSlug())
	}
	insts := must[[]*github.Installation](t)(e.app.Apps.ListInstallations(bg, nil))
	if len(insts) != 1 || insts[0].GetID() != testInstID || insts[0].GetAccount().GetLogin() != "acme" {
		t.Fatalf("installations = %+v", insts)
	}
	in := must[*github.Installation](t)(e.app.Apps.FindRepositoryInstallation(bg, "acme", "services"))
	if in.GetID() != testInstID {
		t.Fatalf("repo installation = %d", in.GetID())
	}
	_, resp, err := e.app.Apps.FindRepositoryInstallation(bg, "bob", "sandbox")
	wantStatus(t, resp, err, 404)

	repos := must[*github.ListRepositories](t)(e.inst.Apps.ListRepos(bg, nil))
	if repos.GetTotalCount() != 2 {
		t.Fatalf("installation repos = %d", repos.GetTotalCount())
	}
	// repository outside the installation: private → 404, public write → 403
	_, resp, err = e.inst.Repositories.Get(bg, "acme", "private-notes")
	wantStatus(t, resp, err, 404)
	_, resp, err = e.inst.Issues.Create(bg, "bob", "sandbox", &github.IssueRequest{Title: github.String("x")})
	wantStatus(t, resp, err, 403)

	// the installation acts as the bot
	is := must[*github.Issue](t)(e.inst.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("from the bot")}))
	if is.GetUser().GetLogin() != "postmortem[bot]" || is.GetUser().GetType() != "Bot" {
		t.Fatalf("bot user = %s %s", is.GetUser().GetLogin(), is.GetUser().GetType())
	}
	// a token with less permission is refused with GitHub's message
	tok := must[*github.InstallationToken](t)(e.app.Apps.CreateInstallationToken(bg, testInstID,
		&github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{Issues: github.String("read")}}))
	ro := e.tokenClient(t, tok.GetToken())
	_, resp, err = ro.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("nope")})
	wantStatus(t, resp, err, 403)
	if er, ok := err.(*github.ErrorResponse); !ok || er.Message != "Resource not accessible by integration" {
		t.Fatalf("error = %v", err)
	}
	must[*github.Issue](t)(ro.Issues.Get(bg, "acme", "services", is.GetNumber()))
	// asking for more than granted
	_, resp, err = e.app.Apps.CreateInstallationToken(bg, testInstID,
		&github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{Administration: github.String("write")}})
	wantStatus(t, resp, err, 422)
	// wrong key → 401
	bad := e.jwtClient(t, otherKey(t))
	_, resp, err = bad.Apps.Get(bg, "")
	wantStatus(t, resp, err, 401)
	// installation token on an app route → 401
	_, resp, err = e.inst.Apps.ListInstallations(bg, nil)
	wantStatus(t, resp, err, 401)
}
