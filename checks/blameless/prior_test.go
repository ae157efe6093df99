package blameless

import (
	"os"
	"slices"
	"strconv"
	"strings"
)

// guidePrior: what the labelling guide (../shared/blameless/README.md and the
// house addendum) says a feature means, as the weight the fit starts from and
// is pulled towards. The data move a weight away from its prior as far as
// they disagree with it; the grouped cross-validation measures what the
// prior is worth (cv_test.go, hybrid vs hybrid-noprior).
//
//   - a person (named, @handle, role, person noun, team, he/she, someone,
//     you) as the subject of an error, a harmful act, "failed to", a cause
//     ("caused", "is to blame") or hindsight ("should have" + participle):
//     blame; the same cleared by a negation ("did not forget"): not;
//   - the writers' own hindsight (we / I should have): blame;
//   - a person called careless, sloppy …; "human error" as such; remedies
//     aimed at people (retrain, be more careful); "why did X …?": blame;
//     "more careful" said of a thing (the linter, the checklist): not;
//     a person's work judged ("poorly designed by Sam", "Sam's sloppy
//     change", "bad practice by the author"): blame;
//   - a person in the condition of a counterfactual ("If Alice had read
//     the alert, …", "Had the team followed the checklist, …"): blame;
//   - a clause put forward to be denied ("It wasn't that the team dropped
//     the ball; …", "The problem was not that an engineer made a
//     mistake", "The admin did not perform the suspension; the
//     automation did"): the guide's negated use, not blame;
//   - the rules' own verdict that a person is at fault: blame.
var priorStrength = envFloatDefault("BLAMELESS_PRIOR", 1.0)

func envFloatDefault(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

var priorPersons = map[string]bool{"NAME": true, "HANDLE": true, "ROLE": true, "PERSON": true, "TEAM": true,
	"P3": true, "SOMEONE": true, "P2": true}

func guidePrior(name string) float64 {
	p := priorStrength
	switch {
	case strings.HasPrefix(name, "ks:"):
		if name == "ks:"+RuleCondescending || name == "ks:"+RuleCustom {
			return 0
		}
		return p
	case name == "L:HUMANERR", name == "L:JUDG", name == "imp:REMEDY", name == "imp:PUNISH", name == "pv:BE-CARE",
		name == "imp-person:REMEDY", name == "imp-person:PUNISH", name == "k:pac-judged":
		return p
	case name == "L:HUMANERR|neg", name == "L:JUDG|neg", name == "L:PRAISE", name == "negframe:not-that",
		name == "negframe:other-did":
		return -p
	case strings.HasPrefix(name, "sv:"):
		parts := strings.Split(strings.TrimPrefix(name, "sv:"), "|")
		if len(parts) < 2 {
			return 0
		}
		who, pred := parts[0], parts[1]
		neg := len(parts) > 2 && parts[2] == "neg"
		if slices.Contains(parts[2:], "mod") || slices.Contains(parts[2:], "avoid") {
			return 0 // advice, plans and possibilities: the guide says nothing
		}
		person := priorPersons[who]
		switch pred {
		case "ERRV", "HARMV", "FAILTO":
			if person && neg && pred != "FAILTO" {
				return -p
			}
			if person && !neg {
				return p
			}
		case "HIND":
			if person || who == "P1P" || who == "P1S" {
				return p
			}
		case "CAUSE", "BE-BLAME":
			if person && !neg {
				return p
			}
		case "BE-JUDG":
			if person || who == "P1P" {
				return p
			}
		case "BE-CARE":
			if who == "THING" && !neg {
				return -p // "the linter should be more careful": a remedy aimed at the system
			}
		}
	}
	for _, pre := range personCuePrefixes {
		if who, ok := strings.CutPrefix(name, pre); ok && priorPersons[who] {
			return p
		}
	}
	return 0
}

// personCuePrefixes: cues that are blame when said of a person (the
// feature name ends in the person's class): "why did the engineer …?", the
// condition of a counterfactual ("If Alice had read the alert, …", "Had
// the team followed the checklist, …"), a person's work called careless,
// sloppy, bad practice.
var personCuePrefixes = []string{"h:why-aux|", "k:cf-if-had|", "k:cf-had-inverted|", "k:judg-strong|", "k:judg-weak|"}

// priorFeatures lists every feature name guidePrior gives a weight, so that
// a fit can keep them even when no training row has them (their weight is
// then the prior's).
func priorFeatures() []string {
	var out []string
	who := []string{"NONE", "THING", "P1S", "P1P", "P2", "P3", "THEY", "SOMEONE", "ANYONE", "NOBODY", "ROLE", "PERSON", "TEAM", "NAME", "HANDLE"}
	for _, w := range who {
		for _, p := range []string{"ERRV", "HARMV", "FAILTO", "HIND", "BE-JUDG", "CAUSE", "BE-BLAME", "BE-CARE"} {
			for _, v := range []string{"", "|neg", "|pass"} {
				out = append(out, "sv:"+w+"|"+p+v)
			}
		}
		for _, pre := range personCuePrefixes {
			out = append(out, pre+w)
		}
	}
	for _, r := range rules {
		out = append(out, "ks:"+r.ID)
	}
	out = append(out, "L:HUMANERR", "L:JUDG", "imp:REMEDY", "imp:PUNISH", "pv:BE-CARE", "imp-person:REMEDY", "imp-person:PUNISH", "k:pac-judged", "L:HUMANERR|neg", "L:JUDG|neg", "L:PRAISE", "negframe:not-that", "negframe:other-did")
	var kept []string
	for _, n := range out {
		if guidePrior(n) != 0 {
			kept = append(kept, n)
		}
	}
	return kept
}
