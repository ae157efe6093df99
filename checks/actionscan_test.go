package checks

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The expressions the scanners of actionscan.go replaced: the reference
// they must match.
var (
	reOwner      = regexp.MustCompile(`(?i)(?:^|[\s(\[,;:])((?:owners?|assignee|assigned to)\s*:?\s*)?(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]|/[A-Za-z0-9])?)`)
	reDue        = regexp.MustCompile(`(?i)\b(due(?:\s+(?:on|by))?\s*:?\s*(\d{4}-\d{1,2}-\d{1,2}))\b`)
	rePriority   = regexp.MustCompile(`(?i)(?:^|[\s(\[,;:])((?:priority\s*:?\s*)?(P[0-3]))(?:$|[\s,;:.)\]])`)
	reEmptyGroup = regexp.MustCompile(`[(\[][\s,;:|/-]*[)\]]|[(\[]\s*$`)
	reLabel      = regexp.MustCompile(`(?:^|[\s(\[,;])(#([A-Za-z][A-Za-z0-9_./-]*[A-Za-z0-9_]|[A-Za-z]))`)
)

func checkActionScanners(t *testing.T, s string) {
	t.Helper()
	same := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s(%q) = %v, regexp %v", name, s, got, want)
		}
	}
	same("findOwners", findOwners(s), reOwner.FindAllStringSubmatchIndex(s, -1))
	same("findDue", findDue(s), reDue.FindStringSubmatchIndex(s))
	same("findPriority", findPriority(s), rePriority.FindStringSubmatchIndex(s))
	same("findLabels", findLabels(s), reLabel.FindAllStringSubmatchIndex(s, -1))
	same("removeEmptyGroups", removeEmptyGroups(s), reEmptyGroup.ReplaceAllString(s, ""))
}

// actionScanInputs: every line and every action item text (masked, then
// with metadata blanked) of the test documents, and edge cases built from
// the pieces the expressions look for.
func actionScanInputs(t *testing.T) []string {
	var in []string
	for _, src := range fastPathDocs(t) {
		in = append(in, strings.Split(string(src), "\n")...)
		d := Parse(src)
		for _, a := range d.ActionItems {
			in = append(in, a.Raw, a.Title)
		}
	}
	in = append(in, actionScanEdgeCases...)
	// every combination of a prefix, a cue and an ending
	prefixes := []string{"", " ", "x", "(", "[", ",", ";", ":", "\t", "\v", "\f", "\r\n", "é", "_", "-", "#", "@", "a "}
	cues := []string{"owner: @a", "OWNERS @b-c/d.e_", "ownerſ:@x", "aſſignee @y", "assigned to  @z", "assigned  to @z",
		"owner @", "@a-", "@a--b/", "@a/b.", "@a/-", "@a/b-c-", "@a@b", "@a.b", "@1/2/3", "due 2026-04-01", "DUE ON 2026-4-1",
		"due by: 2026-12-31", "due on2026-01-01", "due:2026-1-011", "due 2026-1-1x", "due 20260-01-01", "overdue 2026-01-01",
		"due  on  :  2026-01-01", "due by 2026-01-01_", "Due 2026-01-01é", "priority: P1", "PRIORITY p0.", "P3", "p2)", "P4", "P1x",
		"priority P5 P2", "priority:P1]", "#a", "#ab", "#a-", "#a.b/c-", "#1", "#_a", "#é", "(#x)", "[ ]", "( , )", "(", "[ \t",
		"( x )", "(-|/)", "[]", "(]", "((", "()()", "[(])"}
	ends := []string{"", " ", ",", ".", ")", "]", "x", "@", "\n", ";", ":", "é", "_"}
	for _, p := range prefixes {
		for _, c := range cues {
			for _, e := range ends {
				in = append(in, p+c+e, c+e+p+c)
			}
		}
	}
	return in
}

var actionScanEdgeCases = []string{
	"", " ", "@", "#", "(", ")", "due", "owner", "priority", "owner:@alice,@bob;@carol(@dan)[@eve]",
	"Validate pool sizes against peak load in CI (owner: @alice, due: 2026-04-01, P1) #reliability",
	"Add a canary stage for configuration changes @acme/platform due 2026-04-15 P2",
	"Rotate keys [P0] @sec-team, @bob due: 2026-02-30", "Mail ops@example.com about issue #123 and see https://x.io/#frag",
	"Upgrade to P4 engine — owner: @dan", "x (  ) y [ - ] z ( ", "a (,;:|/-) b [\t] c (", "\xff@a \xc5@b \xc5\xbf",
	"assigned to: @x/y", "ASSIGNEE:@Q", "@\u212a", "@a\u017f-/\u212a_.", "@\u017f\u212a-\u212a/\u017f", "#\u212a", "P\u212a", "owners:\n@multi", "due\t\ton\t2026-01-01", "priority\n:\nP1\n",
}

func TestActionScannersMatchRegexps(t *testing.T) {
	in := actionScanInputs(t)
	if len(in) < 10000 {
		t.Fatalf("only %d inputs", len(in))
	}
	for _, s := range in {
		checkActionScanners(t, s)
	}
}

func FuzzActionScanners(f *testing.F) {
	for _, s := range actionScanEdgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkActionScanners(t, s) })
}

// BenchmarkActionMetadata: the scanners and the expressions they replaced,
// on the action items of the complete and blameful examples.
func BenchmarkActionMetadata(b *testing.B) {
	var texts []string
	for _, f := range []string{"testdata/complete.md", "testdata/blameful.md"} {
		for _, a := range Parse(mustReadNoT(f)).ActionItems {
			texts = append(texts, a.Raw)
		}
	}
	b.Run("scanners", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range texts {
				findOwners(s)
				findDue(s)
				findPriority(s)
				findLabels(s)
				removeEmptyGroups(s)
			}
		}
	})
	b.Run("regexps", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range texts {
				reOwner.FindAllStringSubmatchIndex(s, -1)
				reDue.FindStringSubmatchIndex(s)
				rePriority.FindStringSubmatchIndex(s)
				reLabel.FindAllStringSubmatchIndex(s, -1)
				reEmptyGroup.ReplaceAllString(s, "")
			}
		}
	})
}
