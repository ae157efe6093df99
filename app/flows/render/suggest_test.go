package render

import (
	"reflect"
	"sort"
	"testing"

	"github.com/postmortem-app/postmortem/checks"
)

func TestRightLinesOfAPatch(t *testing.T) {
	patch := "@@ -1,3 +1,4 @@\n # Title\n-old line\n+new line\n+another\n context\n@@ -10,2 +11,2 @@ ## Section\n-x\n+y\n z"
	got := rightLines(patch, false, 20)
	var lines []int
	for l := range got {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	if want := []int{1, 2, 3, 4, 11, 12}; !reflect.DeepEqual(lines, want) {
		t.Fatalf("commentable lines = %v, want %v", lines, want)
	}
	if all := rightLines("", true, 3); len(all) != 3 {
		t.Fatalf("added file: %v", all)
	}
}

func TestApplyReplacementsRightToLeft(t *testing.T) {
	line := "Alice failed to validate it and Bob should have checked the pool."
	fs := []checks.Finding{
		{Rule: "blameless/a", Column: 1, EndColumn: 27, Replacement: "It was not validated", Message: "m1"},
		{Rule: "blameless/b", Column: 33, EndColumn: 64, Replacement: "the pool was not checked", Message: "m2"},
	}
	got, msgs, ok := applyReplacements(line, fs)
	if !ok || got != "It was not validated and the pool was not checked." || len(msgs) != 2 || msgs[0] != "**blameless/a**: m1" {
		t.Fatalf("got %q %v %v", got, msgs, ok)
	}
	// Overlapping or out-of-range spans are skipped, not mangled.
	_, _, ok = applyReplacements("short", []checks.Finding{{Column: 3, EndColumn: 99, Replacement: "x"}})
	if ok {
		t.Fatal("out-of-range replacement applied")
	}
}
