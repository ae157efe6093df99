package blameless

//go:generate go test -run ^TestTrainModel$ -count=1 . -args -train

import (
	"math"
	"strings"
)

// The model: a logistic regression over the features of a candidate (its
// kind, rule, subject class and person evidence, the rule crossed with the
// subject class and with the section, the section and the sentence flags).
// Its weights are trained from the labelled corpus by `go generate` (the
// test TestTrainModel with -train) and embedded in model_gen.go, a file to
// review like code: one named weight a line.

// Feature index layout.
var (
	nRuleIDs    = len(rules)
	nSubj       = int(sNamed) + 1
	nSections   = int(SectionLessons) + 1
	offKind     = 1
	offRule     = offKind + int(nKinds)
	offSubj     = offRule + nRuleIDs
	offEv       = offSubj + nSubj
	offRuleSubj = offEv + int(nEv)
	offSection  = offRuleSubj + nRuleIDs*nSubj
	offRuleSec  = offSection + nSections
	offFlag     = offRuleSec + nRuleIDs*nSections
	offRuleFlag = offFlag + nFlags
	offStrong   = offRuleFlag + nRuleIDs*nFlags
	nFeatures   = offStrong + 1 + nRuleIDs
)

var subjNames = [...]string{"none", "unknown", "system", "i", "we", "you", "third", "generic", "nobody", "role", "team", "named"}

var sectionNamesOut = [...]string{"other", "summary", "timeline", "cause", "resolution", "followups", "lessons"}

// featureName names feature i as it appears in model_gen.go.
func featureName(i int) string {
	rule := func(r int) string { return strings.TrimPrefix(rules[r].ID, "blameless/") }
	switch {
	case i == 0:
		return "bias"
	case i < offRule:
		return "kind=" + kindNames[i-offKind]
	case i < offSubj:
		return "rule=" + rule(i-offRule)
	case i < offEv:
		return "subject=" + subjNames[i-offSubj]
	case i < offRuleSubj:
		return "evidence=" + evNames[i-offEv]
	case i < offSection:
		k := i - offRuleSubj
		return "rule=" + rule(k/nSubj) + "&subject=" + subjNames[k%nSubj]
	case i < offRuleSec:
		return "section=" + sectionNamesOut[i-offSection]
	case i < offFlag:
		k := i - offRuleSec
		return "rule=" + rule(k/nSections) + "&section=" + sectionNamesOut[k%nSections]
	case i < offRuleFlag:
		return "flag=" + flagNames[i-offFlag]
	case i < offStrong:
		k := i - offRuleFlag
		return "rule=" + rule(k/nFlags) + "&flag=" + flagNames[k%nFlags]
	case i == offStrong:
		return "person-at-fault"
	case i < nFeatures:
		return "rule=" + rule(i-offStrong-1) + "&person-at-fault"
	}
	return ""
}

// ruleIndex is the position of a rule id in rules.
func ruleIndex(id string) int {
	for i, r := range rules {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// features appends the active (value 1) features of a candidate.
func features(c *cand, sec Section, fl flagSet, dst []int32) []int32 {
	r := ruleIndex(c.h.Rule)
	if r < 0 {
		return dst
	}
	sc := int(c.cls)
	if int(sec) >= nSections || sec < 0 {
		sec = SectionOther
	}
	dst = append(dst, 0, int32(offKind+int(c.k)), int32(offRule+r), int32(offSubj+sc), int32(offEv+int(c.ev)),
		int32(offRuleSubj+r*nSubj+sc), int32(offSection+int(sec)), int32(offRuleSec+r*nSections+int(sec)))
	for f := range nFlags {
		if fl&(1<<f) != 0 {
			dst = append(dst, int32(offFlag+f), int32(offRuleFlag+r*nFlags+f))
		}
	}
	if c.strong {
		dst = append(dst, int32(offStrong), int32(offStrong+1+r))
	}
	return dst
}

// model is a logistic regression over the candidate features.
type model struct {
	w []float64 // by feature index
}

func (m *model) score(c *cand, sec Section, fl flagSet) float64 {
	var buf [48]int32
	z := 0.0
	for _, f := range features(c, sec, fl, buf[:0]) {
		z += m.w[f]
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// newModel builds a model from named weights; unknown names are returned
// (a test keeps model_gen.go free of them).
func newModel(named map[string]float64) (*model, []string) {
	index := make(map[string]int, nFeatures)
	for i := range nFeatures {
		index[featureName(i)] = i
	}
	m := &model{w: make([]float64, nFeatures)}
	var unknown []string
	for name, w := range named {
		i, ok := index[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		m.w[i] = w
	}
	return m, unknown
}

// defaultModel is the shipped model (model_gen.go).
var defaultModel, defaultModelUnknown = newModel(modelWeights)
