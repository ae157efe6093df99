package checks

import (
	"strings"
	"testing"
)

// TestIntroAsSummary: a blog post's opening prose stands for the summary,
// announced; a template can let it stand silently.
func TestIntroAsSummary(t *testing.T) {
	body := "On Monday our hosting provider had an outage and the website was down for two hours; " +
		"no other service was affected and no data was lost at any point.\n\n## Timeline\n\n- 2022-05-23 06:00 down\n"
	got, notes := matchedHeadings(t, body, nil)
	if got["Summary"] != "the introduction" || len(notes) != 1 || !strings.Contains(notes[0], "the introduction (line 3)") {
		t.Errorf("got %v, notices %q", got, notes)
	}
	sc := mustSchema(t, "# T\n\n## Summary <!-- aka: the introduction -->\n\nTODO\n")
	if _, notes := matchedHeadings(t, body, sc); len(notes) != 0 {
		t.Errorf("aka: the introduction: notices %q", notes)
	}
	if got, _ := matchedHeadings(t, "Short intro.\n\n## Timeline\n\n- 10:00 x\n", nil); got["Summary"] != "" {
		t.Errorf("a line of introduction taken as the summary")
	}
}

func TestMoreActionForms(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // title|done
	}{
		{"follow-ups label over a nested list", "# T\n\n- **Impact**: none\n- **Review actions**:\n  - Create a runbook [#3501](https://x/3501)\n  - Change the alarm to high priority\n",
			[]string{"Create a runbook #3501|false", "Change the alarm to high priority|false"}},
		{"follow-ups label over the next list", "# T\n\n## Notes\n\n**Action items:**\n\n1. Add an alert\n",
			[]string{"Add an alert|false"}},
		{"paragraphs", "# T\n\n## Follow-up\n\nThe monitoring should notify more people. (filed https://x/1)\n\nThe check was misconfigured. (fixed by adding an entry)\n",
			[]string{"The monitoring should notify more people|false", "The check was misconfigured|true"}},
		{"one paragraph is no list", "# T\n\n## Follow-up\n\nWe will add monitoring.\n", nil},
		{"a list reporting what was done", "# T\n\n## Remediation\n\n- All hosts were identified and rebuilt.\n- Access was restricted at once.\n- Labels now rely on SHAs.\n",
			[]string{"All hosts were identified and rebuilt|true", "Access was restricted at once|true", "Labels now rely on SHAs|true"}},
		{"one past participle among plans", "# T\n\n## Follow-ups\n\n- Improved alerting\n- Add a runbook\n- Rotate keys\n",
			[]string{"Improved alerting|false", "Add a runbook|false", "Rotate keys|false"}},
	}
	for _, c := range cases {
		d := Parse([]byte(c.src))
		var got []string
		for _, a := range d.Actions {
			got = append(got, a.Title+"|"+map[bool]string{true: "true", false: "false"}[a.Done])
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestHTMLLabels(t *testing.T) {
	body := "<h3>The problem</h3>\n<p>text</p>\n<h3>Preventing recurrence</h3>\n<p>more</p>\n\n" +
		"<p><span><b>Overview:</b></span> a mail outage</p>\n"
	got, _ := matchedHeadings(t, body, nil)
	if got["Follow-ups"] != "Preventing recurrence" || got["Summary"] != "Overview" {
		t.Errorf("got %v", got)
	}
}
