package blameless

import "sync"

//go:generate go test -run ^TestTrainModel$ -count=1 . -args -train

// The shipped model: the sentence model of sentence.go with the weights,
// calibration and default minimum confidence that `go generate` (the test
// TestTrainModel with -train) fits on the whole labelled corpus and writes to
// model_gen.go, a file to review like code: one named weight a line; then
// each feature's weights in the models of the guide's seven cues (one
// logistic regression per cue, joined by the log-sum-exp of their log-odds);
// then the forest (one split on a named feature's presence, or one leaf, a
// line). The three log-odds are averaged before the calibration.
//
// model_bare_gen.go is the same method fitted on the same rows read without
// their sections: it scores a sentence whose section is unknown (a sentence
// linted alone, a document without headings), which the sectioned model
// ranks worse, since it learned to lean on the section.

// defaultModel is the shipped model (model_gen.go); nil when model_gen.go
// holds no weights.
var defaultModel = func() *sentModel {
	if len(modelWeights) == 0 {
		return nil
	}
	return newSentModel(modelSpec{weights: modelWeights, bias: modelBias, cueWeights: modelCueWeights,
		cueBias: modelCueBias, forest: modelForest, forestBase: modelForestBase, plattA: modelPlattA, plattB: modelPlattB})
}()

// defaultBareModel is the shipped model of a sentence whose section is
// unknown (model_bare_gen.go); nil when it holds no weights. It is built
// when first needed: most documents have headings, and building it costs
// about 20 ms and 9 MB.
var defaultBareModel = sync.OnceValue(func() *sentModel {
	if len(bareModelWeights) == 0 {
		return nil
	}
	return newSentModel(modelSpec{weights: bareModelWeights, bias: bareModelBias, cueWeights: bareModelCueWeights,
		cueBias: bareModelCueBias, forest: bareModelForest, forestBase: bareModelForestBase, plattA: bareModelPlattA,
		plattB: bareModelPlattB})
})
