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
// read "Scully" as a thing. The App learns them when it drafts the
// postmortem: the incident's author, assignees and commenters (read for the
// draft anyway) and their display names (one GET /users/{login} each, at
// most maxNameLookups, made while the draft is written). They go in the
// pull request's body, in a hidden marker, so that every later check of it
// has their names with the pull request. Most of an incident's discussion
// comes after the draft, so each check also reads the incident's comments
// (a 304 unless there are new ones) for those who joined since
// (incidentPeopleNow). The pull request's own author, assignees and
// requested reviewers are added to them.

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
// first maxPeople), with their display names (named).
func (r *run) incidentPeople(ctx context.Context, issue *github.Issue, comments []*github.IssueComment) []blameless.Person {
	l := peopleList{max: maxPeople}
	l.addUser(r, issue.GetUser())
	for _, u := range issue.Assignees {
		l.addUser(r, u)
	}
	for _, c := range comments {
		l.addUser(r, c.GetUser())
	}
	return r.named(ctx, l.ps, nil)
}

// named gives ps their display names: those known already (as known gives
// them) are not read again; the first maxNameLookups others are read. A
// name that cannot be read leaves its login alone: the names are evidence,
// never a reason for the draft or a check to fail.
func (r *run) named(ctx context.Context, ps, known []blameless.Person) []blameless.Person {
	for i := range ps {
		for _, k := range known {
			if ps[i].Name == "" && strings.EqualFold(k.Login, ps[i].Login) {
				ps[i].Name = k.Name
			}
		}
	}
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
// the App's own pull request carries in its marker, those its incident
// involves now (incidentPeopleNow: the marker was written when the draft
// was, before most of the incident's discussion), and the pull request's
// author, assignees and requested reviewers.
func (r *run) prPeople(ctx context.Context, pr *github.PullRequest) []blameless.Person {
	l := peopleList{max: 3 * maxPeople}
	var marked []blameless.Person
	if r.f.isBot(pr.GetUser()) {
		marked = peopleOfMarker(pr.GetBody())
	}
	for _, p := range marked {
		l.add(p)
	}
	for _, p := range r.incidentPeopleNow(ctx, pr, marked) {
		l.add(p)
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

// incidentPeopleNow are the people of the incident pull request pr belongs
// to (incidentOfPR) as its comments show them now: those who joined after
// the draft are evidence too (its author and first assignees are in the
// marker). Display names known from the marker are not read again. One
// read of the comments; on a check after no new comment it is a 304 (free
// of the rate limit). A read that fails leaves the people pr carries.
func (r *run) incidentPeopleNow(ctx context.Context, pr *github.PullRequest, known []blameless.Person) []blameless.Person {
	n := r.incidentOfPR(pr)
	if d := r.drafted; n == 0 || d != nil && d.commit == pr.GetHead().GetSHA() {
		return nil // the run that drafted pr has just read them into its marker
	}
	comments, err := r.issueComments(ctx, n)
	if err != nil {
		r.f.log().Debug("cannot read the incident's people", "incident", n, "err", err)
		return nil
	}
	l := peopleList{max: maxPeople}
	for _, c := range comments {
		l.addUser(r, c.GetUser())
	}
	return r.named(ctx, l.ps, known)
}
