package githubsim

import (
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func gitCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestGitObjectIDsMatchGit builds the same blobs, trees and commit through
// the API and with the real git, and compares object ids.
func TestGitObjectIDsMatchGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	e := newEnv(t)
	files := map[string]string{
		"README.md":                     "# services\n",
		"postmortems/2024-01-db.md":     "# DB outage\n\nImpact: none.\n",
		"postmortems/nested/deep/x.txt": "deep\n",
		"a-b.txt":                       "sorting: a-b before a/\n",
		"a/inner.txt":                   "inner\n",
		"binary.bin":                    "\x00\x01\x02\xff",
	}
	// API: blobs (one via base64) and one tree with nested paths
	var entries []*github.TreeEntry
	for p, c := range files {
		if p == "binary.bin" {
			b := must[*github.Blob](t)(e.inst.Git.CreateBlob(bg, "acme", "services", &github.Blob{
				Content: github.String(base64.StdEncoding.EncodeToString([]byte(c))), Encoding: github.String("base64")}))
			entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob"), SHA: b.SHA})
			continue
		}
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(c)})
	}
	tree := must[*github.Tree](t)(e.inst.Git.CreateTree(bg, "acme", "services", "", entries))
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cm := must[*github.Commit](t)(e.inst.Git.CreateCommit(bg, "acme", "services", &github.Commit{
		Message:   github.String("Add postmortem\n\nWith a body.\n"),
		Tree:      &github.Tree{SHA: tree.SHA},
		Author:    &github.CommitAuthor{Name: github.String("Alice"), Email: github.String("alice@example.com"), Date: &github.Timestamp{Time: when}},
		Committer: &github.CommitAuthor{Name: github.String("Alice"), Email: github.String("alice@example.com"), Date: &github.Timestamp{Time: when}},
	}, nil))

	// git
	dir := t.TempDir()
	gitCmd(t, dir, nil, "init", "-q")
	for p, c := range files {
		fp := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(fp), 0o755)
		os.WriteFile(fp, []byte(c), 0o644)
		if got, want := gitCmd(t, dir, nil, "hash-object", fp), (objectStore{}).put("blob", []byte(c)); got != want {
			t.Errorf("blob %s: git %s, sim %s", p, got, want)
		}
	}
	gitCmd(t, dir, nil, "add", "-A")
	wantTree := gitCmd(t, dir, nil, "write-tree")
	if tree.GetSHA() != wantTree {
		t.Fatalf("tree: sim %s, git %s", tree.GetSHA(), wantTree)
	}
	env := []string{"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_AUTHOR_DATE=2024-01-02T03:04:05Z",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z"}
	msgFile := filepath.Join(t.TempDir(), "msg")
	os.WriteFile(msgFile, []byte("Add postmortem\n\nWith a body.\n"), 0o644)
	wantCommit := gitCmd(t, dir, env, "commit-tree", wantTree, "-F", msgFile)
	if cm.GetSHA() != wantCommit {
		t.Fatalf("commit: sim %s, git %s", cm.GetSHA(), wantCommit)
	}
	// read back
	got := must[*github.Tree](t)(e.inst.Git.GetTree(bg, "acme", "services", tree.GetSHA(), true))
	n := 0
	for _, te := range got.Entries {
		if te.GetType() == "blob" {
			n++
		}
	}
	if n != len(files) {
		t.Fatalf("recursive tree has %d blobs, want %d", n, len(files))
	}
	blob := must[*github.Blob](t)(e.inst.Git.GetBlob(bg, "acme", "services", (objectStore{}).put("blob", []byte(files["binary.bin"]))))
	raw, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(blob.GetContent(), "\n", ""))
	if string(raw) != files["binary.bin"] {
		t.Fatalf("blob round trip = %q", raw)
	}
	// base_tree + deletion (sha null) + replacing a file
	tree2 := must[*github.Tree](t)(e.inst.Git.CreateTree(bg, "acme", "services", tree.GetSHA(), []*github.TreeEntry{
		{Path: github.String("postmortems/nested/deep/x.txt"), Mode: github.String("100644"), Type: github.String("blob")},
		{Path: github.String("README.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# changed\n")},
	}))
	os.RemoveAll(filepath.Join(dir, "postmortems/nested"))
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# changed\n"), 0o644)
	gitCmd(t, dir, nil, "add", "-A")
	if want := gitCmd(t, dir, nil, "write-tree"); tree2.GetSHA() != want {
		t.Fatalf("tree after delete: sim %s, git %s", tree2.GetSHA(), want)
	}
	// errors
	_, resp, err := e.inst.Git.CreateTree(bg, "acme", "services", "", []*github.TreeEntry{
		{Path: github.String("x"), Mode: github.String("100644"), Type: github.String("blob"), SHA: github.String(strings.Repeat("ab", 20))}})
	wantStatus(t, resp, err, 422)
	_, resp, err = e.inst.Git.CreateCommit(bg, "acme", "services", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(strings.Repeat("cd", 20))}}, nil)
	wantStatus(t, resp, err, 422)
}

func TestRefs(t *testing.T) {
	e := newEnv(t)
	main := must[*github.Reference](t)(e.inst.Git.GetRef(bg, "acme", "services", "heads/main"))
	sha := main.GetObject().GetSHA()
	// multi-segment ref names
	name := "refs/heads/postmortem/12-db-outage"
	must[*github.Reference](t)(e.inst.Git.CreateRef(bg, "acme", "services", &github.Reference{Ref: &name, Object: &github.GitObject{SHA: &sha}}))
	got := must[*github.Reference](t)(e.inst.Git.GetRef(bg, "acme", "services", "heads/postmortem/12-db-outage"))
	if got.GetRef() != name || got.GetObject().GetSHA() != sha {
		t.Fatalf("ref = %s %s", got.GetRef(), got.GetObject().GetSHA())
	}
	refs := must[[]*github.Reference](t)(e.inst.Git.ListMatchingRefs(bg, "acme", "services", &github.ReferenceListOptions{Ref: "heads/postmortem/"}))
	if len(refs) != 1 {
		t.Fatalf("matching refs = %d", len(refs))
	}
	// concurrent creation: exactly one winner, the others see GitHub's 422
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, resp, _ := e.inst.Git.CreateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/race"), Object: &github.GitObject{SHA: &sha}})
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[201] != 1 || codes[422] != 7 {
		t.Fatalf("concurrent create: %v", codes)
	}
	_, resp, err := e.inst.Git.CreateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/race"), Object: &github.GitObject{SHA: &sha}})
	wantStatus(t, resp, err, 422)
	if !strings.Contains(err.Error(), "Reference already exists") {
		t.Fatalf("err = %v", err)
	}
	// fast-forward rules
	alice := e.srv.As("alice")
	newSHA, err := alice.PushFiles(testRepo, "feature", map[string]string{"f.txt": "1\n"}, "f")
	if err != nil {
		t.Fatal(err)
	}
	must[*github.Reference](t)(e.inst.Git.UpdateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/race"), Object: &github.GitObject{SHA: &newSHA}}, false))
	_, resp, err = e.inst.Git.UpdateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/race"), Object: &github.GitObject{SHA: &sha}}, false)
	wantStatus(t, resp, err, 422)
	if !strings.Contains(err.Error(), "Update is not a fast forward") {
		t.Fatalf("err = %v", err)
	}
	must[*github.Reference](t)(e.inst.Git.UpdateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/race"), Object: &github.GitObject{SHA: &sha}}, true))
	resp, err = e.inst.Git.DeleteRef(bg, "acme", "services", "heads/race")
	wantStatus(t, resp, err, http.StatusNoContent)
	_, resp, err = e.inst.Git.GetRef(bg, "acme", "services", "heads/race")
	wantStatus(t, resp, err, 404)
	resp, err = e.inst.Git.DeleteRef(bg, "acme", "services", "heads/race")
	wantStatus(t, resp, err, 422)
	// a protected branch refuses writes through the refs API, as GitHub does
	e.srv.ProtectBranch(testRepo, "feature")
	_, resp, err = e.inst.Git.UpdateRef(bg, "acme", "services", &github.Reference{Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: &newSHA}}, false)
	wantStatus(t, resp, err, 422)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Message != "Protected branch update failed for refs/heads/feature." || !strings.Contains(er.DocumentationURL, "about-protected-branches") {
		t.Fatalf("protected update: %v", err)
	}
	if b, _, err := e.inst.Repositories.GetBranch(bg, "acme", "services", "feature", 1); err != nil || !b.GetProtected() {
		t.Fatalf("protected branch: %v, %v", b, err)
	}
	resp, err = e.inst.Git.DeleteRef(bg, "acme", "services", "heads/feature")
	wantStatus(t, resp, err, 422)
	e.srv.mu.Lock()
	delete(e.srv.repoLocked(testRepo).protected, "feature")
	e.srv.mu.Unlock()
	// branches and compare
	br := must[*github.Branch](t)(e.inst.Repositories.GetBranch(bg, "acme", "services", "postmortem/12-db-outage", 0))
	if br.GetCommit().GetSHA() != sha {
		t.Fatalf("branch sha = %s", br.GetCommit().GetSHA())
	}
	cmp := must[*github.CommitsComparison](t)(e.inst.Repositories.CompareCommits(bg, "acme", "services", "main", "feature", nil))
	if cmp.GetStatus() != "ahead" || cmp.GetAheadBy() != 1 || len(cmp.Files) != 1 || cmp.Files[0].GetStatus() != "added" {
		t.Fatalf("compare = %s ahead %d files %d", cmp.GetStatus(), cmp.GetAheadBy(), len(cmp.Files))
	}
}

func TestContents(t *testing.T) {
	e := newEnv(t)
	fc, _, _ := must2(t)(contentsGet(e.inst, "README.md", ""))
	text, _ := fc.GetContent()
	if text != "# services\n\nOur services\n" {
		t.Fatalf("README = %q", text)
	}
	opts := &github.RepositoryContentFileOptions{Message: github.String("add pm"), Content: []byte("# PM\n"), Branch: github.String("main")}
	res, resp, err := e.inst.Repositories.CreateFile(bg, "acme", "services", "docs/pm.md", opts)
	wantStatus(t, resp, err, 201)
	sha1 := res.Content.GetSHA()
	// update without sha → 422; stale sha → 409
	_, resp, err = e.inst.Repositories.CreateFile(bg, "acme", "services", "docs/pm.md", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("x")})
	wantStatus(t, resp, err, 422)
	_, resp, err = e.inst.Repositories.UpdateFile(bg, "acme", "services", "docs/pm.md", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("x"), SHA: github.String(strings.Repeat("0", 40))})
	wantStatus(t, resp, err, 409)
	res, resp, err = e.inst.Repositories.UpdateFile(bg, "acme", "services", "docs/pm.md", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("# PM v2\n"), SHA: &sha1})
	wantStatus(t, resp, err, 200)
	if got, _ := e.srv.FileAt(testRepo, "main", "docs/pm.md"); got != "# PM v2\n" {
		t.Fatalf("file = %q", got)
	}
	_, dir, _ := must2(t)(contentsGet(e.inst, "docs", ""))
	if len(dir) != 1 || dir[0].GetType() != "file" || dir[0].GetPath() != "docs/pm.md" {
		t.Fatalf("dir = %+v", dir)
	}
	_, _, resp, err = e.inst.Repositories.GetContents(bg, "acme", "services", "nope.md", nil)
	wantStatus(t, resp, err, 404)
	_, resp, err = e.inst.Repositories.DeleteFile(bg, "acme", "services", "docs/pm.md", &github.RepositoryContentFileOptions{Message: github.String("rm"), SHA: res.Content.SHA})
	wantStatus(t, resp, err, 200)
	if _, err := e.srv.FileAt(testRepo, "main", "docs/pm.md"); err == nil {
		t.Fatal("file still there")
	}
}

func contentsGet(c *github.Client, path, ref string) (*github.RepositoryContent, []*github.RepositoryContent, *github.Response, error) {
	return c.Repositories.GetContents(bg, "acme", "services", path, &github.RepositoryContentGetOptions{Ref: ref})
}

func must2(t *testing.T) func(*github.RepositoryContent, []*github.RepositoryContent, *github.Response, error) (*github.RepositoryContent, []*github.RepositoryContent, *github.Response) {
	return func(a *github.RepositoryContent, b []*github.RepositoryContent, r *github.Response, err error) (*github.RepositoryContent, []*github.RepositoryContent, *github.Response) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b, r
	}
}
