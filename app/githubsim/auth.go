package githubsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

func (s *Server) authenticate(c *ctx) (*principal, *apiError) {
	h := c.r.Header.Get("Authorization")
	if h == "" {
		host, _, _ := net.SplitHostPort(c.r.RemoteAddr)
		return &principal{kind: "anonymous", key: "anon:" + host}, nil
	}
	scheme, raw, _ := strings.Cut(h, " ")
	raw = strings.TrimSpace(raw)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
	default:
		return nil, errf(401, "Bad credentials")
	}
	if strings.Count(raw, ".") == 2 && strings.HasPrefix(raw, "eyJ") {
		a, err := s.verifyJWT(raw)
		if err != nil {
			return nil, err
		}
		return &principal{kind: "app", app: a, user: a.Bot, key: fmt.Sprintf("app:%d", a.ID)}, nil
	}
	t := s.tokens[raw]
	if t == nil || (!t.ExpiresAt.IsZero() && !s.authClock().Before(t.ExpiresAt)) {
		return nil, errf(401, "Bad credentials")
	}
	p := &principal{kind: t.Kind, tok: t, user: t.User, key: "token:" + t.Value}
	if t.Inst != nil {
		p.app = t.Inst.App
		// installation tokens share the installation's budget, like GitHub
		p.key = fmt.Sprintf("installation:%d", t.Inst.ID)
	}
	return p, nil
}

// tokenKind is the kind of credential r carries, without checking it (for
// faults aimed at one kind): "app" for a JWT, the token's kind, or
// "anonymous".
func (s *Server) tokenKind(r *http.Request) string {
	_, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	switch {
	case !ok:
		return "anonymous"
	case strings.Count(raw, ".") == 2 && strings.HasPrefix(raw, "eyJ"):
		return "app"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[raw]; t != nil {
		return t.Kind
	}
	return "anonymous"
}

func (s *Server) verifyJWT(raw string) (*app, *apiError) {
	claims := jwt.MapClaims{}
	var found *app
	parser := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"RS256"}))
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		var id int64
		switch v := claims["iss"].(type) {
		case string:
			id, _ = strconv.ParseInt(v, 10, 64)
			if id == 0 { // client id
				for _, a := range s.apps {
					if "Iv1."+a.Slug == v {
						id = a.ID
					}
				}
			}
		case float64:
			id = int64(v)
		}
		found = s.apps[id]
		if found == nil {
			return nil, fmt.Errorf("integration not found")
		}
		return &found.Key.PublicKey, nil
	})
	if err != nil {
		if found == nil && claims["iss"] != nil {
			return nil, errf(401, "'Issuer' claim ('iss') must be an Integer")
		}
		return nil, errf(401, "A JSON web token could not be decoded")
	}
	now := s.authClock()
	num := func(k string) (time.Time, bool) {
		f, ok := claims[k].(float64)
		if !ok || f != math.Trunc(f) {
			return time.Time{}, false
		}
		return time.Unix(int64(f), 0), true
	}
	exp, ok := num("exp")
	if !ok || !exp.After(now) {
		return nil, errf(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	if exp.After(now.Add(10*time.Minute + time.Minute)) {
		return nil, errf(401, "'Expiration time' claim ('exp') is too far in the future")
	}
	iat, ok := num("iat")
	if !ok || iat.After(now.Add(time.Minute)) {
		return nil, errf(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
	}
	return found, nil
}

var errNotIntegration = errf(403, "Resource not accessible by integration")

func (s *Server) authorize(c *ctx, acc access) *apiError {
	p := c.auth
	switch acc.kind {
	case accPublic:
		return nil
	case accApp:
		if p.kind != "app" {
			if p.kind == "anonymous" {
				return errf(401, "Requires authentication")
			}
			return errf(401, "A JSON web token could not be decoded")
		}
		return nil
	case accInstallation:
		if p.kind != "installation" {
			if p.kind == "anonymous" {
				return errf(401, "Requires authentication")
			}
			return errf(403, "You must authenticate with an installation access token in order to list repositories for an installation.")
		}
		return nil
	case accAuthed:
		if p.kind == "anonymous" {
			return errf(401, "Requires authentication")
		}
		if p.kind == "app" {
			return errNotIntegration
		}
		return nil
	}
	// repository routes
	r := s.repos[strings.ToLower(c.param("owner")+"/"+c.param("repo"))]
	if r == nil {
		return notFound()
	}
	c.repo = r
	switch p.kind {
	case "app":
		return errf(401, "A JSON web token could not be decoded")
	case "anonymous":
		if r.Private {
			return notFound()
		}
		if acc.write {
			return errf(401, "Requires authentication")
		}
		return nil
	case "installation":
		if !s.tokenCoversRepo(p.tok, r) {
			if r.Private {
				return notFound()
			}
			if acc.write {
				return errNotIntegration
			}
			return nil
		}
		if acc.perm == "" || acc.perm == "metadata" {
			return nil
		}
		lvl := p.tok.Permissions[acc.perm]
		if lvl == "" || (acc.write && lvl != "write" && lvl != "admin") {
			return errNotIntegration
		}
		return nil
	default: // user
		if s.canPush(p.user, r) {
			return nil
		}
		if r.Private {
			return notFound()
		}
		if acc.write && acc.perm != "issues" && acc.perm != "pull_requests" {
			return errf(403, "Must have push access to repository")
		}
		return nil
	}
}

func (s *Server) tokenCoversRepo(t *token, r *repo) bool {
	in := t.Inst
	if in == nil || s.insts[in.ID] == nil {
		return false
	}
	if !s.instCoversRepo(in, r) {
		return false
	}
	return t.RepoIDs == nil || t.RepoIDs[r.ID]
}

func (s *Server) instCoversRepo(in *installation, r *repo) bool {
	if r.Owner != in.Account {
		return false
	}
	return in.Selection == "all" || in.RepoIDs[r.ID]
}

// canPush: owner, org member or collaborator.
func (s *Server) canPush(u *account, r *repo) bool {
	if u == nil {
		return false
	}
	if role, ok := r.Roles[strings.ToLower(u.Login)]; ok {
		return role == "write" || role == "maintain" || role == "admin"
	}
	if u == r.Owner || r.Collaborators[strings.ToLower(u.Login)] || u.SiteAdmin {
		return true
	}
	if r.Owner.Members != nil {
		_, ok := r.Owner.Members[strings.ToLower(u.Login)]
		return ok
	}
	return false
}

// assignable: users with push access (GitHub: collaborators and org members).
func (s *Server) assignable(u *account, r *repo) bool {
	return u != nil && u.Type == "User" && s.canPush(u, r)
}

func (s *Server) mintToken(in *installation, perms map[string]string, repoIDs map[int64]bool) *token {
	s.tokSeq++
	sum := sha256.Sum256([]byte(fmt.Sprintf("ghs:%d:%d", in.ID, s.tokSeq)))
	t := &token{Value: "ghs_" + hex.EncodeToString(sum[:])[:36], Kind: "installation", User: in.App.Bot, Inst: in,
		Permissions: perms, RepoIDs: repoIDs, ExpiresAt: s.authClock().Add(time.Hour)}
	s.tokens[t.Value] = t
	return t
}

// UserToken returns a token acting as login, creating one if the seed had none.
func (s *Server) UserToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.accounts[strings.ToLower(login)]
	if u == nil {
		return ""
	}
	for _, k := range sortedKeys(s.tokens) {
		if t := s.tokens[k]; t.Kind == "user" && t.User == u {
			return k
		}
	}
	sum := sha256.Sum256([]byte("ghp:" + u.Login))
	v := "ghp_" + hex.EncodeToString(sum[:])[:36]
	s.tokens[v] = &token{Value: v, Kind: "user", User: u, Scopes: []string{"repo"}}
	return v
}

// InstallationToken mints an installation token directly (tests that don't
// exercise the JWT exchange).
func (s *Server) InstallationToken(installationID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.insts[installationID]
	if in == nil {
		return ""
	}
	return s.mintToken(in, in.Permissions, nil).Value
}
