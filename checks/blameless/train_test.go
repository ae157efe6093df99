package blameless

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/postmortem-app/postmortem/checks/blameless/internal/vocab"
)

var trainFlag = flag.Bool("train", false, "TestTrainModel: fit the models on the whole corpus and write model_gen.go and model_bare_gen.go")

// Training. Every row of the corpus is run through the analyzer once, without
// a model: each sentence's named features (sentence.go) are collected, and a
// row's features are the union of its sentences'. A fit, on the training
// rows of a fold or on the whole corpus, then
//
//  1. keeps the features seen in at least minGroups groups (organisations or
//     incidents) of its rows: a feature only one writer uses is that
//     writer's, not the language's;
//  2. fits an L2-penalised logistic regression (L-BFGS) with class weights
//     (blame rows weigh as much as ok rows in total) and borderline rows at
//     a quarter weight, and (the shipped method) a forest of gradient-boosted
//     trees on the features' presence with the same weights (fitForest);
//     the raw score is the mean of their log-odds;
//  3. calibrates it (Platt scaling) and chooses the minimum confidence of an
//     error (precision ≥ targetPrecision) and of a warning (precision ≥
//     warnPrecision) on the out-of-fold scores of an inner grouped
//     cross-validation of its rows (all rows, as labelled: on non-borderline
//     rows alone the precision of 0.90 is reached in too few folds to
//     choose from).
//
// Nothing of a fold's held-out rows enters any of it.

// Hyperparameters, chosen on the grouped cross-validation among few values:
// λ = 5 since the forest grew to 400 trees of depth 4 (firm AP / headline F1
// / read-alone AP at 5 folds: λ 2 0.7998/0.592/0.7181, 3 0.8016/0.594/
// 0.7199, 5 0.8024/0.595/0.7207, 8 0.8018/0.592/0.7196; at 7 folds λ 5
// 0.8043/0.606/0.7221 against λ 3 0.8033/0.597/0.7215); λ = 3 before, since
// the corpus passed 21 000 rows (firm AP / headline F1 / best F1
// at 5 folds: λ 2 0.759/0.537/0.699, 3 0.761/0.537/0.699, 5 0.760/0.531/
// 0.696, 10 0.756/0.524/0.691, 20 0.749/0.485/0.686; at 7 folds λ 3
// 0.765/0.539/0.704 against λ 10 0.758/0.523/0.693; λ 10 was best at 8 000
// rows, where 3–30 moved the best F1 by under 0.01 and λ ≤ 1 overfit), features in at least 3
// groups, borderline rows at a quarter weight (against half: firm average
// precision 0.598/0.591/0.596 at 5/7/10 folds against 0.588/0.583/0.587,
// best F1 0.574/0.569/0.569 against 0.566/0.562/0.567; 0.1 ranks as well
// but is one step from ignoring the borderline rows; 1 ranks worse, 0.575).
var (
	lambda       = envFloat("BLAMELESS_LAMBDA", 5)
	minGroups    = int(envFloat("BLAMELESS_MIN_GROUPS", 3))
	borderWeight = envFloat("BLAMELESS_BORDER_WEIGHT", 0.25)
)

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

// targetPrecision is what the minimum confidence is chosen for, on the firm
// rows of out-of-fold predictions of the training rows. The floor is
// 0.90; the lowest confidence that meets a target on the inner folds meets
// it about a point lower on held-out groups (0.895 at 5 folds for 0.90), so
// the choice aims at 0.91. How far the held-out precision falls from the
// target moves from round to round: with round 11, 0.91 gave 0.899 at 5
// folds (0.908 at 7), and the target was raised to 0.915; with round 12,
// 0.915 gave 0.929 at 5 folds at a recall of 0.327, while 0.91 gives 0.913
// (R 0.361) at 5 folds and 0.911 (R 0.375) at 7, so it is 0.91 again. Both
// choices were made on the outer folds; the round-8 test set, never tuned
// on, checks the precision of errors it gives.
var targetPrecision = envFloat("BLAMELESS_TARGET_PRECISION", 0.91)

// warnPrecision: warnings are reported from where 82 in 100 are right.
// Whole real postmortems have far fewer blameful sentences than the corpus
// (a third of whose rows blame), so the floor is set with them in view: with
// the plain-* batches of both rounds, four in five put it at 0.59, where 41
// whole documents had 9 right findings and 4 false; 0.82 puts it at 0.64,
// with 8 right and 1 false; 0.84 at 0.68, with 5 right and 1 false. (With
// the first round alone, four in five gave 0.66: 9 right, 1 false.)
var warnPrecision = envFloat("BLAMELESS_WARN_PRECISION", 0.82)

// featTable interns feature names.
type featTable struct {
	names []string
	index map[string]int32
}

func (ft *featTable) id(name string) int32 {
	if k, ok := ft.index[name]; ok {
		return k
	}
	k := int32(len(ft.names))
	ft.names = append(ft.names, name)
	ft.index[name] = k
	return k
}

// rowData is what the analyzer made of one row.
type rowData struct {
	feats  []int32   // sorted, repeated as often as they occur
	strong []string  // rules of the rules' strong candidates
	emb    []float64 // the mean word vector (embMean); nil: no word has one
}

// extract runs the analyzer without a model over every row.
func extract(tb testing.TB, rows []row) (*featTable, []rowData) {
	ft := &featTable{index: map[string]int32{}}
	for _, n := range priorFeatures() {
		ft.id(n) // features the prior knows, whether or not a row has them
	}
	return ft, extractInto(tb, ft, rows, nil)
}

// extractInto runs the analyzer over rows into ft's features; section, when
// set, gives each row's section (else the row's own).
func extractInto(tb testing.TB, ft *featTable, rows []row, section func(row) Section) []rowData {
	tb.Helper()
	a := mustNew(tb, Config{})
	a.model = nil
	if section == nil {
		section = row.section
	}
	out := make([]rowData, len(rows))
	for i, r := range rows {
		d := &out[i]
		a.collect = func(f *fsink, s *sent) {
			for _, n := range f.names {
				d.feats = append(d.feats, ft.id(n))
			}
			for _, c := range s.cands {
				if c.strong {
					d.strong = append(d.strong, c.h.Rule)
				}
			}
		}
		a.analyze(Segment{Text: r.Text, Section: section(r)}, true)
		slices.Sort(d.feats) // a feature that occurs twice counts twice
	}
	return out
}

// corpusVectors: the word vectors of the corpus's words (corpus.vec,
// written by internal/vecgen to its cache directory), dequantised.
var corpusVectors = sync.OnceValues(func() (map[string][]float64, error) {
	vs, err := vocab.Read(filepath.Join(vocab.CacheDir(), "corpus.vec"))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]float64, len(vs))
	for _, v := range vs {
		out[v.Word] = v.Float()
	}
	return out, nil
})

// withVectors sets each row's mean word vector (rowData.emb), or skips tb
// when the vectors have not been generated.
func (tr *trainer) withVectors(tb testing.TB) {
	vecs, err := corpusVectors()
	if err != nil {
		tb.Skipf("no word vectors (run go run ./internal/vecgen in checks/blameless): %v", err)
	}
	for i, r := range tr.rows {
		tr.data[i].emb = embMean(vecs, r.Text)
	}
}

// embMean: the mean of the vectors of text's words (vocab.Words) that have
// one; nil when none has.
func embMean(vecs map[string][]float64, text string) []float64 {
	var sum []float64
	n := 0
	vocab.Words(text, func(w string) {
		v, ok := vecs[w]
		if !ok {
			return
		}
		if sum == nil {
			sum = make([]float64, vocab.Dims)
		}
		for k, x := range v {
			sum[k] += x
		}
		n++
	})
	for k := range sum {
		sum[k] /= float64(n)
	}
	return sum
}

// fitted is a fitted sentence model.
type fitted struct {
	w          map[int32]float64
	bias       float64
	a, b       float64 // Platt
	threshold  float64 // errors at or above (calibrated)
	warn       float64 // warnings at or above
	nFeatures  int
	rawOOF     []float64 // inner out-of-fold calibrated scores (for the shipped model's report)
	innerIndex []int
	// with a forest, the raw score is the mean of the LR's log-odds and
	// the forest's (forestInit plus a leaf of each tree; the step eta is
	// in the leaves)
	forest     []*gbtNode
	forestInit float64
	// with word vectors, embWeight times the vectors' log-odds (embB plus
	// embW·the mean vector) joins the mean
	embW []float64
	embB float64
	// with cues, one LR per cue of the guide (cueModelNames) joins the
	// mean with the log-sum-exp of their log-odds
	cueW []map[int32]float64
	cueB []float64
}

func (m *fitted) raw(d *rowData) float64 {
	z := m.bias
	for _, f := range d.feats {
		z += m.w[f]
	}
	n := 1.0
	if m.cueW != nil {
		z += m.cueScore(d)
		n++
	}
	if m.forest != nil {
		fz := m.forestInit
		for _, n := range m.forest {
			fz += n.eval(d.feats)
		}
		z += fz
		n++
	}
	if m.embW != nil {
		z += embWeight * m.embScore(d.emb)
		n += embWeight
	}
	return z / n
}

// cueScore: the log-sum-exp of the cues' models' log-odds.
func (m *fitted) cueScore(d *rowData) float64 {
	zs := make([]float64, len(m.cueW))
	for k, w := range m.cueW {
		zs[k] = m.cueB[k]
		for _, f := range d.feats {
			zs[k] += w[f]
		}
	}
	return logSumExp(zs)
}

// fitCue fits the LR of cue k of the guide on rows idx: the blameless rows
// against the blameful rows of that cue (the other cues' blameful rows are
// left out: they are neither).
func (tr *trainer) fitCue(idx []int, k int) (map[int32]float64, float64) {
	var sub []int
	for _, i := range idx {
		if r := tr.rows[i]; !r.blame() || r.Cue == cueModelNames[k] {
			sub = append(sub, i)
		}
	}
	return tr.fitLR(sub)
}

func (m *fitted) embScore(mean []float64) float64 {
	z := m.embB
	for k, x := range mean {
		z += m.embW[k] * x
	}
	return z
}

// The word vectors' part of embMethod (measured by TestLearners, not
// shipped): their logistic regression's log-odds weigh embWeight against
// the LR's and the forest's 1 in the mean; L2 embLambda on the standardised
// mean vector. Added to the shipped method (24 497 rows, 5 grouped folds,
// firm rows): AP 0.802 → 0.804, best F1 0.723 → 0.726, headline F1 0.595 →
// 0.593, for a 50 000-word table the binary would have to carry.
var (
	embWeight = envFloat("BLAMELESS_EMB_WEIGHT", 0.5)
	embLambda = envFloat("BLAMELESS_EMB_LAMBDA", 10)
)

// fitEmb fits the logistic regression over the rows' mean word vectors,
// standardised on rows idx (a row with none has the zero vector), with
// fitLR's class and borderline weights, by Newton's method; it returns the
// weights and bias on the unstandardised mean vector.
func (tr *trainer) fitEmb(idx []int) ([]float64, float64) {
	d := vocab.Dims
	mu, sd := make([]float64, d), make([]float64, d)
	for _, i := range idx {
		for k, x := range tr.data[i].emb {
			mu[k] += x
		}
	}
	for k := range mu {
		mu[k] /= float64(len(idx))
	}
	for _, i := range idx {
		for k := range sd {
			x := -mu[k]
			if e := tr.data[i].emb; e != nil {
				x += e[k]
			}
			sd[k] += x * x
		}
	}
	for k := range sd {
		sd[k] = math.Sqrt(sd[k]/float64(len(idx))) + 1e-9
	}
	X := make([][]float64, len(idx))
	for r, i := range idx {
		x := make([]float64, d+1)
		x[0] = 1
		for k := range d {
			v := 0.0
			if e := tr.data[i].emb; e != nil {
				v = e[k]
			}
			x[k+1] = (v - mu[k]) / sd[k]
		}
		X[r] = x
	}
	ys, ws := tr.sampleWeights(idx)
	w := newtonDense(X, ys, ws, embLambda)
	out := make([]float64, d)
	b := w[0]
	for k := range d {
		out[k] = w[k+1] / sd[k]
		b -= w[k+1] * mu[k] / sd[k]
	}
	return out, b
}

// newtonDense: weighted logistic regression by Newton's method, L2 lambda
// on all but the first column (the bias, x[0] = 1).
func newtonDense(X [][]float64, ys, ws []float64, lambda float64) []float64 {
	n := len(X[0])
	w := make([]float64, n)
	H := make([]float64, n*n)
	g := make([]float64, n)
	for iter := 0; iter < 50; iter++ {
		clear(H)
		clear(g)
		for r, x := range X {
			z := dot(w, x)
			p := sigmoid(z)
			c := ws[r] * (p - ys[r])
			h := ws[r] * max(p*(1-p), 1e-12)
			for a := range n {
				g[a] += c * x[a]
				ha := h * x[a]
				row := H[a*n:]
				for b := a; b < n; b++ {
					row[b] += ha * x[b]
				}
			}
		}
		for a := 1; a < n; a++ {
			g[a] += lambda * w[a]
			H[a*n+a] += lambda
		}
		for a := range n {
			for b := 0; b < a; b++ {
				H[a*n+b] = H[b*n+a]
			}
		}
		step := choleskySolve(H, g, n)
		delta := 0.0
		for a := range n {
			w[a] -= step[a]
			delta = max(delta, math.Abs(step[a]))
		}
		if delta < 1e-8 {
			break
		}
	}
	return w
}

// choleskySolve solves H x = g for a symmetric positive definite H (n×n,
// row-major; overwritten).
func choleskySolve(H, g []float64, n int) []float64 {
	for j := range n {
		s := H[j*n+j]
		for k := range j {
			s -= H[j*n+k] * H[j*n+k]
		}
		s = math.Sqrt(max(s, 1e-12))
		H[j*n+j] = s
		for i := j + 1; i < n; i++ {
			t := H[i*n+j]
			for k := range j {
				t -= H[i*n+k] * H[j*n+k]
			}
			H[i*n+j] = t / s
		}
	}
	y := make([]float64, n)
	for i := range n {
		t := g[i]
		for k := range i {
			t -= H[i*n+k] * y[k]
		}
		y[i] = t / H[i*n+i]
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		t := y[i]
		for k := i + 1; k < n; k++ {
			t -= H[k*n+i] * x[k]
		}
		x[i] = t / H[i*n+i]
	}
	return x
}

// The forest's shape (TestLearners: 50 trees of depth 3 at step 0.3 rank
// as well as 200 at 0.1; the shipped method has 400 since the cues' models
// joined the mean and the features grew, cueMethod in cv_test.go). Depth 4
// against 3, 400 trees, grouped CV, firm rows, AP / headline F1 / read-alone
// AP: 5 folds 0.8016/0.594/0.7199 against 0.8010/0.586/0.7186, 7 folds
// 0.8033/0.597/0.7215 against 0.8017/0.592/0.7205. Half the step with twice
// the trees (0.15, 800) ranks a little better (AP 0.8034 against 0.8024,
// headline F1 0.599 against 0.595, read alone 0.7356 against 0.7345) for
// 1.6 times the fitting time (the 5-fold CV 901 s against 565 s): not
// worth it.
const (
	forestDepth = 4
	forestEta   = 0.3
	forestL2    = 1.0
)

// fitModel fits the weights (and, with trees, the forest) on rows idx.
func (tr *trainer) fitModel(idx []int) *fitted {
	// the parts do not depend on each other: they are fitted side by side
	m := &fitted{}
	parts := []func(){func() { m.w, m.bias = tr.fitLR(idx) }}
	if tr.trees > 0 {
		parts = append(parts, func() { m.forestInit, m.forest = tr.fitForest(idx, tr.trees, forestDepth, forestEta, forestL2, nil) })
	}
	if tr.emb {
		parts = append(parts, func() { m.embW, m.embB = tr.fitEmb(idx) })
	}
	if tr.cues {
		m.cueW, m.cueB = make([]map[int32]float64, nCueModels), make([]float64, nCueModels)
		for k := range cueModelNames {
			parts = append(parts, func() { m.cueW[k], m.cueB[k] = tr.fitCue(idx, k) })
		}
	}
	inParallel(len(parts), func(i int) { parts[i]() })
	m.nFeatures = len(m.w)
	return m
}

// fitForest: gradient-boosted trees (second-order, as XGBoost) over the
// presence of the features kept as fitLR keeps them (tr.vocabulary), with
// fitLR's class and borderline weights, each split on one feature's
// presence; boosted from the prior log-odds, or from base's scores when
// base is set (then init is 0). The step eta is folded into the leaves.
func (tr *trainer) fitForest(idx []int, trees, depth int, eta, l2 float64, base func(int) float64) (float64, []*gbtNode) {
	// The trees grow over the vocabulary's features renumbered 0…n-1 in
	// the order of their ids (so ties between splits go as by id), and
	// the gradients' sums stay small enough to stay in the cache; the
	// nodes get their ids back at the end.
	voc := tr.vocabulary(idx)
	ids := slices.Sorted(maps.Keys(voc))
	compact := make(map[int32]int32, len(ids))
	for c, f := range ids {
		compact[f] = int32(c)
	}
	xs := make([][]int32, len(idx))
	for k, i := range idx {
		for _, f := range distinct(tr.data[i].feats) {
			if c, ok := compact[f]; ok {
				xs[k] = append(xs[k], c)
			}
		}
	}
	ys, ws := tr.sampleWeights(idx)
	margin := make([]float64, len(idx))
	init := 0.0
	if base != nil {
		for k, i := range idx {
			margin[k] = base(i)
		}
	} else {
		var sp, sw float64
		for k := range idx {
			sp += ws[k] * ys[k]
			sw += ws[k]
		}
		init = math.Log(sp / (sw - sp))
		for k := range margin {
			margin[k] = init
		}
	}
	sc := &treeScratch{gh: make([][2]float64, len(ids))}
	var forest []*gbtNode
	g := make([]float64, len(idx))
	h := make([]float64, len(idx))
	all := make([]int, len(idx))
	for k := range all {
		all[k] = k
	}
	for range trees {
		for k := range idx {
			p := sigmoid(margin[k])
			g[k] = ws[k] * (p - ys[k])
			h[k] = ws[k] * max(p*(1-p), 1e-6)
		}
		sc.leaves = sc.leaves[:0]
		root := sc.grow(xs, g, h, all, depth, l2)
		root.scale(eta)
		// each row's leaf is known from the growing: no tree walk
		for _, l := range sc.leaves {
			for _, k := range l.rows {
				margin[k] += l.n.value
			}
		}
		forest = append(forest, root)
	}
	for _, root := range forest {
		root.renumber(ids)
	}
	return init, forest
}

// treeScratch is one forest's scratch while its trees grow: the sums of
// gradients and hessians by feature (as fitForest numbers them), the
// features touched, and the leaves of the tree growing.
type treeScratch struct {
	gh      [][2]float64 // a feature's gradient and hessian side by side: one cache line
	touched []int32
	leaves  []leafRows
}

// leafRows: a leaf and the training rows the growing sent to it.
type leafRows struct {
	n    *gbtNode
	rows []int
}

var gbtMinHess = envFloat("BLAMELESS_GBT_MIN_HESS", 1)

type gbtNode struct {
	feat        int32 // -1: leaf
	value       float64
	with, witho *gbtNode
}

func (n *gbtNode) eval(fs []int32) float64 {
	for n.feat >= 0 {
		if _, ok := slices.BinarySearch(fs, n.feat); ok {
			n = n.with
		} else {
			n = n.witho
		}
	}
	return n.value
}

// grow: the best split on a feature's presence at each node, by the
// second-order gain, to depth (minimum hessian per child 1).
func (sc *treeScratch) grow(xs [][]int32, g, h []float64, rows []int, depth int, l2 float64) *gbtNode {
	var G, H float64
	for _, k := range rows {
		G += g[k]
		H += h[k]
	}
	leaf := &gbtNode{feat: -1, value: -G / (H + l2)}
	if depth == 0 || len(rows) < 10 {
		sc.leaves = append(sc.leaves, leafRows{leaf, rows})
		return leaf
	}
	for _, k := range rows {
		gk, hk := g[k], h[k]
		for _, f := range xs[k] {
			s := &sc.gh[f]
			if s[0] == 0 && s[1] == 0 {
				sc.touched = append(sc.touched, f)
			}
			s[0] += gk
			s[1] += hk
		}
	}
	parent := G * G / (H + l2)
	bestGain, bestF := 1e-9, int32(-1)
	for _, f := range sc.touched {
		gl, hl := sc.gh[f][0], sc.gh[f][1]
		sc.gh[f] = [2]float64{}
		gr, hr := G-gl, H-hl
		if hl < gbtMinHess || hr < gbtMinHess {
			continue
		}
		gain := gl*gl/(hl+l2) + gr*gr/(hr+l2) - parent
		if gain > bestGain || gain == bestGain && f < bestF {
			bestGain, bestF = gain, f
		}
	}
	sc.touched = sc.touched[:0]
	if bestF < 0 {
		sc.leaves = append(sc.leaves, leafRows{leaf, rows})
		return leaf
	}
	var with, witho []int
	for _, k := range rows {
		if _, ok := slices.BinarySearch(xs[k], bestF); ok {
			with = append(with, k)
		} else {
			witho = append(witho, k)
		}
	}
	return &gbtNode{feat: bestF, with: sc.grow(xs, g, h, with, depth-1, l2), witho: sc.grow(xs, g, h, witho, depth-1, l2)}
}

// renumber gives the splits of a tree grown over renumbered features their
// ids: ids[c] is feature c's.
func (n *gbtNode) renumber(ids []int32) {
	if n.feat < 0 {
		return
	}
	n.feat = ids[n.feat]
	n.with.renumber(ids)
	n.witho.renumber(ids)
}

func (n *gbtNode) scale(eta float64) {
	if n.feat < 0 {
		n.value *= eta
		return
	}
	n.with.scale(eta)
	n.witho.scale(eta)
}

func (m *fitted) conf(d *rowData) float64 { return sigmoid(m.a*m.raw(d) + m.b) }

// bareSection: a row read as a sentence alone, whose section nobody knows,
// unless it opens with a clock time: the document reader then reads it as
// a timeline's entry (checks.Document.timeLed), and so does this.
func bareSection(r row) Section {
	if reTimeLed.MatchString(r.Text) {
		return SectionTimeline
	}
	return SectionUnknown
}

// reTimeLed: a clock time, perhaps after a date and markup, opening a text
// (the forms of checks' scanStamp that the corpus holds).
var reTimeLed = regexp.MustCompile(`^[*_\x60\[]{0,3}(?:\d{4}-\d\d-\d\d[ T]?)?\d{1,2}(?::\d\d|\s?[ap]\.?m\b)`)

// trainer holds what every fit needs.
type trainer struct {
	rows []row
	data []rowData
	ft   *featTable
	keep func(name string) bool // the method's features
	nb   bool                   // NB-LR: features scaled by their naive Bayes log-count ratio
	// prior, when set, is the weight the guide expects of a feature: the
	// penalty pulls weights towards it instead of towards zero, and a
	// feature with a prior is kept whatever its number of groups.
	prior func(name string) float64
	trees int  // a forest of that many trees in the mean (method.trees)
	emb   bool // the word vectors' LR in the mean (method.emb)
	cues  bool // the cues' LRs in the mean (method.cues)
	// bare, when set, is each row read without its section: the held-out
	// rows are scored so too (crossValidateBare's second predictions)
	bare []rowData
	// bareUnknown: bare is read in no section (else, in one of another
	// kind): a model of its own is fitted on it (fitBare)
	bareUnknown bool
}

// fitBare fits the model of the sentences whose section is unknown: the
// method on rows idx read without their sections (tr.bare). A sentence
// alone ranks better by a model that never relied on a section (5 grouped
// folds, firm rows, the rows read alone: AP 0.7343 against 0.7207 for the
// sectioned model with a calibration of its own) than by one model fitted
// on both readings (each row again without its section, at half weight
// each: 0.7329 alone, and the rows in their sections fell from 0.8024 to
// 0.7954; at full weight 0.7298 and 0.7903). Guessing the section does
// worse: the sectioned model read in every section, weighted by a naive
// Bayes section classifier fitted on the same folds (a third of its guesses
// right), 0.7107; weighted by how often each section occurs, 0.7204; read
// as "other", 0.7177; the twin blended with the first at 0.3, 0.7362.
func (tr *trainer) fitBare(idx []int) *fitted { return tr.bareReading().fit(idx) }

// fitBareRanking is fitBare's model without its calibration, whose four
// inner-fold fits are four fifths of the work: the same ranking (the
// calibration is monotone), so the same average precision, but no
// confidence to set thresholds against.
func (tr *trainer) fitBareRanking(idx []int) *fitted {
	m := tr.bareReading().fitModel(idx)
	m.a = 1
	return m
}

// bareReading is tr with the rows read without their sections (tr.bare) as
// its data.
func (tr *trainer) bareReading() *trainer {
	b := *tr
	b.data, b.bare = tr.bare, nil
	return &b
}

// groupCounts: for each feature (by id), the number of groups (tr.rows'
// group) among rows idx whose rows have it. The rows are taken group by
// group, so a feature counts a group once by remembering the last it
// counted.
func (tr *trainer) groupCounts(idx []int) []int32 {
	ids := map[string]int32{}
	type rg struct {
		i int
		g int32
	}
	order := make([]rg, len(idx))
	for k, i := range idx {
		g := tr.rows[i].group()
		id, ok := ids[g]
		if !ok {
			id = int32(len(ids)) + 1
			ids[g] = id
		}
		order[k] = rg{i, id}
	}
	slices.SortStableFunc(order, func(a, b rg) int { return cmp.Compare(a.g, b.g) })
	cnt := make([]int32, len(tr.ft.names))
	last := make([]int32, len(tr.ft.names))
	for _, o := range order {
		for _, f := range tr.data[o.i].feats {
			if last[f] != o.g {
				last[f] = o.g
				cnt[f]++
			}
		}
	}
	return cnt
}

// fitLR fits the weights on rows idx.
func (tr *trainer) fitLR(idx []int) (map[int32]float64, float64) {
	// vocabulary: features in at least minGroups groups, and those the
	// prior gives a weight
	cnt := tr.groupCounts(idx)
	cand := make([]bool, len(cnt))
	for f, n := range cnt {
		cand[f] = n > 0
	}
	if tr.prior != nil {
		for _, n := range priorFeatures() {
			if f, ok := tr.ft.index[n]; ok {
				cand[f] = true
			}
		}
	}
	col := make([]int32, len(cnt)) // 1 + the feature's column; 0: not kept (0 is the bias)
	var cols []int32
	for f, ok := range cand {
		if ok && (int(cnt[f]) >= minGroups || tr.prior != nil && tr.prior(tr.ft.names[f]) != 0) && tr.keep(tr.ft.names[f]) {
			cols = append(cols, int32(f))
		}
	}
	for k, f := range cols {
		col[f] = int32(k + 1)
	}
	xs := make([][]int32, len(idx))
	ys := make([]float64, len(idx))
	ws := make([]float64, len(idx))
	npos, nneg := 0.0, 0.0
	for k, i := range idx {
		for _, f := range tr.data[i].feats {
			if c := col[f]; c > 0 {
				xs[k] = append(xs[k], c)
			}
		}
		if tr.rows[i].blame() {
			ys[k] = 1
			npos++
		} else {
			nneg++
		}
	}
	for k, i := range idx {
		w := 1.0
		if ys[k] == 1 {
			w = math.Pow(nneg/max(npos, 1), envFloat("BLAMELESS_CLASS_POW", 1))
		}
		if tr.rows[i].Borderline {
			w *= borderWeight
		}
		ws[k] = w
	}
	var sc []float64
	if tr.nb {
		// log-count ratios (Wang & Manning 2012), α = 1
		p := make([]float64, len(cols)+1)
		q := make([]float64, len(cols)+1)
		for k, x := range xs {
			for _, c := range x {
				if ys[k] == 1 {
					p[c]++
				} else {
					q[c]++
				}
			}
		}
		var sp, sq float64
		for c := 1; c <= len(cols); c++ {
			p[c]++
			q[c]++
			sp += p[c]
			sq += q[c]
		}
		sc = make([]float64, len(cols)+1)
		sc[0] = 1
		for c := 1; c <= len(cols); c++ {
			sc[c] = math.Log((p[c] / sp) / (q[c] / sq))
		}
	}
	var mu []float64
	if tr.prior != nil {
		mu = make([]float64, len(cols)+1)
		for k, f := range cols {
			mu[k+1] = tr.prior(tr.ft.names[f])
		}
	}
	wv := lbfgsLR(xs, ys, ws, sc, mu, len(cols)+1, lambda)
	out := make(map[int32]float64, len(cols))
	for k, f := range cols {
		w := wv[k+1]
		if sc != nil {
			w *= sc[k+1]
		}
		if w != 0 {
			out[f] = w
		}
	}
	return out, wv[0]
}

// fit fits a model on rows idx: weights, then calibration and thresholds on
// an inner grouped cross-validation.
func (tr *trainer) fit(idx []int) *fitted {
	sub := make([]row, len(idx))
	for k, i := range idx {
		sub[k] = tr.rows[i]
	}
	// the inner folds' models and the whole model are fitted side by side
	raw := make([]float64, len(idx))
	inner := folds(sub, row.group, 4)
	var m *fitted
	inParallel(len(inner)+1, func(f int) {
		if f == len(inner) {
			m = tr.fitModel(idx)
			return
		}
		test := inner[f]
		var train []int
		for _, k := range trainOf(len(idx), test) {
			train = append(train, idx[k])
		}
		fm := tr.fitModel(train)
		for _, k := range test {
			raw[k] = fm.raw(&tr.data[idx[k]])
		}
	})
	ys := make([]float64, len(idx))
	for k, i := range idx {
		if tr.rows[i].blame() {
			ys[k] = 1
		}
	}
	a, b := platt(raw, ys)
	// thresholds are chosen on the firm rows, where the headline measures
	// precision: borderline rows would count as right or wrong by a label
	// reasonable people dispute
	var conf []float64
	var blame []bool
	for k, i := range idx {
		if !firm(tr.rows[i]) {
			continue
		}
		conf = append(conf, sigmoid(a*raw[k]+b))
		blame = append(blame, tr.rows[i].blame())
	}
	m.a, m.b = a, b
	m.threshold = chooseThreshold(conf, blame, targetPrecision)
	m.warn = chooseThreshold(conf, blame, warnPrecision)
	m.rawOOF, m.innerIndex = conf, idx
	return m
}

// trainOf: the positions in [0, n) that a fold's (test's) do not take, in
// order: the fold's training rows.
func trainOf(n int, test []int) []int {
	in := make([]bool, n)
	for _, k := range test {
		in[k] = true
	}
	out := make([]int, 0, n-len(test))
	for k := range n {
		if !in[k] {
			out = append(out, k)
		}
	}
	return out
}

// inParallel runs f(0) … f(n-1), as many at once as there are CPUs to run
// Go code, and returns when all have.
func inParallel(n int, f func(i int)) {
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// platt fits p = sigmoid(a·z + b) to labels ys (with Platt's smoothed
// targets) by damped Newton steps.
func platt(z, ys []float64) (float64, float64) {
	var npos, nneg float64
	for _, y := range ys {
		if y == 1 {
			npos++
		} else {
			nneg++
		}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	loss := func(a, b float64) float64 {
		f := 0.0
		for k, x := range z {
			t := lo
			if ys[k] == 1 {
				t = hi
			}
			u := a*x + b
			// -t·log σ(u) - (1-t)·log(1-σ(u)) = log(1+e^u) - t·u
			if u > 0 {
				f += u + math.Log1p(math.Exp(-u)) - t*u
			} else {
				f += math.Log1p(math.Exp(u)) - t*u
			}
		}
		return f
	}
	a, b := 1.0, 0.0
	f := loss(a, b)
	for iter := 0; iter < 100; iter++ {
		var g1, g2, h11, h12, h22 float64
		for k, x := range z {
			t := lo
			if ys[k] == 1 {
				t = hi
			}
			p := sigmoid(a*x + b)
			d := p - t
			v := max(p*(1-p), 1e-12)
			g1 += d * x
			g2 += d
			h11 += v * x * x
			h12 += v * x
			h22 += v
		}
		h11 += 1e-6
		h22 += 1e-6
		det := h11*h22 - h12*h12
		if det <= 0 {
			break
		}
		da := (h22*g1 - h12*g2) / det
		db := (h11*g2 - h12*g1) / det
		step := 1.0
		for ; step > 1e-8; step /= 2 {
			if fn := loss(a-step*da, b-step*db); fn <= f {
				a, b, f = a-step*da, b-step*db, fn
				break
			}
		}
		if step <= 1e-8 || math.Abs(step*da)+math.Abs(step*db) < 1e-10 {
			break
		}
	}
	return a, b
}

// chooseThreshold returns the lowest confidence at which the precision of
// the rows at or above it reaches target, among those with at least 20
// positives at or above (so the first few rows do not decide); 0.99 when
// none does.
func chooseThreshold(conf []float64, blame []bool, target float64) float64 {
	return lowestConfidence(conf, blame, func(tp, n int) bool {
		return tp >= 20 && float64(tp) >= target*float64(n)
	})
}

// lowestConfidence walks the rows from the most confident down and returns
// the lowest confidence whose rows at or above it (tp blame of n) satisfy
// ok; rows of equal confidence are taken together; 0.99 when none does.
func lowestConfidence(conf []float64, blame []bool, ok func(tp, n int) bool) float64 {
	type pt struct {
		c float64
		y bool
	}
	ps := make([]pt, len(conf))
	for i, c := range conf {
		ps[i] = pt{c, blame[i]}
	}
	slices.SortFunc(ps, func(a, b pt) int { return cmp.Compare(b.c, a.c) })
	best := 0.99
	tp := 0
	for k, p := range ps {
		if p.y {
			tp++
		}
		if k+1 < len(ps) && ps[k+1].c == p.c {
			continue
		}
		if ok(tp, k+1) {
			best = p.c
		}
	}
	return best
}

// lbfgsLR minimises the weighted logistic loss plus λ/2·|w|² (the bias,
// index 0, unpenalised) by L-BFGS.
// sc, when not nil, is the value of each feature (1 otherwise).
// mu, when not nil, is the prior mean of each weight (0 otherwise).
func lbfgsLR(xs [][]int32, ys, ws, sc, mu []float64, n int, lambda float64) []float64 {
	const m = 10
	w := make([]float64, n)
	copy(w, mu)
	g := make([]float64, n)
	f := lossGrad(xs, ys, ws, sc, mu, w, g, lambda)
	var ss, yy [][]float64
	var rho []float64
	d := make([]float64, n)
	alpha := make([]float64, m)
	wNew := make([]float64, n)
	gNew := make([]float64, n)
	for iter := 0; iter < 300; iter++ {
		// two-loop recursion: d = -H·g
		copy(d, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(ss[k], d)
			axpy(-alpha[k], yy[k], d)
		}
		if len(ss) > 0 {
			last := len(ss) - 1
			scale(dot(ss[last], yy[last])/dot(yy[last], yy[last]), d)
		}
		for k := range ss {
			beta := rho[k] * dot(yy[k], d)
			axpy(alpha[k]-beta, ss[k], d)
		}
		scale(-1, d)
		gd := dot(g, d)
		if gd >= 0 { // not a descent direction: restart
			copy(d, g)
			scale(-1, d)
			gd = dot(g, d)
			ss, yy, rho = ss[:0], yy[:0], rho[:0]
		}
		step := 1.0
		if iter == 0 {
			step = 1 / math.Max(1, math.Sqrt(dot(g, g)))
		}
		var fNew float64
		for ls := 0; ; ls++ {
			copy(wNew, w)
			axpy(step, d, wNew)
			fNew = lossGrad(xs, ys, ws, sc, mu, wNew, gNew, lambda)
			if fNew <= f+1e-4*step*gd || ls > 30 {
				break
			}
			step /= 2
		}
		s := make([]float64, n)
		y := make([]float64, n)
		for k := range s {
			s[k] = wNew[k] - w[k]
			y[k] = gNew[k] - g[k]
		}
		sy := dot(s, y)
		copy(w, wNew)
		copy(g, gNew)
		done := math.Abs(f-fNew) <= 1e-9*math.Max(1, math.Abs(f))
		f = fNew
		if done {
			break
		}
		if sy > 1e-12 {
			if len(ss) == m {
				ss, yy, rho = ss[1:], yy[1:], rho[1:]
			}
			ss = append(ss, s)
			yy = append(yy, y)
			rho = append(rho, 1/sy)
		}
	}
	return w
}

func lossGrad(xs [][]int32, ys, ws, sc, mu, w, g []float64, lambda float64) float64 {
	clear(g)
	f := 0.0
	for k, x := range xs {
		z := w[0]
		if sc != nil {
			for _, c := range x {
				z += w[c] * sc[c]
			}
		} else {
			for _, c := range x {
				z += w[c]
			}
		}
		// log(1+e^z) - y z, stably
		var l float64
		if z > 0 {
			l = z + math.Log1p(math.Exp(-z))
		} else {
			l = math.Log1p(math.Exp(z))
		}
		f += ws[k] * (l - ys[k]*z)
		r := ws[k] * (sigmoid(z) - ys[k])
		g[0] += r
		if sc != nil {
			for _, c := range x {
				g[c] += r * sc[c]
			}
		} else {
			for _, c := range x {
				g[c] += r
			}
		}
	}
	for c := 1; c < len(w); c++ {
		d := w[c]
		if mu != nil {
			d -= mu[c]
		}
		f += lambda / 2 * d * d
		g[c] += lambda * d
	}
	return f
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// pruneBelow: weights smaller than this are left out of model_gen.go (and
// of the fitted model the tests compare it with).
const pruneBelow = 0.005

// writeModel writes model_gen.go: the weights by feature name, sorted;
// with bare, model_bare_gen.go, the model of sentences whose section is
// unknown (fitBare), its names prefixed bareModel for model.
func writeModel(m *fitted, ft *featTable, c *corpus, bare bool) []byte {
	p := "model"
	if bare {
		p = "bareModel"
	}
	type nw struct {
		name string
		w    float64
	}
	var ws []nw
	for f, w := range m.w {
		if math.Abs(w) >= pruneBelow {
			ws = append(ws, nw{ft.names[f], w})
		}
	}
	slices.SortFunc(ws, func(a, b nw) int { return strings.Compare(a.name, b.name) })
	var b bytes.Buffer
	b.WriteString("// Code generated by go test -run ^TestTrainModel$ -args -train; DO NOT EDIT.\n\n")
	b.WriteString("package blameless\n\n")
	if bare {
		b.WriteString("// The model of a sentence whose section is unknown (a sentence alone, a\n")
		b.WriteString("// document without headings): model_gen.go's method fitted on the same rows\n")
		b.WriteString("// read without their sections. Its thresholds are model_gen.go's.\n\n")
	}
	if shipped.nb {
		fmt.Fprintf(&b, "// %sWeights: the sentence model (sentence.go), a logistic regression over\n", p)
		b.WriteString("// features scaled by their naive Bayes log-count ratios (NB-LR; the weights\n")
		b.WriteString("// below include the scale), fitted on\n")
	} else {
		fmt.Fprintf(&b, "// %sWeights: the sentence model (sentence.go), a logistic regression fitted on\n", p)
	}
	fmt.Fprintf(&b, "// %d labelled sentences (%d blame) from %d documents of %d organisations; features\n",
		len(c.rows), c.count(row.blame), c.distinct(func(r row) string { return r.Doc }), c.distinct(func(r row) string { return r.Org }))
	fmt.Fprintf(&b, "// seen in at least %d groups, λ = %g; weights under %g left out.\n", minGroups, lambda, pruneBelow)
	fmt.Fprintf(&b, "var %sWeights = []namedWeight{\n", p)
	for _, w := range ws {
		fmt.Fprintf(&b, "\t{%q, %.3f},\n", w.name, w.w)
	}
	b.WriteString("}\n\n")
	writeForest(&b, m, ft, p)
	writeCues(&b, m, ft, p)
	if bare {
		b.WriteString("// The bias and the calibration (p = sigmoid(A·z + B)), fitted on\n")
		b.WriteString("// out-of-fold predictions of grouped folds.\n")
	} else {
		b.WriteString("// The bias, the calibration (p = sigmoid(A·z + B)) and the default minimum\n")
		b.WriteString("// confidences of an error and of a warning, chosen on out-of-fold predictions\n")
		fmt.Fprintf(&b, "// of grouped folds for precision %.2f and %.2f.\n", targetPrecision, warnPrecision)
	}
	b.WriteString("const (\n")
	fmt.Fprintf(&b, "\t%sBias = %.4f\n", p, m.bias)
	fmt.Fprintf(&b, "\t%sForestBase = %.4f\n", p, m.forestInit)
	fmt.Fprintf(&b, "\t%sPlattA = %.4f\n", p, m.a)
	fmt.Fprintf(&b, "\t%sPlattB = %.4f\n", p, m.b)
	if !bare {
		fmt.Fprintf(&b, "\tmodelMinConfidence = %.2f\n", math.Ceil(m.threshold*100)/100)
		fmt.Fprintf(&b, "\tmodelWarningConfidence = %.2f\n", math.Ceil(m.warn*100)/100)
	}
	b.WriteString(")\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return src
}

// writeCues writes <p>CueWeights and <p>CueBias: each feature's weight
// in each cue's model, where one is at least pruneBelow, sorted by name.
func writeCues(b *bytes.Buffer, m *fitted, ft *featTable, p string) {
	if m.cueW == nil {
		fmt.Fprintf(b, "// %sCueWeights: none (the model has no cue models).\n", p)
		fmt.Fprintf(b, "var %sCueWeights []cueWeight\n\n", p)
		fmt.Fprintf(b, "var %sCueBias [nCueModels]float64\n\n", p)
		return
	}
	ws := map[int32]*[nCueModels]float64{}
	for k, w := range m.cueW {
		for f, x := range w {
			if math.Abs(x) < pruneBelow {
				continue
			}
			if ws[f] == nil {
				ws[f] = new([nCueModels]float64)
			}
			ws[f][k] = x
		}
	}
	names := make([]string, 0, len(ws))
	byName := map[string]*[nCueModels]float64{}
	for f, w := range ws {
		names = append(names, ft.names[f])
		byName[ft.names[f]] = w
	}
	slices.Sort(names)
	fmt.Fprintf(b, "// %sCueWeights: one logistic regression per cue of the guide (%s),\n", p, strings.Join(cueModelNames[:], ", "))
	b.WriteString("// each fitted like the weights above on the blameless rows against that cue's\n")
	b.WriteString("// blameful rows; the log-sum-exp of their log-odds joins the mean. A line is\n")
	b.WriteString("// a feature's weight in each, in that order.\n")
	fmt.Fprintf(b, "var %sCueWeights = []cueWeight{\n", p)
	for _, n := range names {
		fmt.Fprintf(b, "\t{%q, [nCueModels]float32{", n)
		for k, x := range byName[n] {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%.3f", x)
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(b, "// %sCueBias: each cue's model's bias.\n", p)
	fmt.Fprintf(b, "var %sCueBias = [nCueModels]float64{", p)
	for k, x := range m.cueB {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%.4f", x)
	}
	b.WriteString("}\n\n")
}

// writeForest writes <p>Forest: each tree in preorder, a split on a
// feature's presence followed by its present and its absent subtrees.
func writeForest(b *bytes.Buffer, m *fitted, ft *featTable, p string) {
	if m.forest == nil {
		fmt.Fprintf(b, "// %sForest: none (the model is the logistic regression alone).\n", p)
		fmt.Fprintf(b, "var %sForest [][]forestSplit\n\n", p)
		return
	}
	splits, feats := 0, map[int32]bool{}
	var count func(n *gbtNode)
	count = func(n *gbtNode) {
		if n.feat >= 0 {
			splits++
			feats[n.feat] = true
			count(n.with)
			count(n.witho)
		}
	}
	for _, n := range m.forest {
		count(n)
	}
	fmt.Fprintf(b, "// %sForest: %d gradient-boosted trees of depth at most %d (step %g, L2 %g;\n", p, len(m.forest), forestDepth, forestEta, forestL2)
	fmt.Fprintf(b, "// the step is in the leaves), %d splits on %d features, fitted on the same rows\n", splits, len(feats))
	b.WriteString("// and features as the weights; the model's log-odds are the mean of the\n")
	fmt.Fprintf(b, "// weights' and %sForestBase plus one leaf of each tree. Each tree in\n", p)
	b.WriteString("// preorder: {feature, 0} splits on the feature's presence and is followed by\n")
	b.WriteString("// the subtree where it is present, then the one where it is absent; {\"\", v}\n")
	b.WriteString("// is a leaf.\n")
	fmt.Fprintf(b, "var %sForest = [][]forestSplit{\n", p)
	var walk func(n *gbtNode)
	walk = func(n *gbtNode) {
		if n.feat < 0 {
			fmt.Fprintf(b, "\t\t{\"\", %.4f},\n", n.value)
			return
		}
		fmt.Fprintf(b, "\t\t{%q, 0},\n", ft.names[n.feat])
		walk(n.with)
		walk(n.witho)
	}
	for _, n := range m.forest {
		b.WriteString("\t{\n")
		walk(n)
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n\n")
}

// shippedFit fits the shipped method on the whole corpus (held-out-only
// rows included: everything labelled is training material here), once per
// test binary.
func shippedFit(tb testing.TB) (*fitted, *featTable, *corpus) {
	m, _, ft, c := shippedFits(tb)
	return m, ft, c
}

// shippedFits is shippedFit with the model of sentences whose section is
// unknown (fitBare).
func shippedFits(tb testing.TB) (m, bare *fitted, ft *featTable, c *corpus) {
	shippedOnce.Do(func() { shippedM, shippedBare, shippedFT, shippedC = fitShipped(tb) })
	if shippedM == nil {
		tb.Fatal("the shipped model could not be fitted")
	}
	return shippedM, shippedBare, shippedFT, shippedC
}

var (
	shippedOnce           sync.Once
	shippedM, shippedBare *fitted
	shippedFT             *featTable
	shippedC              *corpus
)

func fitShipped(tb testing.TB) (m, bare *fitted, ft *featTable, c *corpus) {
	c = loadCorpus(tb)
	ft, data := extract(tb, c.rows)
	tr := shipped.on(trainer{rows: c.rows, data: data, ft: ft, bare: extractInto(tb, ft, c.rows, bareSection)})
	all := trainOf(len(c.rows), nil)
	return tr.fit(all), tr.fitBare(all), ft, c
}

// TestTrainModel: with -train (go generate), fit the models on the whole
// corpus and write model_gen.go and model_bare_gen.go. Without it, check
// that the embedded models are the ones the committed corpus gives (rerun
// go generate after the corpus or the features change).
func TestTrainModel(t *testing.T) {
	m, bare, ft, c := shippedFits(t)
	for _, g := range []struct {
		file string
		src  []byte
	}{{"model_gen.go", writeModel(m, ft, c, false)}, {"model_bare_gen.go", writeModel(bare, ft, c, true)}} {
		if *trainFlag {
			if err := os.WriteFile(g.file, g.src, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		cur, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cur, g.src) {
			t.Errorf("%s is not the model of the committed corpus and features: run go generate ./checks/blameless", g.file)
		}
	}
	if *trainFlag {
		t.Logf("wrote model_gen.go (%d features, errors from %.3f, warnings from %.3f) and model_bare_gen.go (%d features)",
			m.nFeatures, m.threshold, m.warn, bare.nFeatures)
	}
}

// TestDocsStateTheDefaults: the configuration reference and the schema give
// the shipped model's minimum confidences (update them after go generate).
func TestDocsStateTheDefaults(t *testing.T) {
	for _, f := range []string{"../../docs/configuration.md", "../../schema/postmortem.schema.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []float64{DefaultMinConfidence, DefaultWarningConfidence} {
			if s := fmt.Sprintf("%.2f", v); !bytes.Contains(b, []byte(s)) {
				t.Errorf("%s does not give the shipped default %s", f, s)
			}
		}
	}
}

// TestEmbeddedModelMatchesFit: the analyzer's confidence with the embedded
// models (weights pruned, leaves rounded; the forest read from the
// preorder) is the fitted models' on each sentence's features, within
// rounding: model_gen.go's in the row's section, model_bare_gen.go's in
// none.
func TestEmbeddedModelMatchesFit(t *testing.T) {
	if testing.Short() {
		t.Skip("fits the shipped model")
	}
	m, bare, ft, c := shippedFits(t)
	a := mustNew(t, Config{})
	for _, read := range []struct {
		file    string
		m       *fitted
		section func(row) Section
	}{{"model_gen.go", m, row.section}, {"model_bare_gen.go", bare, func(row) Section { return SectionUnknown }}} {
		n, maxd := 0, 0.0
		for _, r := range c.rows {
			a.collect = func(f *fsink, s *sent) {
				var ids []int32
				for _, nm := range f.names {
					if k, ok := ft.index[nm]; ok {
						ids = append(ids, k)
					}
				}
				slices.Sort(ids)
				n++
				maxd = max(maxd, math.Abs(f.confidence()-read.m.conf(&rowData{feats: ids})))
			}
			a.analyze(Segment{Text: r.Text, Section: read.section(r)}, true)
		}
		if maxd > 0.01 {
			t.Errorf("%s, %d sentences: the embedded model's confidence differs from the fitted one's by up to %.4f", read.file, n, maxd)
		}
	}
}
