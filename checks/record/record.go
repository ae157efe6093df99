// Package record is the record of an archive of postmortems: one entry per
// postmortem (title, severity, its times from the front matter, its
// follow-ups), the statistics over them, and what renders them: the index
// a repository keeps in postmortems/README.md (a table and Mermaid charts
// GitHub draws) and postmortems/index.json (schema/postmortem-index.v1.schema.json).
//
// It is pure: it reads bytes it is given and never the file system or the
// network. `postmortem stats` and the App (on each merged postmortem) both
// use it.
package record

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/postmortem-app/postmortem/checks"
)

// SchemaID is the $id of the index's JSON Schema; Version its version.
const (
	SchemaID = "https://github.com/postmortem-app/postmortem/schema/postmortem-index.v1.schema.json"
	Version  = 1
)

// Entry is one postmortem of the record.
type Entry struct {
	// Path is the file's path relative to the archive (the postmortems
	// directory), with forward slashes.
	Path  string `json:"path"`
	Title string `json:"title"`
	// Incident is the front matter's incident as written (a number or a
	// link), "" when none.
	Incident string `json:"incident,omitempty"`
	// Severity is the front matter's severity, upper case ("SEV2").
	Severity string `json:"severity,omitempty"`
	Status   string `json:"status,omitempty"`
	// StartedAt, DetectedAt and ResolvedAt are the front matter's times
	// (UTC), nil when absent or not a time.
	StartedAt  *time.Time `json:"started_at,omitempty"`
	DetectedAt *time.Time `json:"detected_at,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	// Day is the front matter's date (an archive's page date, "2006-01-02")
	// when it has none of the three times.
	Day string `json:"date,omitempty"`
	// DurationMinutes is resolved − started; TimeToDetectMinutes detected −
	// started; TimeToResolveMinutes resolved − detected. Nil when a time is
	// missing or they are out of order.
	DurationMinutes      *int64 `json:"duration_minutes,omitempty"`
	TimeToDetectMinutes  *int64 `json:"time_to_detect_minutes,omitempty"`
	TimeToResolveMinutes *int64 `json:"time_to_resolve_minutes,omitempty"`
	// FollowUps counts the action items; Open lists the numbers of the
	// follow-up issues still open when the App last wrote the entry.
	FollowUps FollowUps `json:"follow_ups"`
	Labels    []string  `json:"labels,omitempty"`
	Services  []string  `json:"services,omitempty"`
	// Files are the repository paths the postmortem names in code spans
	// (`checkout/pool.go`): what later incidents are compared on.
	Files []string `json:"files,omitempty"`
	// SuspectPulls are the pull requests its "Changes before the incident"
	// section links ("acme/services#12"), at most maxSuspects; Touched
	// are the files they changed, as the App read them (postmortem stats
	// reads no pull request: none).
	SuspectPulls []string `json:"suspect_pulls,omitempty"`
	Touched      []string `json:"touched_files,omitempty"`
	// FollowUpFiles are the files changed by the merged pull requests of
	// this repository that cross-reference its closed follow-up issues
	// (the fix of an action item), as the App read them; FollowUpsRead are
	// the closed follow-up issues it looked at for them, never looked at
	// again (postmortem stats reads none: both empty).
	FollowUpFiles []string `json:"followup_files,omitempty"`
	FollowUpsRead []int    `json:"followups_examined,omitempty"`
	// Blob is the git blob the App read the entry from: it reads again only
	// the postmortems whose blob changed ("" from postmortem stats).
	Blob string `json:"blob,omitempty"`
}

// FollowUps are an entry's action items.
type FollowUps struct {
	Done  int   `json:"done"`
	Total int   `json:"total"`
	Open  []int `json:"open,omitempty"`
}

// Date is the day the incident is filed under: started, else detected, else
// resolved; zero when the entry has none.
func (e *Entry) Date() time.Time {
	for _, t := range []*time.Time{e.StartedAt, e.DetectedAt, e.ResolvedAt} {
		if t != nil {
			return *t
		}
	}
	if d, err := time.Parse("2006-01-02", e.Day); err == nil {
		return d
	}
	return time.Time{}
}

// Limits on what one document contributes (everything a stranger writes is
// bounded).
const (
	maxFiles    = 50
	maxList     = 20
	maxTextLen  = 200
	maxPathSpan = 200
)

// IsPostmortem says whether a file of an archive is a postmortem the record
// reads: Markdown, and not the index itself or a template.
func IsPostmortem(name string) bool {
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	if ext != ".md" && ext != ".markdown" {
		return false
	}
	stem := strings.TrimSuffix(base, ext)
	return stem != "readme" && stem != "index" && !strings.HasPrefix(stem, "_") && !strings.HasPrefix(stem, "template")
}

// Read makes the entry of one postmortem from its source.
func Read(file string, src []byte) Entry {
	return FromDocument(file, checks.Parse(src))
}

// FromDocument makes the entry of a parsed postmortem.
func FromDocument(file string, doc *checks.Document) Entry {
	e := Entry{Path: file}
	fm := doc.FrontMatter
	e.Title = clip(text(fm, "title"))
	if e.Title == "" && doc.Title != nil {
		e.Title = clip(strings.TrimPrefix(strings.TrimPrefix(doc.Title.Text, "Postmortem:"), "Postmortem"))
		e.Title = strings.TrimSpace(strings.TrimLeft(e.Title, ":—- "))
	}
	if e.Title == "" {
		e.Title = strings.TrimSuffix(path.Base(file), path.Ext(file))
	}
	e.Incident = clip(text(fm, "incident"))
	e.Severity = strings.ToUpper(clip(text(fm, "severity")))
	e.Status = clip(text(fm, "status"))
	e.StartedAt = when(fm, "started_at")
	e.DetectedAt = when(fm, "detected_at")
	e.ResolvedAt = when(fm, "resolved_at")
	if e.StartedAt == nil && e.DetectedAt == nil && e.ResolvedAt == nil {
		e.Day = day(fm)
	}
	e.DurationMinutes = minutes(e.StartedAt, e.ResolvedAt)
	e.TimeToDetectMinutes = minutes(e.StartedAt, e.DetectedAt)
	e.TimeToResolveMinutes = minutes(e.DetectedAt, e.ResolvedAt)
	for _, a := range doc.Actions {
		e.FollowUps.Total++
		if a.Done {
			e.FollowUps.Done++
		}
	}
	e.Labels = list(fm, "labels")
	e.Services = list(fm, "services")
	e.Files = Paths(string(doc.Source[bodyStart(doc):]), maxFiles)
	e.SuspectPulls = SuspectPulls(string(doc.Source[bodyStart(doc):]))
	return e
}

// maxSuspects bounds the suspect pull requests an entry keeps.
const maxSuspects = 5

var (
	reChangesHeading = regexp.MustCompile(`(?im)^#{2,3}[ \t]+changes before the incident[ \t]*$`)
	reNextHeading    = regexp.MustCompile(`(?m)^#{1,3}[ \t]`)
	rePullLink       = regexp.MustCompile(`https?://[^\s/()]+/([A-Za-z0-9_.-]{1,100})/([A-Za-z0-9_.-]{1,100})/pull/(\d{1,9})\b`)
)

// SuspectPulls are the pull requests linked in the "Changes before the
// incident" section of a postmortem's body (the section the App drafts;
// people keep the suspects), as "owner/repo#N", each once, at most 5.
func SuspectPulls(body string) []string {
	loc := reChangesHeading.FindStringIndex(body)
	if loc == nil {
		return nil
	}
	sec := body[loc[1]:]
	if next := reNextHeading.FindStringIndex(sec); next != nil {
		sec = sec[:next[0]]
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range rePullLink.FindAllStringSubmatch(sec, -1) {
		ref := m[1] + "/" + m[2] + "#" + strings.TrimLeft(m[3], "0")
		if seen[ref] || strings.HasSuffix(ref, "#") {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
		if len(out) == maxSuspects {
			break
		}
	}
	return out
}

func bodyStart(doc *checks.Document) int {
	if doc.FrontMatter != nil {
		return doc.FrontMatter.End
	}
	return 0
}

// placeholder: a value that says nothing yet.
func placeholder(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s == "" || s == "TODO" || s == "TBD" || s == "N/A" || s == "-"
}

func text(fm *checks.FrontMatter, key string) string {
	f := fm.Get(key)
	if f == nil || f.Null {
		return ""
	}
	switch v := f.Value.(type) {
	case string, int, int64, float64, bool:
		_ = v
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	default:
		return ""
	}
	if placeholder(f.Raw) {
		return ""
	}
	return strings.TrimSpace(f.Raw)
}

func when(fm *checks.FrontMatter, key string) *time.Time {
	f := fm.Get(key)
	if f == nil || f.Null {
		return nil
	}
	if t, ok := f.Value.(time.Time); ok {
		t = t.UTC()
		return &t
	}
	if placeholder(f.Raw) {
		return nil
	}
	t, _, ok := checks.ParseTime(f.Raw, time.UTC)
	if !ok {
		return nil
	}
	t = t.UTC()
	return &t
}

// day is the front matter's date field as a day, "" when none.
func day(fm *checks.FrontMatter) string {
	if t := when(fm, "date"); t != nil {
		return t.Format("2006-01-02")
	}
	f := fm.Get("date")
	if f == nil {
		return ""
	}
	raw := strings.TrimSpace(f.Raw)
	if len(raw) >= 10 {
		if t, err := time.Parse("2006-01-02", raw[:10]); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

func minutes(from, to *time.Time) *int64 {
	if from == nil || to == nil || to.Before(*from) {
		return nil
	}
	m := int64(to.Sub(*from).Round(time.Minute) / time.Minute)
	return &m
}

func list(fm *checks.FrontMatter, key string) []string {
	f := fm.Get(key)
	if f == nil {
		return nil
	}
	vs, ok := f.Value.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range vs {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case int:
			s = strconv.Itoa(x)
		default:
			continue
		}
		if s = clip(s); s != "" && len(out) < maxList {
			out = append(out, s)
		}
	}
	return out
}

// clip keeps one line of at most maxTextLen bytes (on a rune boundary).
func clip(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) <= maxTextLen {
		return s
	}
	s = s[:maxTextLen]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func utf8Start(b byte) bool { return b < 0x80 || b >= 0xC0 }

var (
	codeSpan = regexp.MustCompile("`([^`\n]{3,200})`")
	pathLike = regexp.MustCompile(`^(?:[A-Za-z0-9_.@-]+/)*[A-Za-z0-9_@-][A-Za-z0-9_.@-]*\.[A-Za-z][A-Za-z0-9]{0,7}$|^(?:[A-Za-z0-9_.@-]+/)+[A-Za-z0-9_.@-]+/?$`)
)

// Paths are the repository paths named in code spans of text
// (`checkout/pool.go`, `deploy/values.yaml`), each once, in order, at most
// max: a path has a slash, or a file name with an extension. URLs, versions
// ("v1.2.3") and commands are not paths.
func Paths(text string, max int) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
		p := strings.TrimPrefix(strings.TrimSpace(m[1]), "./")
		if len(p) > maxPathSpan || strings.Contains(p, "://") || strings.Contains(p, "..") || !pathLike.MatchString(p) || seen[p] {
			continue
		}
		if !strings.Contains(p, "/") && isVersion(p) {
			continue
		}
		seen[p] = true
		out = append(out, p)
		if len(out) == max {
			break
		}
	}
	return out
}

var version = regexp.MustCompile(`^v?\d+(\.\d+)+`)

func isVersion(s string) bool { return version.MatchString(s) }

// sortEntries orders the record newest first (by Date), then by path.
func sortEntries(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		di, dj := es[i].Date(), es[j].Date()
		if !di.Equal(dj) {
			return di.After(dj)
		}
		return es[i].Path < es[j].Path
	})
}
