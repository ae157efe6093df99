package checks

import (
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]Period{
		"4w": {Days: 28}, "4 weeks": {Days: 28}, "1 week": {Days: 7}, "28d": {Days: 28}, "3 days": {Days: 3},
		"5bd": {Days: 5, Business: true}, "20 business days": {Days: 20, Business: true}, "1 Business Day": {Days: 1, Business: true},
		"10 working days": {Days: 10, Business: true}, "off": {}, "0": {}, "none": {},
	} {
		got, err := ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "4", "four weeks", "4 months", "-1d", "99999d", "4w2d"} {
		if _, err := ParsePeriod(in); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", in)
		}
	}
	if s := (Period{Days: 28}).String(); s != "4 weeks" {
		t.Errorf("String = %q", s)
	}
	if s := (Period{Days: 5, Business: true}).String(); s != "5 business days" {
		t.Errorf("String = %q", s)
	}
}

func TestPeriodAfterCountsBusinessDays(t *testing.T) {
	fri := time.Date(2026, 3, 6, 17, 30, 0, 0, time.UTC) // a Friday evening
	for _, c := range []struct {
		p    string
		want string
	}{
		{"5 business days", "2026-03-13"}, // Mon..Fri next week
		{"1bd", "2026-03-09"},             // Monday
		{"3d", "2026-03-09"},              // calendar days
		{"4w", "2026-04-03"},
	} {
		if got := MustPeriod(c.p).After(fri).Format("2006-01-02"); got != c.want {
			t.Errorf("%s after %s = %s, want %s", c.p, fri.Format("Mon 2006-01-02"), got, c.want)
		}
	}
	sat := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	if got := MustPeriod("1bd").After(sat).Format("2006-01-02"); got != "2026-03-09" {
		t.Errorf("1bd after a Saturday = %s", got)
	}
}

func TestFollowUpPolicyConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte("follow_ups:\n  slo:\n    p3: 12 weeks\n    sev1: 20 business days\n    P2: off\n" +
		"  reminders: {before: 2d, every: 2w, weekends: true}\n  escalate_to: acme/sre-leads\n  escalate_after: 10d\n" +
		"postmortem:\n  required_for: [sev1, SEV2]\n  due: 3bd\ndigest: organisation\n"))
	if err != nil {
		t.Fatal(err)
	}
	merged := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // a Monday
	for _, c := range []struct{ prio, sev, want, key string }{
		{"P1", "SEV3", "2026-03-30", "P1"}, // the default P1 stays
		{"P3", "", "2026-05-25", "P3"},
		{"", "SEV1", "2026-03-30", "SEV1"},   // 20 business days
		{"P2", "SEV1", "2026-03-30", "SEV1"}, // P2 turned off: the severity's
		{"", "SEV2", "", ""},
	} {
		due, key, _, ok := cfg.DueBySLO(c.prio, c.sev, merged)
		got := ""
		if ok {
			got = due.Format("2006-01-02")
		}
		if got != c.want || key != c.key {
			t.Errorf("DueBySLO(%q, %q) = %s by %q, want %s by %q", c.prio, c.sev, got, key, c.want, c.key)
		}
	}
	r := cfg.FollowUps.Reminders
	if !r.Enabled || r.Before.Days != 2 || r.Every.Days != 14 || !r.Weekends || cfg.FollowUps.EscalateTo != "@acme/sre-leads" ||
		cfg.FollowUps.EscalateAfter.Days != 10 || cfg.FollowUps.OverdueLabel != "overdue" {
		t.Errorf("follow_ups = %+v", cfg.FollowUps)
	}
	if !cfg.Postmortem.Required("Sev-1") || cfg.Postmortem.Required("SEV3") || cfg.Postmortem.Due != (Period{Days: 3, Business: true}) || cfg.Digest != DigestOrganization {
		t.Errorf("postmortem = %+v, digest %q", cfg.Postmortem, cfg.Digest)
	}
	d := DefaultConfig()
	if d.Digest != DigestOff || len(d.Postmortem.RequiredFor) != 0 || d.FollowUps.EscalateTo != "" || d.FollowUps.SLO["P1"].Days != 28 || d.FollowUps.SLO["P2"].Days != 56 {
		t.Errorf("defaults = %+v", d)
	}
}

// Every mistake in the new keys is reported at once, each at its line.
func TestFollowUpPolicyConfigErrors(t *testing.T) {
	_, err := ParseConfig([]byte("follow_ups:\n  slo:\n    P7: 4w\n    P1: a month\n  escalate_to: \"@@nobody\"\n" +
		"  reminders:\n    before: [1d]\npostmortem:\n  required_for: [SEV9]\ndigest: weekly\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{`line 3: follow_ups.slo: "P7"`, `line 4: follow_ups.slo.P1: "a month" is not a period`, `line 5: follow_ups.escalate_to`,
		"line 7: follow_ups.reminders.before: a period", `line 9: postmortem.required_for: "SEV9"`, `line 10: digest "weekly"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors do not say %q:\n%s", want, msg)
		}
	}
}

func TestLookBack(t *testing.T) {
	for in, want := range map[string]string{
		"24h": "24 hours", "90m": "90 minutes", "12 hours": "12 hours", "3d": "3 days", "1w": "1 week",
		"30 days": "30 days", "off": "off", "0": "off", "1 day": "24 hours",
	} {
		lb, err := ParseLookBack(in)
		if err != nil || lb.String() != want {
			t.Errorf("ParseLookBack(%q) = %v, %v; want %s", in, lb, err, want)
		}
	}
	for _, in := range []string{"31d", "5w", "a day", "-1h", "24", "1y"} {
		if lb, err := ParseLookBack(in); err == nil {
			t.Errorf("ParseLookBack(%q) = %v, want an error", in, lb)
		}
	}
	cfg, err := ParseConfig([]byte("look_back: 6h\n"))
	if err != nil || cfg.LookBack.Duration() != 6*time.Hour {
		t.Fatalf("look_back: 6h: %v, %v", cfg, err)
	}
	if cfg := DefaultConfig(); cfg.LookBack.Duration() != 24*time.Hour {
		t.Errorf("default look-back %v, want 24h", cfg.LookBack)
	}
	cfg, err = ParseConfig([]byte("look_back: off\n"))
	if err != nil || cfg.LookBack != 0 {
		t.Fatalf("look_back: off: %v, %v", cfg, err)
	}
	_, err = ParseConfig([]byte("digest: off\nlook_back: 45 days\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "at most 30 days") {
		t.Errorf("look_back: 45 days: %v", err)
	}
}
