package blameless

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Grouped cross-validation. Rows are split into folds by their group (the
// organisation, or the incident when several organisations' documents cover
// one: the corpus's `group` field), or by corpus file (leave one batch out);
// every method is fitted on the other folds and scored on the held-out one,
// so no figure is ever measured on a row — or a writer, or an incident — the
// method learned from. The held-out rows written for the seed project
// (holdout.jsonl, not real text) are training material only, never scored.
//
// Methods: rules (a sentence is blame when a rule finds a person at fault);
// learned (the sentence model without the rules' candidates as features);
// hybrid (the sentence model with them: what ships).
//
// Scorings: all rows, and non-borderline rows ("firm": reasonable people
// would not label them either way). The headline is the hybrid's grouped
// figure on firm rows at the minimum confidence each fold chose for itself.

type method struct {
	name  string
	keep  func(name string) bool // nil: rules only
	nb    bool
	prior func(name string) float64
	// trees, when set, adds a gradient-boosted forest of that many trees
	// (depth forestDepth, step forestEta) over the presence of the same
	// features: the score is the mean of the LR's and the forest's
	// log-odds, before the Platt calibration (TestLearners).
	trees int
	// emb, when set, adds a logistic regression over the sentence's mean
	// word vector (fitEmb, train_test.go) to the mean, at weight embWeight
	// (measured by TestLearners with BLAMELESS_LEARNERS=vectors; not
	// shipped).
	emb bool
	// cues, when set, adds one LR per cue of the guide (fitCue,
	// train_test.go) to the mean: the log-sum-exp of their log-odds.
	cues bool
}

// on is trainer tr set to fit method m.
func (m method) on(tr trainer) *trainer {
	tr.keep, tr.nb, tr.prior, tr.trees, tr.emb, tr.cues = m.keep, m.nb, m.prior, m.trees, m.emb, m.cues
	return &tr
}

func hybridFeatures(name string) bool {
	for _, p := range strings.Fields(os.Getenv("BLAMELESS_DROP")) {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

func learnedFeatures(name string) bool {
	return !strings.HasPrefix(name, "k:") && !strings.HasPrefix(name, "ks:")
}

// wordsFeatures: abstracted n-grams only (no lexicon classes, parse or rules).
func wordsFeatures(name string) bool {
	return strings.HasPrefix(name, "u:") || strings.HasPrefix(name, "w:") || strings.HasPrefix(name, "b:") || strings.HasPrefix(name, "t:")
}

var (
	rulesMethod   = method{name: "rules"}
	wordsMethod   = method{name: "words", keep: wordsFeatures}
	learnedMethod = method{name: "learned", keep: learnedFeatures}
	hybridMethod  = method{name: "hybrid", keep: hybridFeatures, prior: guidePrior}
	noPriorMethod = method{name: "hybrid-noprior", keep: hybridFeatures}
	nbMethod      = method{name: "hybrid-nblr", keep: hybridFeatures, nb: true}
	nbPriorMethod = method{name: "hybrid-nblr-prior", keep: hybridFeatures, nb: true, prior: guidePrior}
	forestMethod  = method{name: "hybrid-nblr-prior+gbt50", keep: hybridFeatures, nb: true, prior: guidePrior, trees: 50}
	cueMethod     = method{name: "hybrid-nblr-prior+cues+gbt400", keep: hybridFeatures, nb: true, prior: guidePrior, trees: 400, cues: true}
	embMethod     = method{name: "hybrid-nblr-prior+gbt50+vec", keep: hybridFeatures, nb: true, prior: guidePrior, trees: 50, emb: true}
	// shipped is the method model_gen.go is fitted with: NB-LR with the
	// guide's prior, one more such LR per cue of the guide (the blameless
	// rows against that cue's blameful rows, joined by the log-sum-exp of
	// their log-odds: a mixture the single LR cannot express, since what
	// makes hindsight blameful is not what makes a remedy blameful) and a
	// forest of 400 boosted trees of depth 4, their log-odds averaged
	// (cueMethod). Against forestMethod on 24 497 rows, 5 grouped folds,
	// firm rows: headline P/R/F1 0.907/0.404/0.559 against 0.906/0.355/0.510,
	// AP 0.791 against 0.775; TestLearners's pipeline at 7 folds AP 0.792
	// against 0.778 (both with 50 trees). 150 trees against 50, same folds:
	// 5 folds headline F1 0.564 against 0.555, AP 0.7928 against 0.7904;
	// 7 folds 0.571 against 0.565, AP 0.7935 against 0.7913; 300 trees
	// (AP 0.7932) and 100 of depth 4 (0.7933) gain no more. With the
	// features of 3e9cd1a (FEEL, verb clusters, 24 497 rows) more trees
	// rank better again, 5 folds AP / headline F1 / read alone AP: 150
	// trees 0.7997/0.581/0.7168, 250 0.8007/0.583/0.7182, 400
	// 0.8010/0.586/0.7186, 700 0.8008/0.593/0.7186; 7 folds 150
	// 0.7997/0.590/0.7179, 400 0.8017/0.592/0.7205. 400 since (the
	// cross-validation's fits take twice as long, about 170 s).
	// BLAMELESS_SHIP=forest fits forestMethod.
	//
	// Before the cues: NB-LR with the
	// guide's prior, its log-odds averaged with a forest of 50 boosted trees
	// of depth 3 (forestMethod; on the features of the time, 5 grouped folds, firm
	// rows: headline P/R/F1 0.920/0.228/0.366 against the LR alone's
	// 0.910/0.202/0.330, AP 0.634 against 0.624; 7 folds 0.892/0.202/0.329
	// against 0.832/0.186/0.304, AP 0.629 against 0.619). Of the LRs: at each fold's minimum confidence it found more than
	// the plain logistic regression with the prior, at higher precision,
	// at 5, 7 and 10 grouped folds (firm P/R 0.87/0.11, 0.86/0.08,
	// 0.88/0.11 against 0.84/0.07, 0.83/0.06, 0.80/0.05), with the same
	// average precision. NB-LR without the prior found more still (0.90/0.12
	// at 5 folds) but left the guide's plainest cases unreported ("The
	// engineer failed to validate the configuration." 0.56, under the
	// warning floor). BLAMELESS_SHIP=lr, nblr or nblr-prior fits the others
	// (without a forest).
	shipped = func() method {
		switch os.Getenv("BLAMELESS_SHIP") {
		case "lr":
			return hybridMethod
		case "nblr":
			return nbMethod
		case "nblr-prior":
			return nbPriorMethod
		case "forest":
			return forestMethod
		}
		return cueMethod
	}()
)

// prediction is one row's held-out verdict.
type prediction struct {
	r         row
	conf      float64
	threshold float64 // the fold's minimum confidence of an error
	warn      float64
	got       bool
}

// folds assigns the groups of rows to k folds, largest group first into the
// fold with fewest rows (deterministic: ties broken by name).
func folds(rows []row, group func(row) string, k int) [][]int {
	size := map[string]int{}
	for _, r := range rows {
		size[group(r)]++
	}
	groups := make([]string, 0, len(size))
	for g := range size {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b string) int {
		if c := cmp.Compare(size[b], size[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	fold := map[string]int{}
	load := make([]int, k)
	for _, g := range groups {
		best := 0
		for f := 1; f < k; f++ {
			if load[f] < load[best] {
				best = f
			}
		}
		fold[g] = best
		load[best] += size[g]
	}
	out := make([][]int, k)
	for i, r := range rows {
		out[fold[group(r)]] = append(out[fold[group(r)]], i)
	}
	return out
}

// scoredRow: rows that are scored (real text); the others only train.
func scoredRow(r row) bool { return r.Batch != "holdout" }

// groupFolds: k folds by group over the scored rows.
func groupFolds(rows []row, k int) [][]int {
	var idx []int
	var sub []row
	for i, r := range rows {
		if scoredRow(r) {
			idx = append(idx, i)
			sub = append(sub, r)
		}
	}
	fs := folds(sub, row.group, k)
	for _, f := range fs {
		for j := range f {
			f[j] = idx[f[j]]
		}
	}
	return fs
}

// batchFolds: one fold per corpus file. dev and holdout are never held out.
func batchFolds(rows []row) ([][]int, []string) {
	idx := map[string]int{}
	var names []string
	var out [][]int
	for i, r := range rows {
		if r.Batch == "dev" || r.Batch == "holdout" {
			continue
		}
		f, ok := idx[r.Batch]
		if !ok {
			f = len(out)
			idx[r.Batch] = f
			names = append(names, r.Batch)
			out = append(out, nil)
		}
		out[f] = append(out[f], i)
	}
	return out, names
}

// crossValidate fits m on all rows outside each fold and predicts the fold.
// The folds are fitted side by side (each fit runs its own inner folds side
// by side too), so a CPU that finishes one fit's last model takes up the
// next fold's work instead of waiting.
func crossValidate(m method, tr *trainer, fs [][]int) []prediction {
	in := *tr
	in.bare = nil
	ps, _ := crossValidateBare(m, &in, fs)
	return ps
}

// bareCalibrated: the cross-validation fits the twin model of the rows read
// without their sections (fitBare) with its calibration, five fits a fold
// instead of one, for its P and R at the fold thresholds
// (BLAMELESS_CV_BARE_FULL=1); by default it fits the ranking alone
// (fitBareRanking), all that its average precision needs. On a slow
// machine the calibrated twin took the package past go test's ten minutes.
var bareCalibrated = os.Getenv("BLAMELESS_CV_BARE_FULL") != ""

// crossValidateBare is crossValidate, and when tr.bare is set the held-out
// rows' predictions read without their sections too: by the model of
// sentences in no section (fitBare) where the row is read in none.
func crossValidateBare(m method, tr *trainer, fs [][]int) ([]prediction, []prediction) {
	per := make([][]prediction, len(fs))
	perBare := make([][]prediction, len(fs))
	inParallel(len(fs), func(k int) {
		test := fs[k]
		if m.keep == nil {
			for _, i := range test {
				got := len(tr.data[i].strong) > 0
				per[k] = append(per[k], prediction{r: tr.rows[i], conf: cond(got, 1.0, 0.0), threshold: 0.5, warn: 0.5, got: got})
			}
			return
		}
		train := trainOf(len(tr.rows), test)
		f := m.on(*tr).fit(train)
		var bf *fitted
		if tr.bare != nil && tr.bareUnknown && m.name == shipped.name {
			if bareCalibrated {
				bf = m.on(*tr).fitBare(train)
			} else {
				bf = m.on(*tr).fitBareRanking(train)
			}
		}
		for _, i := range test {
			c := f.conf(&tr.data[i])
			per[k] = append(per[k], prediction{r: tr.rows[i], conf: c, threshold: f.threshold, warn: f.warn, got: c >= f.threshold})
			if tr.bare != nil {
				c := f.conf(&tr.bare[i])
				if bf != nil && bareSection(tr.rows[i]) == SectionUnknown {
					c = bf.conf(&tr.bare[i])
				}
				perBare[k] = append(perBare[k], prediction{r: tr.rows[i], conf: c, threshold: f.threshold, warn: f.warn, got: c >= f.threshold})
			}
		}
	})
	return slices.Concat(per...), slices.Concat(perBare...)
}

// metrics at one confidence threshold.
type metrics struct {
	tp, fp, fn, tn int
}

func (m metrics) p() float64 { return ratio(m.tp, m.tp+m.fp) }
func (m metrics) r() float64 { return ratio(m.tp, m.tp+m.fn) }
func (m metrics) f1() float64 {
	p, r := m.p(), m.r()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
func (m metrics) String() string {
	return fmt.Sprintf("P %.3f R %.3f F1 %.3f (tp %4d fp %4d fn %4d tn %4d)", m.p(), m.r(), m.f1(), m.tp, m.fp, m.fn, m.tn)
}

func (m *metrics) count(blame, got bool) {
	switch {
	case blame && got:
		m.tp++
	case blame:
		m.fn++
	case got:
		m.fp++
	default:
		m.tn++
	}
}

func firm(r row) bool { return !r.Borderline }

// scoreOf scores the predictions of the rows keep accepts (nil: all) at
// each fold's own threshold (th < 0) or at th.
func scoreOf(ps []prediction, keep func(row) bool, th float64) metrics {
	var m metrics
	for _, p := range ps {
		if keep != nil && !keep(p.r) {
			continue
		}
		got := p.got
		if th >= 0 {
			got = p.conf >= th
		}
		m.count(p.r.blame(), got)
	}
	return m
}

// bestF1 is the best F1 over thresholds (an upper bound: the threshold is
// chosen on the scored rows).
func bestF1(ps []prediction, keep func(row) bool) (metrics, float64) {
	var best metrics
	bestTh := 0.0
	for th := 0.05; th < 1; th += 0.01 {
		m := scoreOf(ps, keep, th)
		if m.f1() > best.f1() {
			best, bestTh = m, th
		}
	}
	return best, bestTh
}

// averagePrecision is the mean of the precision at each blameful row, rows
// ranked by confidence (ties broken by id): the ranking's quality whatever
// the threshold, steadier than a point that moves with a few rows.
func averagePrecision(ps []prediction, keep func(row) bool) float64 {
	var sel []prediction
	for _, p := range ps {
		if keep == nil || keep(p.r) {
			sel = append(sel, p)
		}
	}
	slices.SortFunc(sel, func(a, b prediction) int {
		if c := cmp.Compare(b.conf, a.conf); c != 0 {
			return c
		}
		return cmp.Compare(a.r.ID, b.r.ID)
	})
	tp, sum, npos := 0, 0.0, 0
	for k, p := range sel {
		if p.r.blame() {
			tp++
			npos++
			sum += float64(tp) / float64(k+1)
		}
	}
	if npos == 0 {
		return 0
	}
	return sum / float64(npos)
}

// cueTable: recall by the labelled cue, both scorings.
func cueTable(ps []prediction) string {
	type rc struct{ n, hit, fn, fhit int }
	recall := map[string]*rc{}
	for _, p := range ps {
		if !p.r.blame() {
			continue
		}
		c := recall[p.r.Cue]
		if c == nil {
			c = &rc{}
			recall[p.r.Cue] = c
		}
		c.n++
		if p.got {
			c.hit++
		}
		if firm(p.r) {
			c.fn++
			if p.got {
				c.fhit++
			}
		}
	}
	var b strings.Builder
	var keys []string
	for k := range recall {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := recall[k]
		fmt.Fprintf(&b, "    %-17s recall all %.3f (%3d/%3d)   firm %.3f (%3d/%3d)\n", k, ratio(c.hit, c.n), c.hit, c.n,
			ratio(c.fhit, c.fn), c.fhit, c.fn)
	}
	return b.String()
}

// calibration: reliability by confidence bins and the expected calibration
// error (all scored rows).
func calibration(ps []prediction) string {
	const bins = 10
	var n, pos [bins]int
	var sum [bins]float64
	total := 0
	for _, p := range ps {
		b := min(int(p.conf*bins), bins-1)
		n[b]++
		sum[b] += p.conf
		if p.r.blame() {
			pos[b]++
		}
		total++
	}
	var sb strings.Builder
	ece := 0.0
	for b := range bins {
		if n[b] == 0 {
			continue
		}
		mean, obs := sum[b]/float64(n[b]), ratio(pos[b], n[b])
		ece += float64(n[b]) / float64(total) * math.Abs(mean-obs)
		fmt.Fprintf(&sb, "    [%.1f,%.1f) n %4d  mean confidence %.3f  observed blame %.3f\n",
			float64(b)/bins, float64(b+1)/bins, n[b], mean, obs)
	}
	fmt.Fprintf(&sb, "    expected calibration error %.3f over %d rows\n", ece, total)
	return sb.String()
}

// curve: precision and recall of held-out confidences at fixed thresholds.
func curve(ps []prediction) string {
	var b strings.Builder
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95} {
		fmt.Fprintf(&b, "    ≥ %.2f  all %s\n            firm %s\n", th, scoreOf(ps, nil, th), scoreOf(ps, firm, th))
	}
	return b.String()
}

func logf(tb testing.TB, format string, args ...any) {
	tb.Helper()
	s := fmt.Sprintf(format, args...)
	if os.Getenv("BLAMELESS_CV_PRINT") != "" {
		fmt.Println(s)
	} else {
		tb.Log(s)
	}
}

// dumpPredictions writes every held-out prediction (id, label, borderline,
// cue, confidence, text) to a file, for error analysis
// (BLAMELESS_CV_DUMP=prefix).
func dumpPredictions(tb testing.TB, file string, ps []prediction) {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s\t%s\t%v\t%s\t%.3f\t%s\n", p.r.ID, cond(p.r.blame(), "blame", "ok"), p.r.Borderline, p.r.Cue, p.conf, p.r.Text)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// listErrors prints misses and false positives of the held-out predictions
// (BLAMELESS_CV_ERRORS=method), to read when working on the features.
func listErrors(ps []prediction) string {
	var b strings.Builder
	for _, p := range ps {
		if p.got == p.r.blame() {
			continue
		}
		kind := "MISS"
		if p.got {
			kind = "FP  "
		}
		bl := " "
		if p.r.Borderline {
			bl = "b"
		}
		fmt.Fprintf(&b, "%s %s %-22s %-16s %.2f %q\n", kind, bl, p.r.ID, p.r.Cue, p.conf, p.r.Text)
	}
	return b.String()
}

// Floors of the headline (the shipped method, grouped folds, firm rows, each
// fold's own minimum confidence). Issue 12 asks F1 ≥ 0.85 with P ≥ 0.90: NOT
// REACHED. Measured (NB-LR with the guide's prior, borderline rows at a
// quarter weight, person-hood after thing modifiers, gerunds, present "if"
// clauses, "should always have", "could have" + a harm, the writers' own
// feelings, an expected sanction and the nearest antecedent of
// "that"/"which" told apart): P 0.92 R 0.17 F1 0.29 at 5 folds
// (0.84/0.19/0.31 at 7, 0.85/0.21/0.34 at 10; before this work,
// 0.87/0.11/0.19, 0.86/0.08/0.15, 0.88/0.11/0.19): a precision of 0.90
// holds only for the most confident few percent of the blameful rows, so
// this point moves with a few rows. Clause-level features (sentence.go's
// clauseFeatures: the object or passive patient of a verb group, a person
// possessing the subject, the tense of a person's act, a judgement of it;
// the role of a lexicon word or "human error" in its clause; "need to" as
// a modal) then raised it to P 0.91 R 0.20 F1 0.33 at 5 folds, best F1
// 0.577 → 0.589 and average precision 0.619 → 0.624 (7 folds: AP 0.612 →
// 0.619, best F1 0.574 → 0.586, headline 0.84/0.19/0.31 → 0.83/0.19/0.30;
// 10 folds: AP 0.613 → 0.620, best F1 0.577 → 0.585, headline
// 0.85/0.21/0.34 → 0.83/0.22/0.35; leave out batch, pooled: AP 0.513 →
// 0.518, best F1 0.517 → 0.522). The mean of the LR's log-odds and a
// 50-tree gradient-boosted forest's (forestMethod, TestLearners) then
// raised it to P 0.92 R 0.23 F1 0.37 at 5 folds, best F1 0.589 → 0.591,
// AP 0.624 → 0.634 (7 folds: headline 0.83/0.19/0.30 → 0.89/0.20/0.33,
// best F1 0.586 → 0.584, AP 0.619 → 0.629). They/them/their resolved to
// their antecedent (antecedent.go): 0.92/0.23/0.37, best F1 0.589, AP
// 0.635. "Who" resolved to the nearest person of a phrase divided by
// prepositions ("a choice by the engineer on call who …"), and the release
// or account manager a person: 0.91/0.23/0.37, best F1 0.588, AP 0.641 (7
// folds: 0.89/0.22/0.35, 0.580, 0.627 against 0.90/0.18/0.30, 0.581,
// 0.629): the same within a few rows; findings name the right person.
// "Untested", "unreviewed" and "unvetted" after a person's verb as error
// modifiers ("pushed untested code"): 0.91/0.22/0.36, AP 0.640 (7 folds
// 0.89/0.21/0.34, AP 0.629; 10 folds 0.90/0.24/0.38, AP 0.632 against
// 0.91/0.25/0.39, 0.634): the corpus holds few such sentences.
// These floors guard against regression a little under what is reached, as
// do the floors of the best F1 over all thresholds and of the average
// precision (the ranking itself). With the corpus at 21 100 rows (nine
// rounds) and λ 3: P 0.906 R 0.381 F1 0.537, best F1 0.699, AP 0.761. With
// 24 497 rows (twelve rounds), word clusters, person-first heads and the
// other misreadings fixed since: P 0.913 R 0.361 F1 0.518, best F1 0.707,
// AP 0.775 (7 folds: 0.911/0.375/0.531). The rows of rounds 10-12 are
// harder than the rest: on the rows both corpora hold, AP 0.761 -> 0.781.
// With a model per cue in the mean (cueMethod): P 0.907 R 0.404 F1 0.559,
// best F1 0.719, AP 0.791. With 150 trees instead of 50: P 0.912 R 0.408
// F1 0.564, best F1 0.723, AP 0.793; with words' affixes: P 0.911 R 0.420
// F1 0.575, best F1 0.720, AP 0.795. The cross-validation is deterministic
// (the same predictions on every run), so the floors sit close.
const (
	floorF1        = 0.55
	floorPrecision = 0.90
	floorBestF1    = 0.71
	floorAP        = 0.78
)

func TestCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validation fits 60 models")
	}
	c := loadCorpus(t)
	logf(t, "%s", c.summary())
	ft, data := extract(t, c.rows)
	tr := &trainer{rows: c.rows, data: data, ft: ft}
	// held-out rows are also read without their section, as a sentence
	// alone is (BLAMELESS_CV_BARE=other or summary: as in a section of
	// another kind, or before a document's first heading)
	read := bareSection
	sec, other := map[string]Section{"other": SectionOther, "summary": SectionSummary}[os.Getenv("BLAMELESS_CV_BARE")]
	if other {
		read = func(row) Section { return sec }
	}
	tr.bare, tr.bareUnknown = extractInto(t, ft, c.rows, read), !other
	var bareHeadline metrics
	bareAP := -1.0
	// The shipped method alone by default: with 21 000 rows eight methods
	// and the 35 leave-a-batch-out folds took over ten minutes.
	// BLAMELESS_CV_METHODS=all (or a comma list of names) compares methods;
	// BLAMELESS_CV_BATCH=1 adds the leave-a-batch-out figures.
	methods := []method{rulesMethod, wordsMethod, learnedMethod, nbMethod, nbPriorMethod, forestMethod, cueMethod, noPriorMethod, hybridMethod}
	switch only := os.Getenv("BLAMELESS_CV_METHODS"); only {
	case "all":
	case "":
		methods = []method{shipped}
	default:
		methods = slices.DeleteFunc(methods, func(m method) bool { return !strings.Contains(","+only+",", ","+m.name+",") })
	}
	k := int(envFloat("BLAMELESS_CV_K", 5)) // other fold counts: a check that a difference is not one split's
	var headline, headlineAll, headlineBest metrics
	headlineAP := -1.0
	for _, m := range methods {
		ps, bps := crossValidateBare(m, tr, groupFolds(c.rows, k))
		all, fm := scoreOf(ps, nil, -1), scoreOf(ps, firm, -1)
		logf(t, "%s, %d folds by group, at each fold's minimum confidence:\n  all rows  %s\n  firm rows %s", m.name, k, all, fm)
		if m.keep != nil {
			ths := map[float64]bool{}
			for _, p := range ps {
				ths[p.threshold] = true
			}
			logf(t, "  fold minimum confidences: %v", slices.Sorted(func(yield func(float64) bool) {
				for th := range ths {
					if !yield(math.Round(th*1000) / 1000) {
						return
					}
				}
			}))
			ba, tha := bestF1(ps, nil)
			bf, thf := bestF1(ps, firm)
			logf(t, "  best F1 over thresholds (optimistic): all %s at %.2f; firm %s at %.2f", ba, tha, bf, thf)
			logf(t, "  average precision (the ranking): all %.3f; firm %.3f", averagePrecision(ps, nil), averagePrecision(ps, firm))
			logf(t, "  corpus rows %s\n  dev rows    %s", scoreOf(ps, func(r row) bool { return r.Batch != "dev" }, -1),
				scoreOf(ps, func(r row) bool { return r.Batch == "dev" }, -1))
		}
		logf(t, "%s", cueTable(ps))
		if m.keep != nil {
			logf(t, "  calibration (%s, group folds):\n%s", m.name, calibration(ps))
			logf(t, "  at fixed confidences:\n%s", curve(ps))
		}
		if m.name == shipped.name {
			headline, headlineAll = fm, all
			headlineBest, _ = bestF1(ps, firm)
			headlineAP = averagePrecision(ps, firm)
			bareHeadline, bareAP = scoreOf(bps, firm, -1), averagePrecision(bps, firm)
			if d := os.Getenv("BLAMELESS_CV_DUMP"); d != "" {
				dumpPredictions(t, d+".bare.tsv", bps)
			}
		}
		if m.name == os.Getenv("BLAMELESS_CV_ERRORS") {
			fmt.Print(listErrors(ps))
		}
		if d := os.Getenv("BLAMELESS_CV_DUMP"); d != "" && m.keep != nil {
			dumpPredictions(t, d+"."+m.name+".tsv", ps)
		}
		if os.Getenv("BLAMELESS_CV_BATCH") == "1" {
			bf, names := batchFolds(c.rows)
			bps := crossValidate(m, tr, bf)
			for _, n := range names {
				in := func(r row) bool { return r.Batch == n }
				logf(t, "%s, leave out batch %-16s all %s\n  %43s firm %s", m.name, n, scoreOf(bps, in, -1), "",
					scoreOf(bps, func(r row) bool { return in(r) && firm(r) }, -1))
			}
			if m.keep != nil {
				bb, _ := bestF1(bps, firm)
				logf(t, "%s, leave out batch, pooled: firm %s; best F1 %.3f; average precision %.3f", m.name,
					scoreOf(bps, firm, -1), bb.f1(), averagePrecision(bps, firm))
			}
		}
	}
	if headline.tp+headline.fn == 0 {
		return
	}
	logf(t, "HEADLINE %s (shipped), group folds, at each fold's minimum confidence: firm rows %s; all rows %s", shipped.name, headline, headlineAll)
	if bareCalibrated {
		logf(t, "SECTIONLESS the same held-out rows read without their sections: firm rows %s; average precision %.4f", bareHeadline, bareAP)
	} else {
		logf(t, "SECTIONLESS the same held-out rows read without their sections: average precision %.4f (BLAMELESS_CV_BARE_FULL=1 calibrates the twin in each fold, for P and R at the fold thresholds)", bareAP)
	}
	if headline.p() < floorPrecision || headline.f1() < floorF1 {
		t.Errorf("grouped cross-validation (%s, firm rows) below the floor: %s; want F1 ≥ %.2f with P ≥ %.2f (issue 12 asks 0.85 and 0.90)",
			shipped.name, headline, floorF1, floorPrecision)
	}
	if headlineBest.f1() < floorBestF1 {
		t.Errorf("grouped cross-validation (%s, firm rows): best F1 over thresholds %s, want ≥ %.2f", shipped.name, headlineBest, floorBestF1)
	}
	if headlineAP >= 0 && headlineAP < floorAP {
		t.Errorf("grouped cross-validation (%s, firm rows): average precision %.3f, want ≥ %.2f", shipped.name, headlineAP, floorAP)
	}
}
