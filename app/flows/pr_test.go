package flows

import (
	"testing"
)

func TestItemKeyIsStableAndNormalized(t *testing.T) {
	if ItemKey("Add  an Alert", 0) != ItemKey("add an alert", 0) {
		t.Error("key depends on case or spacing")
	}
	if ItemKey("add an alert", 0) == ItemKey("add an alert", 1) {
		t.Error("repeated items share a key")
	}
	if len(ItemKey("x", 0)) != 16 {
		t.Error("key length")
	}
}
