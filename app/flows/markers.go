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
