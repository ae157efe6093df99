package githubsim

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Git objects are stored with their real object ids: the SHA-1 of
// "<type> <len>\x00<content>", exactly as git computes them.

const emptyTreeSHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
const zeroSHA = "0000000000000000000000000000000000000000"

type gitObject struct {
	Type string // blob, tree, commit
	Data []byte
}

func hashObject(typ string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

type treeEntry struct {
	Mode string // 100644, 100755, 040000, 160000, 120000
	Type string // blob, tree, commit
	Name string
	SHA  string
}

func gitSortKey(e treeEntry) string {
	if e.Type == "tree" {
		return e.Name + "/"
	}
	return e.Name
}

func encodeTree(entries []treeEntry) []byte {
	es := append([]treeEntry(nil), entries...)
	sort.Slice(es, func(i, j int) bool { return gitSortKey(es[i]) < gitSortKey(es[j]) })
	var b bytes.Buffer
	for _, e := range es {
		mode := strings.TrimLeft(e.Mode, "0")
		raw, _ := hex.DecodeString(e.SHA)
		fmt.Fprintf(&b, "%s %s\x00", mode, e.Name)
		b.Write(raw)
	}
	return b.Bytes()
}

func decodeTree(data []byte) []treeEntry {
	var out []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < 0 || nul+21 > len(data) {
			break
		}
		mode := string(data[:sp])
		name := string(data[sp+1 : nul])
		sha := hex.EncodeToString(data[nul+1 : nul+21])
		data = data[nul+21:]
		typ := "blob"
		switch mode {
		case "40000":
			typ, mode = "tree", "040000"
		case "160000":
			typ = "commit"
		}
		out = append(out, treeEntry{Mode: mode, Type: typ, Name: name, SHA: sha})
	}
	return out
}

type signature struct {
	Name  string
	Email string
	When  time.Time
}

func (s signature) encode() string {
	_, off := s.When.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", s.Name, s.Email, s.When.Unix(), sign, off/3600, (off%3600)/60)
}

func parseSignature(line string) signature {
	lt := strings.IndexByte(line, '<')
	gt := strings.IndexByte(line, '>')
	if lt < 0 || gt < lt {
		return signature{Name: line}
	}
	s := signature{Name: strings.TrimSpace(line[:lt]), Email: line[lt+1 : gt]}
	f := strings.Fields(line[gt+1:])
	if len(f) == 2 {
		sec, _ := strconv.ParseInt(f[0], 10, 64)
		tz := f[1]
		off := 0
		if len(tz) == 5 {
			h, _ := strconv.Atoi(tz[1:3])
			m, _ := strconv.Atoi(tz[3:5])
			off = h*3600 + m*60
			if tz[0] == '-' {
				off = -off
			}
		}
		s.When = time.Unix(sec, 0).In(time.FixedZone("", off))
	}
	return s
}

type commitObj struct {
	Tree      string
	Parents   []string
	Author    signature
	Committer signature
	Message   string
}

func encodeCommit(c commitObj) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", c.Tree)
	for _, p := range c.Parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author %s\n", c.Author.encode())
	fmt.Fprintf(&b, "committer %s\n", c.Committer.encode())
	b.WriteString("\n")
	b.WriteString(c.Message)
	return b.Bytes()
}

func decodeCommit(data []byte) commitObj {
	var c commitObj
	head, msg, _ := bytes.Cut(data, []byte("\n\n"))
	c.Message = string(msg)
	for _, line := range strings.Split(string(head), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "tree":
			c.Tree = v
		case "parent":
			c.Parents = append(c.Parents, v)
		case "author":
			c.Author = parseSignature(v)
		case "committer":
			c.Committer = parseSignature(v)
		}
	}
	return c
}

// objectStore is a repository's object database.
type objectStore map[string]gitObject

func (o objectStore) put(typ string, data []byte) string {
	sha := hashObject(typ, data)
	if _, ok := o[sha]; !ok {
		o[sha] = gitObject{Type: typ, Data: data}
	}
	return sha
}

func (o objectStore) get(sha, typ string) ([]byte, bool) {
	obj, ok := o[strings.ToLower(sha)]
	if !ok || (typ != "" && obj.Type != typ) {
		return nil, false
	}
	return obj.Data, true
}

func (o objectStore) commit(sha string) (commitObj, bool) {
	d, ok := o.get(sha, "commit")
	if !ok {
		return commitObj{}, false
	}
	return decodeCommit(d), true
}

func (o objectStore) tree(sha string) ([]treeEntry, bool) {
	if sha == emptyTreeSHA {
		return nil, true
	}
	d, ok := o.get(sha, "tree")
	if !ok {
		return nil, false
	}
	return decodeTree(d), true
}

// flatEntry is a non-tree entry addressed by its full path.
type flatEntry struct {
	Mode, Type, SHA string
}

// flatten lists every non-tree entry under a tree by full path.
func (o objectStore) flatten(treeSHA string) map[string]flatEntry {
	out := map[string]flatEntry{}
	o.flattenInto(treeSHA, "", out)
	return out
}

func (o objectStore) flattenInto(treeSHA, prefix string, out map[string]flatEntry) {
	entries, _ := o.tree(treeSHA)
	for _, e := range entries {
		p := prefix + e.Name
		if e.Type == "tree" {
			o.flattenInto(e.SHA, p+"/", out)
			continue
		}
		out[p] = flatEntry{Mode: e.Mode, Type: e.Type, SHA: e.SHA}
	}
}

// writeFlat stores nested trees for a flat path map and returns the root tree id.
func (o objectStore) writeFlat(files map[string]flatEntry) string {
	type dir struct {
		files map[string]flatEntry
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]flatEntry{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, e := range files {
		parts := strings.Split(p, "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = e
	}
	var write func(d *dir) string
	write = func(d *dir) string {
		var es []treeEntry
		for name, e := range d.files {
			es = append(es, treeEntry{Mode: e.Mode, Type: e.Type, Name: name, SHA: e.SHA})
		}
		for name, sub := range d.dirs {
			es = append(es, treeEntry{Mode: "040000", Type: "tree", Name: name, SHA: write(sub)})
		}
		return o.put("tree", encodeTree(es))
	}
	return write(root)
}

// lookupPath finds the entry at path inside a tree ("" is the root tree itself).
func (o objectStore) lookupPath(treeSHA, path string) (treeEntry, bool) {
	path = strings.Trim(path, "/")
	if path == "" {
		return treeEntry{Mode: "040000", Type: "tree", SHA: treeSHA}, true
	}
	cur := treeEntry{Type: "tree", SHA: treeSHA}
	for _, part := range strings.Split(path, "/") {
		if cur.Type != "tree" {
			return treeEntry{}, false
		}
		entries, ok := o.tree(cur.SHA)
		if !ok {
			return treeEntry{}, false
		}
		found := false
		for _, e := range entries {
			if e.Name == part {
				cur, found = e, true
				break
			}
		}
		if !found {
			return treeEntry{}, false
		}
	}
	return cur, true
}

// isAncestor reports whether anc is reachable from sha (or equal to it).
func (o objectStore) isAncestor(anc, sha string) bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s == anc {
			return true
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		c, ok := o.commit(s)
		if ok {
			stack = append(stack, c.Parents...)
		}
	}
	return false
}

// ancestors returns the set of commits reachable from sha.
func (o objectStore) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		if c, ok := o.commit(s); ok {
			stack = append(stack, c.Parents...)
		}
	}
	return seen
}

// mergeBase returns the best common ancestor (first found walking head by date order).
func (o objectStore) mergeBase(a, b string) string {
	aa := o.ancestors(a)
	// BFS from b
	queue := []string{b}
	seen := map[string]bool{}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if aa[s] {
			return s
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		if c, ok := o.commit(s); ok {
			queue = append(queue, c.Parents...)
		}
	}
	return ""
}

// commitsBetween lists commits reachable from head but not from base, oldest first.
func (o objectStore) commitsBetween(base, head string) []string {
	excl := o.ancestors(base)
	var out []string
	seen := map[string]bool{}
	var walk func(s string)
	walk = func(s string) {
		if excl[s] || seen[s] {
			return
		}
		seen[s] = true
		c, ok := o.commit(s)
		if !ok {
			return
		}
		for _, p := range c.Parents {
			walk(p)
		}
		out = append(out, s)
	}
	if base == "" {
		excl = map[string]bool{}
	}
	walk(head)
	return out
}
