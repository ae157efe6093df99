package flows

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/checks/blameless"
)

// The people an incident involves are the blameless check's evidence that a
// word names a person: with Dana Scully among them, "Scully restarted the
// primary by mistake" puts a person at fault, where the name lists alone
// read "Scully" as a thing. The App learns them once, when it drafts the
// postmortem: the incident's author, assignees and commenters (read for the
// draft anyway) and their display names (one GET /users/{login} each, at
// most maxNameLookups, made while the draft is written). They go in the
// pull request's body, in a hidden marker, so that every later check of it
// has them with the pull request, for no call. The pull request's own
// author, assignees and requested reviewers are added to them.

// maxPeople bounds the people of a marker; maxNameLookups the display names
// read when drafting; maxDisplayName the bytes kept of one.
const (
	maxPeople      = 20
	maxNameLookups = 10
	maxDisplayName = 100
)

// markerPeople is the hidden marker of the people in ps ("login=Display+Name"
// each, query-escaped: a display name cannot close the comment).
func markerPeople(ps []blameless.Person) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<!-- postmortem:people")
	for _, p := range ps[:min(len(ps), maxPeople)] {
		b.WriteString(" ")
		b.WriteString(p.Login)
		if name := boundName(p.Name); name != "" {
			b.WriteString("=")
			b.WriteString(url.QueryEscape(name))
		}
	}
	b.WriteString(" -->")
	return b.String()
}

// rePeopleMarker finds markerPeople's marker (logins are reLogin's).
var rePeopleMarker = regexp.MustCompile(`<!-- postmortem:people ([A-Za-z0-9%+=._~ -]+) -->`)

// peopleOfMarker reads the people marker in body (nil when none); entries
// that are not a login (and a name) are skipped.
func peopleOfMarker(body string) []blameless.Person {
	m := rePeopleMarker.FindStringSubmatch(body)
	if m == nil || len(m[1]) > 16<<10 {
		return nil
	}
	var out []blameless.Person
	for _, f := range strings.Fields(m[1]) {
		login, esc, _ := strings.Cut(f, "=")
		if !reLogin.MatchString(login) {
			continue
		}
		name, err := url.QueryUnescape(esc)
		if err != nil || !utf8.ValidString(name) {
			name = ""
		}
		out = append(out, blameless.Person{Login: login, Name: boundName(name)})
		if len(out) == maxPeople {
			break
		}
	}
	return out
}

// boundName is a display name as a title shows it (render.Plain: one line,
// no control or bidirectional characters), at most maxDisplayName bytes.
func boundName(name string) string {
	name = render.Plain(name, 0)
	if len(name) <= maxDisplayName {
		return name
	}
	cut := maxDisplayName
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// person reports whether u is someone the check should know: a user, not
// an App or a bot, with a login that can be one (an App's "name[bot]" is
// not).
func (r *run) person(u *github.User) bool {
	return u != nil && u.GetType() != "Bot" && !r.f.isBot(u) && reLogin.MatchString(u.GetLogin())
}

// peopleList gathers people, each once (by login, in any case), at most
// max of them.
type peopleList struct {
	ps   []blameless.Person
	seen map[string]bool
	max  int
}

func (l *peopleList) add(p blameless.Person) {
	if len(l.ps) == l.max || l.seen[strings.ToLower(p.Login)] {
		return
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[strings.ToLower(p.Login)] = true
	l.ps = append(l.ps, p)
}

// addUser adds u when it is a person (person).
func (l *peopleList) addUser(r *run, u *github.User) {
	if r.person(u) {
		l.add(blameless.Person{Login: u.GetLogin(), Name: boundName(u.GetName())})
	}
}

// incidentPeople are the incident's author, assignees and commenters (the
// first maxPeople), with the display names of the first maxNameLookups. A
// name that cannot be read leaves its login alone: the names are evidence,
// never a reason for the draft to fail.
func (r *run) incidentPeople(ctx context.Context, issue *github.Issue, comments []*github.IssueComment) []blameless.Person {
	l := peopleList{max: maxPeople}
	l.addUser(r, issue.GetUser())
	for _, u := range issue.Assignees {
		l.addUser(r, u)
	}
	for _, c := range comments {
		l.addUser(r, c.GetUser())
	}
	ps := l.ps
	g := r.group()
	for i := range ps[:min(len(ps), maxNameLookups)] {
		if ps[i].Name != "" {
			continue
		}
		g.Go(func() error {
			u, _, err := r.gh.Users.Get(ctx, ps[i].Login)
			if err != nil {
				r.f.log().Debug("cannot read a display name", "login", ps[i].Login, "err", err)
				return nil
			}
			ps[i].Name = boundName(u.GetName())
			return nil
		})
	}
	_ = g.Wait()
	return ps
}

// prPeople are the people the checks of a postmortem pull request know: those
// the App's own pull request carries in its marker, and the pull request's
// author, assignees and requested reviewers.
func (r *run) prPeople(pr *github.PullRequest) []blameless.Person {
	l := peopleList{max: 2 * maxPeople}
	if r.f.isBot(pr.GetUser()) {
		for _, p := range peopleOfMarker(pr.GetBody()) {
			l.add(p)
		}
	}
	l.addUser(r, pr.GetUser())
	for _, u := range pr.Assignees {
		l.addUser(r, u)
	}
	for _, u := range pr.RequestedReviewers {
		l.addUser(r, u)
	}
	return l.ps
}
