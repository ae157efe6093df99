package flows

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/google/go-github/v62/github"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"

	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// hostileDocs are postmortems nobody should write but someone will push.
func hostileDocs() map[string]string {
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 256<<10)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	// 10 000 levels of list: "- - - … item" (indenting each level on its
	// own line would be 100 MB), plus 300 indented levels.
	var nested strings.Builder
	nested.WriteString("## Follow-ups\n\n" + strings.Repeat("- ", 10000) + "[ ] item @alice\n\n")
	nested.WriteString(strings.Repeat("1. ", 10000) + "x\n\n")
	for i := 0; i < 300; i++ {
		nested.WriteString(strings.Repeat("  ", i) + "- [ ] level (owner: @bob)\n")
	}
	var quotes strings.Builder
	quotes.WriteString(strings.Repeat(">", 10000) + " deep quote\n")
	big := fixedPostmortem(1, threeActions)
	var five strings.Builder
	five.WriteString(big)
	for five.Len() < 5<<20 {
		five.WriteString("- 2026-03-01 14:00 UTC — the on-call engineer looked at the dashboard and saw the error rate rise\n")
	}
	return map[string]string{
		"5 MB":              five.String(),
		"10k-deep list":     nested.String(),
		"10k-deep quote":    quotes.String(),
		"binary junk":       string(junk),
		"nul bytes":         strings.Repeat("\x00", 4096),
		"unclosed fences":   strings.Repeat("```\n<!--\n", 2000),
		"front matter only": "---\n" + strings.Repeat("k: [", 5000) + "\n---\n",
		"long line":         "## Summary\n\n" + strings.Repeat("blame ", 200000) + "\n",
	}
}

// TestHostilePostmortemsPushedToAPR pushes each hostile document to a
// postmortem pull request and runs the real pull request flow: both check
// runs complete with findings, nothing panics, and large files are not
// linted past the App's cap (the check run says so).
func TestHostilePostmortemsPushedToAPR(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Hostile documents", "incident")
	ires, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	for name, doc := range hostileDocs() {
		t.Run(name, func(t *testing.T) {
			if _, err := e.alice.EditFile(flowRepo, ires.PullRequest, ires.Path, doc, "push "+name); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := e.flows.PullRequest(e.ctx, e.pr(ires.PullRequest), false)
			if err != nil {
				t.Fatalf("pull request flow: %v", err)
			}
			t.Logf("%s (%d bytes): %s, completeness %+v, blameless %+v", name, len(doc), time.Since(start).Round(time.Millisecond), res.Completeness, res.Blameless)
			if res.Completeness.ID == 0 || res.Blameless.ID == 0 {
				t.Fatalf("no check runs: %+v", res)
			}
			runs := e.sim.CheckRuns(flowRepo, res.HeadSHA)
			if len(runs) != 2 {
				t.Fatalf("%d check runs", len(runs))
			}
			for _, cr := range runs {
				if cr.Status != "completed" || cr.Conclusion == "" {
					t.Errorf("%s: %s/%s", cr.Name, cr.Status, cr.Conclusion)
				}
			}
			if res.Completeness.Conclusion != "failure" {
				t.Errorf("completeness %s, want failure", res.Completeness.Conclusion)
			}
			if len(doc) > repoconfig.MaxFileBytes {
				for _, cr := range runs {
					if !strings.Contains(cr.Summary, "too large") {
						t.Errorf("%s does not say the file was too large to check:\n%.400s", cr.Name, cr.Summary)
					}
				}
			}
		})
	}
}

// GitHub's contents API answers a file over 1 MB without its content
// (encoding "none"): that is a TooLargeError, not a failure to retry.
func TestGetFileOverOneMegabyte(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"file","encoding":"none","size":5242880,"name":"big.md","path":"postmortems/big.md","content":"","sha":"3d21ec53a331a6f037a91c368710b99387d012c1"}`)
	}))
	defer srv.Close()
	gh, err := github.NewClient(nil).WithEnterpriseURLs(srv.URL+"/", srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	_, found, err := repoconfig.GetFile(context.Background(), gh, "o", "r", "postmortems/big.md", "")
	var tl *repoconfig.TooLargeError
	if !errors.As(err, &tl) || !found || tl.Size != 5242880 {
		t.Fatalf("found %v, err %v", found, err)
	}
	if !strings.Contains(tl.Error(), "too large (5.0 MB; the App reads files up to 1 MB)") {
		t.Errorf("message %q", tl.Error())
	}
}
