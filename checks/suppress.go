package checks

import (
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// Inline suppression, in the style of markdownlint and alex:
//
//	<!-- postmortem-disable-next-line blameless/judgmental -->  the next non-blank line
//	<!-- postmortem-disable-line completeness/placeholder -->   the comment's own line
//	<!-- postmortem-disable blameless/hindsight -->             until the matching enable
//	<!-- postmortem-enable blameless/hindsight -->
//
// Rules are separated by spaces or commas; none means every rule. A rule may
// be a full id ("blameless/judgmental"), a check name ("blameless": all its
// rules) or a bare rule name ("judgmental"). Comments inside code are not
// directives: only HTML that Markdown parsing sees counts.

type directiveKind int

const (
	dirDisable directiveKind = iota
	dirEnable
	dirDisableLine
	dirDisableNextLine
)

type directive struct {
	kind  directiveKind
	rules []string // empty: all rules
	line  int      // line the directive applies to (next line resolved)
}

var reDirective = regexp.MustCompile(`<!--\s*postmortem-(disable-next-line|disable-line|disable|enable)\b([^>]*?)\s*-->`)

func (d *Document) collectDirectives() {
	var texts []struct {
		start int
		s     string
	}
	ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.HTMLBlock:
			lines := t.Lines()
			if lines.Len() == 0 {
				return ast.WalkSkipChildren, nil
			}
			start := lines.At(0).Start
			end := lines.At(lines.Len() - 1).Stop
			if t.HasClosure() {
				end = t.ClosureLine.Stop
			}
			texts = append(texts, struct {
				start int
				s     string
			}{start, string(d.md[start:end])})
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			if t.Segments.Len() > 0 {
				start := t.Segments.At(0).Start
				end := t.Segments.At(t.Segments.Len() - 1).Stop
				texts = append(texts, struct {
					start int
					s     string
				}{start, string(d.md[start:end])})
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.CodeSpan:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		if !strings.Contains(t.s, "postmortem-") {
			continue
		}
		for _, m := range reDirective.FindAllStringSubmatchIndex(t.s, -1) {
			dir := directive{}
			switch t.s[m[2]:m[3]] {
			case "disable":
				dir.kind = dirDisable
			case "enable":
				dir.kind = dirEnable
			case "disable-line":
				dir.kind = dirDisableLine
			case "disable-next-line":
				dir.kind = dirDisableNextLine
			}
			dir.rules = strings.FieldsFunc(t.s[m[4]:m[5]], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
			switch dir.kind {
			case dirDisableNextLine:
				endLine, _ := d.Position(t.start + m[1] - 1)
				l := endLine + 1
				for l <= d.LineCount() && strings.TrimSpace(d.Line(l)) == "" {
					l++
				}
				dir.line = l
			default:
				dir.line, _ = d.Position(t.start + m[0])
			}
			d.directives = append(d.directives, dir)
		}
	}
	sort.SliceStable(d.directives, func(i, j int) bool { return d.directives[i].line < d.directives[j].line })
}

// ruleMatches reports whether a directive's rule pattern names the rule id.
func ruleMatches(pattern, rule string) bool {
	if pattern == rule {
		return true
	}
	check, name, _ := strings.Cut(rule, "/")
	return pattern == check || pattern == name
}

func matchesAny(rules []string, rule string) bool {
	if len(rules) == 0 {
		return true
	}
	for _, p := range rules {
		if ruleMatches(p, rule) {
			return true
		}
	}
	return false
}

// Suppressed reports whether an inline directive turns off rule on line.
func (d *Document) Suppressed(rule string, line int) bool {
	// Block directives: replay disable/enable up to the line.
	disabled := false
	for _, dir := range d.directives {
		switch dir.kind {
		case dirDisableLine, dirDisableNextLine:
			if dir.line == line && matchesAny(dir.rules, rule) {
				return true
			}
		case dirDisable:
			if dir.line <= line && matchesAny(dir.rules, rule) {
				disabled = true
			}
		case dirEnable:
			if dir.line <= line && matchesAny(dir.rules, rule) {
				disabled = false
			}
		}
	}
	return disabled
}

// filterSuppressed drops the findings an inline directive turns off.
func (d *Document) filterSuppressed(fs []Finding) []Finding {
	if len(d.directives) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if !d.Suppressed(f.Rule, f.Line) {
			out = append(out, f)
		}
	}
	return out
}
