package render

import (
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Checkout API: 502s after config push!": "checkout-api-502s-after-config-push",
		"Café crème déjà vu":                    "cafe-creme-deja-vu",
		"../../etc/passwd":                      "etc-passwd",
		"refs/heads/main.lock":                  "refs-heads-main-lock",
		"":                                      "incident",
		"日本語のみ":                                 "incident",
		"--- @@{}~^:? ---":                      "incident",
		strings.Repeat("word ", 40):             "word-word-word-word-word-word-word-word-word",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
		if got := Slug(in); len(got) > MaxSlugLen || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") {
			t.Errorf("Slug(%q) = %q: not bounded/trimmed", in, got)
		}
	}
}

func FuzzSlug(f *testing.F) {
	f.Add("Checkout API: 502s")
	f.Add("\x00\xff..//")
	f.Fuzz(func(t *testing.T, s string) {
		got := Slug(s)
		if got == "" || len(got) > MaxSlugLen || strings.Contains(got, "--") || strings.Trim(got, "-") != got {
			t.Fatalf("Slug(%q) = %q", s, got)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Slug(%q) = %q has %q", s, got, r)
			}
		}
	})
}

func TestSeverityFromLabels(t *testing.T) {
	for in, want := range map[string]string{
		"sev1": "SEV1", "SEV-2": "SEV2", "severity:high": "SEV2", "Severity: critical": "SEV1",
		"P1": "SEV1", "p3": "SEV3", "sev0": "SEV1", "bug": "", "severity/4": "SEV4",
	} {
		if got := SeverityFromLabels([]string{"incident", in}); got != want {
			t.Errorf("SeverityFromLabels(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SeverityFromLabels([]string{"P2", "sev1"}); got != "SEV1" {
		t.Errorf("sev label should win over priority: %q", got)
	}
}
