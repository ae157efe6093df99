package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/templates"
)

// Incident gathers what the postmortem template shows of an incident issue
// of repo: title, severity from the labels, times, assignees and a timeline
// from the issue's history (events), leaving out what bot did.
func Incident(issue *github.Issue, events []*github.Timeline, repo, bot string) templates.Incident {
	labels := make([]string, 0, len(issue.Labels))
	for _, l := range issue.Labels {
		labels = append(labels, l.GetName())
	}
	inc := templates.Incident{
		Title:      issue.GetTitle(),
		Number:     issue.GetNumber(),
		URL:        issue.GetHTMLURL(),
		Repository: repo,
		Labels:     labels,
		Severity:   SeverityFromLabels(labels),
		CreatedAt:  issue.GetCreatedAt().Time.UTC(),
	}
	if issue.ClosedAt != nil {
		inc.ClosedAt = issue.GetClosedAt().Time.UTC()
	}
	for _, u := range issue.Assignees {
		inc.Assignees = append(inc.Assignees, u.GetLogin())
	}
	inc.Timeline = append(inc.Timeline, templates.TimelineEntry{
		Time: inc.CreatedAt, Actor: issue.GetUser().GetLogin(), Text: "opened the incident: " + issue.GetTitle(), URL: issue.GetHTMLURL(),
	})
	inc.Timeline = append(inc.Timeline, timelineEntries(events, issue.GetHTMLURL(), bot)...)
	sort.SliceStable(inc.Timeline, func(i, j int) bool { return inc.Timeline[i].Time.Before(inc.Timeline[j].Time) })
	return inc
}

// timelineEntries turns issue timeline events into postmortem timeline
// entries; noise (subscriptions, the bot's own doings) is left out. Links
// are web pages: a comment's is its place on the issue's page (issueURL),
// as GitHub's html_url has it (go-github's Timeline keeps only the REST url).
func timelineEntries(events []*github.Timeline, issueURL, bot string) []templates.TimelineEntry {
	var out []templates.TimelineEntry
	for _, e := range events {
		actor := e.GetActor()
		if actor == nil {
			actor = e.GetUser()
		}
		if bot != "" && strings.EqualFold(actor.GetLogin(), bot) {
			continue
		}
		var t time.Time
		if e.CreatedAt != nil {
			t = e.GetCreatedAt().Time.UTC()
		} else if e.SubmittedAt != nil {
			t = e.GetSubmittedAt().Time.UTC()
		}
		entry := templates.TimelineEntry{Time: t, Actor: actor.GetLogin()}
		switch e.GetEvent() {
		case "labeled":
			entry.Text = "added the label " + e.GetLabel().GetName()
		case "unlabeled":
			entry.Text = "removed the label " + e.GetLabel().GetName()
		case "assigned":
			entry.Text = "assigned " + e.GetAssignee().GetLogin()
		case "commented":
			text := OneLine(e.GetBody(), 140)
			if text == "" || strings.HasPrefix(text, "/postmortem") {
				continue // commands are not part of the story
			}
			entry.Text = "commented: " + text
			if e.ID != nil && issueURL != "" {
				entry.URL = fmt.Sprintf("%s#issuecomment-%d", issueURL, e.GetID())
			}
			if u := e.GetUser(); u != nil {
				entry.Actor = u.GetLogin()
			}
		case "cross-referenced":
			src := e.GetSource().GetIssue()
			if src == nil {
				continue
			}
			kind := "issue"
			if src.IsPullRequest() {
				kind = "pull request"
			}
			entry.Actor = e.GetActor().GetLogin()
			entry.Text = fmt.Sprintf("referenced this in %s #%d: %s", kind, src.GetNumber(), src.GetTitle())
			entry.URL = src.GetHTMLURL()
		case "referenced":
			entry.Text = "referenced this in commit " + ShortSHA(e.GetCommitID())
		case "closed":
			entry.Text = "closed the incident"
		case "reopened":
			entry.Text = "reopened the incident"
		case "renamed":
			entry.Text = "renamed the incident to " + e.GetRename().GetTo()
		default:
			continue
		}
		if t.IsZero() {
			continue
		}
		out = append(out, entry)
	}
	return out
}
