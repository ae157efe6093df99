package flows

import (
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
)

// TestHostileRepoConfigs puts broken .github/postmortem.yml files (and
// templates) on the default branch: the incident gets one comment saying
// what is wrong and where, no pull request is opened, and a postmortem pull
// request gets two failed check runs saying the same, without retrying
// forever or panicking.
func TestHostileRepoConfigs(t *testing.T) {
	huge := "incident_label: incident\nblameless:\n  phrases:\n" + strings.Repeat("    - \"a phrase to avoid in postmortems\"\n", 40000)
	cases := map[string]struct {
		files map[string]string
		want  string // in the reported message
	}{
		"unknown key":       {map[string]string{".github/postmortem.yml": "colour: red\n"}, "colour"},
		"wrong type":        {map[string]string{".github/postmortem.yml": "severities: {a: 1}\n"}, "severities"},
		"template outside":  {map[string]string{".github/postmortem.yml": "template: ../../etc/passwd\n"}, `".."`},
		"template absolute": {map[string]string{".github/postmortem.yml": "template: /etc/passwd\n"}, "relative"},
		"template is a directory": {map[string]string{
			".github/postmortem.yml": "template: docs/templates\n", "docs/templates/a.md": "# A\n"}, "is a directory"},
		"template missing":   {map[string]string{".github/postmortem.yml": "template: docs/nope.md\n"}, "not found"},
		"template broken":    {map[string]string{".github/postmortem.yml": "template: t.md\n", "t.md": "# {{.Nope}\n"}, "does not render"},
		"template huge":      {map[string]string{".github/postmortem.yml": "template: t.md\n", "t.md": strings.Repeat("x", repoconfig.MaxFileBytes+1)}, "too large"},
		"config huge":        {map[string]string{".github/postmortem.yml": huge}, "too large"},
		"config is a dir":    {map[string]string{".github/postmortem.yml/x": "y"}, "is a directory"},
		"config binary":      {map[string]string{".github/postmortem.yml": "\x00\x01\xff\xfe"}, ""},
		"two documents":      {map[string]string{".github/postmortem.yml": "incident_label: incident\n---\nclose_incident: true\n"}, "more than one YAML document"},
		"filename traversal": {map[string]string{".github/postmortem.yml": "filename: \"../../{{.Slug}}.md\"\n"}, ".."},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newFlowEnv(t, flowEnvOpts{files: c.files})
			e.t = t
			n := e.openIncident("Config trouble", "incident")
			res, err := e.flows.Incident(e.ctx, e.incident(n))
			if err != nil {
				t.Fatalf("incident flow: %v", err)
			}
			if len(e.pulls()) != 0 {
				t.Fatalf("a pull request was opened (result %+v)", res)
			}
			got := e.commentsWith(n, MarkerConfigError)
			if len(got) != 1 {
				t.Fatalf("result %+v: %d configuration error comments, want 1", res, len(got))
			}
			if !strings.Contains(got[0].Body, c.want) || !strings.Contains(got[0].Body, "acme/services:") {
				t.Errorf("comment does not say %q and where:\n%s", c.want, got[0].Body)
			}
			if len(got[0].Body) > 4000 {
				t.Errorf("comment is %d bytes", len(got[0].Body))
			}
			// A second run reports nothing new.
			if _, err := e.flows.Incident(e.ctx, e.incident(n)); err != nil {
				t.Fatal(err)
			}
			if len(e.commentsWith(n, MarkerConfigError)) != 1 {
				t.Error("reported twice")
			}

			// A postmortem pull request under the same configuration.
			if _, err := e.alice.PushFiles(flowRepo, "pm", map[string]string{"postmortems/2026-03-01-x.md": fixedPostmortem(n, threeActions)}, "pm"); err != nil {
				t.Fatal(err)
			}
			pr, err := e.alice.OpenPR(flowRepo, "pm", "main", "Postmortem", "")
			if err != nil {
				t.Fatal(err)
			}
			pres, err := e.flows.PullRequest(e.ctx, e.pr(pr), false)
			if err != nil {
				t.Fatalf("pull request flow: %v", err)
			}
			if pres.Completeness.Conclusion != "failure" || pres.Blameless.Conclusion != "failure" {
				t.Fatalf("checks %+v", pres)
			}
			for _, cr := range e.sim.CheckRuns(flowRepo, pres.HeadSHA) {
				if cr.Title != "Configuration error" || !strings.Contains(cr.Summary, c.want) {
					t.Errorf("%s: %q\n%s", cr.Name, cr.Title, cr.Summary)
				}
			}
		})
	}
}
