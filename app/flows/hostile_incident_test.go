package flows

import (
	"bytes"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"os/exec"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

// hostileTitles are incident titles people (or attackers) can type.
var hostileTitles = map[string]string{
	"closes a comment":   "Checkout --> down <!-- postmortem:pr incident=99 --> see #7",
	"forged PR marker":   "<!-- postmortem:incident=5 --> DNS",
	"markdown and html":  "<script>alert(1)</script> **bold** [x](javascript:alert(1)) | a | ![i](http://x/i.png) # h",
	"backticks":          "```go\npanic(1)\n``` and `inline` ~~~",
	"control characters": "Disk\x00full\x07\x1b[31m red\r\nSecond line\ttab\x7f",
	"right to left":      "\u202Eevil\u202C عطل في الدفع \u2066x\u2069 שגיאה",
	"path traversal":     "../../etc/passwd",
	"ref syntax":         "refs/heads/main.lock @{-1} ~^:?*[\\ ..",
	"front matter":       "---\ntitle: injected\nseverity: SEV1\n---",
	"yaml":               "a: b\n- c\n'\"{[&*!|>%@`",
	"only non-latin":     "支付服务中断",
	"invalid utf-8":      "bad \xff\xfe bytes \xc3",
	"10000 characters":   strings.Repeat("Ab-cd é ", 1250),
}

// hostileBody is an issue body with everything at once (10 000+ characters).
var hostileBody = "<!-- postmortem:pr incident=1 -->\n#42 --> `x` <!-- postmortem-disable -->\n\u202Eabc\x00\x1b[0m\n" +
	strings.Repeat("<b>bold</b> ```fence``` ", 420)

// TestHostileIncidentTitlesThroughTheFlow opens incidents with hostile
// titles, bodies and comments and runs the real incident flow against the
// simulator: every branch is a valid git ref name, every file path is a
// clean path in the postmortems directory, the front matter still parses
// and carries the title, the template's comments and the App's hidden
// markers are intact and not forged, and a second run changes nothing.
func TestHostileIncidentTitlesThroughTheFlow(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{})
	tmpl, _ := templates.Preset(templates.DefaultPreset)
	blank, err := templates.Render(tmpl, templates.Incident{})
	e.must(err)
	// The draft is the template and the App's section of the changes before the incident.
	blank = render.InsertSection(blank, render.ChangesSection(&render.LookBack{}))
	wantOpen, wantClose := bytes.Count(blank, []byte("<!--")), bytes.Count(blank, []byte("-->"))

	for name, title := range hostileTitles {
		t.Run(name, func(t *testing.T) {
			n, err := e.alice.OpenIssue(flowRepo, title, hostileBody, "incident", "sev2")
			e.must(err)
			for _, c := range []string{
				"Forged: <!-- postmortem:pr incident=" + itoa(n) + " -->\nsee #1",
				"text <!-- postmortem-disable --> more `code` --> end",
				"\u202E" + strings.Repeat("x", 300) + "\x00",
				"<!-- postmortem:config-error -->",
			} {
				_, err := e.bob.Comment(flowRepo, n, c)
				e.must(err)
			}
			res, err := e.flows.Incident(e.ctx, e.incident(n))
			if err != nil {
				t.Fatalf("incident flow: %v", err)
			}
			if res.PullRequest == 0 || res.Branch == "" || res.Path == "" {
				t.Fatalf("result %+v: no postmortem pull request", res)
			}
			if err := checkRefFormat("refs/heads/" + res.Branch); err != nil {
				t.Errorf("branch %q: %v", res.Branch, err)
			}
			if !strings.HasPrefix(res.Branch, "postmortem/"+itoa(n)+"-") || len(res.Branch) > 80 {
				t.Errorf("branch %q", res.Branch)
			}
			if !safeRepoPath(res.Path) || !strings.HasPrefix(res.Path, "postmortems/") {
				t.Errorf("unsafe postmortem path %q", res.Path)
			}
			doc, err := e.sim.FileAt(flowRepo, res.Branch, res.Path)
			e.must(err)
			d := checks.Parse([]byte(doc))
			if d.FrontMatter == nil {
				t.Fatalf("front matter does not parse:\n%.600s", doc)
			}
			for _, f := range checks.Lint([]byte(doc), checks.Options{}) {
				if f.Rule == checks.RuleFrontMatter {
					t.Errorf("front matter broken: %s\n%.600s", f.Message, doc)
				}
			}
			if fm := d.FrontMatter.Get("title"); fm == nil {
				t.Errorf("no title in the front matter")
			} else if got, ok := fm.Value.(string); !ok || utf8.ValidString(title) && got != title {
				t.Errorf("front matter title = %q, want %q", fm.Value, title)
			}
			if sev := d.FrontMatter.Get("severity"); sev == nil || sev.Value != "SEV2" {
				t.Errorf("severity = %+v", sev)
			}
			// No comment opened or closed by the incident's text, and no
			// directive or marker smuggled in.
			if got := strings.Count(doc, "<!--"); got != wantOpen {
				t.Errorf("%d comment openers, the template has %d", got, wantOpen)
			}
			if got := strings.Count(doc, "-->"); got != wantClose {
				t.Errorf("%d comment closers, the template has %d", got, wantClose)
			}
			body := doc[d.FrontMatter.End:]
			for _, bad := range []string{"<!-- postmortem", "\x00", "\x1b", "\u202E", "<script", "<b>", "\n```"} {
				if strings.Contains(body, bad) {
					t.Errorf("postmortem contains %q", bad)
				}
			}
			// Exactly one section per template heading: nothing the title
			// says became a heading or a front matter key.
			if got := strings.Count(doc, "\n## "); got != strings.Count(string(blank), "\n## ") {
				t.Errorf("%d level-2 headings, the template has %d", got, strings.Count(string(blank), "\n## "))
			}
			if d.FrontMatter.Get("injected") != nil || len(d.FrontMatter.Fields) != len(checks.Parse(blank).FrontMatter.Fields) {
				t.Errorf("front matter fields: %d", len(d.FrontMatter.Fields))
			}

			// The pull request carries exactly its incident's marker.
			var prBody string
			for _, p := range e.pulls() {
				if p.Number == res.PullRequest {
					prBody = p.Body
				}
			}
			if m := reIncidentMarker.FindAllStringSubmatch(prBody, -1); len(m) != 1 || m[0][1] != itoa(n) {
				t.Errorf("incident markers in the pull request body: %v", m)
			}
			// One pointer comment by the App, pointing at the real PR; the
			// forged ones by people are not taken for it.
			ptr := 0
			for _, c := range e.commentsWith(n, MarkerPointer(n)) {
				if c.User == flowBot {
					ptr++
					if m := rePointerPR.FindStringSubmatch(c.Body); m == nil || m[1] != itoa(res.PullRequest) {
						t.Errorf("pointer comment %q", c.Body)
					}
				}
			}
			if ptr != 1 {
				t.Errorf("%d pointer comments by the App, want 1", ptr)
			}
			if res.Checks == nil || res.Checks.Completeness.ID == 0 || res.Checks.Blameless.ID == 0 {
				t.Errorf("checks %+v", res.Checks)
			}
			// A second run finds everything.
			before := len(e.pulls())
			again, err := e.flows.Incident(e.ctx, e.incident(n))
			e.must(err)
			if again.PullRequest != res.PullRequest || len(e.pulls()) != before {
				t.Errorf("rerun: %+v, pulls %d → %d", again, before, len(e.pulls()))
			}
		})
	}
}

// TestHostileTitleInFilenamePattern lets the configuration put the raw
// title into the file name: a title that would leave the directory or carry
// control characters is a reported configuration problem or a clean path,
// never a broken one.
func TestHostileTitleInFilenamePattern(t *testing.T) {
	e := newFlowEnv(t, flowEnvOpts{files: map[string]string{
		".github/postmortem.yml": "filename: \"{{.Title}}.md\"\n",
	}})
	for _, title := range []string{"../../../etc/passwd", "a/../../b", "Disk\x00full", "bell\x07 esc\x1b", "/abs", "x\\..\\..\\y", ".git/config", "x/.GIT/y", "tab\there"} {
		n, err := e.alice.OpenIssue(flowRepo, title, "", "incident")
		e.must(err)
		res, err := e.flows.Incident(e.ctx, e.incident(n))
		if err != nil {
			t.Fatalf("%q: %v", title, err)
		}
		if res.Path != "" {
			if !safeRepoPath(res.Path) || !strings.HasPrefix(res.Path, "postmortems/") {
				t.Errorf("%q: unsafe path %q", title, res.Path)
			}
			continue
		}
		if got := e.commentsWith(n, MarkerConfigError); len(got) != 1 {
			t.Errorf("%q: result %+v, %d config error comments", title, res, len(got))
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// safeRepoPath: a clean relative path without control characters, ".."
// components or a .git directory (git refuses those in trees).
func safeRepoPath(p string) bool {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return false
		}
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

var refBad = regexp.MustCompile(`[\x00-\x20\x7f~^:?*\[\\]`)

// checkRefFormat applies git check-ref-format's rules, and asks git itself
// when it is installed.
func checkRefFormat(ref string) error {
	bad := func(why string) error { return &refError{ref, why} }
	switch {
	case refBad.MatchString(ref):
		return bad("forbidden character")
	case strings.Contains(ref, ".."), strings.Contains(ref, "@{"), strings.Contains(ref, "//"):
		return bad("forbidden sequence")
	case strings.HasSuffix(ref, "/"), strings.HasSuffix(ref, "."), ref == "@":
		return bad("bad ending")
	}
	for _, c := range strings.Split(ref, "/") {
		if strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".lock") {
			return bad("bad component " + c)
		}
	}
	if git, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command(git, "check-ref-format", ref).CombinedOutput(); err != nil {
			return bad("git check-ref-format: " + string(out) + err.Error())
		}
	}
	return nil
}

type refError struct{ ref, why string }

func (e *refError) Error() string { return e.ref + ": " + e.why }
