package app

import (
	"strings"
	"testing"
)

// A repeated read through an installation's client is a conditional request
// answered 304 (free of rate limit), whatever the body's framing: a small
// Content-Length body, a large chunked one (a pull request's file list),
// and through the conformance transport, which hands on a buffered body
// that never reports EOF together with its last bytes.
func TestRepeatReadIsConditional(t *testing.T) {
	big := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n", 400) // ~23 KB: chunked
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{".github/postmortem.yml": "close_incident: true\n", "docs/big.md": big}})
	gh, err := e.flows.Clients.Installation(flowInstID)
	e.must(err)
	for _, p := range []string{".github/postmortem.yml", "docs/big.md"} {
		mark := e.mark()
		for i := 0; i < 3; i++ {
			fc, _, _, err := gh.Repositories.GetContents(e.ctx, "acme", "services", p, nil)
			e.must(err)
			if s, _ := fc.GetContent(); len(s) == 0 {
				t.Fatalf("%s: empty content on read %d", p, i+1)
			}
		}
		got := e.callsSince(mark)
		if got.total != 1 || got.free != 2 {
			t.Errorf("%s read 3 times: %d counted, %d free (want 1 and 2):\n%s", p, got.total, got.free, got)
		}
	}
}
