package githubsim

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

var shaRE = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

func (s *Server) routesGit() {
	s.handle("GET /repos/{owner}/{repo}", repoRead("metadata"), s.getRepo)
	s.handle("GET /repos/{owner}/{repo}/branches", repoRead("contents"), s.listBranches)
	s.handle("GET /repos/{owner}/{repo}/branches/{branch...}", repoRead("contents"), s.getBranch)
	s.handle("POST /repos/{owner}/{repo}/git/blobs", repoWrite("contents"), s.createBlob)
	s.handle("GET /repos/{owner}/{repo}/git/blobs/{sha}", repoRead("contents"), s.getBlob)
	s.handle("POST /repos/{owner}/{repo}/git/trees", repoWrite("contents"), s.createTree)
	s.handle("GET /repos/{owner}/{repo}/git/trees/{sha...}", repoRead("contents"), s.getTree)
	s.handle("POST /repos/{owner}/{repo}/git/commits", repoWrite("contents"), s.createCommit)
	s.handle("GET /repos/{owner}/{repo}/git/commits/{sha}", repoRead("contents"), s.getGitCommit)
	s.handle("GET /repos/{owner}/{repo}/git/ref/{ref...}", repoRead("contents"), s.getRef)
	s.handle("GET /repos/{owner}/{repo}/git/matching-refs/{ref...}", repoRead("contents"), s.matchingRefs)
	s.handle("POST /repos/{owner}/{repo}/git/refs", repoWrite("contents"), s.createRef)
	s.handle("PATCH /repos/{owner}/{repo}/git/refs/{ref...}", repoWrite("contents"), s.updateRef)
	s.handle("DELETE /repos/{owner}/{repo}/git/refs/{ref...}", repoWrite("contents"), s.deleteRef)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}", repoRead("contents"), s.getCommit)
	s.handle("GET /repos/{owner}/{repo}/commits", repoRead("contents"), s.listCommits)
	s.handle("GET /repos/{owner}/{repo}/contents", repoRead("contents"), s.getContents)
	s.handle("GET /repos/{owner}/{repo}/contents/{path...}", repoRead("contents"), s.getContents)
	s.handle("PUT /repos/{owner}/{repo}/contents/{path...}", repoWrite("contents"), s.putContents)
	s.handle("DELETE /repos/{owner}/{repo}/contents/{path...}", repoWrite("contents"), s.deleteContents)
	s.handle("GET /repos/{owner}/{repo}/compare/{basehead...}", repoRead("contents"), s.compare)
}

func (c *ctx) viewer() *account { return c.auth.user }

func (s *Server) getRepo(c *ctx) (any, error) {
	c.lastModified = c.repo.UpdatedAt
	return c.fullRepository(c.repo, c.viewer()), nil
}

// resolve turns a branch, tag, full ref or (abbreviated) sha into a commit sha.
func (r *repo) resolve(ref string) (string, bool) {
	ref = strings.TrimPrefix(ref, "/")
	for _, cand := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref, "refs/" + ref} {
		if sha, ok := r.refs[cand]; ok {
			return sha, true
		}
	}
	if len(ref) >= 7 && len(ref) <= 40 {
		if _, err := hex.DecodeString(ref + strings.Repeat("0", len(ref)%2)); err == nil {
			ref = strings.ToLower(ref)
			if _, ok := r.objects.commit(ref); ok {
				return ref, true
			}
			var found string
			for sha, o := range r.objects {
				if o.Type == "commit" && strings.HasPrefix(sha, ref) {
					found = sha
				}
			}
			if found != "" {
				return found, true
			}
		}
	}
	return "", false
}

func (v view) branchShort(r *repo, name, sha string) map[string]any {
	return map[string]any{"name": name, "commit": map[string]any{"sha": sha, "url": v.repoURL(r) + "/commits/" + sha}, "protected": r.protected[name]}
}

func (s *Server) listBranches(c *ctx) (any, error) {
	var out []any
	for _, ref := range sortedKeys(c.repo.refs) {
		if name, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
			out = append(out, c.branchShort(c.repo, name, c.repo.refs[ref]))
		}
	}
	return paginate(c, orEmpty(out)), nil
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

func (s *Server) getBranch(c *ctx) (any, error) {
	name := c.param("branch")
	sha, ok := c.repo.refs["refs/heads/"+name]
	if !ok {
		return nil, errf(404, "Branch not found")
	}
	u := c.repoURL(c.repo) + "/branches/" + name
	return map[string]any{
		"name": name, "commit": c.commitFull(c.repo, sha, false),
		"_links":    map[string]any{"self": u, "html": c.web + "/" + c.repo.fullName() + "/tree/" + name},
		"protected": c.repo.protected[name],
		"protection": map[string]any{"enabled": c.repo.protected[name], "required_status_checks": map[string]any{
			"enforcement_level": "off", "contexts": []string{}, "checks": []any{}}},
		"protection_url": u + "/protection",
	}, nil
}

// ---- blobs

func (s *Server) createBlob(c *ctx) (any, error) {
	var in struct {
		Content  *string `json:"content"`
		Encoding string  `json:"encoding"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Content == nil {
		return nil, validationFailed("Blob", "content", "missing_field")
	}
	data := []byte(*in.Content)
	switch in.Encoding {
	case "", "utf-8", "utf8":
	case "base64":
		d, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(*in.Content, "\n", ""))
		if err != nil {
			return nil, unprocessable("Invalid Base64 content")
		}
		data = d
	default:
		return nil, validationFailed("Blob", "encoding", "invalid")
	}
	sha := c.repo.objects.put("blob", data)
	c.status = 201
	return map[string]any{"url": c.repoURL(c.repo) + "/git/blobs/" + sha, "sha": sha}, nil
}

func wrap60(s string) string {
	var b strings.Builder
	for len(s) > 60 {
		b.WriteString(s[:60])
		b.WriteByte('\n')
		s = s[60:]
	}
	b.WriteString(s)
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *Server) getBlob(c *ctx) (any, error) {
	sha := strings.ToLower(c.param("sha"))
	d, ok := c.repo.objects.get(sha, "blob")
	if !ok {
		return nil, notFound()
	}
	return map[string]any{"sha": sha, "node_id": nodeID("Blob", int64(len(sha))), "size": len(d),
		"url": c.repoURL(c.repo) + "/git/blobs/" + sha, "content": wrap60(base64.StdEncoding.EncodeToString(d)), "encoding": "base64"}, nil
}

// ---- trees

func (v view) treeObj(r *repo, sha string, recursive bool) map[string]any {
	var entries []any
	var walk func(tsha, prefix string)
	walk = func(tsha, prefix string) {
		es, _ := r.objects.tree(tsha)
		sort.Slice(es, func(i, j int) bool { return gitSortKey(es[i]) < gitSortKey(es[j]) })
		for _, e := range es {
			m := map[string]any{"path": prefix + e.Name, "mode": e.Mode, "type": e.Type, "sha": e.SHA}
			switch e.Type {
			case "blob":
				d, _ := r.objects.get(e.SHA, "blob")
				m["size"] = len(d)
				m["url"] = v.repoURL(r) + "/git/blobs/" + e.SHA
			case "tree":
				m["url"] = v.repoURL(r) + "/git/trees/" + e.SHA
			}
			entries = append(entries, m)
			if e.Type == "tree" && recursive {
				walk(e.SHA, prefix+e.Name+"/")
			}
		}
	}
	walk(sha, "")
	return map[string]any{"sha": sha, "url": v.repoURL(r) + "/git/trees/" + sha, "tree": orEmpty(entries), "truncated": false}
}

func (s *Server) createTree(c *ctx) (any, error) {
	var in struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path    string  `json:"path"`
			Mode    string  `json:"mode"`
			Type    string  `json:"type"`
			SHA     *string `json:"sha"`
			Content *string `json:"content"`
		} `json:"tree"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tree == nil {
		return nil, validationFailed("Tree", "tree", "missing_field")
	}
	o := c.repo.objects
	flat := map[string]flatEntry{}
	if in.BaseTree != "" {
		if _, ok := o.tree(in.BaseTree); !ok {
			// GitHub also accepts a commit sha as base_tree
			if cm, ok := o.commit(in.BaseTree); ok {
				in.BaseTree = cm.Tree
			} else {
				return nil, unprocessable("base_tree is not a valid tree oid")
			}
		}
		flat = o.flatten(in.BaseTree)
	}
	for i, e := range in.Tree {
		p := strings.Trim(e.Path, "/")
		if p == "" || strings.Contains(p, "//") {
			return nil, unprocessable(fmt.Sprintf("tree.path %q is invalid", e.Path))
		}
		switch e.Mode {
		case "100644", "100755", "040000", "160000", "120000":
		default:
			return nil, unprocessable(fmt.Sprintf("tree.mode contains a malformed mode at index %d", i))
		}
		typ := e.Type
		if typ == "" {
			typ = map[string]string{"040000": "tree", "160000": "commit"}[e.Mode]
			if typ == "" {
				typ = "blob"
			}
		}
		// remove old content at p
		delete(flat, p)
		for k := range flat {
			if strings.HasPrefix(k, p+"/") {
				delete(flat, k)
			}
		}
		switch {
		case e.Content != nil:
			if typ != "blob" {
				return nil, unprocessable("tree.content can only be set for blobs")
			}
			flat[p] = flatEntry{Mode: e.Mode, Type: "blob", SHA: o.put("blob", []byte(*e.Content))}
		case e.SHA == nil:
			// deletion
		default:
			sha := strings.ToLower(*e.SHA)
			switch typ {
			case "blob":
				if _, ok := o.get(sha, "blob"); !ok {
					return nil, unprocessable(fmt.Sprintf("tree.sha %s is not a valid blob", sha))
				}
				flat[p] = flatEntry{Mode: e.Mode, Type: "blob", SHA: sha}
			case "tree":
				if _, ok := o.tree(sha); !ok {
					return nil, unprocessable(fmt.Sprintf("tree.sha %s is not a valid tree", sha))
				}
				for sub, fe := range o.flatten(sha) {
					flat[p+"/"+sub] = fe
				}
			case "commit":
				flat[p] = flatEntry{Mode: "160000", Type: "commit", SHA: sha}
			default:
				return nil, unprocessable("tree.type is invalid")
			}
		}
	}
	sha := o.writeFlat(flat)
	c.status = 201
	return c.treeObj(c.repo, sha, false), nil
}

func (s *Server) getTree(c *ctx) (any, error) {
	ref := c.param("sha")
	sha := strings.ToLower(ref)
	if _, ok := c.repo.objects.tree(sha); !ok {
		cs, ok := c.repo.resolve(ref)
		if !ok {
			return nil, notFound()
		}
		cm, _ := c.repo.objects.commit(cs)
		sha = cm.Tree
	}
	rec := c.query("recursive")
	return c.treeObj(c.repo, sha, rec != "" && rec != "0" && rec != "false"), nil
}

// ---- commits

func (v view) gitCommit(r *repo, sha string) map[string]any {
	cm, _ := r.objects.commit(sha)
	person := func(sg signature) map[string]any {
		return map[string]any{"name": sg.Name, "email": sg.Email, "date": ts(sg.When)}
	}
	parents := []any{}
	for _, p := range cm.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": v.repoURL(r) + "/git/commits/" + p,
			"html_url": v.web + "/" + r.fullName() + "/commit/" + p})
	}
	return map[string]any{
		"sha": sha, "node_id": nodeID("Commit", int64(len(sha))), "url": v.repoURL(r) + "/git/commits/" + sha,
		"html_url": v.web + "/" + r.fullName() + "/commit/" + sha,
		"author":   person(cm.Author), "committer": person(cm.Committer), "message": cm.Message,
		"tree":         map[string]any{"sha": cm.Tree, "url": v.repoURL(r) + "/git/trees/" + cm.Tree},
		"parents":      parents,
		"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	}
}

// commitFull renders the "commit" schema (repos/commits), optionally with files.
func (v view) commitFull(r *repo, sha string, withFiles bool) map[string]any {
	cm, _ := r.objects.commit(sha)
	g := v.gitCommit(r, sha)
	inner := map[string]any{"url": g["url"], "author": g["author"], "committer": g["committer"], "message": g["message"],
		"tree": g["tree"], "comment_count": 0, "verification": g["verification"]}
	parents := []any{}
	for _, p := range cm.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": v.repoURL(r) + "/commits/" + p,
			"html_url": v.web + "/" + r.fullName() + "/commit/" + p})
	}
	m := map[string]any{
		"url": v.repoURL(r) + "/commits/" + sha, "sha": sha, "node_id": g["node_id"], "html_url": g["html_url"],
		"comments_url": v.repoURL(r) + "/commits/" + sha + "/comments", "commit": inner,
		"author": v.user(v.s.userByEmail(cm.Author.Email)), "committer": v.user(v.s.userByEmail(cm.Committer.Email)),
		"parents": parents,
	}
	if withFiles {
		base := emptyTreeSHA
		if len(cm.Parents) > 0 {
			pc, _ := r.objects.commit(cm.Parents[0])
			base = pc.Tree
		}
		files, a, d := v.files(r, r.objects.diffTrees(base, cm.Tree), sha)
		m["files"] = files
		m["stats"] = map[string]any{"additions": a, "deletions": d, "total": a + d}
	}
	return m
}

func (s *Server) userByEmail(email string) *account {
	for _, a := range s.accounts {
		if a.Email != "" && strings.EqualFold(a.Email, email) {
			return a
		}
		if strings.EqualFold(a.Login+"@users.noreply.github.com", email) ||
			strings.EqualFold(fmt.Sprintf("%d+%s@users.noreply.github.com", a.ID, a.Login), email) {
			return a
		}
	}
	return nil
}

func (v view) files(r *repo, changes []fileChange, ref string) ([]any, int, int) {
	out := []any{}
	adds, dels := 0, 0
	for _, f := range changes {
		adds += f.Additions
		dels += f.Deletions
		m := map[string]any{
			"sha": f.SHA, "filename": f.Filename, "status": f.Status, "additions": f.Additions,
			"deletions": f.Deletions, "changes": f.Additions + f.Deletions,
			"blob_url":     v.web + "/" + r.fullName() + "/blob/" + ref + "/" + pathEscape(f.Filename),
			"raw_url":      v.web + "/" + r.fullName() + "/raw/" + ref + "/" + pathEscape(f.Filename),
			"contents_url": v.repoURL(r) + "/contents/" + pathEscape(f.Filename) + "?ref=" + ref,
		}
		if f.Patch != "" {
			m["patch"] = f.Patch
		}
		out = append(out, m)
	}
	return out, adds, dels
}

func (c *ctx) actorSignature() signature {
	u := c.auth.user
	now := c.s.clock()
	if u == nil {
		return signature{Name: "GitHub", Email: "noreply@github.com", When: now}
	}
	name := u.Name
	if name == "" {
		name = u.Login
	}
	email := u.Email
	if email == "" {
		email = fmt.Sprintf("%d+%s@users.noreply.github.com", u.ID, u.Login)
	}
	return signature{Name: name, Email: email, When: now}
}

type personIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

func (p *personIn) sig(def signature) signature {
	if p == nil || p.Name == "" {
		return def
	}
	sg := signature{Name: p.Name, Email: p.Email, When: def.When}
	if p.Date != "" {
		if t, err := time.Parse(time.RFC3339, p.Date); err == nil {
			sg.When = t
		}
	}
	return sg
}

func (s *Server) createCommit(c *ctx) (any, error) {
	var in struct {
		Message   *string   `json:"message"`
		Tree      string    `json:"tree"`
		Parents   []string  `json:"parents"`
		Author    *personIn `json:"author"`
		Committer *personIn `json:"committer"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Message == nil {
		return nil, validationFailed("Commit", "message", "missing_field")
	}
	if _, ok := c.repo.objects.tree(strings.ToLower(in.Tree)); !ok {
		return nil, unprocessable("Tree SHA does not exist")
	}
	for i, p := range in.Parents {
		in.Parents[i] = strings.ToLower(p)
		if _, ok := c.repo.objects.commit(in.Parents[i]); !ok {
			return nil, unprocessable("Parent SHA does not exist or is not a commit object")
		}
	}
	def := c.actorSignature()
	author := in.Author.sig(def)
	committer := in.Committer.sig(author)
	if in.Committer == nil {
		committer = def
		if in.Author != nil {
			committer = author
		}
	}
	sha := c.repo.objects.put("commit", encodeCommit(commitObj{Tree: strings.ToLower(in.Tree), Parents: in.Parents,
		Author: author, Committer: committer, Message: *in.Message}))
	c.status = 201
	return c.gitCommit(c.repo, sha), nil
}

func (s *Server) getGitCommit(c *ctx) (any, error) {
	sha := strings.ToLower(c.param("sha"))
	if _, ok := c.repo.objects.commit(sha); !ok {
		return nil, notFound()
	}
	return c.gitCommit(c.repo, sha), nil
}

func (s *Server) getCommit(c *ctx) (any, error) {
	sha, ok := c.repo.resolve(c.param("ref"))
	if !ok {
		return nil, errf(422, "No commit found for SHA: %s", c.param("ref"))
	}
	return c.commitFull(c.repo, sha, true), nil
}

func (s *Server) listCommits(c *ctx) (any, error) {
	ref := c.query("sha")
	if ref == "" {
		ref = c.repo.DefaultBranch
	}
	sha, ok := c.repo.resolve(ref)
	if !ok {
		if len(c.repo.refs) == 0 {
			return nil, errf(409, "Git Repository is empty.")
		}
		return nil, notFound()
	}
	path := strings.Trim(c.query("path"), "/")
	var out []any
	list := c.repo.objects.commitsBetween("", sha)
	for i := len(list) - 1; i >= 0; i-- {
		if path != "" {
			cm, _ := c.repo.objects.commit(list[i])
			cur, _ := c.repo.objects.lookupPath(cm.Tree, path)
			var prev treeEntry
			if len(cm.Parents) > 0 {
				pc, _ := c.repo.objects.commit(cm.Parents[0])
				prev, _ = c.repo.objects.lookupPath(pc.Tree, path)
			}
			if cur.SHA == prev.SHA {
				continue
			}
		}
		out = append(out, c.commitFull(c.repo, list[i], false))
	}
	return paginate(c, orEmpty(out)), nil
}

// ---- refs

func (v view) refObj(r *repo, ref, sha string) map[string]any {
	typ := "commit"
	if o, ok := r.objects[sha]; ok {
		typ = o.Type
	}
	return map[string]any{"ref": ref, "node_id": nodeID("Ref", int64(len(ref))), "url": v.repoURL(r) + "/git/" + pathEscape(ref),
		"object": map[string]any{"sha": sha, "type": typ, "url": v.repoURL(r) + "/git/" + typ + "s/" + sha}}
}

func (s *Server) getRef(c *ctx) (any, error) {
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	sha, ok := c.repo.refs[ref]
	if !ok {
		return nil, notFound()
	}
	return c.refObj(c.repo, ref, sha), nil
}

func (s *Server) matchingRefs(c *ctx) (any, error) {
	prefix := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	out := []any{}
	for _, ref := range sortedKeys(c.repo.refs) {
		if strings.HasPrefix(ref, prefix) {
			out = append(out, c.refObj(c.repo, ref, c.repo.refs[ref]))
		}
	}
	return out, nil
}

func (s *Server) createRef(c *ctx) (any, error) {
	var in struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.Ref, "refs/") || strings.Count(in.Ref, "/") < 2 {
		return nil, unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
	}
	if !validRefName(in.Ref) {
		return nil, unprocessable(in.Ref + " is not a valid ref name.")
	}
	sha := strings.ToLower(in.SHA)
	if !shaRE.MatchString(sha) {
		return nil, validationFailed("Reference", "sha", "invalid")
	}
	if _, ok := c.repo.objects[sha]; !ok {
		return nil, unprocessable("Object does not exist")
	}
	if _, ok := c.repo.refs[in.Ref]; ok {
		return nil, unprocessable("Reference already exists")
	}
	s.setRef(c.repo, in.Ref, sha, c.auth)
	c.status = 201
	return c.refObj(c.repo, in.Ref, sha), nil
}

func validRefName(ref string) bool {
	if strings.Contains(ref, "..") || strings.ContainsAny(ref, " ~^:?*[\\") || strings.HasSuffix(ref, "/") ||
		strings.HasSuffix(ref, ".lock") || strings.Contains(ref, "//") || strings.HasSuffix(ref, ".") || strings.Contains(ref, "@{") {
		return false
	}
	return true
}

func (s *Server) updateRef(c *ctx) (any, error) {
	var in struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	old, ok := c.repo.refs[ref]
	if !ok {
		return nil, unprocessable("Reference does not exist")
	}
	sha := strings.ToLower(in.SHA)
	if _, ok := c.repo.objects[sha]; !ok || !shaRE.MatchString(sha) {
		return nil, unprocessable("Object does not exist")
	}
	if err := protectedRef(c.repo, ref); err != nil {
		return nil, err
	}
	if !in.Force && !c.repo.objects.isAncestor(old, sha) {
		return nil, unprocessable("Update is not a fast forward")
	}
	s.setRef(c.repo, ref, sha, c.auth)
	return c.refObj(c.repo, ref, sha), nil
}

func (s *Server) deleteRef(c *ctx) (any, error) {
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	if _, ok := c.repo.refs[ref]; !ok {
		return nil, unprocessable("Reference does not exist")
	}
	if err := protectedRef(c.repo, ref); err != nil {
		return nil, err
	}
	s.setRef(c.repo, ref, "", c.auth)
	c.status = http.StatusNoContent
	return nil, nil
}

// ---- contents

func (v view) contentEntry(r *repo, ref, path string, e treeEntry, withContent bool) map[string]any {
	typ := map[string]string{"blob": "file", "tree": "dir", "commit": "submodule"}[e.Type]
	if e.Mode == "120000" {
		typ = "symlink"
	}
	name := path[strings.LastIndex(path, "/")+1:]
	u := v.repoURL(r) + "/contents/" + pathEscape(path) + "?ref=" + ref
	gitURL := v.repoURL(r) + "/git/" + e.Type + "s/" + e.SHA
	html := v.web + "/" + r.fullName() + "/" + map[bool]string{true: "tree", false: "blob"}[e.Type == "tree"] + "/" + ref + "/" + pathEscape(path)
	var download any
	size := 0
	if e.Type == "blob" {
		d, _ := r.objects.get(e.SHA, "blob")
		size = len(d)
		download = v.web + "/" + r.fullName() + "/raw/" + ref + "/" + pathEscape(path)
		if withContent {
			defer func() {}()
		}
	}
	m := map[string]any{"type": typ, "size": size, "name": name, "path": path, "sha": e.SHA, "url": u,
		"git_url": gitURL, "html_url": html, "download_url": download,
		"_links": map[string]any{"self": u, "git": gitURL, "html": html}}
	if withContent && e.Type == "blob" {
		d, _ := r.objects.get(e.SHA, "blob")
		m["content"] = wrap60(base64.StdEncoding.EncodeToString(d))
		m["encoding"] = "base64"
	}
	return m
}

func (s *Server) getContents(c *ctx) (any, error) {
	ref := c.query("ref")
	if ref == "" {
		ref = c.repo.DefaultBranch
	}
	sha, ok := c.repo.resolve(ref)
	if !ok {
		if len(c.repo.refs) == 0 {
			return nil, notFound()
		}
		return nil, errf(404, "No commit found for the ref %s", ref)
	}
	cm, _ := c.repo.objects.commit(sha)
	path := strings.Trim(c.param("path"), "/")
	e, ok := c.repo.objects.lookupPath(cm.Tree, path)
	if !ok {
		return nil, notFound()
	}
	if e.Type == "tree" {
		es, _ := c.repo.objects.tree(e.SHA)
		sort.Slice(es, func(i, j int) bool { return es[i].Name < es[j].Name })
		out := []any{}
		for _, ch := range es {
			p := ch.Name
			if path != "" {
				p = path + "/" + ch.Name
			}
			out = append(out, c.contentEntry(c.repo, ref, p, ch, false))
		}
		return out, nil
	}
	return c.contentEntry(c.repo, ref, path, e, true), nil
}

type contentsIn struct {
	Message   *string   `json:"message"`
	Content   *string   `json:"content"`
	SHA       string    `json:"sha"`
	Branch    string    `json:"branch"`
	Author    *personIn `json:"author"`
	Committer *personIn `json:"committer"`
}

// commitFile writes (or deletes, content nil) one path on a branch.
func (s *Server) commitFile(c *ctx, in contentsIn, path string, content []byte, del bool) (any, error) {
	branch := in.Branch
	if branch == "" {
		branch = c.repo.DefaultBranch
	}
	ref := "refs/heads/" + strings.TrimPrefix(branch, "refs/heads/")
	head, hasHead := c.repo.refs[ref]
	if !hasHead && (len(c.repo.refs) > 0 || branch != c.repo.DefaultBranch) {
		return nil, errf(404, "Branch %s not found", branch)
	}
	flat := map[string]flatEntry{}
	var parents []string
	if hasHead {
		cm, _ := c.repo.objects.commit(head)
		flat = c.repo.objects.flatten(cm.Tree)
		parents = []string{head}
	}
	old, exists := flat[path]
	if del {
		if !exists {
			return nil, notFound()
		}
		if in.SHA == "" {
			return nil, validationFailed("", "sha", "missing_field")
		}
		if in.SHA != old.SHA {
			return nil, errf(409, "%s does not match %s", path, in.SHA)
		}
		delete(flat, path)
	} else {
		if exists && in.SHA == "" {
			return nil, unprocessable(`Invalid request.` + "\n\n" + `"sha" wasn't supplied.`)
		}
		if exists && in.SHA != old.SHA {
			return nil, errf(409, "%s does not match %s", path, in.SHA)
		}
		for p := range flat {
			if strings.HasPrefix(p, path+"/") {
				return nil, unprocessable("path is a directory")
			}
		}
		flat[path] = flatEntry{Mode: "100644", Type: "blob", SHA: c.repo.objects.put("blob", content)}
	}
	tree := c.repo.objects.writeFlat(flat)
	def := c.actorSignature()
	author := in.Author.sig(def)
	committer := in.Committer.sig(def)
	sha := c.repo.objects.put("commit", encodeCommit(commitObj{Tree: tree, Parents: parents, Author: author, Committer: committer, Message: *in.Message}))
	s.setRef(c.repo, ref, sha, c.auth)
	var contentObj any
	if !del {
		e, _ := c.repo.objects.lookupPath(tree, path)
		m := c.contentEntry(c.repo, branch, path, e, false)
		contentObj = m
	}
	if !exists {
		c.status = 201
	} else {
		c.status = 200
	}
	return map[string]any{"content": contentObj, "commit": c.gitCommit(c.repo, sha)}, nil
}

func (s *Server) putContents(c *ctx) (any, error) {
	var in contentsIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Message == nil {
		return nil, unprocessable(`Invalid request.` + "\n\n" + `"message" wasn't supplied.`)
	}
	if in.Content == nil {
		return nil, unprocessable(`Invalid request.` + "\n\n" + `"content" wasn't supplied.`)
	}
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(*in.Content, "\n", ""))
	if err != nil {
		return nil, unprocessable("content is not valid Base64")
	}
	path := strings.Trim(c.param("path"), "/")
	if path == "" {
		return nil, notFound()
	}
	return s.commitFile(c, in, path, data, false)
}

func (s *Server) deleteContents(c *ctx) (any, error) {
	var in contentsIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Message == nil {
		return nil, unprocessable(`Invalid request.` + "\n\n" + `"message" wasn't supplied.`)
	}
	res, err := s.commitFile(c, in, strings.Trim(c.param("path"), "/"), nil, true)
	if err == nil {
		c.status = 200
	}
	return res, err
}

// ---- compare

func (s *Server) compare(c *ctx) (any, error) {
	bh := c.param("basehead")
	base, head, ok := strings.Cut(bh, "...")
	if !ok {
		base, head, ok = strings.Cut(bh, "..")
	}
	if !ok {
		return nil, notFound()
	}
	bs, ok1 := c.repo.resolve(base)
	hs, ok2 := c.repo.resolve(head)
	if !ok1 || !ok2 {
		return nil, notFound()
	}
	return c.comparison(c.repo, bs, hs, base, head), nil
}

func (v view) comparison(r *repo, bs, hs, base, head string) map[string]any {
	o := r.objects
	mb := o.mergeBase(bs, hs)
	ahead := o.commitsBetween(bs, hs)
	behind := o.commitsBetween(hs, bs)
	status := "identical"
	switch {
	case len(ahead) > 0 && len(behind) > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case len(behind) > 0:
		status = "behind"
	}
	baseTree := emptyTreeSHA
	if mb != "" {
		cm, _ := o.commit(mb)
		baseTree = cm.Tree
	}
	hc, _ := o.commit(hs)
	files, _, _ := v.files(r, o.diffTrees(baseTree, hc.Tree), hs)
	commits := []any{}
	for _, sha := range ahead {
		commits = append(commits, v.commitFull(r, sha, false))
	}
	var mbObj any = nil
	if mb != "" {
		mbObj = v.commitFull(r, mb, false)
	}
	spec := base + "..." + head
	return map[string]any{
		"url": v.repoURL(r) + "/compare/" + spec, "html_url": v.web + "/" + r.fullName() + "/compare/" + spec,
		"permalink_url": v.web + "/" + r.fullName() + "/compare/" + bs[:7] + "..." + hs[:7],
		"diff_url":      v.web + "/" + r.fullName() + "/compare/" + spec + ".diff",
		"patch_url":     v.web + "/" + r.fullName() + "/compare/" + spec + ".patch",
		"base_commit":   v.commitFull(r, bs, false), "merge_base_commit": mbObj, "status": status,
		"ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead), "commits": commits, "files": files,
	}
}
