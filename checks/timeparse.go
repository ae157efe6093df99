package checks

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones must resolve on any machine, containers included
)

// stamp is a timestamp found at the start of a piece of text.
type stamp struct {
	year, month, day     int
	hour, min, sec, nsec int
	hasDate, hasTime     bool
	loc                  *time.Location // nil when no zone was written
	end                  int            // bytes of the text the stamp used
}

var (
	reISODate  = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})`)
	reDateTime = regexp.MustCompile(`^(?:T|,?\s+(?:at\s+)?)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`)
	reClock    = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`)
	reMonthDay = regexp.MustCompile(`(?i)^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?`)
	reAMPM     = regexp.MustCompile(`(?i)^\s?([ap])\.?m\.?\b`)
	reOffset   = regexp.MustCompile(`^\s?([+-])(\d{2}):?(\d{2})\b`)
	reZoneWord = regexp.MustCompile(`^\s+([A-Z]{1,5})(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\b`)
	reIANA     = regexp.MustCompile(`^\s+([A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+){1,2})`)
)

var months = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// zoneAbbrev are the abbreviations accepted after a time. Ambiguous ones
// (IST, CST in Asia) take their most common reading in incident write-ups.
var zoneAbbrev = map[string]int{ // offset in minutes
	"UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
	"EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
	"MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60,
	"AKST": -9 * 60, "AKDT": -8 * 60, "HST": -10 * 60,
	"WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180,
	"MSK": 180, "IST": 330, "SGT": 480, "HKT": 480, "JST": 540, "KST": 540,
	"AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func nanos(frac string) int {
	if frac == "" {
		return 0
	}
	for len(frac) < 9 {
		frac += "0"
	}
	return atoi(frac[:9])
}

// scanStamp reads a date, a time or both at the start of s. Accepted:
// 2026-03-01, 2026-03-01 14:02, 2026-03-01T14:02:00Z (RFC 3339), 14:02,
// 14:02:30, 2:02 PM, Mar 1 14:02, March 1, 2026 at 14:02, each optionally
// followed by a zone: Z, +01:00, UTC, PST, Europe/Berlin.
func scanStamp(s string) (st stamp, ok bool) {
	i := 0
	if m := reISODate.FindStringSubmatch(s); m != nil {
		st.year, st.month, st.day = atoi(m[1]), atoi(m[2]), atoi(m[3])
		st.hasDate = true
		i = len(m[0])
	} else if m := reMonthDay.FindStringSubmatch(s); m != nil {
		st.month = months[strings.ToLower(m[1])[:3]]
		st.day = atoi(m[2])
		if m[3] != "" {
			st.year = atoi(m[3])
		}
		st.hasDate = true
		i = len(m[0])
	} else if m := reClock.FindStringSubmatch(s); m != nil {
		st.hour, st.min, st.sec, st.nsec = atoi(m[1]), atoi(m[2]), atoi(m[3]), nanos(m[4])
		st.hasTime = true
		i = len(m[0])
	} else {
		return st, false
	}
	if st.hasDate && !st.hasTime {
		// A date may be followed by its time ("2026-03-01 14:02", "Mar 1 14:02").
		if m := reDateTime.FindStringSubmatch(s[i:]); m != nil {
			st.hour, st.min, st.sec, st.nsec = atoi(m[1]), atoi(m[2]), atoi(m[3]), nanos(m[4])
			st.hasTime = true
			i += len(m[0])
		}
	}
	if st.hasTime {
		if m := reAMPM.FindStringSubmatch(s[i:]); m != nil {
			if st.hour < 1 || st.hour > 12 {
				return st, false
			}
			pm := strings.EqualFold(m[1], "p")
			if st.hour == 12 {
				st.hour = 0
			}
			if pm {
				st.hour += 12
			}
			i += len(m[0])
		}
		if strings.HasPrefix(s[i:], "Z") && (len(s) == i+1 || !isWordByte(s[i+1])) {
			st.loc = time.UTC
			i++
		} else if m := reOffset.FindStringSubmatch(s[i:]); m != nil {
			off := atoi(m[2])*60 + atoi(m[3])
			if m[1] == "-" {
				off = -off
			}
			st.loc = fixedZone(off)
			i += len(m[0])
		} else if m := reIANA.FindStringSubmatch(s[i:]); m != nil {
			if loc, err := time.LoadLocation(m[1]); err == nil {
				st.loc = loc
				i += len(m[0])
			}
		}
		if st.loc == nil {
			if m := reZoneWord.FindStringSubmatch(s[i:]); m != nil {
				if base, known := zoneAbbrev[m[1]]; known {
					off := base
					if m[2] != "" {
						d := atoi(m[3])*60 + atoi(m[4])
						if m[2] == "-" {
							d = -d
						}
						off += d
					}
					st.loc = fixedZone(off)
					if off == 0 {
						st.loc = time.UTC
					}
					i += len(m[0])
				}
			}
		}
	}
	if st.hour > 23 || st.min > 59 || st.sec > 60 {
		return st, false
	}
	if st.hasDate {
		if st.month < 1 || st.month > 12 || st.day < 1 || st.day > 31 {
			return st, false
		}
		y := st.year
		if y == 0 {
			y = 2000 // a leap year, so Feb 29 without a year is accepted
		}
		t := time.Date(y, time.Month(st.month), st.day, 0, 0, 0, 0, time.UTC)
		if t.Day() != st.day {
			return st, false
		}
	}
	st.end = i
	return st, true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func fixedZone(minutes int) *time.Location {
	if minutes == 0 {
		return time.UTC
	}
	sign := "+"
	m := minutes
	if m < 0 {
		sign, m = "-", -m
	}
	return time.FixedZone(sign+two(m/60)+":"+two(m%60), minutes*60)
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// ParseTime parses a front matter time: RFC 3339 ("2026-03-01T14:02:00Z"),
// or "YYYY-MM-DD HH:MM[:SS]" followed by a zone ("UTC", "+01:00", an IANA
// name such as "Europe/Berlin"). hasZone is false when no zone was written, in
// which case the time is read in def (UTC when nil) and the value is not valid
// for a front matter field.
func ParseTime(s string, def *time.Location) (t time.Time, hasZone bool, ok bool) {
	s = strings.TrimSpace(s)
	st, ok := scanStamp(s)
	if !ok || !st.hasDate || !st.hasTime || st.year == 0 || !reISODate.MatchString(s) {
		return time.Time{}, false, false
	}
	if strings.TrimSpace(s[st.end:]) != "" {
		return time.Time{}, false, false
	}
	loc := st.loc
	if loc == nil {
		loc = def
		if loc == nil {
			loc = time.UTC
		}
	}
	return time.Date(st.year, time.Month(st.month), st.day, st.hour, st.min, st.sec, st.nsec, loc), st.loc != nil, true
}
