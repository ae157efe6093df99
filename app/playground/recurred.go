package playground

import (
	"context"
	"strings"

	"github.com/postmortem-app/postmortem/app/flows"
)

// recurred: bob opens another incident naming the file the first
// postmortem named; the App drafts its postmortem and comments once with
// the first incident and its follow-ups still open (issue 17).
func (p *playground) recurred(ctx context.Context, first int) error {
	p.begin("bob opens another incident: checkout times out, and `checkout/pool.go` is in it again.")
	title := "Checkout times out under load"
	n, err := p.bob.OpenIssue(pgRepo, title, "Checkout requests time out since 10:05 UTC; the pool in `checkout/pool.go` is at its limit.")
	if err != nil {
		return err
	}
	if err := p.bob.AddLabels(pgRepo, n, "incident", "sev3"); err != nil {
		return err
	}
	p.say("   bob opened issue #%d %q and labelled it incident and sev3.\n", n, title)
	var comment string
	if err := p.wait(ctx, "the recurrence comment", func() bool {
		inc, _ := p.issue(n)
		for _, c := range inc.Comments {
			if strings.Contains(c.Body, flows.MarkerRecurrence(n)) {
				comment = c.Body
			}
		}
		return comment != "" && hasCommentWith(inc, flows.MarkerPointer(n))
	}); err != nil {
		return err
	}
	p.say("   → The App drafted its postmortem, as for #%d, and then compared #%d with the record of merged postmortems\n", first, n)
	p.say("     (postmortems/index.json: the files each names, its labels and services, title words). It commented once:\n")
	for _, l := range strings.Split(comment, "\n") {
		if strings.HasPrefix(l, "**") || strings.HasPrefix(l, "- ") {
			p.say("       %s\n", strings.ReplaceAll(l, "\u2060", ""))
		}
	}
	p.say("     (an incident like no earlier one gets no such comment)\n")
	p.end(ctx)
	return nil
}
