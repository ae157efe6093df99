package blameless

import "testing"

// Patterns that made false findings in whole real postmortems (issue 12),
// written here in other words: advice to the reader, adversaries and what
// they might have done, an act a practice is meant to avoid, nouns at the
// head of a list item, and thanks.
func TestAdviceAdversariesAndAvoidance(t *testing.T) {
	runCases(t, mustNewRules(t, Config{}), []ruleCase{
		// second-person advice to any reader: an instruction, not a remedy aimed at someone
		{text: "If you host a private mirror, you should remove the compromised releases from it."},
		{text: "If you use the old client, you must delete the cached credentials."},
		// an adversary, or a pronoun whose antecedent is one, is not a colleague at fault
		{text: "Since the attacker sat between the browser and the site, they could have captured the login token."},
		{text: "The intruder deleted the audit logs before leaving."},
		{text: "Once the phisher had the password, he bypassed the second factor."},
		// what a practice is meant to avoid did not happen
		{text: "Keep a checklist that people read ahead of time to avoid steps getting forgotten."},
		// cookies are not cooks
		{text: "The cookies were sent with the request and bypassed the cache."},
	})
	// still found: advice aimed at a person's behaviour, a reply to someone
	runCases(t, mustNewRules(t, Config{}), []ruleCase{
		{text: "You should double-check the target before running the command.", rule: RuleFixTheHuman},
		{text: "@sam you should revert your change and test it properly.", rule: RuleFixTheHuman},
		{text: "The engineer forgot to renew the certificate.", rule: RulePersonAsCause},
	})
	// the shipped model: no finding at the default configuration
	a := mustNew(t, Config{})
	for _, text := range []string{
		"Reminders to rotate credentials after an incident",
		"Training sessions for the new paging tool",
		"A researcher kindly contacted us to say that our build server was out of date.",
		"If you host a private mirror, you should remove the compromised releases from it.",
	} {
		for _, h := range a.Analyze(Segment{Text: text}) {
			t.Errorf("%q: want no finding, got %s %.2f on %q", text, h.Rule, h.Confidence, text[h.Start:h.End])
		}
	}
}
