package render

import (
	"regexp"
	"strings"
)

// The follow-up issue's body states its owner, due date and snooze in lines
// "- **Owner:** …", "- **Due:** …", "- **Snoozed until:** …": the App
// reads them back (the due date and the snooze are the reminders' truth)
// and the commands rewrite them.

var reSnoozeLine = regexp.MustCompile(`(?m)^- \*\*Snoozed until:\*\* (\d{4}-\d{2}-\d{2})`)

// Snoozed is the date (YYYY-MM-DD) a follow-up's reminders are snoozed
// until, as its body states it.
func Snoozed(body string) (string, bool) {
	m := reSnoozeLine.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// SetField makes the body's "- **name:** value" line say value: the line
// is replaced where it is, or added after the last such line (or at the
// end).
func SetField(body, name, value string) string {
	prefix := "- **" + name + ":** "
	line := prefix + value
	lines := strings.Split(body, "\n")
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = line
			return strings.Join(lines, "\n")
		}
		if strings.HasPrefix(l, "- **") {
			last = i
		}
	}
	if last < 0 {
		return strings.TrimRight(body, "\n") + "\n\n" + line + "\n"
	}
	lines = append(lines[:last+1], append([]string{line}, lines[last+1:]...)...)
	return strings.Join(lines, "\n")
}
