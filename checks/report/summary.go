package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/postmortem-app/postmortem/checks"
)

// WriteSummary writes what an archive's findings add up to: the count of
// every rule (errors, warnings, notices), then the worst documents (most
// errors, then most findings), at most worst of them, then the summary
// line.
//
//	rule                              errors  warnings  notices
//	completeness/missing-section          12         0        0
//	...
//	worst documents
//	    7  postmortems/2021-10-03.md  (5 errors, 2 warnings)
func WriteSummary(w io.Writer, files []File, worst int) error {
	type tally struct{ errors, warnings, notices int }
	rules := map[string]*tally{}
	var ids []string
	type doc struct {
		path string
		t    tally
	}
	var docs []doc
	for _, f := range files {
		var dt tally
		for _, x := range f.Findings {
			r := rules[x.Rule]
			if r == nil {
				r = &tally{}
				rules[x.Rule] = r
				ids = append(ids, x.Rule)
			}
			switch x.Severity {
			case checks.SeverityError:
				r.errors++
				dt.errors++
			case checks.SeverityNotice:
				r.notices++
				dt.notices++
			default:
				r.warnings++
				dt.warnings++
			}
		}
		if dt.errors+dt.warnings > 0 {
			docs = append(docs, doc{f.Path, dt})
		}
	}
	sort.Strings(ids)
	var b strings.Builder
	width := len("rule")
	for _, id := range ids {
		width = max(width, len(id))
	}
	if len(ids) > 0 {
		fmt.Fprintf(&b, "%-*s  %6s  %8s  %7s\n", width, "rule", "errors", "warnings", "notices")
		for _, id := range ids {
			r := rules[id]
			fmt.Fprintf(&b, "%-*s  %6d  %8d  %7d\n", width, oneLine(id), r.errors, r.warnings, r.notices)
		}
	}
	sort.SliceStable(docs, func(i, j int) bool {
		a, c := docs[i].t, docs[j].t
		if a.errors != c.errors {
			return a.errors > c.errors
		}
		return a.errors+a.warnings > c.errors+c.warnings
	})
	if len(docs) > worst {
		docs = docs[:worst]
	}
	if len(docs) > 0 {
		b.WriteString("\nworst documents\n")
		for _, d := range docs {
			fmt.Fprintf(&b, "%5d  %s  (%s, %s)\n", d.t.errors+d.t.warnings, oneLine(d.path), plural(d.t.errors, "error"), plural(d.t.warnings, "warning"))
		}
	}
	c := Count(files)
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	per := ""
	if len(files) > 0 {
		per = fmt.Sprintf("; %.2f per document", float64(c.Errors+c.Warnings)/float64(len(files)))
	}
	b.WriteString(c.Summary(len(files)) + per + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}
