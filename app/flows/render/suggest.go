package render

import (
	"sort"
	"strconv"
	"strings"

	"github.com/postmortem-app/postmortem/checks"
)

// Suggestion is one suggested rewording: a review comment on a line.
type Suggestion struct {
	Path string
	Line int
	Body string
}

// Suggestions are the suggested changes for each blameless finding that
// has a Replacement, on lines the diff shows (a review may comment only
// those), one per line with every replacement of the line applied.
func Suggestions(files []*File) []Suggestion {
	var want []Suggestion
	for _, cf := range files {
		want = append(want, cf.suggestions...)
	}
	return want
}

// suggestionsOf are Suggestions of cf, whose source is src.
func suggestionsOf(cf *File, src []byte) []Suggestion {
	byLine := map[int][]checks.Finding{}
	for _, f := range cf.Findings {
		if f.Check == checks.CheckBlameless && f.Replacement != "" && f.Line == f.EndLine && f.Line >= 1 {
			byLine[f.Line] = append(byLine[f.Line], f)
		}
	}
	if len(byLine) == 0 {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	commentable := rightLines(cf.Patch, cf.Added, len(lines))
	lineNums := make([]int, 0, len(byLine))
	for l := range byLine {
		if l <= len(lines) && commentable[l] {
			lineNums = append(lineNums, l)
		}
	}
	sort.Ints(lineNums)
	var want []Suggestion
	for _, l := range lineNums {
		text, msgs, ok := applyReplacements(strings.TrimSuffix(lines[l-1], "\r"), byLine[l])
		if !ok {
			continue
		}
		fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
		body := strings.Join(msgs, "\n") + "\n\n" + fence + "suggestion\n" + text + "\n" + fence
		if len(body) > MaxBody {
			continue // a line too long for one comment: cut, it would rewrite the line wrong
		}
		want = append(want, Suggestion{cf.Path, l, body})
	}
	return want
}

// applyReplacements rewrites one line with its findings' replacements
// (right to left, skipping overlaps) and returns the messages.
func applyReplacements(line string, fs []checks.Finding) (string, []string, bool) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Column > fs[j].Column })
	var msgs []string
	limit := len(line) + 1
	changed := false
	for _, f := range fs {
		start, end := f.Column-1, f.EndColumn // EndColumn is inclusive, 1-based
		if start < 0 || end > len(line) || start > end || end >= limit {
			continue
		}
		line = line[:start] + f.Replacement + line[end:]
		limit = start + 1
		changed = true
		msgs = append([]string{"**" + f.Rule + "**: " + Echo(f.Message, 300)}, msgs...)
	}
	return line, msgs, changed
}

// rightLines are the new-file line numbers a review comment may address:
// every line of an added file, else the added and context lines of the
// patch's hunks.
func rightLines(patch string, added bool, total int) map[int]bool {
	out := map[int]bool{}
	if added {
		for i := 1; i <= total; i++ {
			out[i] = true
		}
		return out
	}
	line := 0
	for _, l := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			// @@ -a,b +c,d @@
			i := strings.Index(l, "+")
			if i < 0 {
				continue
			}
			rest := l[i+1:]
			if j := strings.IndexAny(rest, ", "); j >= 0 {
				rest = rest[:j]
			}
			line, _ = strconv.Atoi(rest)
		case line == 0:
		case strings.HasPrefix(l, "+"):
			out[line] = true
			line++
		case strings.HasPrefix(l, "-"):
		case strings.HasPrefix(l, `\`):
		default:
			out[line] = true
			line++
		}
	}
	return out
}

// MaxSuggestions bounds the suggested rewordings of one review.
const MaxSuggestions = 50

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c rune) int {
	run, longest := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
