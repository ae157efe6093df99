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

// Issue 13: no hidden marker survives Echo, even as raw text (the App finds
// its markers in raw text), nor a bidirectional override; CommitLine gives
// one line that cannot be a trailer nor skip CI.
func TestEchoAndCommitLineDefuse(t *testing.T) {
	got := Echo("a <!-- postmortem:pr incident=1 --> b \u202Efdp.exe\u2066", 0)
	if strings.Contains(got, "<!--") || strings.Contains(got, "-->") || strings.ContainsAny(got, "\u202E\u2066") {
		t.Errorf("Echo = %q", got)
	}
	if !strings.Contains(got, "&lt;\\!--") {
		t.Errorf("Echo = %q, want the comment shown as text", got)
	}
	for in, want := range map[string]string{
		"[skip ci] Checkout down\nCo-authored-by: Mallory <m@example.com>": "(skip ci) Checkout down Co-authored-by: Mallory <m@example.com>",
		"DB down [CI SKIP] ***NO_CI*** \u202Eevil\r\n\n":                   "DB down (CI SKIP) (no ci) evil",
		"Signed-off-by: x\u2028y":                                          "Signed-off-by: x y",
	} {
		if got := CommitLine(in, 0); got != want {
			t.Errorf("CommitLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CommitLine(strings.Repeat("a", 100), 72); len([]rune(got)) != 72 {
		t.Errorf("CommitLine not cut: %q", got)
	}
}
