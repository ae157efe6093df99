// Package registration registers the GitHub App by GitHub's App manifest
// flow (docs.github.com: "Registering a GitHub App from a manifest"):
//
//  1. Register serves a page on 127.0.0.1 whose form posts the manifest (JSON) and a random state to
//     {github}/settings/apps/new or {github}/organizations/{org}/settings/apps/new.
//  2. GitHub shows the App to the person, creates it, and redirects the browser to the manifest's
//     redirect_url — our /callback — with ?code=…&state=….
//  3. The callback checks state, exchanges the code with POST {api}/app-manifests/{code}/conversions
//     (no authentication; the code is valid once, for an hour) and writes the credentials, mode 0600.
package registration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Manifest is a GitHub App manifest (the keys GitHub documents).
type Manifest struct {
	Name           string `yaml:"name" json:"name"`
	URL            string `yaml:"url" json:"url"`
	Description    string `yaml:"description,omitempty" json:"description,omitempty"`
	HookAttributes struct {
		URL    string `yaml:"url" json:"url"`
		Active bool   `yaml:"active" json:"active"`
	} `yaml:"hook_attributes" json:"hook_attributes"`
	RedirectURL        string            `yaml:"redirect_url" json:"redirect_url"`
	CallbackURLs       []string          `yaml:"callback_urls,omitempty" json:"callback_urls,omitempty"`
	SetupURL           string            `yaml:"setup_url,omitempty" json:"setup_url,omitempty"`
	Public             bool              `yaml:"public" json:"public"`
	DefaultPermissions map[string]string `yaml:"default_permissions" json:"default_permissions"`
	DefaultEvents      []string          `yaml:"default_events" json:"default_events"`
}

// ParseManifest reads a manifest in YAML (or JSON), strictly: an unknown key is an error.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("app manifest: %w", err)
	}
	if m.Name == "" || m.URL == "" {
		return nil, errors.New("app manifest: name and url are required")
	}
	for k, v := range m.DefaultPermissions {
		if v != "read" && v != "write" && v != "admin" {
			return nil, fmt.Errorf("app manifest: default_permissions.%s: %q is not read, write or admin", k, v)
		}
	}
	return &m, nil
}

// Options configure Register.
type Options struct {
	Manifest *Manifest
	// GitHubURL is the web root: https://github.com (default) or https://HOST for GitHub Enterprise Server.
	GitHubURL string
	// APIURL defaults to https://api.github.com/ for github.com and {GitHubURL}/api/v3/ otherwise.
	APIURL string
	// Org registers the App under an organization instead of the signed-in user.
	Org string
	// Name and WebhookURL override the manifest's name and hook_attributes.url when set.
	Name       string
	WebhookURL string
	// Addr is where the local page listens (default 127.0.0.1:0, a free port). It must stay on loopback.
	Addr string
	// Out is the credentials file (default postmortem-app.env), written with mode 0600.
	Out string
	// HTTPClient makes the conversion request (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Ready is called with the local page's URL once it listens (print it, or open a browser).
	Ready func(pageURL string)
}

// Result is what GitHub returns for a newly created App.
type Result struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	HTMLURL       string `json:"html_url"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	WebhookSecret string `json:"webhook_secret"`
	PEM           string `json:"pem"`
	Owner         struct {
		Login string `json:"login"`
	} `json:"owner"`
	// APIURL is where the App's API is (for GITHUB_API_URL).
	APIURL string `json:"-"`
	// File is the credentials file written.
	File string `json:"-"`
}

// APIURLFor derives the REST API root from GitHub's web root.
func APIURLFor(githubURL string) string {
	u := strings.TrimRight(githubURL, "/")
	if u == "" || u == "https://github.com" || u == "https://www.github.com" {
		return "https://api.github.com/"
	}
	return u + "/api/v3/"
}

// NewAppURL is where the manifest form posts: the user's or the organization's "new App" page.
func NewAppURL(githubURL, org, state string) string {
	u := strings.TrimRight(githubURL, "/")
	if u == "" {
		u = "https://github.com"
	}
	if org != "" {
		u += "/organizations/" + url.PathEscape(org) + "/settings/apps/new"
	} else {
		u += "/settings/apps/new"
	}
	return u + "?state=" + url.QueryEscape(state)
}

var registerPage = template.Must(template.New("register").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register {{.Name}} on GitHub</title></head>
<body>
<h1>Register the postmortem GitHub App</h1>
<p>This page posts the App's manifest to <code>{{.Action}}</code>. GitHub shows you the App's
name, permissions and events, creates it, and comes back here with a one-time code that
<code>postmortem register</code> exchanges for the App's id, private key and webhook secret.</p>
<form id="register" method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<input type="hidden" name="state" value="{{.State}}">
<button type="submit">Create the GitHub App {{.Name}}</button>
</form>
</body></html>
`))

var donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}} registered</title></head>
<body><h1>{{.Name}} is registered (App id {{.ID}})</h1>
<p>Its credentials are in <code>{{.File}}</code> (mode 0600). Install it on your repositories:
<a href="{{.HTMLURL}}/installations/new">{{.HTMLURL}}/installations/new</a>. You can close this tab.</p>
</body></html>
`))

// Register runs the manifest flow and returns when the App is created and
// its credentials are written, or ctx ends.
func Register(ctx context.Context, o Options) (*Result, error) {
	if o.Manifest == nil {
		return nil, errors.New("register: no manifest")
	}
	o.defaults()
	if err := checkWritable(o.Out); err != nil {
		return nil, err
	}
	l, err := listenLoopback(o.Addr)
	if err != nil {
		return nil, err
	}
	base := "http://" + l.Addr().String()
	f, err := newFlow(o, base)
	if err != nil {
		l.Close()
		return nil, err
	}
	hs := &http.Server{Handler: f.routes(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	defer hs.Close()
	if o.Ready != nil {
		o.Ready(base + "/")
	}
	select {
	case res := <-f.done:
		// let the browser receive the final page
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		hs.Shutdown(sctx)
		cancel()
		return res.reg, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// defaults fills the options' empty fields.
func (o *Options) defaults() {
	if o.GitHubURL == "" {
		o.GitHubURL = "https://github.com"
	}
	if o.APIURL == "" {
		o.APIURL = APIURLFor(o.GitHubURL)
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Out == "" {
		o.Out = "postmortem-app.env"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
}

// listenLoopback listens on addr, which must be a loopback address: the
// callback receives a secret code.
func listenLoopback(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		l.Close()
		return nil, fmt.Errorf("register: %s is not a loopback address (the callback receives a secret code)", addr)
	}
	return l, nil
}

// flow is one run of the manifest flow: the manifest as posted, the state
// that ties GitHub's callback to this run, and the result once it came.
type flow struct {
	o            Options
	m            Manifest
	manifestJSON []byte
	state        string
	done         chan flowResult
	// turn is held while a callback is handled; finished says the App was
	// created (a second callback is refused).
	turn     chan struct{}
	finished bool
}

type flowResult struct {
	reg *Result
	err error
}

// newFlow prepares the manifest (the options' name and webhook URL, the
// callback at base) and a random state.
func newFlow(o Options, base string) (*flow, error) {
	m := *o.Manifest
	if o.Name != "" {
		m.Name = o.Name
	}
	if o.WebhookURL != "" {
		m.HookAttributes.URL = o.WebhookURL
		m.HookAttributes.Active = true
	}
	m.RedirectURL = base + "/callback"
	manifestJSON, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sb := make([]byte, 16)
	rand.Read(sb)
	f := &flow{o: o, m: m, manifestJSON: manifestJSON, state: hex.EncodeToString(sb),
		done: make(chan flowResult, 1), turn: make(chan struct{}, 1)}
	f.turn <- struct{}{}
	return f, nil
}

// routes serve the page that posts the manifest and GitHub's callback.
func (f *flow) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", f.page)
	mux.HandleFunc("GET /callback", f.callback)
	return mux
}

func (f *flow) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	registerPage.Execute(w, map[string]string{
		"Name": f.m.Name, "Action": NewAppURL(f.o.GitHubURL, f.o.Org, f.state), "Manifest": string(f.manifestJSON), "State": f.state,
	})
}

// callback checks the state, exchanges the code for the App's credentials
// and writes them, once.
func (f *flow) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		http.Error(w, "state does not match: this callback was not started by this postmortem register", http.StatusForbidden)
		return
	}
	code := q.Get("code")
	if code == "" {
		http.Error(w, "no code", http.StatusBadRequest)
		return
	}
	<-f.turn
	if f.finished {
		f.turn <- struct{}{}
		http.Error(w, "already registered", http.StatusConflict)
		return
	}
	reg, err := convertManifest(r.Context(), f.o.HTTPClient, f.o.APIURL, code)
	if err == nil {
		reg.APIURL = f.o.APIURL
		reg.File = f.o.Out
		err = writeCredentials(f.o.Out, reg)
	}
	if err != nil {
		f.turn <- struct{}{}
		http.Error(w, "registration failed: "+err.Error(), http.StatusBadGateway)
		f.done <- flowResult{err: err}
		return
	}
	f.finished = true
	f.turn <- struct{}{}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if reg.HTMLURL == "" {
		reg.HTMLURL = strings.TrimRight(f.o.GitHubURL, "/") + "/apps/" + reg.Slug
	}
	donePage.Execute(w, reg)
	f.done <- flowResult{reg: reg}
}

func convertManifest(ctx context.Context, hc *http.Client, apiURL, code string) (*Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"app-manifests/"+url.PathEscape(code)+"/conversions", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("conversion: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("conversion: GitHub answered %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	var reg Result
	if err := json.Unmarshal(body, &reg); err != nil {
		return nil, fmt.Errorf("conversion: %w", err)
	}
	if reg.ID == 0 || reg.PEM == "" {
		return nil, errors.New("conversion: the answer has no App id or private key")
	}
	return &reg, nil
}

func checkWritable(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("register: %s exists; move it away first (it may hold another App's key)", path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("register: directory %s does not exist", dir)
	}
	return nil
}

// writeCredentials writes a shell-sourceable env file (set -a; . FILE; set +a) with mode 0600,
// created exclusively so an existing file is never overwritten.
func writeCredentials(path string, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# GitHub App %q (%s), registered %s by postmortem register.\n", r.Name, r.Slug, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "# Keep this file secret. Load it with: set -a; . %s; set +a\n", filepath.Base(path))
	fmt.Fprintf(&b, "GITHUB_APP_ID=%d\n", r.ID)
	fmt.Fprintf(&b, "GITHUB_APP_SLUG=%s\n", shellQuote(r.Slug))
	fmt.Fprintf(&b, "GITHUB_API_URL=%s\n", shellQuote(r.APIURL))
	fmt.Fprintf(&b, "GITHUB_WEBHOOK_SECRET=%s\n", shellQuote(r.WebhookSecret))
	fmt.Fprintf(&b, "GITHUB_CLIENT_ID=%s\n", shellQuote(r.ClientID))
	fmt.Fprintf(&b, "GITHUB_CLIENT_SECRET=%s\n", shellQuote(r.ClientSecret))
	fmt.Fprintf(&b, "GITHUB_APP_PRIVATE_KEY=%s\n", shellQuote(strings.TrimRight(r.PEM, "\n")+"\n"))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // regardless of umask
		f.Close()
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// shellQuote single-quotes s for POSIX shells (newlines survive inside single quotes).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ReadCredentials parses a file written by Register (the subset of shell quoting it writes).
func ReadCredentials(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	s := string(b)
	for len(s) > 0 {
		line, rest, _ := strings.Cut(s, "\n")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			s = rest
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.ContainsAny(k, " \n") {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		if n, err := strconv.ParseInt(strings.SplitN(v, "\n", 2)[0], 10, 64); err == nil {
			out[k] = strconv.FormatInt(n, 10)
			_, s, _ = strings.Cut(v, "\n")
			continue
		}
		if !strings.HasPrefix(v, "'") {
			return nil, fmt.Errorf("%s: %s is not quoted", path, k)
		}
		var val strings.Builder
		v = v[1:]
		for {
			i := strings.IndexByte(v, '\'')
			if i < 0 {
				return nil, fmt.Errorf("%s: unterminated quote in %s", path, k)
			}
			val.WriteString(v[:i])
			v = v[i+1:]
			if strings.HasPrefix(v, `\''`) {
				val.WriteByte('\'')
				v = v[3:]
				continue
			}
			break
		}
		out[k] = val.String()
		_, s, _ = strings.Cut(v, "\n")
	}
	return out, nil
}
