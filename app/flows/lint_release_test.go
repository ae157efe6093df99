package flows

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/checks"
)

// Issue 13: the App kept every checked file's source to the end of the run
// (render.File.Src, for the review's suggestions), so a pull request of
// many megabyte postmortems held all of them at once. lintFiles now keeps
// only the findings and the suggested rewordings: each source can be
// collected as soon as its file is checked, while the suggestions are
// still made from it.
func TestLintFilesReleasesSources(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	r, err := e.flows.newRun(flowInstID, "acme", "services", 0)
	e.must(err)
	src := make([]byte, 0, 1<<20)
	src = append(src, "## Summary\n\nThe engineer was careless and should have checked the pool size before deploying.\n\n"...)
	for len(src) < 1<<20-100 {
		src = append(src, "The cache was warmed again after the deploy.\n"...)
	}
	released := make(chan struct{})
	runtime.SetFinalizer(&src[:1][0], func(*byte) { close(released) })
	const path = "postmortems/2026-03-01-big.md"
	drafted := &draftedFile{commit: "abc", path: path, src: src}
	changed := []*github.CommitFile{{Filename: github.String(path), Status: github.String("added")}}
	res := &PullRequestResult{}
	checked, err := r.lintFiles(e.ctx, "abc", changed, drafted, checks.DefaultConfig().Options(nil), res)
	e.must(err)
	drafted, src = nil, nil
	if len(checked) != 1 || len(checked[0].Findings) == 0 {
		t.Fatalf("checked %+v", checked)
	}
	freed := false
	for i := 0; i < 20 && !freed; i++ {
		runtime.GC()
		select {
		case <-released:
			freed = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	if !freed {
		t.Error("the source of a checked file is still held after lintFiles")
	}
	if s := render.Suggestions(checked); len(s) != 1 || s[0].Line != 3 || !strings.Contains(s[0].Body, "suggestion") {
		t.Errorf("suggestions %+v: want one on line 3", s)
	}
	runtime.KeepAlive(checked)
}

// Issue 13: the App lints with a deadline: the job's context, and each
// file's own budget (Flows.LintBudget, default checks.DefaultLintBudget).
// Past the budget the check run says the file was not checked to its end
// (completeness/lint-stopped) instead of running on; a job whose context
// is done stops with an error.
func TestLintFilesDeadline(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	e.flows.LintBudget = time.Nanosecond
	r, err := e.flows.newRun(flowInstID, "acme", "services", 0)
	e.must(err)
	const path = "postmortems/2026-03-01-x.md"
	var b strings.Builder
	b.WriteString("## Summary\n\n")
	for range 3000 {
		b.WriteString("The engineer forgot to run the migration, and Bob was careless again.\n\n")
	}
	drafted := &draftedFile{commit: "abc", path: path, src: []byte(b.String())}
	changed := []*github.CommitFile{{Filename: github.String(path), Status: github.String("added")}}
	opts := checks.DefaultConfig().Options(nil)
	checked, err := r.lintFiles(e.ctx, "abc", changed, drafted, opts, &PullRequestResult{})
	e.must(err)
	if !hasFindingRule(checked[0].Findings, checks.RuleLintStopped) {
		t.Errorf("budget of 1ns: no %s finding", checks.RuleLintStopped)
	}
	e.flows.LintBudget = 0 // the default: the whole file is checked
	checked, err = r.lintFiles(e.ctx, "abc", changed, drafted, opts, &PullRequestResult{})
	e.must(err)
	if hasFindingRule(checked[0].Findings, checks.RuleLintStopped) {
		t.Errorf("default budget: %s", checks.RuleLintStopped)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := r.lintFiles(ctx, "abc", changed, drafted, opts, &PullRequestResult{}); !errors.Is(err, context.Canceled) {
		t.Errorf("job's context done: error %v", err)
	}
}

func hasFindingRule(fs []checks.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
