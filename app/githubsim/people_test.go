package githubsim

import (
	"testing"

	"github.com/google/go-github/v62/github"
)

// permission is GitHub's answer of the collaborator permission endpoint,
// with the role name go-github v62 does not decode.
type permission struct {
	Permission string `json:"permission"`
	RoleName   string `json:"role_name"`
	User       struct {
		Login string `json:"login"`
	} `json:"user"`
}

// Roles as GitHub reports them (GET …/collaborators/{username}/permission,
// held to the OpenAPI description by the conformance transport), and
// reactions to comments: added once per person and content.
func TestPermissionsAndReactions(t *testing.T) {
	e := newEnv(t)
	get := func(repo, login string) (permission, int) {
		var p permission
		req, _ := e.inst.NewRequest("GET", "repos/acme/"+repo+"/collaborators/"+login+"/permission", nil)
		resp, err := e.inst.Do(bg, req, &p)
		if resp == nil {
			t.Fatal(err)
		}
		return p, resp.StatusCode
	}
	if err := e.srv.SetRole("acme/services", "carol", "triage"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ login, role, perm string }{
		{"alice", "admin", "admin"}, {"bob", "write", "write"}, {"carol", "triage", "read"},
	} {
		p, code := get("services", c.login)
		if code != 200 || p.RoleName != c.role || p.Permission != c.perm || p.User.Login != c.login {
			t.Errorf("%s: %d %+v, want role %s permission %s", c.login, code, p, c.role, c.perm)
		}
	}
	if err := e.srv.SetRole("acme/services", "bob", "read"); err != nil {
		t.Fatal(err)
	}
	if p, _ := get("services", "bob"); p.RoleName != "read" {
		t.Errorf("bob demoted: %+v", p)
	}
	if _, code := get("services", "nobody-here"); code != 404 {
		t.Errorf("unknown user: %d", code)
	}
	if p, _ := get("empty", "carol"); p.RoleName != "read" || p.Permission != "read" {
		t.Errorf("carol on a public repository: %+v", p)
	}

	alice := e.user(t, "alice")
	must[*github.Issue](t)(alice.Issues.Create(bg, "acme", "services", &github.IssueRequest{Title: github.String("x")}))
	cm := must[*github.IssueComment](t)(alice.Issues.CreateComment(bg, "acme", "services", 1, &github.IssueComment{Body: github.String("/postmortem help")}))
	first, resp, err := e.inst.Reactions.CreateIssueCommentReaction(bg, "acme", "services", cm.GetID(), "+1")
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("first reaction: %v %v", resp, err)
	}
	again, resp, err := e.inst.Reactions.CreateIssueCommentReaction(bg, "acme", "services", cm.GetID(), "+1")
	if err != nil || resp.StatusCode != 200 || again.GetID() != first.GetID() {
		t.Fatalf("same reaction again: %v %v %v", resp, err, again)
	}
	rs := must[[]*github.Reaction](t)(e.inst.Reactions.ListIssueCommentReactions(bg, "acme", "services", cm.GetID(), nil))
	if len(rs) != 1 || rs[0].GetUser().GetLogin() != "postmortem[bot]" || rs[0].GetContent() != "+1" {
		t.Fatalf("reactions = %+v", rs)
	}
	got := must[*github.IssueComment](t)(alice.Issues.GetComment(bg, "acme", "services", cm.GetID()))
	if got.GetReactions().GetPlusOne() != 1 || got.GetReactions().GetTotalCount() != 1 {
		t.Fatalf("comment reactions = %+v", got.GetReactions())
	}
	is := e.srv.Issues("acme/services")[0]
	if len(is.Comments) != 1 || len(is.Comments[0].Reactions) != 1 || is.Comments[0].Reactions[0] != "postmortem[bot]:+1" {
		t.Fatalf("snapshot = %+v", is.Comments)
	}
	for _, ct := range e.conf {
		if v := ct.Violations(); len(v) > 0 {
			t.Errorf("violations: %v", v)
		}
	}
}
