package blameless

import (
	"slices"
	"testing"
)

// TestThingsOfADocument: the contexts that make a name-list word the name of
// a thing, and the ones that leave it a person's.
func TestThingsOfADocument(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"The Apollo cluster runs our CI.", []string{"apollo"}},
		{"We log in through Okta login pages.", []string{"okta"}},
		{"The tests run on Travis CI.", []string{"travis"}},
		{"Requests reached us via Luna.", nil},
		{"Tokens are checked using Okta.", []string{"okta"}},
		{"The change was deployed to Apollo at 10:02.", []string{"apollo"}},
		{"We migrated to Apollo last year.", []string{"apollo"}},
		{"Rolled out to Luna first.", []string{"luna"}},
		{"After Apollo 2.4 the builds broke.", []string{"apollo"}},
		{"Luna v3 dropped the flag.", []string{"luna"}},
		{"Apollo crashed at 10:02.", []string{"apollo"}},
		{"Luna went down and Apollo timed out.", []string{"apollo", "luna"}},
		{"Then Luna was unreachable for an hour.", []string{"luna"}},
		{"Restarting our Luna fixed it.", []string{"luna"}},
		{"We run Karpenter on EKS and upgraded Luna last week.", []string{"karpenter", "luna"}},
		{"The Zot registry refused the push.", []string{"zot"}},
		{"We paged Priya and enabled Luna to deploy.", nil},
		// a person's contexts
		{"Priya pushed a bad config.", nil},
		{"Priya crashed the server twice.", nil},
		{"Then Apollo crashed.", []string{"apollo"}},
		{"Luna went down the stairs to the server room.", nil},
		{"We found that Priya pushed a bad config.", nil},
		{"The page was sent to Priya and escalated to Luna.", nil},
		{"We relied on Priya to review it.", nil},
		{"The blame fell on Luna, unfairly.", nil},
		{"Luna's change broke the Apollo's build.", nil},
		{"Priya was on call; Luna was down the hall.", nil},
		// a first name before a noun a person's name also comes before
		{"The Priya incident taught us a lot.", nil},
		{"Before the Luna outage we had no alert.", nil},
		{"The Sam account was locked; Okta login failed.", []string{"okta"}},
		{"The Apollo cluster and the Zebra incident.", []string{"apollo", "zebra"}},
		// a word nothing knows is kept (a verb people do would make it
		// one); a word the lexicon knows is what it says
		{"The Zebra cluster runs our CI.", []string{"zebra"}},
		{"The Kafka cluster runs our CI.", nil},
	} {
		var th Things
		th.Scan(c.text)
		var got []string
		for w := range th.words {
			got = append(got, w)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: things %q, want %q", c.text, got, c.want)
		}
	}
	var th Things
	th.Scan("The Apollo cluster runs our CI.")
	th.Scan("Luna went down.")
	if !th.Has("apollo") || !th.Has("luna") || th.Has("priya") || len(th.words) != 2 {
		t.Errorf("two scans: %v", th.words)
	}
	var none *Things
	if none.Has("apollo") {
		t.Error("a nil Things holds words")
	}
}

// TestNamesOfThingsAreNotPeople: a name-list word the document uses for a
// thing is no person in any of its sentences: in the segment itself, or in
// another segment of the same document (Segment.Things). Config.People and a
// verb only people do still make it a person.
func TestNamesOfThingsAreNotPeople(t *testing.T) {
	a := mustNewRules(t, Config{})
	blamed := func(a *Analyzer, seg Segment) bool {
		return hasRule(a.Analyze(seg), RuleNamedIndividual)
	}
	const act = "Apollo deleted the old replicas by mistake, which broke the builds."
	if !blamed(a, Segment{Text: act}) {
		t.Fatalf("%q alone: no named-individual finding; the test needs one", act)
	}
	if blamed(a, Segment{Text: "The Apollo cluster runs our CI. " + act}) {
		t.Errorf("the segment names a cluster Apollo; %q still blames a person", act)
	}
	var th Things
	th.Scan("The pipeline was deployed to Apollo at 10:02.")
	if blamed(a, Segment{Text: act, Things: &th}) {
		t.Errorf("the document deploys to Apollo; %q still blames a person", act)
	}
	if !blamed(a, Segment{Text: "Priya deleted the old replicas by mistake.", Things: &th}) {
		t.Error("a name the document does not use for a thing lost its person")
	}
	if !blamed(a, Segment{Text: "The Priya incident taught us a lot. Priya deleted the old replicas by mistake."}) {
		t.Error("an incident named after Priya made her a thing")
	}
	if !blamed(mustNewRules(t, Config{People: []Person{{Login: "apollo", Name: "Apollo Ruiz"}}}), Segment{Text: act, Things: &th}) {
		t.Error("Config.People lists Apollo, yet the document's thing won")
	}
	if c, ev := classifyIn(t, "Apollo apologised for deleting the replicas.", &th, 0); c != sNamed {
		t.Errorf("Apollo before a verb only people do: %v (%s), want a name", c, evNames[ev])
	}

	// A word nothing knows, before a verb people are said to do, is a
	// person, unless the document names a thing so; a verb of speech
	// keeps it a person.
	const ignored = "Patroni ignored the lag threshold and promoted a stale replica."
	if !blamed(a, Segment{Text: ignored}) {
		t.Fatalf("%q alone: no named-individual finding; the test needs one", ignored)
	}
	var pat Things
	pat.Scan("The Patroni cluster manages the primary.")
	if blamed(a, Segment{Text: ignored, Things: &pat}) {
		t.Errorf("the document names the Patroni cluster; %q still blames a person", ignored)
	}
	if c, ev := classifyIn(t, "Patroni said the replica was stale.", &pat, 0); c != sNamed {
		t.Errorf("Patroni before a verb of speech: %v (%s), want a name", c, evNames[ev])
	}
	if c, ev := classifyIn(t, "Apollo ignored the lag threshold.", &th, 0); c != sSystem {
		t.Errorf("Apollo, a thing of the document, before a verb software does too: %v (%s), want a thing", c, evNames[ev])
	}
}

// classifyIn classifies token i of text, a segment of a document whose
// things are th.
func classifyIn(t *testing.T, text string, th *Things, i int) (subjClass, evKind) {
	t.Helper()
	seg := Segment{Text: text, Things: th}
	s := sent{a: mustNew(t, Config{}), seg: &seg, t: tokenize(text, nil)}
	return s.classify(i)
}

// TestThingsScanReadsAsTheAnalyzerDoes: Scan reads only the words around a
// name, yet finds on every corpus row what the segment's own tokens give.
func TestThingsScanReadsAsTheAnalyzerDoes(t *testing.T) {
	c := loadCorpus(t)
	found := 0
	for _, r := range c.rows {
		var th, whole Things
		th.Scan(r.Text)
		scanThings(tokenize(r.Text, nil), whole.add)
		if len(th.words) != len(whole.words) {
			t.Errorf("%s: Scan %v, the tokens %v", r.ID, th.words, whole.words)
			continue
		}
		for w := range whole.words {
			if !th.words[w] {
				t.Errorf("%s: Scan %v, the tokens %v", r.ID, th.words, whole.words)
			}
		}
		found += len(whole.words)
	}
	if found < 100 {
		t.Errorf("%d names of things in the corpus; the test needs them", found)
	}
}
