package repoconfig

import "testing"

func TestErrorWhere(t *testing.T) {
	e := &Error{Repo: "acme/svc", Path: Path, Message: "bad"}
	if got := e.Where(); got != "acme/svc:.github/postmortem.yml" {
		t.Errorf("Where = %q", got)
	}
	e.Line = 3
	if got, want := e.Where(), "acme/svc:.github/postmortem.yml line 3"; got != want {
		t.Errorf("Where = %q, want %q", got, want)
	}
	if got, want := e.Error(), "acme/svc:.github/postmortem.yml line 3: bad"; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int]string{MaxFileBytes: "1 MB", MaxFileBytes + 1: "1048577 bytes", 3 << 20: "3.0 MB", 12 << 20: "12 MB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
