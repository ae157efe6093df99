package flows

import (
	"strings"
	"testing"
)

// Issue 13: a draft could be written under .github/workflows/ (a workflow
// that runs with the repository's secrets), as .gitattributes, or under a
// name with a bidirectional override, through the directory, the filename
// pattern or the incident's title rendered into it. Each is refused: the
// incident gets the configuration-error comment saying what and where, and
// nothing is written (no tree, commit, branch or pull request).
func TestDraftPathsAreConfined(t *testing.T) {
	cases := map[string]struct {
		config, title, want string
	}{
		"workflows directory":     {"directory: .github/workflows/\n", "DNS outage", "hidden"},
		"title into workflows":    {"directory: ''\nfilename: '{{.Title}}'\n", ".github/workflows/pwn.yml", "hidden"},
		"title into a dot file":   {"directory: ''\nfilename: '{{.Title}}'\n", ".gitattributes", "hidden"},
		"title with an override":  {"filename: '{{.Title}}.md'\n", "invoice\u202egnp.exe", "U+202E"},
		"title with a zero width": {"filename: '{{.Title}}.md'\n", "db\u200bdown", "U+200B"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": c.config}})
			n := e.openIncident(c.title, "incident")
			mark := e.mark()
			res, err := e.flows.Incident(e.ctx, e.incident(n))
			e.must(err)
			calls, _ := e.appCalls(mark)
			for route := range calls {
				if strings.HasPrefix(route, "POST") && strings.Contains(route, "/git/") {
					t.Errorf("wrote to git: %s", fmtCalls(calls))
					break
				}
			}
			if len(e.pulls()) != 0 {
				t.Fatalf("a pull request was opened (result %+v)", res)
			}
			got := e.commentsWith(n, MarkerConfigError)
			if len(got) != 1 || !strings.Contains(got[0].Body, c.want) || !strings.Contains(got[0].Body, "acme/services:.github/postmortem.yml") {
				t.Fatalf("result %+v; configuration error comments: %+v", res, got)
			}
		})
	}
}
