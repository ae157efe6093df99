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
	// ampm: the time was written on a 12-hour clock with AM or PM.
	ampm bool
	// dayFirst, monthFirst: a numeric date whose order is unknown (both
	// numbers at most 12, "03/10/2021"); month and day hold the day-first
	// reading, which the timeline's context confirms or swaps.
	ambiguous bool
	// numOrder: a numeric date showed its order: 'd' day first, 'm' month
	// first.
	numOrder byte
	loc      *time.Location // nil when no zone was written
	end      int            // bytes of the text the stamp used
}

const monthNames = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

var (
	reISODate   = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})`)
	reSlashISO  = regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})\b`)
	reNumDate   = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})\b`)
	reWeekday   = regexp.MustCompile(`(?i)^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+`)
	reMonthDay  = regexp.MustCompile(`(?i)^` + monthNames + `\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`)
	reDayMonth  = regexp.MustCompile(`(?i)^(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+` + monthNames + `\b(?:,?\s+(\d{4})\b)?`)
	reDateTime  = regexp.MustCompile(`^(?:T|\s*@\s*|,?\s+(?:at\s+|@\s*|-\s+)?)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`)
	reDateHour  = regexp.MustCompile(`(?i)^(?:,?\s+(?:at\s+|@\s*)?)(\d{1,2})\s?([ap])\.?m\.?\b`)
	reClock     = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`)
	reHourAMPM  = regexp.MustCompile(`(?i)^(\d{1,2})\s?([ap])\.?m\.?\b`)
	reAMPM      = regexp.MustCompile(`(?i)^\s?([ap])\.?m\.?\b`)
	reOffset    = regexp.MustCompile(`^\s?([+-])(\d{2}):?(\d{2})\b`)
	reZoneWord  = regexp.MustCompile(`^\s+\(?([A-Z]{1,5})(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\)?\b`)
	reIANA      = regexp.MustCompile(`^\s+([A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+){1,2})`)
	reRangeEnd  = regexp.MustCompile(`(?i)^\s*(?:-|–|—|to)\s*(\d{1,2}):(\d{2})(?:\s?([ap])\.?m\.?\b)?`)
	reAfterDate = regexp.MustCompile(`(?i)^,?\s+(?:on\s+)?\(?`)
	reIANAIn    = regexp.MustCompile(`\b([A-Z][A-Za-z_]+/[A-Za-z_+-]+(?:/[A-Za-z_+-]+)?)\b`)
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

// zoneRegion are the abbreviations of a region's time without saying
// standard or daylight ("ET", "PT"): read in the region's zone.
var zoneRegion = map[string]string{
	"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}

// europeanZone: abbreviations whose writers put the day first (03/10/2021 is
// 3 October).
var europeanZone = map[string]bool{"BST": true, "CET": true, "CEST": true, "WET": true, "WEST": true, "EET": true,
	"EEST": true, "MSK": true, "IST": true, "SGT": true, "HKT": true, "AEST": true, "AEDT": true, "NZST": true, "NZDT": true}

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

// scanDate reads a date at the start of s: 2026-03-01, 2026/3/1,
// 03/10/2021 (order decided by the numbers, else left ambiguous),
// March 1, 2026, Mar 1st, 1 March 2026, 7th Nov 2023, 1st of March.
func scanDate(s string, st *stamp) int {
	if m := reISODate.FindStringSubmatch(s); m != nil {
		st.year, st.month, st.day = atoi(m[1]), atoi(m[2]), atoi(m[3])
		st.hasDate = true
		return len(m[0])
	}
	if m := reSlashISO.FindStringSubmatch(s); m != nil {
		st.year, st.month, st.day = atoi(m[1]), atoi(m[2]), atoi(m[3])
		st.hasDate = true
		return len(m[0])
	}
	if m := reNumDate.FindStringSubmatch(s); m != nil && m[2] == m[4] {
		a, b, y := atoi(m[1]), atoi(m[3]), atoi(m[5])
		if len(m[5]) == 2 {
			y += 2000
		}
		switch {
		case a > 12 && b <= 12:
			st.day, st.month = a, b
			st.numOrder = 'd'
		case b > 12 && a <= 12:
			st.month, st.day = a, b
			st.numOrder = 'm'
		case a <= 12 && b <= 12:
			st.day, st.month = a, b
			st.ambiguous = a != b
		default:
			return 0
		}
		st.year = y
		st.hasDate = true
		return len(m[0])
	}
	if m := reMonthDay.FindStringSubmatch(s); m != nil {
		st.month = months[strings.ToLower(m[1])[:3]]
		st.day = atoi(m[2])
		if m[3] != "" {
			st.year = atoi(m[3])
		}
		st.hasDate = true
		return len(m[0])
	}
	if m := reDayMonth.FindStringSubmatch(s); m != nil {
		st.day = atoi(m[1])
		st.month = months[strings.ToLower(m[2])[:3]]
		if m[3] != "" {
			st.year = atoi(m[3])
		}
		st.hasDate = true
		return len(m[0])
	}
	return 0
}

// scanStamp reads a date, a time or both at the start of s. Accepted:
// 2026-03-01, 2026-03-01 14:02, 2026-03-01T14:02:00Z (RFC 3339), 14:02,
// 14:02:30, 2:02 PM, 2pm, Mar 1 14:02, March 1, 2026 at 14:02, 7th Nov
// 2023, Monday 03/10/2021 @ 10:00, 10:00 7th Nov 2023, 10:00 on Nov 7,
// 10:00-10:30 (the start), each time optionally followed by a zone: Z,
// +01:00, UTC, PST, ET, Europe/Berlin.
func scanStamp(s string) (st stamp, ok bool) {
	i := 0
	if m := reWeekday.FindStringIndex(s); m != nil {
		i = m[1]
	}
	if n := scanDate(s[i:], &st); n > 0 {
		i += n
	} else if m := reClock.FindStringSubmatch(s[i:]); m != nil {
		st.hour, st.min, st.sec, st.nsec = atoi(m[1]), atoi(m[2]), atoi(m[3]), nanos(m[4])
		st.hasTime = true
		i += len(m[0])
	} else if m := reHourAMPM.FindStringSubmatch(s[i:]); m != nil {
		st.hour = atoi(m[1])
		st.hasTime = true
		i += len(m[1]) // the hour; am/pm read below
	} else {
		return st, false
	}
	if st.hasDate && !st.hasTime {
		// A date may be followed by its time ("2026-03-01 14:02", "Mar 1 at 2pm").
		if m := reDateTime.FindStringSubmatch(s[i:]); m != nil {
			st.hour, st.min, st.sec, st.nsec = atoi(m[1]), atoi(m[2]), atoi(m[3]), nanos(m[4])
			st.hasTime = true
			i += len(m[0])
		} else if m := reDateHour.FindStringSubmatchIndex(s[i:]); m != nil {
			st.hour = atoi(s[i+m[2] : i+m[3]])
			st.hasTime = true
			i += m[3]
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
			st.ampm = true
			i += len(m[0])
		}
		if m := reRangeEnd.FindStringSubmatch(s[i:]); m != nil {
			i += len(m[0]) // "10:00-10:30": the range starts the entry
			if m[3] != "" && !st.ampm && st.hour >= 1 && st.hour <= 12 {
				// "08:02 - 10:30 AM": the range's AM or PM is the start's
				// too, but for a start later on the clock than the end
				// ("11:30 - 1:00 PM" starts in the morning).
				pm := strings.EqualFold(m[3], "p")
				if end := atoi(m[1]); st.hour%12 > end%12 {
					pm = !pm
				}
				if st.hour == 12 {
					st.hour = 0
				}
				if pm {
					st.hour += 12
				}
				st.ampm = true
			}
		}
		i += scanZone(s[i:], &st)
		if !st.hasDate {
			// A date after the time: "10:00 7th Nov 2023", "10:00 (Nov 7)".
			if m := reAfterDate.FindStringIndex(s[i:]); m != nil {
				var d stamp
				if n := scanDate(s[i+m[1]:], &d); n > 0 {
					st.year, st.month, st.day, st.hasDate, st.ambiguous = d.year, d.month, d.day, true, d.ambiguous
					i += m[1] + n
					if strings.HasSuffix(s[:i-n], "(") && strings.HasPrefix(s[i:], ")") {
						i++
					}
					if st.loc == nil {
						i += scanZone(s[i:], &st)
					}
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

// scanZone reads a zone after a time: Z, +01:00, Europe/Berlin, UTC, PST,
// UTC+2, ET; it returns the bytes used.
func scanZone(s string, st *stamp) int {
	if strings.HasPrefix(s, "Z") && (len(s) == 1 || !isWordByte(s[1])) {
		st.loc = time.UTC
		return 1
	}
	if m := reOffset.FindStringSubmatch(s); m != nil {
		off := atoi(m[2])*60 + atoi(m[3])
		if m[1] == "-" {
			off = -off
		}
		st.loc = fixedZone(off)
		return len(m[0])
	}
	if m := reIANA.FindStringSubmatch(s); m != nil {
		if loc, err := time.LoadLocation(m[1]); err == nil {
			st.loc = loc
			return len(m[0])
		}
	}
	if m := reZoneWord.FindStringSubmatch(s); m != nil {
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
			return len(m[0])
		}
		if name, known := zoneRegion[m[1]]; known && m[2] == "" {
			if loc, err := time.LoadLocation(name); err == nil {
				st.loc = loc
				return len(m[0])
			}
		}
	}
	return 0
}

// zoneIn finds the zone a heading or note gives for the times below it:
// "Timeline (UTC)", "(all times CEST)", "times in PST/PDT", "All times are
// Europe/Berlin". It returns nil when none is named, and whether the
// abbreviation is of a day-first region (for dates like 03/10/2021).
func zoneIn(text string) (loc *time.Location, dayFirst, monthFirst bool) {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '(' || r == ')' || r == ',' || r == '/' || r == ':' || r == ';' || r == '.' || r == '[' || r == ']'
	}) {
		if off, ok := zoneAbbrev[w]; ok && w != "Z" && w != "UT" {
			if loc == nil {
				if w == "PST" || w == "PDT" {
					l, _ := time.LoadLocation("America/Los_Angeles")
					loc = l
				} else {
					loc = fixedZone(off)
				}
			}
			if europeanZone[w] {
				dayFirst = true
			} else if off < 0 {
				monthFirst = true
			}
			continue
		}
		if name, ok := zoneRegion[w]; ok && loc == nil {
			loc, _ = time.LoadLocation(name)
			monthFirst = true
			continue
		}
	}
	if loc == nil && strings.Contains(text, "/") {
		if m := reIANAIn.FindStringSubmatch(text); m != nil {
			if l, err := time.LoadLocation(m[1]); err == nil {
				loc = l
			}
		}
	}
	return loc, dayFirst, monthFirst
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
