package blameless

//go:generate go test -run ^TestTrainModel$ -count=1 . -args -train

// The shipped model: the sentence model of sentence.go with the weights,
// calibration and default minimum confidence that `go generate` (the test
// TestTrainModel with -train) fits on the whole labelled corpus and writes to
// model_gen.go, a file to review like code: one named weight a line; then
// each feature's weights in the models of the guide's seven cues (one
// logistic regression per cue, joined by the log-sum-exp of their log-odds);
// then the forest (one split on a named feature's presence, or one leaf, a
// line). The three log-odds are averaged before the calibration.

// defaultModel is the shipped model (model_gen.go); nil when model_gen.go
// holds no weights.
var defaultModel = func() *sentModel {
	if len(modelWeights) == 0 {
		return nil
	}
	return newSentModel(modelSpec{weights: modelWeights, bias: modelBias, cueWeights: modelCueWeights,
		cueBias: modelCueBias, forest: modelForest, forestBase: modelForestBase, plattA: modelPlattA, plattB: modelPlattB,
		barePlattA: modelBarePlattA, barePlattB: modelBarePlattB})
}()
