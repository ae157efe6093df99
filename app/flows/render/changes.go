package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

// Change is something that changed in the repository before an incident:
// a pull request merged to the default branch (and deployed, when a
// deployment of its merge commit is known), a deployment, a release, a run
// of a deploy workflow.
type Change struct {
	Kind  string // "pull", "deployment", "release", "run"
	Title string // as GitHub has it (escaped when written)
	URL   string
	// At is when the change reached its users: the deployment of a merged
	// pull request when known, else its merge; a release's publication; a
	// run's start.
	At time.Time
	// Merged is a pull request's merge time; Deployed the deployment's
	// time and Environment its environment ("" when not deployed).
	Merged      time.Time
	Deployed    time.Time
	Environment string
	Number      int    // a pull request's number, a run's number
	SHA         string // a deployment's or run's commit
	Conclusion  string // a run's
	// Named are the files the incident names that this change mentions.
	Named []string
}

// LookBack is what the App saw of the window before an incident: the
// changes, and what it could not see (a permission the installation has
// not granted).
type LookBack struct {
	From, To time.Time
	// Started: To is the start the incident gave (else when its issue was
	// opened).
	Started bool
	Changes []Change
	Unseen  []string
}

// maxChanges bounds the changes a draft lists (the closest ones).
const maxChanges = 20

// Rank orders the changes: those touching files the incident names first,
// then the closest to the incident first; at most maxChanges are kept.
func (lb *LookBack) Rank() {
	sort.SliceStable(lb.Changes, func(i, j int) bool {
		a, b := lb.Changes[i], lb.Changes[j]
		if (len(a.Named) > 0) != (len(b.Named) > 0) {
			return len(a.Named) > 0
		}
		return a.At.After(b.At)
	})
	if len(lb.Changes) > maxChanges {
		lb.Changes = lb.Changes[:maxChanges]
	}
}

// Timeline is the look-back as entries of the draft's timeline.
func (lb *LookBack) Timeline() []templates.TimelineEntry {
	var out []templates.TimelineEntry
	for _, c := range lb.Changes {
		switch c.Kind {
		case "pull":
			out = append(out, templates.TimelineEntry{Time: c.Merged, Text: fmt.Sprintf("pull request #%d merged: %s", c.Number, c.Title), URL: c.URL})
			if !c.Deployed.IsZero() {
				out = append(out, templates.TimelineEntry{Time: c.Deployed, Text: fmt.Sprintf("#%d deployed to %s", c.Number, c.Environment), URL: c.URL})
			}
		case "deployment":
			out = append(out, templates.TimelineEntry{Time: c.At, Text: fmt.Sprintf("%s deployed to %s", ShortSHA(c.SHA), c.Environment), URL: c.URL})
		case "release":
			out = append(out, templates.TimelineEntry{Time: c.At, Text: "release published: " + c.Title, URL: c.URL})
		case "run":
			out = append(out, templates.TimelineEntry{Time: c.At, Text: fmt.Sprintf("workflow %s, run %d, started (%s)", c.Title, c.Number, orWord(c.Conclusion, "running")), URL: c.URL})
		}
	}
	return out
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ChangesHeading is the heading of the section the draft gets.
const ChangesHeading = "## Changes before the incident"

// ChangesSection is the draft's "Changes before the incident" section:
// the ranked changes, each linked, and what the App could not see.
func ChangesSection(lb *LookBack) string {
	var b strings.Builder
	b.WriteString(ChangesHeading + "\n\n")
	since := "the incident began"
	if !lb.Started {
		since = "the incident was opened"
	}
	fmt.Fprintf(&b, "<!--\nWhat changed in the %s before %s (%s), closest first; a change that\n"+
		"mentions a file the incident names comes first. Keep the suspects, say why, delete the rest.\n-->\n\n",
		window(lb.To.Sub(lb.From)), since, lb.To.UTC().Format("2006-01-02 15:04 UTC"))
	if len(lb.Changes) == 0 {
		b.WriteString("No pull request merged to the default branch, deployment, release or deploy workflow run in that window.\n")
	}
	for i, c := range lb.Changes {
		fmt.Fprintf(&b, "%d. %s — %s", i+1, changeLink(c), changeWhen(c, lb.To))
		if len(c.Named) > 0 {
			var ps []string
			for _, p := range c.Named {
				ps = append(ps, Code(p, 200))
			}
			fmt.Fprintf(&b, "; mentions %s, named in the incident", strings.Join(ps, ", "))
		}
		b.WriteString("\n")
	}
	if len(lb.Unseen) > 0 {
		fmt.Fprintf(&b, "\nNot seen: %s.\n", strings.Join(lb.Unseen, "; "))
	}
	return b.String()
}

func changeLink(c Change) string {
	var text string
	switch c.Kind {
	case "pull":
		text = fmt.Sprintf("#%d %s", c.Number, Echo(c.Title, 120))
	case "deployment":
		text = Echo(fmt.Sprintf("deployment of %s to %s", ShortSHA(c.SHA), c.Environment), 140)
	case "release":
		text = "release " + Echo(c.Title, 120)
	case "run":
		text = fmt.Sprintf("workflow %s, run %d (%s)", Echo(c.Title, 120), c.Number, Echo(orWord(c.Conclusion, "running"), 40))
	}
	if c.URL == "" {
		return text
	}
	return "[" + text + "](" + c.URL + ")"
}

func changeWhen(c Change, to time.Time) string {
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	before := " (" + ago(to.Sub(c.At)) + " before)"
	switch {
	case c.Kind == "pull" && !c.Deployed.IsZero():
		return "merged " + stamp(c.Merged) + ", deployed to " + Echo(c.Environment, 60) + " " + stamp(c.Deployed) + before
	case c.Kind == "pull":
		return "merged " + stamp(c.Merged) + before
	case c.Kind == "release":
		return "published " + stamp(c.At) + before
	case c.Kind == "run":
		return "started " + stamp(c.At) + before
	default:
		return stamp(c.At) + before
	}
}

// ago writes a duration as "45 min", "1 h", "3 h 20 min".
func ago(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", max(m, 0))
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	default:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
}

func window(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 24*time.Hour {
		if d == 24*time.Hour {
			return "24 hours"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return ago(d)
}

// InsertSection puts section (ending with a newline) after the draft's
// timeline section, or at the end when it has none.
func InsertSection(doc []byte, section string) []byte {
	d := checks.Parse(doc)
	lines := strings.Split(string(doc), "\n")
	at := -1
	for _, s := range d.AllSections() {
		if strings.Contains(strings.ToLower(s.Text), "timeline") {
			at = max(s.BodyEndLine, s.Line) // 1-based last line of the section
			break
		}
	}
	if at < 0 || at > len(lines) {
		return []byte(strings.TrimRight(string(doc), "\n") + "\n\n" + section)
	}
	head := strings.TrimRight(strings.Join(lines[:at], "\n"), "\n")
	rest := strings.TrimLeft(strings.Join(lines[at:], "\n"), "\n")
	return []byte(head + "\n\n" + section + "\n" + rest)
}
