package registration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

func registerSeed() *githubsim.Seed {
	return &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "services"}},
	}}
}

func loadDeployManifest(t *testing.T) *Manifest {
	t.Helper()
	b, err := os.ReadFile("../../deploy/app-manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	formRE  = regexp.MustCompile(`<form[^>]*\smethod="post"[^>]*\saction="([^"]+)"`)
	inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// browse does what a browser does with the registration page: GET it, submit its form, follow
// GitHub's redirect to the callback. It returns the final page.
func browse(t *testing.T, page string) (int, string) {
	t.Helper()
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fm := formRE.FindStringSubmatch(string(body))
	if fm == nil {
		t.Fatalf("no form on the page:\n%s", body)
	}
	form := url.Values{}
	for _, in := range inputRE.FindAllStringSubmatch(string(body), -1) {
		form.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	resp, err = http.PostForm(html.UnescapeString(fm[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRegisterEndToEndAgainstSimulator(t *testing.T) {
	sim := githubsim.MustStart(githubsim.Options{Seed: registerSeed()})
	defer sim.Close()

	// the App's webhook endpoint: deliveries must be signed with the secret GitHub generated
	got := make(chan string, 8)
	var secret string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(b)
		if r.Header.Get("X-Hub-Signature-256") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			got <- "bad signature"
			return
		}
		got <- r.Header.Get("X-GitHub-Event")
	}))
	defer hook.Close()

	out := filepath.Join(t.TempDir(), "app.env")
	pages := make(chan string, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type res struct {
		reg *Result
		err error
	}
	done := make(chan res, 1)
	go func() {
		reg, err := Register(ctx, Options{
			Manifest: loadDeployManifest(t), GitHubURL: sim.URL(), Org: "acme", Name: "postmortem-test",
			WebhookURL: hook.URL + "/webhook", Out: out, Ready: func(u string) { pages <- u },
		})
		done <- res{reg, err}
	}()
	page := <-pages
	if !strings.HasPrefix(page, "http://127.0.0.1:") {
		t.Fatalf("page %s is not on loopback", page)
	}

	// a forged callback (wrong state) is refused and does not end the flow
	resp, err := http.Get(page + "callback?code=abc&state=forged")
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged callback: %v %v", resp.StatusCode, err)
	}

	status, final := browse(t, page)
	if status != 200 || !strings.Contains(final, "postmortem-test is registered") || !strings.Contains(final, "/installations/new") {
		t.Fatalf("final page %d:\n%s", status, final)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	reg := r.reg

	// the file: mode 0600, and the credentials GitHub returned
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v (%v)", st.Mode(), err)
	}
	creds, err := ReadCredentials(out)
	if err != nil {
		t.Fatal(err)
	}
	var app *githubsim.AppInfo
	for _, a := range sim.Apps() {
		if a.Slug == "postmortem-test" {
			app = &a
		}
	}
	if app == nil {
		t.Fatalf("the simulator does not know the App: %+v", sim.Apps())
	}
	if creds["GITHUB_APP_ID"] != jsonNum(app.ID) || creds["GITHUB_WEBHOOK_SECRET"] != app.WebhookSecret || app.WebhookSecret == "" ||
		creds["GITHUB_APP_PRIVATE_KEY"] != string(app.PrivateKeyPEM) || creds["GITHUB_API_URL"] != sim.URL()+"/api/v3/" ||
		reg.ID != app.ID || app.Owner != "acme" {
		t.Fatalf("credentials %v do not match the App %+v", creds, app)
	}
	// the manifest's permissions and events, and our webhook URL
	if app.WebhookURL != hook.URL+"/webhook" {
		t.Fatalf("webhook url %q", app.WebhookURL)
	}
	for k, v := range loadDeployManifest(t).DefaultPermissions {
		if app.Permissions[k] != v {
			t.Errorf("permission %s = %q, want %q", k, app.Permissions[k], v)
		}
	}
	if strings.Join(app.Events, ",") != "issues,issue_comment,pull_request,check_suite,check_run,repository" {
		t.Errorf("events %v", app.Events)
	}

	// a shell can load the file as written
	if sh, err := exec.LookPath("sh"); err == nil {
		o, err := exec.Command(sh, "-c", `set -a; . "$1"; set +a; printf %s "$GITHUB_APP_PRIVATE_KEY"`, "sh", out).Output()
		if err != nil || string(o) != creds["GITHUB_APP_PRIVATE_KEY"] {
			t.Fatalf("sh could not load the env file: %v %q", err, o)
		}
	}

	// the App works: installing it delivers a signed installation event, and its key gets a token
	secret = creds["GITHUB_WEBHOOK_SECRET"]
	instID, err := sim.Install(app.ID, "acme", "services")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if ev != "installation" {
			t.Fatalf("delivery: %s", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery")
	}
	tr, err := ghinstallation.New(http.DefaultTransport, app.ID, instID, []byte(creds["GITHUB_APP_PRIVATE_KEY"]))
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = strings.TrimRight(creds["GITHUB_API_URL"], "/")
	if _, err := tr.Token(ctx); err != nil {
		t.Fatalf("installation token with the written key: %v", err)
	}

	// running again never overwrites the key
	_, err = Register(ctx, Options{Manifest: loadDeployManifest(t), GitHubURL: sim.URL(), Out: out})
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("second run over the same file: %v", err)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRegisterPageTargets(t *testing.T) {
	for _, tc := range []struct{ github, org, want, api string }{
		{"", "", "https://github.com/settings/apps/new?state=s", "https://api.github.com/"},
		{"https://github.com/", "acme", "https://github.com/organizations/acme/settings/apps/new?state=s", "https://api.github.com/"},
		{"https://ghe.example.com", "", "https://ghe.example.com/settings/apps/new?state=s", "https://ghe.example.com/api/v3/"},
		{"https://ghe.example.com/", "ops team", "https://ghe.example.com/organizations/ops%20team/settings/apps/new?state=s", "https://ghe.example.com/api/v3/"},
	} {
		if got := NewAppURL(tc.github, tc.org, "s"); got != tc.want {
			t.Errorf("NewAppURL(%q,%q) = %s, want %s", tc.github, tc.org, got, tc.want)
		}
		if got := APIURLFor(tc.github); got != tc.api {
			t.Errorf("APIURLFor(%q) = %s, want %s", tc.github, got, tc.api)
		}
	}
}

func TestRegisterConversionFailureAndManifestErrors(t *testing.T) {
	// GitHub refusing the code (expired, used): the flow reports it, writes nothing
	sim := githubsim.MustStart(githubsim.Options{Seed: registerSeed()})
	defer sim.Close()
	out := filepath.Join(t.TempDir(), "app.env")
	pages := make(chan string, 1)
	errc := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		_, err := Register(ctx, Options{Manifest: loadDeployManifest(t), GitHubURL: sim.URL(), WebhookURL: "https://x.example/webhook",
			Out: out, Ready: func(u string) { pages <- u }})
		errc <- err
	}()
	page := <-pages
	// learn the state from the page, then present an unknown code
	resp, _ := http.Get(page)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var state string
	for _, in := range inputRE.FindAllStringSubmatch(string(b), -1) {
		if in[1] == "state" {
			state = in[2]
		}
	}
	resp, err := http.Get(page + "callback?code=nope&state=" + state)
	if err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("callback with a bad code: %v %v", resp.StatusCode, err)
	}
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("RegisterApp: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a file was written: %v", err)
	}

	if _, err := ParseManifest([]byte("name: x\nurl: https://x\ndefault_permision: {}\n")); err == nil {
		t.Error("a typo'd manifest key parsed")
	}
	if _, err := ParseManifest([]byte("name: x\nurl: https://x\ndefault_permissions: {issues: all}\n")); err == nil {
		t.Error("an invalid permission level parsed")
	}
	if _, err := Register(ctx, Options{Manifest: loadDeployManifest(t), Addr: "0.0.0.0:0", Out: filepath.Join(t.TempDir(), "x")}); err == nil {
		t.Error("listening beyond loopback was allowed")
	}
}
