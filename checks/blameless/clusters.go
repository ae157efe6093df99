package blameless

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/vecgen
//go:generate go run ./internal/clustergen -o wordclusters.txt

// wordclusters.txt groups the 50 000 most frequent words of GloVe's
// vectors into 256 clusters by meaning (internal/clustergen: spherical
// k-means on the vectors vecgen fetches; GloVe PDDL-1.0, wink MIT, see
// LICENSES/GloVe.txt). A word's cluster is a feature of the sentence
// model, so a word the corpus lacks ("bungled") shares the weight its
// cluster learned from the words it has ("botched", "messed").
//
//go:embed wordclusters.txt
var wordClustersText string

var wordClusters = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, 50000)
	for line := range strings.Lines(wordClustersText) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		id, words, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok {
			continue
		}
		if _, err := strconv.Atoi(id); err != nil {
			continue
		}
		for _, w := range strings.Fields(words) {
			m[w] = id
		}
	}
	return m
})

// wordCluster returns the cluster of a lower-case word.
func wordCluster(w string) (string, bool) {
	c, ok := wordClusters()[w]
	return c, ok
}
