package githubsim

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// GET /search/issues: issues and pull requests across repositories, as
// GitHub's issue search answers them, for the qualifiers the App (and the
// tests) use:
//
//	is:issue, is:pr (is:pull-request), type:issue|pr
//	is:open, is:closed, state:open|closed, is:merged, is:unmerged
//	label:NAME (label:"two words"; several label: qualifiers: all of them)
//	org:LOGIN, user:LOGIN, repo:OWNER/NAME (several: any of them)
//	head:BRANCH, base:BRANCH (head: matches branch names beginning with it, as GitHub's does)
//	created: and updated: with >, >=, <, <=, or A..B, dates (2026-01-02) or
//	date-times (2026-01-02T15:04:05Z)
//	archived:false (the simulator has no archived repositories)
//	free words: in the title or body
//
// A qualifier the simulator does not know is a 422 (GitHub would read it as
// text; a test should learn it is not simulated). Results: the repositories
// the caller can see (public ones, and private ones its token or user
// reaches); sort=created|updated|comments with order, default newest
// first; per_page up to 100; only the first 1 000 results are reachable (a
// page past them is a 422), total_count counts them all.
//
// Search has its own rate limit (resource "search"): 30 requests a minute
// per authenticated caller, apart from the hourly core budget (server.go).

// SearchPerMinute is the search rate limit of an authenticated caller.
const SearchPerMinute = 30

// maxSearchResults is how many results of a search GitHub serves.
const maxSearchResults = 1000

func (s *Server) routesSearch() {
	s.handle("GET /search/issues", access{kind: accAuthed, resource: "search"}, s.searchIssues)
}

type searchQuery struct {
	kind    string // "", "issue", "pr"
	states  []string
	merged  *bool
	labels  []string
	owners  []string // org: / user:
	repos   []string // repo:
	heads   []string
	bases   []string
	created []timeRange
	updated []timeRange
	words   []string
	none    bool // archived:true
}

type timeRange struct {
	from, to       time.Time // zero: open
	fromInc, toInc bool
}

func (tr timeRange) has(t time.Time) bool {
	if !tr.from.IsZero() && (t.Before(tr.from) || (!tr.fromInc && t.Equal(tr.from))) {
		return false
	}
	if !tr.to.IsZero() && (t.After(tr.to) || (!tr.toInc && t.Equal(tr.to))) {
		return false
	}
	return true
}

// searchTerms splits q on spaces outside double quotes.
func searchTerms(q string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case unicode.IsSpace(r) && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
			continue
		}
		if r != '"' {
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// parseSearchTime reads a date or a date-time; a date's end is the end of
// its day (for <= and the end of a range).
func parseSearchTime(v string, end bool) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		if end {
			return t.Add(24*time.Hour - time.Second), true
		}
		return t, true
	}
	return time.Time{}, false
}

func parseTimeRange(v string) (timeRange, bool) {
	var tr timeRange
	var ok bool
	switch {
	case strings.HasPrefix(v, ">="):
		tr.from, ok = parseSearchTime(v[2:], false)
		tr.fromInc = true
	case strings.HasPrefix(v, ">"):
		tr.from, ok = parseSearchTime(v[1:], true)
	case strings.HasPrefix(v, "<="):
		tr.to, ok = parseSearchTime(v[2:], true)
		tr.toInc = true
	case strings.HasPrefix(v, "<"):
		tr.to, ok = parseSearchTime(v[1:], false)
	case strings.Contains(v, ".."):
		a, b, _ := strings.Cut(v, "..")
		var ok2 bool
		tr.from, ok = parseSearchTime(a, false)
		tr.to, ok2 = parseSearchTime(b, true)
		tr.fromInc, tr.toInc = true, true
		ok = ok && ok2
	default:
		tr.from, ok = parseSearchTime(v, false)
		tr.to, _ = parseSearchTime(v, true)
		tr.fromInc, tr.toInc = true, true
	}
	return tr, ok
}

func parseSearchQuery(q string) (*searchQuery, *apiError) {
	sq := &searchQuery{}
	bad := func(term string) *apiError {
		return validationFailed("Search", "q", "invalid").withMessage("githubsim: the qualifier in " + strconv.Quote(term) + " is not simulated")
	}
	for _, term := range searchTerms(q) {
		k, v, ok := strings.Cut(term, ":")
		if !ok || v == "" {
			sq.words = append(sq.words, strings.ToLower(term))
			continue
		}
		switch strings.ToLower(k) {
		case "is", "type", "state":
			switch strings.ToLower(v) {
			case "issue":
				sq.kind = "issue"
			case "pr", "pull-request":
				sq.kind = "pr"
			case "open", "closed":
				sq.states = append(sq.states, strings.ToLower(v))
			case "merged", "unmerged":
				m := strings.EqualFold(v, "merged")
				sq.merged = &m
				sq.kind = "pr"
			default:
				return nil, bad(term)
			}
		case "archived": // the simulator has no archived repositories
			switch strings.ToLower(v) {
			case "false":
			case "true":
				sq.none = true
			default:
				return nil, bad(term)
			}
		case "label":
			sq.labels = append(sq.labels, v)
		case "org", "user":
			sq.owners = append(sq.owners, strings.ToLower(v))
		case "repo":
			sq.repos = append(sq.repos, strings.ToLower(v))
		case "head":
			sq.heads = append(sq.heads, strings.ToLower(v))
			sq.kind = "pr"
		case "base":
			sq.bases = append(sq.bases, strings.ToLower(v))
			sq.kind = "pr"
		case "created", "updated":
			tr, ok := parseTimeRange(v)
			if !ok {
				return nil, bad(term)
			}
			if strings.EqualFold(k, "created") {
				sq.created = append(sq.created, tr)
			} else {
				sq.updated = append(sq.updated, tr)
			}
		default:
			return nil, bad(term)
		}
	}
	return sq, nil
}

func (e *apiError) withMessage(m string) *apiError { e.Message = m; return e }

func (sq *searchQuery) repoMatches(r *repo) bool {
	if len(sq.owners) == 0 && len(sq.repos) == 0 {
		return true
	}
	for _, o := range sq.owners {
		if strings.ToLower(r.Owner.Login) == o {
			return true
		}
	}
	for _, n := range sq.repos {
		if strings.ToLower(r.fullName()) == n {
			return true
		}
	}
	return false
}

func (sq *searchQuery) matches(r *repo, is *issue) bool {
	if sq.none {
		return false
	}
	switch sq.kind {
	case "issue":
		if is.PR != nil {
			return false
		}
	case "pr":
		if is.PR == nil {
			return false
		}
	}
	for _, st := range sq.states {
		if is.State != st {
			return false
		}
	}
	if sq.merged != nil && (is.PR == nil || is.PR.Merged != *sq.merged) {
		return false
	}
	for _, name := range sq.labels {
		if l := r.findLabel(name); l == nil || !hasLabel(is, l) {
			return false
		}
	}
	if len(sq.heads) > 0 {
		ok := false
		for _, h := range sq.heads {
			ok = ok || strings.HasPrefix(strings.ToLower(is.PR.Head), h)
		}
		if !ok {
			return false
		}
	}
	for _, b := range sq.bases {
		if strings.ToLower(is.PR.Base) != b {
			return false
		}
	}
	for _, tr := range sq.created {
		if !tr.has(is.CreatedAt) {
			return false
		}
	}
	for _, tr := range sq.updated {
		if !tr.has(is.UpdatedAt) {
			return false
		}
	}
	if len(sq.words) > 0 {
		text := strings.ToLower(is.Title + " " + derefStr(is.Body))
		for _, w := range sq.words {
			if !strings.Contains(text, w) {
				return false
			}
		}
	}
	return true
}

// canSee: a public repository, or a private one the caller's token or user
// reaches.
func (s *Server) canSee(c *ctx, r *repo) bool {
	if !r.Private {
		return true
	}
	if c.auth.tok != nil && c.auth.tok.Inst != nil {
		return s.tokenCoversRepo(c.auth.tok, r)
	}
	return s.canPush(c.auth.user, r)
}

func (s *Server) searchIssues(c *ctx) (any, error) {
	q := strings.TrimSpace(c.query("q"))
	if q == "" {
		return nil, validationFailed("Search", "q", "missing")
	}
	sq, aerr := parseSearchQuery(q)
	if aerr != nil {
		return nil, aerr
	}
	type hit struct {
		r  *repo
		is *issue
	}
	var hits []hit
	for _, k := range sortedKeys(s.repos) {
		r := s.repos[k]
		if !sq.repoMatches(r) || !s.canSee(c, r) {
			continue
		}
		for _, n := range r.sortedNumbers() {
			if is := r.issues[n]; sq.matches(r, is) {
				hits = append(hits, hit{r, is})
			}
		}
	}
	desc := c.query("order") != "asc"
	key := func(h hit) time.Time { return h.is.CreatedAt }
	switch c.query("sort") {
	case "updated":
		key = func(h hit) time.Time { return h.is.UpdatedAt }
	case "comments":
		key = func(h hit) time.Time { return time.Unix(int64(h.r.commentCount(h.is)), 0) }
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := key(hits[i]), key(hits[j])
		if a.Equal(b) {
			a, b = time.Unix(hits[i].is.ID, 0), time.Unix(hits[j].is.ID, 0)
		}
		if desc {
			return a.After(b)
		}
		return a.Before(b)
	})
	total := len(hits)
	hits = hits[:min(total, maxSearchResults)]
	perPage := 30
	if v, err := strconv.Atoi(c.query("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if page, err := strconv.Atoi(c.query("page")); err == nil && page > 1 && (page-1)*perPage >= maxSearchResults {
		return nil, unprocessable("Only the first 1000 search results are available")
	}
	page := paginate(c, hits)
	items := make([]any, 0, len(page))
	for _, h := range page {
		m := c.issue(h.r, h.is)
		m["score"] = 1.0
		if m["body"] == nil {
			m["body"] = "" // issue-search-result-item's body is a string, not nullable
		}
		items = append(items, m)
	}
	return map[string]any{"total_count": total, "incomplete_results": false, "search_type": "lexical",
		"items": items}, nil
}
