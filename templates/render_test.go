package templates

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	yaml "go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite golden files")

func fullIncident() Incident {
	t0 := time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC)
	return Incident{
		Title:      "Checkout API returned 502s for EU customers",
		Number:     481,
		URL:        "https://github.com/acme/shop/issues/481",
		Repository: "acme/shop",
		Labels:     []string{"incident", "sev2"},
		Severity:   "SEV2",
		CreatedAt:  t0,
		ClosedAt:   t0.Add(95 * time.Minute),
		Assignees:  []string{"alice", "bob"},
		Timeline: []TimelineEntry{
			{Time: t0.Add(10 * time.Minute), Text: "rolled back deploy 2026.03.01-2", Actor: "bob", URL: "https://github.com/acme/shop/pull/482"},
			{Time: t0, Text: "opened the incident", Actor: "alice"},
			{Time: t0.Add(95 * time.Minute), Text: "closed the incident", Actor: "alice"},
		},
	}
}

// splitFrontMatter returns the YAML between the leading "---" lines and the body after.
func splitFrontMatter(t testing.TB, doc []byte) (fm, body []byte) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		t.Fatalf("render does not start with front matter:\n%s", doc)
	}
	rest := doc[4:]
	i := bytes.Index(rest, []byte("\n---\n"))
	if i < 0 {
		t.Fatalf("front matter not terminated:\n%s", doc)
	}
	return rest[:i+1], rest[i+5:]
}

type outline struct {
	headings []string // "## Impact" with level markers, H1 excluded
	comments int      // HTML comment blocks
	h1       int
}

var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

func outlineOf(body []byte) outline {
	var o outline
	root := md.Parser().Parse(text.NewReader(body))
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 1 {
				o.h1++
				continue
			}
			var line []byte
			if n.Lines().Len() > 0 {
				s := n.Lines().At(0)
				line = body[s.Start:s.Stop]
			}
			o.headings = append(o.headings, strings.Repeat("#", n.Level)+" "+string(line))
		case *ast.HTMLBlock:
			o.comments++
		}
	}
	return o
}

func TestNamesAndPreset(t *testing.T) {
	names := Names()
	for _, want := range []string{"default", "google-sre", "pagerduty", "atlassian"} {
		if _, ok := Preset(want); !ok {
			t.Errorf("Preset(%q) missing; Names() = %v", want, names)
		}
	}
	if len(names) < 4 {
		t.Errorf("Names() = %v", names)
	}
	for _, bad := range []string{"", "../templates", "default.md", "nope", "presets/default"} {
		if _, ok := Preset(bad); ok {
			t.Errorf("Preset(%q) found", bad)
		}
	}
}

func TestPresetsRender(t *testing.T) {
	for _, name := range Names() {
		src, _ := Preset(name)
		for _, tc := range []struct {
			label string
			inc   Incident
		}{{"blank", Incident{}}, {"full", fullIncident()}} {
			t.Run(name+"/"+tc.label, func(t *testing.T) {
				out, err := Render(src, tc.inc)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(out, []byte("<no value>")) {
					t.Errorf("render has <no value>:\n%s", out)
				}
				fm, body := splitFrontMatter(t, out)
				var meta map[string]any
				if err := yaml.Unmarshal(fm, &meta); err != nil {
					t.Fatalf("front matter: %v\n%s", err, fm)
				}
				for _, k := range []string{"title", "incident", "severity", "status", "started_at", "detected_at", "resolved_at"} {
					if _, ok := meta[k]; !ok {
						t.Errorf("front matter lacks %q", k)
					}
				}
				if meta["status"] != "draft" {
					t.Errorf("status = %v", meta["status"])
				}
				o := outlineOf(body)
				if o.h1 != 1 || len(o.headings) < 5 {
					t.Errorf("outline: %+v", o)
				}
				if tc.label == "blank" {
					if meta["title"] != "TODO" || meta["severity"] != "TODO" {
						t.Errorf("blank fields: %v", meta)
					}
					return
				}
				if meta["title"] != tc.inc.Title || meta["severity"] != "SEV2" || meta["incident"] != tc.inc.URL {
					t.Errorf("full fields: %v", meta)
				}
				if got, ok := meta["detected_at"].(time.Time); !ok || !got.Equal(tc.inc.CreatedAt) {
					t.Errorf("detected_at = %#v", meta["detected_at"])
				}
				// Timeline entries are sorted and use the parser's format.
				want := "- 2026-03-01 14:02 UTC — @alice opened the incident\n" +
					"- 2026-03-01 14:12 UTC — @bob rolled back deploy 2026.03.01-2 ([link](https://github.com/acme/shop/pull/482))\n"
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("timeline not rendered as expected:\n%s", body)
				}
			})
		}
	}
}

func TestDefaultGolden(t *testing.T) {
	src, _ := Preset("default")
	for _, tc := range []struct {
		file string
		inc  Incident
	}{{"default-blank.md", Incident{}}, {"default-full.md", fullIncident()}} {
		got, err := Render(src, tc.inc)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./templates -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from golden; got:\n%s", tc.file, got)
		}
	}
}

var hostile = []string{
	"# Heading injection\n## Impact\nnone",
	"---\ntitle: pwned\n---",
	"<!-- unterminated comment",
	"closes a comment --> <script>alert(1)</script>",
	"```\ncode fence\n```",
	"`tick` ``double`` \\ backslash",
	"[link](javascript:alert(1)) ![img](x)",
	"key: value, with: colons # and a comment",
	"\"quotes\" and 'apostrophes' \\\"",
	"line\r\nbreaks\rand\u2028separators\u2029here\x85",
	"control \x00\x01\x07\x1b[31m\x7f chars",
	"RTL \u202egnp.exe\u202c and עברית ومرحبا \u2067isolate\u2069",
	"bom \ufeff zero\u200bwidth",
	"invalid \xff\xfe utf8 \xc3",
	"- list item",
	"1. ordered",
	"=====",
	"| a | b |\n|---|---|",
	"*emphasis* _under_ ~~strike~~ **bold**",
	"trailing hashes ##",
	"emoji 👩‍🚒🔥 and astral 𝔘",
	"&amp; &lt;entity&gt; &#x3C;!--",
	"{{.Title}} {{template}}",
	"%s %d %!",
	"yes", "no", "null", "~", "0x10", "1e3", "2026-03-01",
	"   leading and trailing spaces   ",
	"@alice and @org/team mention",
	strings.Repeat("long title ", 1000)[:10000],
}

func validUTF8PerByte(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

func checkHostile(t *testing.T, name string, inc Incident) {
	t.Helper()
	src, _ := Preset(name)
	ref := inc
	ref.Title, ref.Severity, ref.Repository = "x", "x", "x"
	ref.Labels, ref.Assignees = nil, nil
	for range inc.Labels {
		ref.Labels = append(ref.Labels, "x")
	}
	for range inc.Assignees {
		ref.Assignees = append(ref.Assignees, "x")
	}
	ref.Timeline = nil
	for _, e := range inc.Timeline {
		e.Text, e.Actor = "x", "x"
		ref.Timeline = append(ref.Timeline, e)
	}
	refOut, err := Render(src, ref)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(src, inc)
	if err != nil {
		t.Fatal(err)
	}
	fm, body := splitFrontMatter(t, out)
	refFM, refBody := splitFrontMatter(t, refOut)
	var meta map[string]any
	if err := yaml.Unmarshal(fm, &meta); err != nil {
		t.Fatalf("front matter does not parse: %v\n%s", err, fm)
	}
	if bytes.Count(fm, []byte("\n")) != bytes.Count(refFM, []byte("\n")) {
		t.Errorf("front matter line count changed:\n%s", fm)
	}
	if inc.Title != "" {
		if got, want := meta["title"], validUTF8PerByte(inc.Title); got != want {
			t.Errorf("title round trip: got %q, want %q", got, want)
		}
	}
	if inc.Severity != "" {
		if got, want := meta["severity"], validUTF8PerByte(inc.Severity); got != want {
			t.Errorf("severity round trip: got %q, want %q", got, want)
		}
	}
	if len(inc.Labels) > 0 {
		labels, _ := meta["labels"].([]any)
		if len(labels) != len(inc.Labels) || labels[0] != validUTF8PerByte(inc.Labels[0]) {
			t.Errorf("labels round trip: %q", meta["labels"])
		}
	}
	got, want := outlineOf(body), outlineOf(refBody)
	if strings.Join(got.headings, "\n") != strings.Join(want.headings, "\n") || got.comments != want.comments || got.h1 != want.h1 {
		t.Errorf("document structure changed:\n got %+v\nwant %+v\n%s", got, want, body)
	}
	if bytes.Count(body, []byte("\n")) != bytes.Count(refBody, []byte("\n")) {
		t.Errorf("body line count changed:\n%s", body)
	}
	if c, rc := bytes.Count(out, []byte("<!--")), bytes.Count(refOut, []byte("<!--")); c != rc {
		t.Errorf("%d comment openers, want %d", c, rc)
	}
	if c, rc := bytes.Count(out, []byte("-->")), bytes.Count(refOut, []byte("-->")); c != rc {
		t.Errorf("%d comment closers, want %d", c, rc)
	}
	for _, r := range string(out) {
		if r == '\u202e' || r == '\u2067' || r == 0 || r == 0x1b {
			t.Errorf("render contains %U", r)
		}
	}
}

func TestRenderHostileIncident(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC)
	for _, name := range Names() {
		for _, h := range hostile {
			inc := Incident{
				Title: h, Severity: h, Repository: h, Labels: []string{h}, Assignees: []string{h},
				URL:       "javascript:alert(1)",
				Timeline:  []TimelineEntry{{Time: t0, Text: h, Actor: h, URL: "https://example.com/a b)(<x>"}},
				CreatedAt: t0,
			}
			checkHostile(t, name, inc)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":        "plain words",
		"a <!-- b --> c":     "a &lt;\\!-- b --&gt; c",
		"line\nbreak\t\tx":   "line break x",
		"# h":                "\\# h",
		"- item":             "\\- item",
		"1. x":               "1\\. x",
		"v1.2 (beta)":        "v1.2 (beta)",
		"`code`":             "\\`code\\`",
		"R&D":                "R&amp;D",
		"\u202eevil":         "evil",
		"bad \xff byte":      "bad \ufffd byte",
		"  padded  ":         "padded",
		"a | b":              "a \\| b",
		"[x](http://y)":      "\\[x\\](http://y)",
		"snake_case_name":    "snake\\_case\\_name",
		"don't \"quote\" me": "don't \"quote\" me",
	} {
		if got := Markdown(in); got != want {
			t.Errorf("Markdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeURLAndMention(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/a/b/issues/1": "https://github.com/a/b/issues/1",
		"javascript:alert(1)":             "",
		"//evil.example/x":                "",
		"ftp://x/y":                       "",
		"https://x.example/a)b (c)":       "https://x.example/a%29b%20%28c%29",
	} {
		if got := safeURL(in); got != want {
			t.Errorf("safeURL(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"alice":              "@alice",
		"dependabot[bot]":    "@dependabot\\[bot\\]",
		"not a login":        "not a login",
		"-bad":               "\\-bad",
		"x](http://evil) @y": "x\\](http://evil) @y",
	} {
		if got := mention(in); got != want {
			t.Errorf("mention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderOwnTemplate(t *testing.T) {
	tmpl := []byte("---\ntitle: {{yaml .Title}}\nowner: {{default \"TBD\" (index .Assignees 0)}}\n---\n# {{.Title}}\n\n## Notes\n\n{{placeholder \"what <happened>\"}}\n{{join \", \" .Labels}}\n")
	out, err := Render(tmpl, Incident{Title: "a: b\n## c", Assignees: []string{""}, Labels: []string{"x_y", "z"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "---\ntitle: \"a: b\\n## c\"\nowner: TBD\n---\n# a: b \\#\\# c\n\n## Notes\n\nTODO: what &lt;happened&gt;\nx\\_y, z\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	if _, err := Render([]byte("{{.Nope}}"), Incident{}); err == nil {
		t.Error("unknown field: want error")
	}
	if _, err := Render([]byte("{{if}}"), Incident{}); err == nil {
		t.Error("bad syntax: want error")
	}
}

func FuzzRender(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, "alice", "https://example.com/x")
	}
	f.Fuzz(func(t *testing.T, title, text, actor, link string) {
		t0 := time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC)
		inc := Incident{
			Title: title, Severity: text, Labels: []string{title}, Assignees: []string{actor}, URL: link,
			Timeline: []TimelineEntry{{Time: t0, Text: text, Actor: actor, URL: link}},
		}
		for _, name := range Names() {
			checkHostile(t, name, inc)
		}
	})
}
