package flows

import (
	"fmt"
	"regexp"
	"strconv"
)

// Hidden markers the App puts in what it creates (HTML comments GitHub does
// not show), to find it again: GitHub has no unique key for issues,
// comments or pull requests.

// MarkerIncidentPR is in the body of an incident's postmortem pull request.
func MarkerIncidentPR(incident int) string {
	return fmt.Sprintf("<!-- postmortem:incident=%d -->", incident)
}

// MarkerPointer starts the comment on an incident that points to its
// postmortem pull request.
func MarkerPointer(incident int) string {
	return fmt.Sprintf("<!-- postmortem:pr incident=%d -->", incident)
}

// MarkerFollowUp is in the body of the follow-up issue of action item key.
func MarkerFollowUp(incident int, key string) string {
	return fmt.Sprintf("<!-- postmortem:followup incident=%d item=%s -->", incident, key)
}

// MarkerTracking starts the incident's tracking comment.
func MarkerTracking(incident int) string {
	return fmt.Sprintf("<!-- postmortem:tracking incident=%d -->", incident)
}

// MarkerComplete starts the comment saying the incident's postmortem is
// complete.
func MarkerComplete(incident int) string {
	return fmt.Sprintf("<!-- postmortem:complete incident=%d -->", incident)
}

// MarkerConfigError starts the comment reporting a broken configuration.
const MarkerConfigError = "<!-- postmortem:config-error -->"

// MarkerReminder starts the reminder of step (soon, due, overdue-N) on a
// follow-up due on due (YYYY-MM-DD).
func MarkerReminder(due, step string) string {
	return fmt.Sprintf("<!-- postmortem:reminder due=%s step=%s -->", due, step)
}

// MarkerEscalation starts the comment on an incident escalating follow-up
// number, overdue since due.
func MarkerEscalation(number int, due string) string {
	return fmt.Sprintf("<!-- postmortem:escalation followup=%d due=%s -->", number, due)
}

// MarkerOwed starts a reminder (on the incident or its pull request) that
// the postmortem of incident is due on due, at step.
func MarkerOwed(incident int, due, step string) string {
	return fmt.Sprintf("<!-- postmortem:owed incident=%d due=%s step=%s -->", incident, due, step)
}

// MarkerCommand starts the App's answer to the command of comment id.
func MarkerCommand(id int64) string {
	return fmt.Sprintf("<!-- postmortem:command comment=%d -->", id)
}

// MarkerDigest is in the body of the digest issue of target ("owner/name"
// for a repository's, "owner" for an organization's).
func MarkerDigest(target string) string {
	return fmt.Sprintf("<!-- postmortem:digest target=%s -->", target)
}

// markerDigestWeek records the week a digest was written for.
func markerDigestWeek(week string) string {
	return fmt.Sprintf("<!-- postmortem:digest-week=%s -->", week)
}

var (
	reIncidentMarker = regexp.MustCompile(`<!-- postmortem:incident=(\d+) -->`)
	reFollowUpMarker = regexp.MustCompile(`<!-- postmortem:followup incident=(\d+) item=([0-9a-z]+) -->`)
	rePointerPR      = regexp.MustCompile(`<!-- postmortem:pr incident=\d+ -->[\s\S]*?#(\d+)`)
)

// ParseFollowUpMarker finds a follow-up marker in body: the incident and the
// action item's key.
func ParseFollowUpMarker(body string) (incident int, key string, ok bool) {
	m := reFollowUpMarker.FindStringSubmatch(body)
	if m == nil {
		return 0, "", false
	}
	incident, _ = strconv.Atoi(m[1])
	return incident, m[2], true
}

// MarkerRecurrence starts the comment on an incident naming the earlier
// incidents that look like it.
func MarkerRecurrence(incident int) string {
	return fmt.Sprintf("<!-- postmortem:recurrence incident=%d -->", incident)
}
