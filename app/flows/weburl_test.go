package flows

import (
	"strings"
	"testing"
)

// TestDraftLinksAreWebPages: the drafted timeline links a comment to its
// place on the incident's page (GitHub's html_url), never to the REST API
// (…/repos/o/r/issues/comments/N), which a reader's browser cannot show.
func TestDraftLinksAreWebPages(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	n := e.openIncident("Checkout API: 502s after config push", "incident")
	id, err := e.alice.Comment(flowRepo, n, "Rolling back the config change now.")
	e.must(err)
	c, _, err := e.alice.Client.Issues.GetComment(e.ctx, "acme", "services", id)
	e.must(err)
	res, err := e.flows.Incident(e.ctx, e.incident(n))
	e.must(err)
	doc, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
	e.must(err)
	if c.GetHTMLURL() == "" || !strings.Contains(doc, c.GetHTMLURL()) {
		t.Errorf("the draft does not link the comment's page %q:\n%s", c.GetHTMLURL(), doc)
	}
	if strings.Contains(doc, "/repos/") || strings.Contains(doc, c.GetURL()) {
		t.Errorf("the draft links the REST API:\n%s", doc)
	}
}
