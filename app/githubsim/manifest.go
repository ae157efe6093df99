package githubsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// GitHub's App manifest flow, the part a simulator can play:
//
//	POST /settings/apps/new?state=S                    (a person's browser posts form field "manifest")
//	POST /organizations/{org}/settings/apps/new?state=S
//	  → 302 to the manifest's redirect_url?code=C&state=S (GitHub would first show a confirmation page)
//	POST /app-manifests/{code}/conversions             (REST, no authentication; code valid once, for an hour)
//	  → 201 the new App with id, slug, pem, webhook_secret, client_id, client_secret
//
// The web pages are served next to the API at the root of the simulator, as
// on GitHub Enterprise Server (web at https://HOST/, API at https://HOST/api/v3/).

// manifest is the subset of GitHub's App manifest the simulator reads.
type manifest struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	Description    string `json:"description"`
	HookAttributes struct {
		URL    string `json:"url"`
		Active *bool  `json:"active"`
	} `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url"`
	CallbackURLs       []string          `json:"callback_urls"`
	SetupURL           string            `json:"setup_url"`
	Public             bool              `json:"public"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	DefaultEvents      []string          `json:"default_events"`
}

type pendingManifest struct {
	m       manifest
	owner   *account
	expires time.Time
}

// ManifestUserCookie names the cookie that says which user the "browser" is
// signed in as on the simulated web pages (default: the first seeded user).
const ManifestUserCookie = "githubsim_user"

// serveWeb answers the few HTML pages of the simulator; false means "not a
// web page", so the request goes on to the REST API.
func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request) bool {
	p := strings.Trim(r.URL.Path, "/")
	var org string
	switch {
	case p == "settings/apps/new":
	case strings.HasPrefix(p, "organizations/") && strings.HasSuffix(p, "/settings/apps/new"):
		org = strings.TrimSuffix(strings.TrimPrefix(p, "organizations/"), "/settings/apps/new")
		if org == "" || strings.Contains(org, "/") {
			return false
		}
	default:
		return s.serveAppPages(w, r) // installpage.go
	}
	if r.Method != http.MethodPost {
		webPage(w, http.StatusMethodNotAllowed, "Register a GitHub App by posting a manifest to this page.")
		return true
	}
	if err := r.ParseForm(); err != nil {
		webPage(w, http.StatusBadRequest, "Bad form: "+err.Error())
		return true
	}
	state := r.Form.Get("state") // query or body, like GitHub
	var m manifest
	if err := json.Unmarshal([]byte(r.PostForm.Get("manifest")), &m); err != nil {
		webPage(w, http.StatusUnprocessableEntity, "Invalid GitHub App configuration: the manifest is not JSON: "+err.Error())
		return true
	}
	if problem := validateManifest(&m); problem != "" {
		webPage(w, http.StatusUnprocessableEntity, "Invalid GitHub App configuration: "+problem)
		return true
	}

	s.mu.Lock()
	var owner *account
	if org != "" {
		owner = s.accounts[strings.ToLower(org)]
		if owner == nil || owner.Type != "Organization" {
			s.mu.Unlock()
			webPage(w, http.StatusNotFound, "No such organization: "+org)
			return true
		}
	} else {
		if ck, err := r.Cookie(ManifestUserCookie); err == nil {
			owner = s.accounts[strings.ToLower(ck.Value)]
		}
		if owner == nil {
			owner = s.firstUser()
		}
		if owner == nil {
			s.mu.Unlock()
			webPage(w, http.StatusUnauthorized, "Sign in to register a GitHub App (the simulator has no users).")
			return true
		}
	}
	code := randomHex(10)
	if s.manifests == nil {
		s.manifests = map[string]*pendingManifest{}
	}
	s.manifests[code] = &pendingManifest{m: m, owner: owner, expires: s.clock().Add(time.Hour)}
	s.mu.Unlock()

	u, _ := url.Parse(m.RedirectURL)
	q := u.Query()
	q.Set("code", code)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	s.log.Debug("githubsim: app manifest accepted", "name", m.Name, "owner", owner.Login)
	http.Redirect(w, r, u.String(), http.StatusFound)
	return true
}

var appNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,33}$`)

func validateManifest(m *manifest) string {
	if m.Name == "" || !appNameRE.MatchString(m.Name) {
		return fmt.Sprintf("name %q is not a valid App name (at most 34 letters, digits, spaces, '.', '_' or '-')", m.Name)
	}
	if m.URL == "" {
		return "url is required"
	}
	if m.RedirectURL == "" {
		return "redirect_url is required by the manifest flow"
	}
	if u, err := url.Parse(m.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("redirect_url %q is not an http(s) URL", m.RedirectURL)
	}
	active := m.HookAttributes.Active == nil || *m.HookAttributes.Active
	if active && m.HookAttributes.URL == "" && len(m.DefaultEvents) > 0 {
		return "hook_attributes.url is required to subscribe to events"
	}
	for k, v := range m.DefaultPermissions {
		if v != "read" && v != "write" && v != "admin" {
			return fmt.Sprintf("default_permissions.%s: %q is not read, write or admin", k, v)
		}
	}
	return ""
}

func (s *Server) firstUser() *account {
	var best *account
	for _, a := range s.accounts {
		if a.Type == "User" && (best == nil || a.ID < best.ID) {
			best = a
		}
	}
	return best
}

func (s *Server) routesManifest() {
	s.handle("POST /app-manifests/{code}/conversions", access{kind: accPublic}, s.manifestConversion)
}

func (s *Server) manifestConversion(c *ctx) (any, error) {
	code := c.param("code")
	pm := s.manifests[code]
	if pm == nil || !s.clock().Before(pm.expires) {
		delete(s.manifests, code)
		return nil, notFound()
	}
	delete(s.manifests, code) // a code converts once
	m := pm.m
	slug := slugify(m.Name)
	for _, a := range s.apps {
		if a.Slug == slug {
			// validation-error-simple: errors are plain strings here
			return nil, errf(422, "Validation Failed: Name is already in use")
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	a := &app{ID: s.newID(), Slug: slug, Name: m.Name, Description: m.Description, Owner: pm.owner,
		Permissions: map[string]string{"metadata": "read"}, Events: append([]string{}, m.DefaultEvents...),
		CreatedAt: s.clock(), HookID: s.newID(), Key: key,
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})}
	for k, v := range m.DefaultPermissions {
		a.Permissions[k] = v
	}
	if m.HookAttributes.Active == nil || *m.HookAttributes.Active {
		a.WebhookURL = m.HookAttributes.URL
	}
	a.WebhookSecret = randomHex(20) // GitHub generates the secret; a manifest cannot set it
	a.Bot = s.addAccount(&account{Login: slug + "[bot]", Type: "Bot", CreatedAt: s.clock()})
	s.apps[a.ID] = a

	out := c.appObj(a).(map[string]any)
	out["client_id"] = "Iv1." + a.Slug
	out["client_secret"] = randomHex(20)
	out["webhook_secret"] = a.WebhookSecret
	out["pem"] = string(a.KeyPEM)
	c.status = http.StatusCreated
	return out, nil
}

func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func webPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>githubsim</title><p>%s</p>\n", html.EscapeString(msg))
}

// AppInfo is what the simulator knows about a GitHub App.
type AppInfo struct {
	ID            int64
	Slug, Name    string
	Owner         string
	Permissions   map[string]string
	Events        []string
	WebhookURL    string
	WebhookSecret string
	PrivateKeyPEM []byte
}

// Apps lists every App the simulator knows (seeded or registered), by id.
func (s *Server) Apps() []AppInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AppInfo
	for _, a := range s.apps {
		ai := AppInfo{ID: a.ID, Slug: a.Slug, Name: a.Name, Permissions: map[string]string{}, Events: append([]string(nil), a.Events...),
			WebhookURL: a.WebhookURL, WebhookSecret: a.WebhookSecret, PrivateKeyPEM: append([]byte(nil), a.KeyPEM...)}
		if a.Owner != nil {
			ai.Owner = a.Owner.Login
		}
		for k, v := range a.Permissions {
			ai.Permissions[k] = v
		}
		out = append(out, ai)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
