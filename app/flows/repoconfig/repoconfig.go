// Package repoconfig reads what a repository tells the App: its
// .github/postmortem.yml (or the owner's .github repository's, or the
// built-in defaults), the template it names, and files through the
// contents API, bounded to what the App reads. A broken configuration is an
// *Error saying what is wrong and where, for the flows to report.
package repoconfig

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/checks"
	"github.com/postmortem-app/postmortem/templates"
)

// Path is where a repository (or the owner's ".github" repository)
// keeps its postmortem configuration, on the default branch.
const Path = ".github/postmortem.yml"

// Config is the configuration a flow works with, and where it came from.
type Config struct {
	*checks.Config
	// Source says where the configuration was read: "owner/repo:.github/postmortem.yml",
	// "owner/.github:.github/postmortem.yml" or "built-in defaults".
	Source string
	// Repo and Path locate the file ("" for the defaults).
	Repo, Path string
}

// Error is a broken configuration: what is wrong and where. Flows
// report it to people (a comment on the incident, a failing check run on the
// pull request) instead of ignoring it.
type Error struct {
	Repo    string // owner/name holding the file
	Path    string // file path in that repository
	Line    int    // 1-based, 0 when unknown
	Message string
	// More are the file's other problems, after the first (Line, Message),
	// in line order: every problem is reported at once.
	More []Problem
	// IncidentLabel is the incident label the broken file seems to name
	// (read leniently), so the flow knows which issues to tell.
	IncidentLabel string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%s line %d: %s", e.Repo, e.Path, e.Line, e.Message)
	}
	return fmt.Sprintf("%s:%s: %s", e.Repo, e.Path, e.Message)
}

// Problem is one problem of a configuration file, at its line (0 when
// unknown).
type Problem struct {
	Line    int
	Message string
}

// Problems are every problem of the file, the first one first.
func (e *Error) Problems() []Problem {
	return append([]Problem{{Line: e.Line, Message: e.Message}}, e.More...)
}

// WhereLine locates problem p of the file for people, like Where.
func (e *Error) WhereLine(p Problem) string {
	where := e.Repo + ":" + e.Path
	if p.Line > 0 {
		where += fmt.Sprintf(" line %d", p.Line)
	}
	return where
}

// Where locates the problem for people: "owner/repo:path", with " line N"
// when the line is known.
func (e *Error) Where() string {
	where := e.Repo + ":" + e.Path
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
	}
	return where
}

// Errorf is a problem with c (its template, its file name pattern…),
// reported against c's file.
func (c *Config) Errorf(format string, args ...any) *Error {
	return &Error{Repo: c.Repo, Path: c.Path, IncidentLabel: c.IncidentLabel, Message: fmt.Sprintf(format, args...)}
}

var reLenientLabel = regexp.MustCompile(`(?m)^incident_label:\s*["']?([^"'#\n]+?)["']?\s*(?:#.*)?$`)

// Load reads .github/postmortem.yml from the repository's default
// branch, else from the owner's ".github" repository, else uses the
// defaults. Parsing is strict: a broken file is a *RepoConfigError.
func Load(ctx context.Context, gh *github.Client, owner, repo string) (*Config, error) {
	for _, r := range []string{repo, ".github"} {
		if r == ".github" && strings.EqualFold(repo, ".github") {
			break
		}
		data, found, err := GetFile(ctx, gh, owner, r, Path, "")
		var tl *TooLargeError
		if err != nil && (errors.As(err, &tl) || errorIsDirectory(err)) {
			return nil, &Error{Repo: owner + "/" + r, Path: Path, Message: err.Error(),
				IncidentLabel: checks.DefaultConfig().IncidentLabel}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s/%s:%s: %w", owner, r, Path, err)
		}
		if !found {
			continue
		}
		full := owner + "/" + r
		cfg, err := checks.ParseConfig(data)
		if err != nil {
			ce := &Error{Repo: full, Path: Path, Message: err.Error()}
			if ps := problemsOf(err); len(ps) > 0 {
				ce.Line, ce.Message, ce.More = ps[0].Line, ps[0].Message, ps[1:]
			}
			ce.IncidentLabel = checks.DefaultConfig().IncidentLabel
			if m := reLenientLabel.FindSubmatch(data); m != nil {
				ce.IncidentLabel = strings.TrimSpace(string(m[1]))
			}
			return nil, ce
		}
		return &Config{Config: cfg, Source: full + ":" + Path, Repo: full, Path: Path}, nil
	}
	return &Config{Config: checks.DefaultConfig(), Source: "built-in defaults"}, nil
}

// problemsOf lists the problems of checks.ParseConfig's error: one
// *checks.ConfigError, or several joined (every problem at once, in line
// order).
func problemsOf(err error) []Problem {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []Problem
		for _, e := range j.Unwrap() {
			out = append(out, problemsOf(e)...)
		}
		return out
	}
	var pe *checks.ConfigError
	if errors.As(err, &pe) {
		return []Problem{{Line: pe.Line, Message: pe.Message}}
	}
	return []Problem{{Message: err.Error()}}
}

// GetFile reads a file through the contents API; ref "" is the default
// branch. A 404 is (nil, false, nil).
func GetFile(ctx context.Context, gh *github.Client, owner, repo, p, ref string) ([]byte, bool, error) {
	var opts *github.RepositoryContentGetOptions
	if ref != "" {
		opts = &github.RepositoryContentGetOptions{Ref: ref}
	}
	fc, _, resp, err := gh.Repositories.GetContents(ctx, owner, repo, p, opts)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	if fc == nil {
		return nil, false, &dirError{p}
	}
	// GitHub sends files over 1 MB without their content (encoding "none").
	if fc.GetEncoding() == "none" || fc.GetSize() > MaxFileBytes {
		return nil, true, &TooLargeError{Path: p, Size: fc.GetSize()}
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, false, err
	}
	if len(s) > MaxFileBytes {
		return nil, true, &TooLargeError{Path: p, Size: len(s)}
	}
	return []byte(s), true, nil
}

// MaxFileBytes is the largest file the App reads (a configuration, a
// template) or lints (a postmortem): 1 MB, the most GitHub's contents API
// returns inline.
const MaxFileBytes = 1 << 20

// TooLargeError is a file over MaxFileBytes.
type TooLargeError struct {
	Path string
	Size int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is too large (%s; the App reads files up to %s)", e.Path, HumanBytes(e.Size), HumanBytes(MaxFileBytes))
}

// HumanBytes says a size: exact bytes near the limit, where rounding would
// make a file over it look equal to it.
func HumanBytes(n int) string {
	switch {
	case n == MaxFileBytes:
		return "1 MB"
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 2<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// isPresetName says whether a template setting names an embedded preset
// rather than a file in the repository.
func isPresetName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/.")
}

// LoadTemplate returns the template source the configuration names: an
// embedded preset, or a file of the repository on its default branch.
func LoadTemplate(ctx context.Context, gh *github.Client, owner, repo string, cfg *Config) ([]byte, error) {
	name := cfg.Template
	if name == "" {
		name = templates.DefaultPreset
	}
	if isPresetName(name) {
		b, ok := templates.Preset(name)
		if !ok {
			return nil, cfg.Errorf("template %q is neither a preset (%s) nor a file path", name, strings.Join(templates.Names(), ", "))
		}
		return b, nil
	}
	p := strings.TrimPrefix(path.Clean("/"+name), "/")
	data, found, err := GetFile(ctx, gh, owner, repo, p, "")
	var tl *TooLargeError
	if err != nil && (errors.As(err, &tl) || errorIsDirectory(err)) {
		return nil, cfg.Errorf("template %s: %v", p, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", p, err)
	}
	if !found {
		return nil, cfg.Errorf("template file %s not found on %s/%s's default branch", p, owner, repo)
	}
	return data, nil
}

// dirError is a path that names a directory where a file was expected.
type dirError struct{ path string }

func (e *dirError) Error() string { return e.path + " is a directory, not a file" }

func errorIsDirectory(err error) bool {
	var d *dirError
	return errors.As(err, &d)
}
