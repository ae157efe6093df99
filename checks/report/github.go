package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/postmortem-app/postmortem/checks"
)

// WriteGitHub writes GitHub Actions workflow commands, one per finding:
//
//	::error file=a.md,line=3,col=1,endLine=3,endColumn=9,title=blameless/blame::message
//
// Run inside a workflow, each becomes an annotation on the file. Values are
// escaped the way the Actions toolkit does (escapeData / escapeProperty).
func WriteGitHub(w io.Writer, files []File) error {
	var b strings.Builder
	for _, f := range files {
		for _, x := range sorted(f.Findings) {
			cmd := "warning"
			switch x.Severity {
			case checks.SeverityError:
				cmd = "error"
			case checks.SeverityNotice:
				cmd = "notice"
			}
			line, col := startOf(x)
			endLine, endCol := endOf(x)
			msg := x.Message
			if x.Suggestion != "" {
				msg += "\n\nSuggestion: " + x.Suggestion
			}
			fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				cmd, escapeProperty(f.Path), line, col, endLine, endCol, escapeProperty(x.Rule), escapeData(msg))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string { return dataEscaper.Replace(s) }

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeProperty escapes a workflow command property value.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
