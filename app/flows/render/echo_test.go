package render

import (
	"strings"
	"testing"
)

func TestEchoNeutralises(t *testing.T) {
	in := "waiting on @acme/security <img src=x onerror=alert(1)> see #12\n**now** [x](javascript:alert(1)) `rm`"
	got := Echo(in, 200)
	for _, bad := range []string{"@acme", "#12", " <img", "**now**", "](", "\n", " `rm`"} {
		if strings.Contains(got, bad) {
			t.Errorf("Echo kept %q: %s", bad, got)
		}
	}
	if !strings.Contains(got, "waiting on @"+wordJoiner+"acme/security") {
		t.Errorf("Echo = %q", got)
	}
	if got := Echo(strings.Repeat("a", 50), 10); len([]rune(got)) != 10 {
		t.Errorf("not cut: %q", got)
	}
	if got := Code("a ``b`` c", 0); got != "```a ``b`` c```" {
		t.Errorf("Code = %q", got)
	}
	if got := Code("`x", 0); got != "`` `x ``" {
		t.Errorf("Code = %q", got)
	}
}
