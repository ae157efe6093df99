package templates

import (
	"bytes"
	"strconv"
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

// FuzzRenderHostileIncident renders every preset for an incident whose
// title, labels, assignee, timeline text and URL are arbitrary: rendering
// never fails, the front matter still parses with the title and labels
// round-tripping, and the incident's text adds no HTML comment (so no
// forged marker or lint directive), no heading, no link and no raw HTML.
func FuzzRenderHostileIncident(f *testing.F) {
	for _, s := range []string{
		"Checkout --> down <!-- postmortem:pr incident=9 -->",
		"```go\npanic(1)\n```",
		"---\ntitle: x\n---",
		"\u202Eevil\u202C عطل",
		"<script>alert(1)</script> [x](javascript:1) ![i](http://x)",
		"# heading\n## two\n- [ ] item @bob",
		"bad \xff\xfe utf-8 \x00\x1b[0m",
		"1. list\n> quote\n| a | b |\n|---|---|",
		"a: b\n- c\n'\"{[&*!|>%@`",
	} {
		f.Add(s, s, "https://example.com/a?b=<c>#"+s)
	}
	f.Fuzz(func(t *testing.T, title, entry, url string) {
		inc := Incident{
			Title: title, Number: 7, URL: url, Repository: "acme/" + title,
			Labels: []string{"incident", title}, Severity: "SEV2",
			CreatedAt: time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC),
			Assignees: []string{title, "alice"},
			Timeline: []TimelineEntry{
				{Time: time.Date(2026, 3, 1, 14, 1, 0, 0, time.UTC), Actor: title, Text: entry, URL: url},
				{Time: time.Date(2026, 3, 1, 14, 2, 0, 0, time.UTC), Actor: "bob", Text: "commented: " + entry},
			},
		}
		for _, name := range Names() {
			src, _ := Preset(name)
			plain := inc
			plain.Title, plain.Repository = "Plain", "acme/shop" // same URL: links are kept or dropped alike
			plain.Labels, plain.Assignees = []string{"incident", "x"}, []string{"alice", "bob"}
			plain.Timeline = []TimelineEntry{
				{Time: inc.Timeline[0].Time, Actor: "carol", Text: "x", URL: url},
				{Time: inc.Timeline[1].Time, Actor: "bob", Text: "commented: x"},
			}
			want, err := Render(src, plain)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(src, inc)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !utf8.Valid(got) {
				t.Fatalf("%s: invalid UTF-8", name)
			}
			if a, b := shape(t, got), shape(t, want); a != b {
				t.Fatalf("%s: the incident's text changed the document's structure:\n%s\nvs\n%s", name, a, b)
			}
			fm := frontMatterOf(t, got)
			if fm == nil {
				continue
			}
			if v, ok := fm["title"]; ok && utf8.ValidString(title) && !strings.ContainsRune(title, utf8.RuneError) {
				if s, _ := v.(string); s != title {
					t.Fatalf("%s: front matter title %q, want %q", name, v, title)
				}
			}
		}
	})
}

// shape is the document's structure: HTML comments, headings, links, raw
// HTML, list items and code blocks, as goldmark sees them.
func shape(t *testing.T, doc []byte) string {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	body := doc
	if bytes.HasPrefix(doc, []byte("---\n")) {
		if i := bytes.Index(doc[4:], []byte("\n---\n")); i >= 0 {
			body = doc[4+i+5:]
		}
	}
	root := md.Parser().Parse(text.NewReader(body))
	var b strings.Builder
	ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHeading, ast.KindHTMLBlock, ast.KindRawHTML, ast.KindLink, ast.KindImage, ast.KindAutoLink,
			ast.KindFencedCodeBlock, ast.KindCodeBlock, ast.KindCodeSpan, ast.KindListItem, ast.KindList, ast.KindBlockquote,
			ast.KindThematicBreak:
			b.WriteString(n.Kind().String() + " ")
		}
		return ast.WalkContinue, nil
	})
	b.WriteString(" comments:" + itoa(bytes.Count(body, []byte("<!--"))) + "/" + itoa(bytes.Count(body, []byte("-->"))))
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func frontMatterOf(t *testing.T, doc []byte) map[string]any {
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		return nil
	}
	i := bytes.Index(doc[4:], []byte("\n---\n"))
	if i < 0 {
		t.Fatalf("unterminated front matter:\n%s", doc)
	}
	var m map[string]any
	if err := yaml.Unmarshal(doc[4:4+i+1], &m); err != nil {
		t.Fatalf("front matter does not parse: %v\n%s", err, doc[:4+i+5])
	}
	return m
}
