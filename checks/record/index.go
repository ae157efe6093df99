package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Index is the whole record: postmortems/index.json.
type Index struct {
	Schema  string `json:"$schema"`
	Version int    `json:"version"`
	// Postmortems, newest first.
	Postmortems []Entry `json:"postmortems"`
	Stats       Stats   `json:"stats"`
}

// Stats summarise the record.
type Stats struct {
	Count      int            `json:"count"`
	BySeverity map[string]int `json:"by_severity"`
	// Months are the calendar months (UTC) from the first dated incident to
	// the last, each with its incidents, oldest first.
	Months []Month `json:"months"`
	// Medians over the postmortems that have both times, nil when none has.
	MedianDurationMinutes      *int64 `json:"median_duration_minutes,omitempty"`
	MedianTimeToDetectMinutes  *int64 `json:"median_time_to_detect_minutes,omitempty"`
	MedianTimeToResolveMinutes *int64 `json:"median_time_to_resolve_minutes,omitempty"`
	FollowUps                  struct {
		Done  int `json:"done"`
		Total int `json:"total"`
	} `json:"follow_ups"`
	// Undated counts postmortems without any time in their front matter.
	Undated int `json:"undated"`
}

// Month is one calendar month of the record.
type Month struct {
	Month      string         `json:"month"` // "2026-03"
	Count      int            `json:"count"`
	BySeverity map[string]int `json:"by_severity"`
	// MedianTimeToResolveMinutes over the month's incidents that have it.
	MedianTimeToResolveMinutes *int64 `json:"median_time_to_resolve_minutes,omitempty"`
}

// maxMonths bounds the months of the charts and Stats.Months (a stray date
// in 1970 would otherwise make fifty years of empty months).
const maxMonths = 120

// Build makes the index of entries (in any order; entries with the same
// path: the last wins).
func Build(entries []Entry) *Index {
	byPath := map[string]int{}
	var es []Entry
	for _, e := range entries {
		if i, ok := byPath[e.Path]; ok {
			es[i] = e
			continue
		}
		byPath[e.Path] = len(es)
		es = append(es, e)
	}
	sortEntries(es)
	ix := &Index{Schema: SchemaID, Version: Version, Postmortems: es}
	if ix.Postmortems == nil {
		ix.Postmortems = []Entry{}
	}
	ix.Stats = stats(es)
	return ix
}

// Upsert returns a new index with e in place of the entry at its path (or
// added), and whether anything changed.
func (ix *Index) Upsert(e Entry) (*Index, bool) {
	es := append(append([]Entry(nil), ix.Postmortems...), e)
	next := Build(es)
	a, _ := json.Marshal(ix)
	b, _ := json.Marshal(next)
	return next, !bytes.Equal(a, b)
}

func stats(es []Entry) Stats {
	s := Stats{Count: len(es), BySeverity: map[string]int{}, Months: []Month{}}
	var dur, ttd, ttr []int64
	months := map[string]*Month{}
	monthTTR := map[string][]int64{}
	var first, last time.Time
	for i := range es {
		e := &es[i]
		s.BySeverity[sevKey(e.Severity)]++
		s.FollowUps.Done += e.FollowUps.Done
		s.FollowUps.Total += e.FollowUps.Total
		dur = appendSome(dur, e.DurationMinutes)
		ttd = appendSome(ttd, e.TimeToDetectMinutes)
		ttr = appendSome(ttr, e.TimeToResolveMinutes)
		d := e.Date()
		if d.IsZero() {
			s.Undated++
			continue
		}
		k := d.Format("2006-01")
		m := months[k]
		if m == nil {
			m = &Month{Month: k, BySeverity: map[string]int{}}
			months[k] = m
		}
		m.Count++
		m.BySeverity[sevKey(e.Severity)]++
		monthTTR[k] = appendSome(monthTTR[k], e.TimeToResolveMinutes)
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	s.MedianDurationMinutes, s.MedianTimeToDetectMinutes, s.MedianTimeToResolveMinutes = median(dur), median(ttd), median(ttr)
	if first.IsZero() {
		return s
	}
	start := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	if n := monthsBetween(start, end); n >= maxMonths {
		start = end.AddDate(0, -(maxMonths - 1), 0)
	}
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		k := t.Format("2006-01")
		m := months[k]
		if m == nil {
			m = &Month{Month: k, BySeverity: map[string]int{}}
		}
		m.MedianTimeToResolveMinutes = median(monthTTR[k])
		s.Months = append(s.Months, *m)
	}
	return s
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// sevKey is the severity an entry is counted under.
func sevKey(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func appendSome(xs []int64, x *int64) []int64 {
	if x == nil {
		return xs
	}
	return append(xs, *x)
}

// median of xs (the lower middle of an even count, so it is a value that
// occurred), nil when empty.
func median(xs []int64) *int64 {
	if len(xs) == 0 {
		return nil
	}
	ys := append([]int64(nil), xs...)
	sort.Slice(ys, func(i, j int) bool { return ys[i] < ys[j] })
	m := ys[(len(ys)-1)/2]
	return &m
}

// JSON is the index as postmortems/index.json: indented, newline-ended,
// the same bytes for the same record.
func (ix *Index) JSON() []byte {
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		panic(err) // only plain values: cannot fail
	}
	return append(b, '\n')
}

// MaxIndexBytes bounds an index.json the App reads back from a repository.
const MaxIndexBytes = 8 << 20

// ParseIndex reads an index.json; an absent or empty file is an empty
// index.
func ParseIndex(b []byte) (*Index, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return Build(nil), nil
	}
	if len(b) > MaxIndexBytes {
		return nil, fmt.Errorf("index.json is %d bytes, over %d", len(b), MaxIndexBytes)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	if ix.Version != Version {
		return nil, errors.New("index.json: version " + fmt.Sprint(ix.Version) + ", this App writes version 1")
	}
	return Build(ix.Postmortems), nil
}
