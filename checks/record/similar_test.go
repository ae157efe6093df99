package record

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func dated(path, title, day string, files, labels, services []string) Entry {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	return Entry{Path: path, Title: title, StartedAt: &t, Files: files, Labels: labels, Services: services}
}

func paths(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s:%d", m.Entry.Path, m.Score))
	}
	return out
}

func TestSimilar(t *testing.T) {
	pool := dated("2026-03-01-checkout.md", "Checkout outage", "2026-03-01", []string{"checkout/pool.go", "deploy/values.yaml"},
		[]string{"incident", "sev2"}, nil)
	pool2 := dated("2026-05-01-pool.md", "Checkout pool exhausted", "2026-05-01", []string{"checkout/pool.go"}, nil, []string{"Checkout"})
	login := dated("2026-04-01-login.md", "Login outage", "2026-04-01", []string{"login/session.go"}, []string{"incident", "sev1", "auth"}, nil)
	words := dated("2026-02-01-cart.md", "Shopping cart totals wrong", "2026-02-01", nil, nil, nil)
	all := []Entry{pool, login, pool2, words}

	cases := []struct {
		name string
		in   Incident
		max  int
		want []string
	}{
		{"a shared file; the one sharing more first, then the newer",
			Incident{Title: "Checkout returns 502", Labels: []string{"incident", "sev2", "checkout"}, Files: []string{"checkout/pool.go"}}, 5,
			// pool2: file 3 + service checkout 2 + word checkout 1; pool: file 3 + word 1
			[]string{"2026-05-01-pool.md:6", "2026-03-01-checkout.md:4"}},
		{"at most max", Incident{Files: []string{"checkout/pool.go"}}, 1, []string{"2026-05-01-pool.md:3"}},
		{"the incident label, severities and the ignored labels are never shared",
			Incident{Title: "Payments down", Labels: []string{"incident", "SEV2", "sev-1", "P1", "outage"}}, 5, nil},
		{"a shared label alone", Incident{Title: "Sign-in broken", Labels: []string{"incident", "Auth"}}, 5, []string{"2026-04-01-login.md:2"}},
		{"one title word is not enough", Incident{Title: "Login slow"}, 5, nil},
		{"two title words are", Incident{Title: "Cart totals doubled"}, 5, []string{"2026-02-01-cart.md:2"}},
		{"words every incident title has are not compared", Incident{Title: "Major outage: errors during checkout"}, 5, nil},
		{"an ignored label", Incident{Labels: []string{"auth"}}, 5, nil},
		{"nothing in common: quiet", Incident{Title: "Search index stale", Labels: []string{"search"}, Files: []string{"search/index.go"}}, 5, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ignore := []string{"incident"}
			if c.name == "an ignored label" {
				ignore = append(ignore, "AUTH")
			}
			got := paths(Similar(c.in, all, ignore, c.max))
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Similar = %v, want %v", got, c.want)
			}
		})
	}

	m := Similar(Incident{Title: "Checkout pool", Labels: []string{"checkout"}, Files: []string{"checkout/pool.go"}}, []Entry{pool2}, nil, 3)
	if len(m) != 1 || !reflect.DeepEqual(m[0].Files, []string{"checkout/pool.go"}) || !reflect.DeepEqual(m[0].Labels, []string{"checkout"}) ||
		!reflect.DeepEqual(m[0].Words, []string{"checkout", "pool"}) {
		t.Fatalf("what they share: %+v", m)
	}
}

// A hostile record (an index.json anyone with write access can edit) is
// compared within bounds: long titles, thousands of files and labels.
func TestSimilarBounded(t *testing.T) {
	var files, labels []string
	for i := range 5000 {
		files = append(files, fmt.Sprintf("f%d/x.go", i))
		labels = append(labels, fmt.Sprintf("l%d", i))
	}
	e := Entry{Path: "x.md", Title: strings.Repeat("word ", 100000), Files: files, Labels: labels}
	// Only the first 50 files and 20 labels of each side are compared.
	got := Similar(Incident{Title: "word word", Files: files, Labels: labels}, []Entry{e}, nil, 3)
	if len(got) != 1 || len(got[0].Files) != 50 || len(got[0].Labels) != 20 {
		t.Fatalf("bounded: %d files, %d labels", len(got[0].Files), len(got[0].Labels))
	}
	if got := Similar(Incident{Files: []string{"f4999/x.go"}}, []Entry{e}, nil, 3); len(got) != 0 {
		t.Fatalf("a file past the bound matched: %+v", got)
	}
}

func TestSuspectPulls(t *testing.T) {
	body := "## Root cause\n\nSee https://github.com/acme/services/pull/1.\n\n" +
		"## Changes before the incident\n\n<!-- keep the suspects -->\n\n" +
		"1. [#12 Lower the pool](https://github.com/acme/services/pull/12) — merged\n" +
		"2. [#12 again](https://github.com/acme/services/pull/12/files)\n" +
		"3. [other](https://ghe.example.com/other/repo/pull/7)\n" +
		"4. [run](https://github.com/acme/services/actions/runs/5)\n\n" +
		"## Follow-ups\n\n- [ ] https://github.com/acme/services/pull/99\n"
	got := SuspectPulls(body)
	if !reflect.DeepEqual(got, []string{"acme/services#12", "other/repo#7"}) {
		t.Fatalf("SuspectPulls = %v", got)
	}
	if got := SuspectPulls("## Timeline\n\nhttps://github.com/a/b/pull/3\n"); got != nil {
		t.Fatalf("without the section: %v", got)
	}
	e := Read("x.md", []byte("---\ntitle: X\n---\n# X\n\n"+body))
	if !reflect.DeepEqual(e.SuspectPulls, []string{"acme/services#12", "other/repo#7"}) {
		t.Fatalf("entry: %+v", e.SuspectPulls)
	}
	// The files a suspect touched count like the files the postmortem names.
	e.Touched = []string{"checkout/pool.go"}
	if m := Similar(Incident{Files: []string{"checkout/pool.go"}}, []Entry{e}, nil, 3); len(m) != 1 || m[0].Score != WeightFile {
		t.Fatalf("touched: %+v", m)
	}
}

// A file a follow-up's fix changed counts like a file the postmortem
// names (3 points), once even when the entry also names it.
func TestSimilarCountsFollowUpFiles(t *testing.T) {
	a := dated("2026-03-01-billing.md", "Invoices late", "2026-03-01", nil, nil, nil)
	a.FollowUpFiles = []string{"billing/retry.go"}
	b := dated("2026-04-01-billing.md", "Card declines", "2026-04-01", []string{"billing/retry.go"}, nil, nil)
	b.FollowUpFiles = []string{"billing/retry.go"}
	got := Similar(Incident{Title: "Payments stuck", Files: []string{"billing/retry.go"}}, []Entry{a, b}, nil, -1)
	if want := []string{"2026-04-01-billing.md:3", "2026-03-01-billing.md:3"}; !reflect.DeepEqual(paths(got), want) {
		t.Fatalf("got %v, want %v", paths(got), want)
	}
	if !reflect.DeepEqual(got[1].Files, []string{"billing/retry.go"}) {
		t.Fatalf("files shared: %v", got[1].Files)
	}
}
