package record

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Incident is what a new incident is compared with the record on: its
// title, its labels and the repository paths it names (in code spans of
// its description and comments, like Entry.Files).
type Incident struct {
	Title  string
	Labels []string
	Files  []string
}

// Match is an earlier postmortem that looks like the incident, with what
// they share.
type Match struct {
	Entry Entry
	Score int
	// Files are the paths both name; Labels the incident's labels that are
	// the entry's labels or services; Words the title words they share.
	Files  []string
	Labels []string
	Words  []string
}

// Weights of what an incident and an earlier postmortem share, and the
// score from which they are similar.
const (
	// WeightFile: a repository path both name (`checkout/pool.go`). The
	// strongest sign: the same code broke, or the same file was the fix.
	WeightFile = 3
	// WeightLabel: one of the incident's labels is a label or a service of
	// the postmortem (checkout, payments-db), compared without case.
	WeightLabel = 2
	// WeightWord: a word of both titles (four letters or more, not a word
	// every incident title has: outage, incident, errors…).
	WeightWord = 1
	// MinScore: a shared file or label alone is enough; title words alone
	// need two.
	MinScore = 2
)

// Bounds of one comparison: what is read of the incident, and of each
// entry (an index.json a person edited could carry anything).
const (
	maxCompareFiles  = 50
	maxCompareLabels = 20
	maxCompareWords  = 20
)

// reGenericLabel are labels that say how bad or what kind, not what: a
// severity or priority (sev2, SEV-1, p1, S3), and the words of the App's
// own labels. They are never what two incidents share.
var reGenericLabel = regexp.MustCompile(`(?i)^(?:sev|severity|p|s|prio|priority)[-_ :]?\d$|^(?:incident|postmortem|post-mortem|follow-?up|bug|outage)s?$`)

// titleStop are words of incident titles that say nothing of what broke.
var titleStop = map[string]bool{
	"outage": true, "outages": true, "incident": true, "incidents": true, "down": true, "error": true, "errors": true,
	"failure": true, "failures": true, "failed": true, "failing": true, "fails": true, "issue": true, "issues": true,
	"degraded": true, "degradation": true, "partial": true, "major": true, "minor": true, "again": true, "during": true,
	"after": true, "before": true, "from": true, "with": true, "when": true, "were": true, "was": true, "that": true,
	"this": true, "some": true, "many": true, "most": true, "users": true, "requests": true, "postmortem": true,
	"broken": true, "slow": true, "unavailable": true, "elevated": true, "high": true, "investigating": true,
}

// Similar are the entries that look like the incident, most similar first
// (by score, then the newer incident, then the path), at most max. An entry
// is similar when its score reaches MinScore: WeightFile per path the
// incident names that the entry names, its suspect pull requests
// touched (Entry.Touched) or the fixes of its follow-ups changed
// (Entry.FollowUpFiles), WeightLabel per label of the incident the entry carries as a label
// or a service (labels matching ignore, case aside, and generic labels —
// severities, priorities, "incident" — are never compared), WeightWord per
// title word both have. Entries are compared on what they hold, each
// bounded (the first 50 files named, 50 touched and 50 of follow-up fixes, 20 labels and services, 20 title words).
func Similar(in Incident, entries []Entry, ignore []string, max int) []Match {
	skip := map[string]bool{}
	for _, l := range ignore {
		skip[strings.ToLower(strings.TrimSpace(l))] = true
	}
	files := set(in.Files, maxCompareFiles, strings.TrimSpace)
	labels := set(in.Labels, maxCompareLabels, func(l string) string {
		l = strings.ToLower(strings.TrimSpace(l))
		if skip[l] || reGenericLabel.MatchString(l) {
			return ""
		}
		return l
	})
	words := titleWords(in.Title)
	var out []Match
	for _, e := range entries {
		m := Match{Entry: e}
		named := make([]string, 0, 3*maxCompareFiles)
		named = append(append(append(named, bounded(e.Files, maxCompareFiles)...), bounded(e.Touched, maxCompareFiles)...), bounded(e.FollowUpFiles, maxCompareFiles)...)
		m.Files = shared(files, named, 3*maxCompareFiles, strings.TrimSpace)
		m.Labels = shared(labels, append(bounded(e.Labels, maxCompareLabels), bounded(e.Services, maxCompareLabels)...), 2*maxCompareLabels,
			func(l string) string { return strings.ToLower(strings.TrimSpace(l)) })
		m.Words = shared(words, titleWordList(e.Title), maxCompareWords, func(w string) string { return w })
		m.Score = WeightFile*len(m.Files) + WeightLabel*len(m.Labels) + WeightWord*len(m.Words)
		if m.Score >= MinScore {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		di, dj := out[i].Entry.Date(), out[j].Entry.Date()
		if !di.Equal(dj) {
			return di.After(dj)
		}
		return out[i].Entry.Path < out[j].Entry.Path
	})
	if max >= 0 && len(out) > max {
		out = out[:max]
	}
	return out
}

func bounded(xs []string, n int) []string {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}

// set is the normalised values of xs (at most n of them), "" left out.
func set(xs []string, n int, norm func(string) string) map[string]bool {
	out := map[string]bool{}
	for _, x := range bounded(xs, n) {
		if k := norm(x); k != "" {
			out[k] = true
		}
	}
	return out
}

// shared are the values of ys (at most n, normalised) in have, each once,
// in ys's order.
func shared(have map[string]bool, ys []string, n int, norm func(string) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, y := range bounded(ys, n) {
		k := norm(y)
		if k != "" && have[k] && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// titleWordList are the words of a title compared: lower case, letters and
// digits, four runes or more, not in titleStop, each once, at most
// maxCompareWords.
func titleWordList(title string) []string {
	if len(title) > maxTextLen {
		title = title[:maxTextLen]
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 4 || titleStop[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == maxCompareWords {
			break
		}
	}
	return out
}

func titleWords(title string) map[string]bool {
	return set(titleWordList(title), maxCompareWords, func(w string) string { return w })
}
