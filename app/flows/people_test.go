package flows

import (
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/checks/blameless"
)

// TestFlowIncidentPeopleAreEvidence: the postmortem pull request carries the
// incident's people (author, commenters, with their display names), and its
// blameless check reads them: "Scully deleted …" puts Dana Scully at fault,
// where the name lists alone know no Scully.
func TestFlowIncidentPeopleAreEvidence(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{members: []githubsim.SeedUser{{Login: "dana", Name: "Dana Scully"}}})
	n := e.openIncident("Checkout outage", "incident")
	_, err := e.sim.As("dana").Comment(flowRepo, n, "Looking at the staging bucket.")
	e.must(err)
	_, err = e.bob.Comment(flowRepo, n, "Paged the database team.")
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	pr := e.pulls()[0]
	people := map[string]string{}
	for _, p := range peopleOfMarker(pr.Body) {
		people[p.Login] = p.Name
	}
	if len(people) != 3 || people["alice"] != "Alice" || people["dana"] != "Dana Scully" || people["bob"] != "Bob" {
		t.Fatalf("pull request body lacks the incident's people (%v):\n%s", people, pr.Body)
	}

	blameful := strings.Replace(fixedPostmortem(n, threeActions), "The configuration pipeline accepted",
		"Scully deleted the staging bucket by mistake. The configuration pipeline accepted", 1)
	head, err := e.alice.EditFile(flowRepo, res.PullRequest, res.Path, blameful, "Write the postmortem")
	e.must(err)
	pres, err := e.flows.PullRequest(e.ctx, e.pr(res.PullRequest), false)
	e.must(err)
	if pres.Blameless.Annotations == 0 {
		t.Fatalf("blameless = %+v, want the sentence about Scully annotated", pres.Blameless)
	}
	found := false
	for _, cr := range e.sim.CheckRuns(flowRepo, head) {
		for _, a := range cr.Annotations {
			found = found || cr.Name == CheckRunBlameless && strings.Contains(a.Message, "“Scully”")
		}
	}
	if !found {
		t.Errorf("no blameless annotation puts Scully at fault: %+v", e.sim.CheckRuns(flowRepo, head))
	}
}

// TestPeopleMarker: the marker holds what a display name can hold and
// nothing that ends the comment; what it reads back is bounded.
func TestPeopleMarker(t *testing.T) {
	ps := []blameless.Person{{Login: "dana", Name: "Dana Scully"}, {Login: "x", Name: "--> <script>\n \u202eévil\u2069"},
		{Login: "long", Name: strings.Repeat("é", 200)}, {Login: "anon"}}
	m := markerPeople(ps)
	if strings.Count(m, "-->") != 1 || !strings.HasSuffix(m, " -->") || strings.Count(m, "<") != 1 || strings.Contains(m, "\n") {
		t.Fatalf("marker %q", m)
	}
	got := peopleOfMarker("text\n" + m + "\nmore")
	if len(got) != 4 || got[0] != ps[0] || got[1].Name != "--> <script> évil" || got[3] != ps[3] ||
		len(got[2].Name) > maxDisplayName || !strings.HasPrefix(ps[2].Name, got[2].Name) {
		t.Errorf("read back %+v", got)
	}
	var many []blameless.Person
	for range 50 {
		many = append(many, blameless.Person{Login: "p"})
	}
	if got := peopleOfMarker(markerPeople(many)); len(got) != maxPeople {
		t.Errorf("%d people read back, want %d", len(got), maxPeople)
	}
	for _, body := range []string{"", "<!-- postmortem:people -->", "<!-- postmortem:people @@@ ;; -->",
		"<!-- postmortem:people dana=%zz -->"} {
		if got := peopleOfMarker(body); len(got) > 1 || len(got) == 1 && got[0].Name != "" {
			t.Errorf("%q: %+v", body, got)
		}
	}
}

// TestFlowLaterPeopleAreEvidence: the people who join the incident after
// the postmortem was drafted (most of its discussion does) are evidence
// too: the checks read the incident's commenters and assignees as they are
// now, so "Mulder deleted …" puts Fox Mulder at fault, though he commented
// only after the draft, while someone who never took part stays unknown.
func TestFlowLaterPeopleAreEvidence(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{members: []githubsim.SeedUser{{Login: "fox", Name: "Fox Mulder"},
		{Login: "walter", Name: "Walter Skinner"}}})
	n := e.openIncident("Checkout outage", "incident")
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	_, err = e.sim.As("fox").Comment(flowRepo, n, "I restarted the primary.")
	e.must(err)

	annotated := func(name string) bool {
		blameful := strings.Replace(fixedPostmortem(n, threeActions), "The configuration pipeline accepted",
			name+" deleted the staging bucket by mistake. The configuration pipeline accepted", 1)
		head, err := e.alice.EditFile(flowRepo, res.PullRequest, res.Path, blameful, "Write the postmortem")
		e.must(err)
		_, err = e.flows.PullRequest(e.ctx, e.pr(res.PullRequest), false)
		e.must(err)
		for _, cr := range e.sim.CheckRuns(flowRepo, head) {
			for _, a := range cr.Annotations {
				if cr.Name == CheckRunBlameless && strings.Contains(a.Message, "“"+name+"”") {
					return true
				}
			}
		}
		return false
	}
	if !annotated("Mulder") {
		t.Errorf("no blameless annotation puts Mulder (who commented after the draft) at fault")
	}
	if annotated("Skinner") {
		t.Errorf("Skinner never took part in the incident, yet a blameless annotation puts him at fault")
	}
}
