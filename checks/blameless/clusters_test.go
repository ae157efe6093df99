package blameless

import "testing"

// The embedded clusters group words by meaning: near-synonyms share a
// cluster, words of unrelated kinds do not.
func TestWordClustersGroupByMeaning(t *testing.T) {
	same := [][2]string{{"careless", "reckless"}, {"stupid", "foolish"}, {"careless", "amateurish"}, {"disastrous", "bungled"}}
	for _, p := range same {
		a, okA := wordCluster(p[0])
		b, okB := wordCluster(p[1])
		if !okA || !okB || a != b {
			t.Errorf("%q (%s, %v) and %q (%s, %v): want one cluster", p[0], a, okA, p[1], b, okB)
		}
	}
	if a, _ := wordCluster("careless"); a == func() string { c, _ := wordCluster("database"); return c }() {
		t.Errorf("careless and database share cluster %s", a)
	}
	if n := len(wordClusters()); n != 50000 {
		t.Errorf("%d words in the clusters, want 50000", n)
	}
}

// A common noun the features abstract to its class keeps its word, and a
// word outside the corpus still carries its cluster's weight.
func TestWordAndClusterFeatures(t *testing.T) {
	checkFeature(t, "w:trader", is("w:trader"), []featureCase{
		{"A trader keyed in the wrong amount.", true},
		{"Sam keyed in the wrong amount.", false},
	})
	c, _ := wordCluster("amateurish")
	checkFeature(t, "the cluster of amateurish", is("c:"+c), []featureCase{
		{"The rollout was amateurish.", true},
		{"The rollout was careless.", true},
		{"The rollout was slow.", false},
	})
}

// A word of six or more letters also gives its first and last three
// letters, the shape of a word the corpus lacks ("misrouted" as "mis…",
// "clueless" as "…ess"); names, marks and short words do not.
func TestAffixFeatures(t *testing.T) {
	checkFeature(t, "p3:mis", is("p3:mis"), []featureCase{
		{"The operator misrouted the traffic.", true},
		{"The operator routed the traffic.", false},
		{"Yesterday Mishra routed the traffic.", false},
	})
	checkFeature(t, "s3:ess", is("s3:ess"), []featureCase{
		{"A clueless admin ran it.", true},
		{"A careful admin ran it.", false},
		{"It's pointless.", true},
	})
}
