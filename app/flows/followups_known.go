package flows

import (
	"context"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/watch"
)

// The open follow-ups the App last read from GitHub are kept in the database (watch's
// postmortem_followups), where the metrics count them: the tracking job writes an incident's,
// the reminder pass a repository's.

// knowIncidentFollowUps records an incident's open follow-ups among fus (all of its follow-ups).
func (r *run) knowIncidentFollowUps(ctx context.Context, incident int, fus []*github.Issue) error {
	if r.f.Watch == nil {
		return nil
	}
	return r.f.Watch.SetIncidentFollowUps(ctx, r.inst, r.fullName(), incident, openFollowUps(fus))
}

// knowRepoFollowUps records a repository's open follow-ups (fus: every open one).
func (r *run) knowRepoFollowUps(ctx context.Context, fus []*github.Issue) error {
	if r.f.Watch == nil {
		return nil
	}
	return r.f.Watch.SetRepoFollowUps(ctx, r.inst, r.fullName(), openFollowUps(fus))
}

// openFollowUps are the open follow-ups among fus with their incident and valid due date.
func openFollowUps(fus []*github.Issue) []watch.FollowUp {
	var out []watch.FollowUp
	for _, is := range fus {
		incident, _, ok := ParseFollowUpMarker(is.GetBody())
		if !ok || is.GetState() == "closed" {
			continue
		}
		due, _ := render.Due(is.GetBody())
		if _, valid := parseDay(due); !valid {
			due = ""
		}
		out = append(out, watch.FollowUp{Incident: incident, Number: is.GetNumber(), Due: due})
	}
	return out
}
