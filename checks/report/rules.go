package report

import (
	"strings"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/checks/blameless"
)

// KnownRules describes every rule postmortem can report, completeness rules
// first, for SARIF's rules table.
func KnownRules() []Rule {
	var out []Rule
	for _, r := range checks.CompletenessRules() {
		short := sentence(r.Summary)
		out = append(out, Rule{
			ID:    r.ID,
			Short: short,
			Full:  short + " The template in use (a preset or the team's own) defines which sections and front matter fields a complete postmortem has.",
			Help: short + "\n\nFix it in the postmortem, or change the severity of " + r.ID +
				" in .github/postmortem.yml under completeness.rules.",
			HelpMarkdown: "**" + short + "**\n\nFix it in the postmortem, or change the severity of `" + r.ID +
				"` in `.github/postmortem.yml` under `completeness.rules`.",
			Level: r.Severity,
		})
	}
	for _, r := range blameless.Rules() {
		short := sentence(r.Description)
		help := strings.TrimSpace(r.Help)
		if help == "" {
			help = short
		}
		full := help
		out = append(out, Rule{
			ID:    r.ID,
			Short: short,
			Full:  full,
			Help:  help + "\n\nTo accept a wording, add it to blameless.allow in .github/postmortem.yml; to change the rule's severity, use blameless.rules.",
			HelpMarkdown: "**" + short + "**\n\n" + help +
				"\n\nTo accept a wording, add it to `blameless.allow` in `.github/postmortem.yml`; to change the rule's severity, use `blameless.rules`.",
			Level: checks.Severity(r.Severity),
		})
	}
	return out
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
