package blameless

import (
	"strings"
	"testing"
)

// Person nouns that also name software agents are people unless a
// technical word comes right before; a participle after the subject's head
// does not take the head's place, nor does a bracketed aside.
func TestPersonFirstHeadsAndParticiples(t *testing.T) {
	checkFeature(t, "a person as the subject", func(f string) bool {
		for _, c := range []string{"PERSON", "ROLE", "SOMEONE"} {
			if strings.HasPrefix(f, "sv:"+c+"|") {
				return true
			}
		}
		return false
	}, []featureCase{
		{"A worker at the Alaska Department of Revenue deleted all the records.", true},
		{"Construction workers severed two fiber-optic lines.", true},
		{"A Mizuho Securities trader placed an erroneous sell order.", true},
		{"A Maryland 911 dispatcher fell asleep during the call.", true},
		{"A contractor working Saturday night pulled the wrong switch.", true},
		{"An engineer debugging the outage deleted the volume.", true},
		{"Someone (let us call them the cleaner) accidentally deleted a configuration file.", true},
		{"The engineer (on call that night) deleted the volume.", true},
		{"The engineer then proceeded to work on the wrong router.", true},
		{"Claimant, while at the airport for a funeral, sent the details to a colleague.", true},
		{"A bank-employee accidentally transferred the wrong sum.", true},
		{"The build-runner crashed.", false},
		{"The background worker crashed.", false},
		{"The Celery workers failed to process the jobs.", false},
		{"The GPU driver crashed.", false},
		// a technical modifier makes a component only of a head that can
		// name one: an agent noun or a component noun, not a role
		{"The release captain skipped the smoke tests.", true},
		{"The incident commander skipped the smoke tests.", true},
		{"The Prometheus exporter skipped the scrape.", false},
		{"The Kafka consumer skipped the poison message.", false},
		{"The Redis primary dropped the connections.", false},
	})
}

// A sanction said in a phrase is a sanction: "put on paid leave", "let
// him go", "a written warning".
func TestPunishPhrases(t *testing.T) {
	checkFeature(t, "L:PUNISH|phrase", is("L:PUNISH|phrase"), []featureCase{
		{"The employee was put on paid leave while the incident is investigated.", true},
		{"The operator has been placed on administrative leave.", true},
		{"They let him go the next week.", true},
		{"She received a written warning.", true},
		{"The engineer was put on a performance improvement plan.", true},
		{"Management put him on a PIP the week after.", true},
		{"Upgrade pip before installing the package.", false},
		{"The rollout plan had no performance budget.", false},
		{"The client had no appraisals or Performance Improvement Plans in place.", false},
		{"The employee who pressed the button has been reassigned.", false}, // a verb of the class, not a phrase
		{"I will be on leave next week.", false},
		{"Let the job go through the queue again.", false},
		{"The linter prints a warning.", false},
	})
	checkFeature(t, "L:PUNISH", is("L:PUNISH"), []featureCase{
		{"The employee who pressed the button has been reassigned.", true},
	})
}

// A judgement adjective's adverb and degrees are judgements, and so is the
// want of a virtue; the want of a safeguard is not.
func TestJudgementForms(t *testing.T) {
	checkFeature(t, "L:JUDG", is("L:JUDG"), []featureCase{
		{"We did it, but not that sloppily.", true},
		{"This has to be one of the stupidest changes anyone has ever made.", true},
		{"The problem is a lack of discipline.", true},
		{"Complete lack of knowledge demonstrated by the doctor.", true},
		{"The outage was prolonged by a lack of monitoring.", false},
		{"There was a lack of training on the new console.", false},
		{"The offending developer pushed straight to main.", true},
		{"We reverted the offending commit.", false},
		{"The replacement of the offending line card was scheduled.", false},
	})
}

// A judgement adjective WordNet also lists as a person ("a stupid", "an
// incompetent", "an amateur") is a person only after a determiner: "was
// naive and stupid" says what the logic was.
func TestJudgementAdjectivesAreNoPeople(t *testing.T) {
	person := func(f string) bool {
		return strings.Contains(f, "PERSON") && !strings.HasPrefix(f, "k:")
	}
	checkFeature(t, "a person", person, []featureCase{
		{"The retry logic was naive and stupid.", false},
		{"That config change was incompetent.", false},
		{"The script looked amateur at best.", false},
		{"Only an incompetent would deploy on a Friday.", true},
		{"The amateur who wrote this never tested it.", true},
	})
}

// "X is to blame" and "X is at fault" put their subject at fault whatever
// words of degree come between ("almost 100% to blame", "partly at
// fault", "responsible and at fault"); a subject the rules do not know for
// a person still gives the model the form, and "to blame" after a copula
// is no verb with an object ("to blame here").
func TestBlamePredicates(t *testing.T) {
	checkFeature(t, "k:bv-to-blame", prefix("k:bv-to-blame"), []featureCase{
		{"The operator is to blame.", true},
		{"The operator is almost 100% to blame here.", true},
		{"The contractors were at least partly to blame.", true},
		{"Upper management is to blame here.", true},
		{"It is easy to blame the operator.", false},
	})
	checkFeature(t, "k:bv-blame-obj", prefix("k:bv-blame-obj"), []featureCase{
		{"Upper management is to blame here.", false},
		{"It is easy to blame the operator.", true},
	})
	checkFeature(t, "k:bv-at-fault", prefix("k:bv-at-fault"), []featureCase{
		{"The operator is at fault.", true},
		{"The operator is responsible and at fault.", true},
		{"The operator was 50 percent at fault.", true},
		{"The vendor's firmware was at fault.", true},
	})
	checkFeature(t, "a team as the subject", prefix("k:bv-to-blame|TEAM"), []featureCase{
		{"Upper management is to blame here.", true},
		{"Senior leadership was to blame.", true},
	})
	checkFeature(t, "management as a thing", prefix("sv:TEAM"), []featureCase{
		{"Incident management was slow.", false},
		{"The management of secrets was slow.", false},
	})
}

// A first name that is also a word ("John", "Frank", "Bob") opening a
// sentence is a name when its verb follows, also past an adverb, an
// auxiliary or a negation ("John still shouldn't have", "Bob then
// deleted"); "Frank discussion followed" stays a word.
func TestAmbiguousNamesBeforeAdverbs(t *testing.T) {
	checkFeature(t, "a name as the subject", func(f string) bool {
		return strings.HasPrefix(f, "sv:NAME|")
	}, []featureCase{
		{"John deleted the database.", true},
		{"John still shouldn't have dropped them.", true},
		{"Bob then deleted the production table.", true},
		{"Frank accidentally pushed to main.", true},
		{"Bob never checked the logs before the cutover.", true},
		{"Frank discussion followed the outage.", false},
		{"Still the build failed.", false},
	})
}

// TestDepartmentsAndShifts: a department named bare as the subject of an
// act ("Support gave customers …", "Data engineering broke …") and a shift
// of workers ("the night shift ignored …") are people; the same words as
// things ("security was compromised", "the support for v1", "a shift in
// traffic") are not.
func TestDepartmentsAndShifts(t *testing.T) {
	a := mustNew(t, Config{})
	subjectOf := func(text string) subjClass {
		var got subjClass
		a.collect = func(_ *fsink, s *sent) {
			for g := range s.t {
				if s.verbal(g) && g > 0 {
					got = s.subjectBefore(g).cls
					return
				}
			}
		}
		a.analyze(Segment{Text: text}, true)
		return got
	}
	for _, c := range []struct {
		text   string
		person bool
	}{
		{"Support gave customers the wrong workaround.", true},
		{"Security locked everyone out of the VPN.", true},
		{"Data engineering renamed the column without telling anyone.", true},
		{"Customer support told users to reinstall the app.", true},
		{"Data engineering is to blame for the corrupted export.", true},
		{"The night shift ignored three pages.", true},
		{"The weekend shift restarted the consumers.", true},
		{"Security was compromised through the VPN.", false},
		{"The support ticket was closed by the bot.", false},
		{"A shift in traffic overloaded the cache.", false},
		{"Engineering time was spent on the migration.", false},
	} {
		if got := subjectOf(c.text); got.person() != c.person {
			t.Errorf("%q: subject %v, a person: want %v", c.text, got, c.person)
		}
	}
}

// A clause put forward to be denied is a frame that clears ("It wasn't
// that the team dropped the ball"); "not that simple" is no such frame.
func TestNotThatFrames(t *testing.T) {
	checkFeature(t, "negframe:not-that", is("negframe:not-that"), []featureCase{
		{"It wasn't that the team dropped the ball; the handoff tool silently discarded open tickets.", true},
		{"The problem was not that an engineer made a mistake.", true},
		{"It's not that people have become more careless, forgetful or reckless.", true},
		{"The news here is not simply that a junior developer made an error.", true},
		{"It's not that simple.", false},
		{"The change was not that risky.", false},
		{"The problem was that the engineer skipped the review.", false},
		{"We did not know that the job had failed.", false},
	})
	// the rules' verdict does not stand in the denied clause, and does after it
	checkFeature(t, "the rules' verdict", prefix("ks:"), []featureCase{
		{"The problem was not that an engineer made a mistake.", false},
		{"It wasn't that the team dropped the ball; the tool discarded the tickets.", false},
		{"An engineer made a mistake.", true},
		{"It's not that the deploy tool failed, it's that an engineer made a mistake.", true},
	})
}

// A harmful act denied ("Sam did not delete the bucket") is no harmful
// act; whether it is a duty left undone is the counterfactual's question
// ("the employee did not delete the tab with the patient data").
func TestDeniedHarmfulActs(t *testing.T) {
	checkCandidate(t, kPACHarm, SectionOther, "harmful act", []featureCase{
		{"Sam deleted the bucket by mistake.", true},
		{"Sam did not delete the bucket himself; the Terraform module applied the policy.", false},
		{"The engineer never wiped the volume.", false},
	})
}

// A judgement carries the person it is said of through its noun: the
// possessor or the agent after it.
func TestJudgedPerson(t *testing.T) {
	checkFeature(t, "a judgement of a person's work", is("k:judg-weak|ROLE", "k:judg-weak|NAME", "k:judg-weak|P3",
		"k:judg-weak|TEAM", "k:judg-strong|ROLE", "k:judg-strong|NAME", "k:judg-strong|P3", "k:judg-strong|TEAM"), []featureCase{
		{"Bad practice by the author: hardcoding the prod credentials in the script", true},
		{"Sloppy work on the migration script by Sam, plain and simple.", true},
		{"His careless change took the site down.", true},
		{"The intern's sloppy commit broke the build.", true},
		{"The interns' sloppy commit broke the build.", true},
		{"The servers' sloppy config broke the build.", false},
		{"Sloppy work on the migration script, plain and simple.", false},
		{"A careless config change by the deploy bot took the site down.", false},
		{"Bad practice, as the guide says, is to hardcode credentials.", false},
	})
}

// A denial answered by another agent's doing clears the person: "The admin
// did not perform the suspension; the automation did."
func TestOtherDid(t *testing.T) {
	checkFeature(t, "negframe:other-did", is("negframe:other-did"), []featureCase{
		{"The admin did not perform the suspension; the automation did.", true},
		{"Sam didn't delete the bucket — the lifecycle policy did.", true},
		{"The engineer did not run the migration, but the deploy job did it.", true},
		{"The engineer did not check the logs; the alert fired for an hour.", false},
		{"The engineer did not check the logs; the on-call lead did.", false},
		{"The admin performed the suspension; the automation did not.", false},
	})
	checkFeature(t, "the rules' verdict", prefix("ks:"), []featureCase{
		{"The admin did not perform the suspension; the automation did.", false},
		{"The admin did not perform the suspension.", true},
	})
}
