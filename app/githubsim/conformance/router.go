package conformance

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Router maps request paths to the path templates of an OpenAPI
// description. Unlike kin-openapi's gorillamux router it honours GitHub's
// `x-multi-segment: true` path parameters (contents/{path}, git/ref/{ref},
// compare/{basehead}, branches/{branch}, …), whose values may contain "/".
//
// Matching rules, in order: a match with more literal segments wins; then
// one with more partly-literal segments (such as "{base}...{head}"); then
// one with fewer multi-segment parameters; then the one whose first
// differing segment is the more specific (literal < pattern < parameter <
// multi-segment parameter). A multi-segment parameter takes one or more
// whole path segments.
type Router struct {
	root *node
}

type segKind int

const (
	kindLiteral segKind = iota
	kindPattern
	kindParam
	kindMulti
)

type node struct {
	literal  map[string]*node
	patterns []*patternEdge
	params   []*paramEdge
	template string // non-empty on a terminal node
}

type paramEdge struct {
	name  string
	multi bool
	next  *node
}

type patternEdge struct {
	raw   string
	re    *regexp.Regexp
	names []string
	next  *node
}

var paramRe = regexp.MustCompile(`\{([^{}]+)\}`)

// routeTemplate is a path template with its multi-segment parameters.
type routeTemplate struct {
	Template     string
	MultiSegment map[string]bool
}

// NewRouter indexes path templates.
func NewRouter(templates []routeTemplate) (*Router, error) {
	r := &Router{root: &node{}}
	for _, t := range templates {
		n := r.root
		for _, seg := range splitPath(t.Template) {
			n = n.child(seg, t.MultiSegment)
		}
		if n.template != "" {
			return nil, fmt.Errorf("conformance: paths %q and %q collide", n.template, t.Template)
		}
		n.template = t.Template
	}
	return r, nil
}

func (n *node) child(seg string, multi map[string]bool) *node {
	switch {
	case !strings.Contains(seg, "{"):
		if n.literal == nil {
			n.literal = map[string]*node{}
		}
		c := n.literal[seg]
		if c == nil {
			c = &node{}
			n.literal[seg] = c
		}
		return c
	case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Count(seg, "{") == 1:
		name := seg[1 : len(seg)-1]
		for _, e := range n.params {
			if e.name == name && e.multi == multi[name] {
				return e.next
			}
		}
		e := &paramEdge{name: name, multi: multi[name], next: &node{}}
		n.params = append(n.params, e)
		return e.next
	default:
		for _, e := range n.patterns {
			if e.raw == seg {
				return e.next
			}
		}
		var names []string
		expr := "^"
		last := 0
		for _, loc := range paramRe.FindAllStringSubmatchIndex(seg, -1) {
			expr += regexp.QuoteMeta(seg[last:loc[0]]) + "(.+?)"
			names = append(names, seg[loc[2]:loc[3]])
			last = loc[1]
		}
		expr += regexp.QuoteMeta(seg[last:]) + "$"
		e := &patternEdge{raw: seg, re: regexp.MustCompile(expr), names: names, next: &node{}}
		n.patterns = append(n.patterns, e)
		return e.next
	}
}

// splitPath splits a path (template or escaped request path) into segments,
// ignoring the leading slash and one trailing slash.
func splitPath(p string) []string {
	p = strings.TrimPrefix(trimSlash(p), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match is the result of routing a path.
type Match struct {
	Template string            // path template, e.g. /repos/{owner}/{repo}/contents/{path}
	Params   map[string]string // unescaped path parameter values
}

type candidate struct {
	n      *node
	kinds  []segKind
	params map[string]string
}

// Match finds the path template for an escaped request path (as returned by
// url.URL.EscapedPath). It reports false when no template matches.
func (r *Router) Match(escapedPath string) (Match, bool) {
	segs := splitPath(escapedPath)
	var best *candidate
	var walk func(n *node, i int, kinds []segKind, params map[string]string)
	consider := func(n *node, kinds []segKind, params map[string]string) {
		c := &candidate{n: n, kinds: append([]segKind(nil), kinds...), params: copyMap(params)}
		if best == nil || better(c.kinds, best.kinds) {
			best = c
		}
	}
	walk = func(n *node, i int, kinds []segKind, params map[string]string) {
		if i == len(segs) {
			if n.template != "" {
				consider(n, kinds, params)
			}
			return
		}
		seg := segs[i]
		if c := n.literal[seg]; c != nil {
			walk(c, i+1, append(kinds, kindLiteral), params)
		}
		for _, e := range n.patterns {
			m := e.re.FindStringSubmatch(seg)
			if m == nil {
				continue
			}
			for j, name := range e.names {
				params[name] = unescape(m[j+1])
			}
			walk(e.next, i+1, append(kinds, kindPattern), params)
			for _, name := range e.names {
				delete(params, name)
			}
		}
		for _, e := range n.params {
			if seg == "" {
				continue
			}
			if !e.multi {
				params[e.name] = unescape(seg)
				walk(e.next, i+1, append(kinds, kindParam), params)
				delete(params, e.name)
				continue
			}
			for j := i + 1; j <= len(segs); j++ {
				parts := make([]string, j-i)
				for k := range parts {
					parts[k] = unescape(segs[i+k])
				}
				params[e.name] = strings.Join(parts, "/")
				walk(e.next, j, append(kinds, kindMulti), params)
				delete(params, e.name)
			}
		}
	}
	walk(r.root, 0, nil, map[string]string{})
	if best == nil {
		return Match{}, false
	}
	return Match{Template: best.n.template, Params: best.params}, true
}

func better(a, b []segKind) bool {
	count := func(ks []segKind, k segKind) int {
		c := 0
		for _, x := range ks {
			if x == k {
				c++
			}
		}
		return c
	}
	if x, y := count(a, kindLiteral), count(b, kindLiteral); x != y {
		return x > y
	}
	if x, y := count(a, kindPattern), count(b, kindPattern); x != y {
		return x > y
	}
	if x, y := count(a, kindMulti), count(b, kindMulti); x != y {
		return x < y
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Templates lists every path template known to the router, sorted.
func (r *Router) Templates() []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n.template != "" {
			out = append(out, n.template)
		}
		for _, c := range n.literal {
			walk(c)
		}
		for _, e := range n.patterns {
			walk(e.next)
		}
		for _, e := range n.params {
			walk(e.next)
		}
	}
	walk(r.root)
	sort.Strings(out)
	return out
}
