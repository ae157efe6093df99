package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Period is a span of calendar days or of business days (Monday to
// Friday): a follow-up's SLO, how long before its due date to remind, how
// long overdue to escalate. Written "4w", "4 weeks", "28d", "20 business
// days", "5bd", or "off" (the zero Period: none).
type Period struct {
	Days     int  // 0: none
	Business bool // counted in business days
}

// MaxPeriodDays bounds a period (ten years).
const MaxPeriodDays = 3660

var rePeriod = regexp.MustCompile(`^(\d{1,4})\s*(d|days?|w|wks?|weeks?|bd|business\s+days?|working\s+days?)$`)

// ParsePeriod reads a period; "off", "none", "never" and "0" are the zero
// Period.
func ParsePeriod(s string) (Period, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch t {
	case "off", "none", "never", "0", "false":
		return Period{}, nil
	}
	m := rePeriod.FindStringSubmatch(t)
	if m == nil {
		return Period{}, fmt.Errorf("%q is not a period: write it like 3d, 4w, 8 weeks, 20 business days, or off", s)
	}
	n, _ := strconv.Atoi(m[1])
	p := Period{Days: n}
	switch {
	case m[2] == "bd" || strings.HasPrefix(m[2], "business") || strings.HasPrefix(m[2], "working"):
		p.Business = true
	case strings.HasPrefix(m[2], "w"):
		p.Days = n * 7
	}
	if p.Days > MaxPeriodDays {
		return Period{}, fmt.Errorf("%q is too long (at most %d days)", s, MaxPeriodDays)
	}
	return p, nil
}

// MustPeriod is ParsePeriod for constants.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// IsZero reports whether the period is none.
func (p Period) IsZero() bool { return p.Days == 0 }

// String says the period as people write it: "4 weeks", "3 days",
// "5 business days", "off".
func (p Period) String() string {
	switch {
	case p.Days == 0:
		return "off"
	case p.Business:
		return plural(p.Days, "business day")
	case p.Days%7 == 0:
		return plural(p.Days/7, "week")
	}
	return plural(p.Days, "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// After is the date (midnight UTC) p after t's date: calendar days, or
// business days skipping Saturdays and Sundays.
func (p Period) After(t time.Time) time.Time {
	d := Date(t)
	if !p.Business {
		return d.AddDate(0, 0, p.Days)
	}
	for n := p.Days; n > 0; {
		d = d.AddDate(0, 0, 1)
		if !IsWeekend(d) {
			n--
		}
	}
	return d
}

// Date is t's date in UTC, at midnight.
func Date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// IsWeekend reports whether t falls on a Saturday or a Sunday (UTC).
func IsWeekend(t time.Time) bool {
	wd := t.UTC().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// UnmarshalYAML reads a period from a scalar; a bad one is a type error at
// its line, so every problem of the file is reported at once.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a period (like 4w, 8 weeks or 20 business days) is expected", n.Line)}}
	}
	v, err := ParsePeriod(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*p = v
	return nil
}

// LookBack is how far before an incident the App looks for changes (pull
// requests merged, deployments, releases, deploy workflows' runs) when it
// drafts the postmortem: written "24h", "90m", "12 hours", "3d", "1w", or
// "off" (0: the draft does not look back). At most MaxLookBack.
type LookBack time.Duration

// DefaultLookBack is the look-back when none is configured.
const DefaultLookBack = LookBack(24 * time.Hour)

// MaxLookBack bounds the look-back: a window of months would only return
// one page of its newest changes anyway, and say it saw them all.
const MaxLookBack = LookBack(30 * 24 * time.Hour)

var reLookBack = regexp.MustCompile(`^(\d{1,5})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$`)

// ParseLookBack reads a look-back; "off", "none", "never", "0" and "false"
// are 0 (no look-back).
func ParseLookBack(s string) (LookBack, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch t {
	case "off", "none", "never", "0", "false":
		return 0, nil
	}
	m := reLookBack.FindStringSubmatch(t)
	if m == nil {
		return 0, fmt.Errorf("%q is not a look-back: write it like 90m, 24h, 3d, 1w, or off", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := time.Minute
	switch m[2][0] {
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	}
	lb := LookBack(time.Duration(n) * unit)
	if lb > MaxLookBack {
		return 0, fmt.Errorf("look-back %q is too long (at most 30 days)", s)
	}
	if n == 0 {
		return 0, nil
	}
	return lb, nil
}

// Duration is the look-back as a time.Duration (0: off).
func (l LookBack) Duration() time.Duration { return time.Duration(l) }

// String says the look-back as people write it: "24 hours", "3 days", "off".
func (l LookBack) String() string {
	d := time.Duration(l)
	switch {
	case d <= 0:
		return "off"
	case d%(7*24*time.Hour) == 0:
		return plural(int(d/(7*24*time.Hour)), "week")
	case d%(24*time.Hour) == 0 && d != 24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

// UnmarshalYAML reads a look-back from a scalar; a bad one is a type error
// at its line.
func (l *LookBack) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a look-back (like 24h, 3d or off) is expected", n.Line)}}
	}
	v, err := ParseLookBack(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*l = v
	return nil
}
