package githubsim

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
)

// The App's public page and its install page, the links `postmortem register` prints:
//
//	GET  /apps/{slug}                      the App: name, description, permissions, an Install link
//	                                       (to a browser, Accept: text/html; else the REST API's answer)
//	GET  /apps/{slug}/installations/new    choose an account: the signed-in user or an org it administers
//	POST /apps/{slug}/installations/new    form field "account": installs on all its repositories
//	                                       (installation.created is delivered) and says so
//
// The browser is signed in as the ManifestUserCookie user (default: the first seeded user).

func (s *Server) serveAppPages(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "apps" || (len(parts) != 2 && (len(parts) != 4 || parts[2] != "installations" || parts[3] != "new")) {
		return false
	}
	if len(parts) == 2 && !strings.Contains(r.Header.Get("Accept"), "text/html") {
		return false // GET /apps/{app_slug} of the REST API, served at the root too
	}
	s.mu.Lock()
	var a *app
	for _, x := range s.apps {
		if strings.EqualFold(x.Slug, parts[1]) {
			a = x
		}
	}
	var user *account
	if ck, err := r.Cookie(ManifestUserCookie); err == nil {
		user = s.accounts[strings.ToLower(ck.Value)]
	}
	if user == nil {
		user = s.firstUser()
	}
	// accounts the user may install on: itself and the orgs it administers
	var targets []string
	installed := map[string]int64{}
	if a != nil && user != nil {
		targets = append(targets, user.Login)
		var orgs []string
		for _, acct := range s.accounts {
			if acct.Type == "Organization" && acct.Members[strings.ToLower(user.Login)] == "admin" {
				orgs = append(orgs, acct.Login)
			}
		}
		sort.Strings(orgs)
		targets = append(targets, orgs...)
		for _, in := range s.insts {
			if in.App == a {
				installed[strings.ToLower(in.Account.Login)] = in.ID
			}
		}
	}
	var appName, appDesc string
	var appID int64
	var perms []string
	if a != nil {
		appName, appDesc, appID = a.Name, a.Description, a.ID
		for k, v := range a.Permissions {
			perms = append(perms, k+": "+v)
		}
		sort.Strings(perms)
	}
	s.mu.Unlock()

	if a == nil {
		webPage(w, http.StatusNotFound, "No GitHub App "+parts[1])
		return true
	}
	base := "/apps/" + html.EscapeString(parts[1])
	page := func(status int, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head><body><h1>%s</h1>\n%s</body></html>\n",
			html.EscapeString(appName), html.EscapeString(appName), body)
	}
	if len(parts) == 2 {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			webPage(w, http.StatusMethodNotAllowed, "GET only")
			return true
		}
		page(http.StatusOK, fmt.Sprintf("<p>%s</p>\n<p>Permissions: %s</p>\n<p><a href=\"%s/installations/new\">Install</a></p>\n",
			html.EscapeString(appDesc), html.EscapeString(strings.Join(perms, ", ")), base))
		return true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if user == nil {
			webPage(w, http.StatusUnauthorized, "Sign in to install a GitHub App (the simulator has no users).")
			return true
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<p>Install %s on (signed in as %s):</p>\n", html.EscapeString(appName), html.EscapeString(user.Login))
		for _, t := range targets {
			if id, ok := installed[strings.ToLower(t)]; ok {
				fmt.Fprintf(&b, "<p>%s: installed (installation %d)</p>\n", html.EscapeString(t), id)
				continue
			}
			fmt.Fprintf(&b, "<form method=\"post\" action=\"%s/installations/new\"><input type=\"hidden\" name=\"account\" value=\"%s\"><button type=\"submit\">Install on %s, all repositories</button></form>\n",
				base, html.EscapeString(t), html.EscapeString(t))
		}
		page(http.StatusOK, b.String())
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			webPage(w, http.StatusBadRequest, "Bad form: "+err.Error())
			return true
		}
		target := r.PostForm.Get("account")
		allowed := false
		for _, t := range targets {
			allowed = allowed || strings.EqualFold(t, target)
		}
		if !allowed {
			webPage(w, http.StatusForbidden, fmt.Sprintf("%s cannot install %s on %q", loginOf(user), appName, target))
			return true
		}
		if id, ok := installed[strings.ToLower(target)]; ok {
			webPage(w, http.StatusUnprocessableEntity, fmt.Sprintf("%s is already installed on %s (installation %d)", appName, target, id))
			return true
		}
		id, err := s.Install(appID, target)
		if err != nil {
			webPage(w, http.StatusUnprocessableEntity, err.Error())
			return true
		}
		page(http.StatusCreated, fmt.Sprintf("<p>Installed %s on %s, all repositories (installation %d).</p>\n",
			html.EscapeString(appName), html.EscapeString(target), id))
	default:
		webPage(w, http.StatusMethodNotAllowed, "GET or POST")
	}
	return true
}

func loginOf(a *account) string {
	if a == nil {
		return "nobody"
	}
	return a.Login
}
