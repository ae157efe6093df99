package blameless

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// detectMeta skips the words without fMeta: every word its switch starts
// from must have it (read from the source, so a new case cannot be missed).
func TestDetectMetaCuesHaveFlag(t *testing.T) {
	f, err := parser.ParseFile(gotoken.NewFileSet(), "rules.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "detectMeta" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "l" {
				return true // the inner switches look at the next words
			}
			for _, st := range sw.Body.List {
				for _, e := range st.(*ast.CaseClause).List {
					if lit, ok := e.(*ast.BasicLit); ok {
						w, _ := strconv.Unquote(lit.Value)
						words = append(words, w)
					}
				}
			}
			return false
		})
	}
	if len(words) < 10 {
		t.Fatalf("found %d words in detectMeta's switch", len(words))
	}
	for _, w := range words {
		if lexFlags(w)&fMeta == 0 {
			t.Errorf("detectMeta starts from %q, which lacks fMeta", w)
		}
	}
}

// A harmful act in a present "if" clause is a case considered, not an act
// that happened: the model sees it apart (|if), while "if … had" stays
// hindsight.
func TestConditionalIsNotAnAct(t *testing.T) {
	a := mustNew(t, Config{})
	feats := func(text string) []string { return featureNames(a, text) }
	got := feats("If someone deletes the bucket, restore it from the snapshot.")
	if !slices.Contains(got, "sv:SOMEONE|HARMV|if") || slices.Contains(got, "sv:SOMEONE|HARMV") {
		t.Errorf("present condition: %v", got)
	}
	got = feats("Someone deleted the bucket.")
	if !slices.Contains(got, "sv:SOMEONE|HARMV") {
		t.Errorf("an act: %v", got)
	}
}

// featureCase is a text and whether its features should hold one that a
// checkFeature predicate matches.
type featureCase struct {
	text string
	want bool
}

// checkFeature fails for each case whose features hold one matching has
// other than as wanted; what names the feature in the message.
func checkFeature(t *testing.T, what string, has func(string) bool, cases []featureCase) {
	t.Helper()
	a := mustNew(t, Config{})
	for _, c := range cases {
		names := featureNames(a, c.text)
		if got := slices.ContainsFunc(names, has); got != c.want {
			t.Errorf("%q: %s %v, want %v (%v)", c.text, what, got, c.want, names)
		}
	}
}

// prefix matches the feature names that start with p; is, those named.
func prefix(p string) func(string) bool {
	return func(f string) bool { return strings.HasPrefix(f, p) }
}

func is(names ...string) func(string) bool {
	return func(f string) bool { return slices.Contains(names, f) }
}

// featureNames are the features the analyzer gives text's sentences, in
// order (the names training sees).
func featureNames(a *Analyzer, text string) []string {
	var names []string
	a.collect = func(f *fsink, s *sent) { names = append(names, f.names...) }
	defer func() { a.collect = nil }()
	a.analyze(Segment{Text: text}, true)
	return names
}

// TestWhatBefellIsNoOmission: what did not befall a person ("he did not
// survive the fire", "she did not receive the page") is what happened to
// them, not an act they left undone.
func TestWhatBefellIsNoOmission(t *testing.T) {
	checkFeature(t, "counterfactual candidate", prefix("k:cf"), []featureCase{
		{"The delay may have contributed to the caller's demise, as he did not survive the fire.", false},
		{"The on-call engineer did not receive the page because the rota was empty.", false},
		{"The on-call engineer did not answer the page.", true},
	})
}

// TestAThingTerminatedIsNoPunishment: "terminated", "killed", "dismissed"
// said of a thing in the passive ("an EC2 instance running a Diego Brain was
// terminated", "what caused the instance to be terminated") are not a
// person punished; the model does not see the PUNISH class there (two false
// warnings in govau's 2016 postmortem). Said of people it stays.
func TestAThingTerminatedIsNoPunishment(t *testing.T) {
	checkFeature(t, "L:PUNISH", is("L:PUNISH"), []featureCase{
		{"An AWS EC2 instance running a Diego Brain was terminated.", false},
		{"It is unclear what caused the instance to be terminated.", false},
		{"The stuck process was killed and the job restarted.", false},
		{"On May 9, the compute resources associated with the data-8 project at GCE were suspended.", false},
		{"The engineer who ran the script was terminated.", true},
		{"Two staff were fired after the outage.", true},
	})
}

// TestFailTheVerbIsNoInsult: "fail" is an insult as a noun ("Epic fail.",
// "what a fail"); as a verb ("if these new activities fail(ed)", "the
// checks will fail") it judges no one (a false warning in va's 2023
// postmortem template).
func TestFailTheVerbIsNoInsult(t *testing.T) {
	checkFeature(t, "judgement features", is("L:JUDG", "k:judg-insult"), []featureCase{
		{"How will you know if these new activities fail(ed)?", false},
		{"The health checks will fail when the disk is full.", false},
		{"Builds that fail are retried once.", false},
		{"Epic fail.", true},
		{"What a fail by the release team.", true},
	})
}

// TestShoutedWords: a word in capitals is shouting ("BAD", "IDIOT",
// "NEVER") only when it is not a word written in capitals anyway: the
// role acronyms (SRE, DBA, QA, CEO) of every postmortem are not.
func TestShoutedWords(t *testing.T) {
	checkFeature(t, "f:exclaim", is("f:exclaim"), []featureCase{
		{"He merged it directly without a review. BAD.", true},
		{"The new guy is an IDIOT.", true},
		{"Whoever did this NEVER tested it.", true},
		{"The SRE on shift restarted the primary.", false},
		{"The DBA was not responsible for the dropped table.", false},
		{"QA signed off on the release at 14:00.", false},
		{"The CEO posted an update on the status page.", false},
		{"The SREs rotated the keys.", false},
		{"It failed!", true},
	})
}

// TestContractedSubjects: a pronoun with its auxiliary in one token ("I'll",
// "we'd", "they'll") is the subject it names, not a thing; 'll and 'd
// before a base verb are the modal of the group ("they'll delete": a plan,
// not an act that happened).
func TestContractedSubjects(t *testing.T) {
	for _, c := range []struct {
		text, feature string
	}{
		{"I'll be more careful.", "sv:P1S|BE-CARE"},
		{"Apologies, and I'll be more careful next time.", "sv:P1S|BE-CARE"},
		{"We'll be more careful.", "sv:P1P|BE-CARE"},
		{"You'll need to be more careful.", "sv:P2|BE-CARE"},
		{"They'll delete the old table.", "sv:THEY|HARMV|mod"},
		{"I'd delete the old table first.", "sv:P1S|HARMV|mod"},
		{"We've deleted the old table.", "sv:P1P|HARMV"},
		{"They've broken the build again.", "sv:THEY|HARMV"},
		// and "please" opens an order: no subject at all
		{"Please be more careful.", "sv:NONE|BE-CARE"},
	} {
		checkFeature(t, c.feature, is(c.feature), []featureCase{{c.text, true}})
	}
}

// TestRemedyAimedAtAPerson: an order to retrain, remind, teach or discipline
// whose object is a person ("Retrain the on-call", "Remind engineers to
// …", "Teach people not to …") is the guide's remedy aimed at people, a
// feature of its own; an order aimed at a thing ("Train the anomaly
// model") or with no object is not.
func TestRemedyAimedAtAPerson(t *testing.T) {
	checkFeature(t, "imp-person:", prefix("imp-person:"), []featureCase{
		{"Retrain the on-call on the failover procedure.", true},
		{"Remind engineers to double-check the region.", true},
		{"Teach people not to run risky commands.", true},
		{"Discipline whoever disabled the monitoring.", true},
		{"Coach the team on slower rollbacks.", true},
		{"Train the anomaly model on last quarter's data.", false},
		{"Remind the bot to post the summary.", false},
		{"Teach the linter to reject risky commands.", false},
	})
}
