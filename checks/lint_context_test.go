package checks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A done context stops the lint: a clear error, and a finding that says the
// file was not checked to its end (the job's timeout can now stop a lint).
func TestLintContextStops(t *testing.T) {
	src := []byte("## Summary\n\n" + strings.Repeat("Bob was careless. ", 2000) + "\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fs, err := LintContext(ctx, src, Options{})
	if !errors.Is(err, ErrLintStopped) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if !hasRule(fs, RuleLintStopped) {
		t.Errorf("findings %v: no %s", fs, RuleLintStopped)
	}
	// A budget spent mid-way: the blameless check stops between paragraphs.
	var b strings.Builder
	b.WriteString("## Summary\n\n")
	for range 3000 {
		b.WriteString("The engineer forgot to run the migration, and Bob was careless again.\n\n")
	}
	fs, err = LintContext(context.Background(), []byte(b.String()), Options{Budget: time.Nanosecond})
	if !errors.Is(err, ErrLintStopped) || !errors.Is(err, context.DeadlineExceeded) || !hasRule(fs, RuleLintStopped) {
		t.Fatalf("budget of 1ns: error %v, %d findings", err, len(fs))
	}
	// Within the budget: the same findings as Lint, no error.
	full, err := LintContext(context.Background(), src, Options{})
	if err != nil || len(full) != len(Lint(src, Options{})) || hasRule(full, RuleLintStopped) {
		t.Fatalf("%d findings, %v", len(full), err)
	}
}
