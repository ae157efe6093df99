package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	yaml "go.yaml.in/yaml/v3"

	"github.com/postmortem-app/postmortem/checks/blameless"
	"github.com/postmortem-app/postmortem/templates/safe"
)

// Config is a repository's postmortem configuration: the YAML the App reads
// from .github/postmortem.yml and `postmortem lint --config` reads.
type Config struct {
	// IncidentLabel marks incident issues (default "incident").
	IncidentLabel string `yaml:"incident_label"`
	// Directory is where postmortems live, relative to the repository root
	// (default "postmortems/").
	Directory string `yaml:"directory"`
	// Filename is a text/template pattern over FilenameData
	// (default "{{.Date}}-{{.Number}}-{{.Slug}}.md").
	Filename string `yaml:"filename"`
	// Template is a preset name ("default") or a path in the repository.
	Template string `yaml:"template"`
	// FrontMatter says how front matter fields are checked: required
	// (default), optional or off.
	FrontMatter FrontMatterMode `yaml:"front_matter"`
	// Severities are the accepted severity values (default SEV1..SEV4).
	Severities   []string           `yaml:"severities"`
	Completeness CompletenessConfig `yaml:"completeness"`
	Blameless    BlamelessConfig    `yaml:"blameless"`
	FollowUps    FollowUpsConfig    `yaml:"follow_ups"`
	// CloseIncident closes the incident issue when every follow-up is done.
	CloseIncident bool `yaml:"close_incident"`
	// CompleteLabel is put on the incident when its postmortem is merged
	// complete (default "postmortem-complete").
	CompleteLabel string `yaml:"complete_label"`
	// Postmortem says which incidents owe a postmortem, and by when.
	Postmortem PostmortemConfig `yaml:"postmortem"`
	// Digest is the weekly digest of follow-ups: off (default), repository
	// (one issue in the repository) or organization (one issue in the
	// owner's .github repository for every repository that says so).
	Digest string `yaml:"digest"`
	// LookBack is how far before the incident the draft looks for changes
	// (default 24h, "off": not at all, at most 30 days).
	LookBack LookBack `yaml:"look_back"`
}

// Digest scopes.
const (
	DigestOff          = "off"
	DigestRepository   = "repository"
	DigestOrganization = "organization"
)

// PostmortemConfig says which incidents owe a postmortem.
type PostmortemConfig struct {
	// RequiredFor are the severities whose incidents must have a merged
	// postmortem (or a recorded reason to skip it); none by default.
	RequiredFor []string `yaml:"required_for"`
	// Due is how long after the incident is closed the postmortem is due
	// (default 5 business days).
	Due Period `yaml:"due"`
}

// Severity is the configured spelling of severity s ("sev-1" → "SEV1"),
// and whether it is one of the severities.
func (c *Config) Severity(s string) (string, bool) {
	for _, v := range c.Severities {
		if normSev(v) == normSev(s) && strings.TrimSpace(s) != "" {
			return v, true
		}
	}
	return "", false
}

// Required reports whether an incident of severity owes a postmortem.
func (p PostmortemConfig) Required(severity string) bool {
	return severity != "" && severityAllowed(severity, p.RequiredFor)
}

// CompletenessConfig tunes the completeness check.
type CompletenessConfig struct {
	RequireDueDates bool                `yaml:"require_due_dates"`
	Rules           map[string]Severity `yaml:"rules"`
}

// BlamelessConfig tunes the blameless check.
type BlamelessConfig struct {
	Rules   map[string]Severity `yaml:"rules"`
	Phrases []string            `yaml:"phrases"`
	Allow   []string            `yaml:"allow"`
	// MinConfidence is the confidence from which a blameless finding is an
	// error (blameless.Config.MinConfidence). Zero: the shipped default.
	MinConfidence float64 `yaml:"min_confidence"`
}

// FollowUpsConfig tunes the follow-up issues opened on merge.
type FollowUpsConfig struct {
	// Label is put on every follow-up issue (default "follow-up").
	Label string `yaml:"label"`
	// Labels are extra labels for every follow-up issue.
	Labels []string `yaml:"labels"`
	// AssignOwner assigns the action item's @owner (default true).
	AssignOwner bool `yaml:"assign_owner"`
	// SLO gives a follow-up without a due date of its own one: by its
	// priority (P0–P3), else by the incident's severity, counted from the
	// merge of its postmortem. Defaults (Atlassian's incident handbook):
	// P0 and P1 4 weeks, P2 8 weeks. Keys are stored normalized ("P1",
	// "SEV2"); "off" removes a default.
	SLO map[string]Period `yaml:"slo"`
	// Reminders on open follow-ups as their due date nears and passes.
	Reminders RemindersConfig `yaml:"reminders"`
	// OverdueLabel is put on a follow-up past its due date and taken off
	// when the date moves or the issue closes (default "overdue"; "" for
	// none).
	OverdueLabel string `yaml:"overdue_label"`
	// EscalateAfter: a follow-up overdue this long is escalated to
	// EscalateTo on its incident, once (default 2 weeks).
	EscalateAfter Period `yaml:"escalate_after"`
	// EscalateTo is a user or a team ("@acme/sre-leads") mentioned on the
	// incident when a follow-up is overdue for EscalateAfter; none by
	// default.
	EscalateTo string `yaml:"escalate_to"`
	// Max is how many follow-up issues one merged postmortem files at
	// most (default DefaultMaxFollowUps, at most MaxFollowUpsLimit): the
	// completeness check reports a postmortem with more open action items
	// (RuleTooManyActions), and the tracking comment says how many were
	// not filed.
	Max int `yaml:"max"`
}

// DefaultMaxFollowUps is follow_ups.max's default; MaxFollowUpsLimit bounds
// it (a merge files at most that many issues, each a paced write).
const (
	DefaultMaxFollowUps = 50
	MaxFollowUpsLimit   = 500
)

// RemindersConfig tunes the reminders on follow-ups (and on postmortems
// owed): a comment mentioning the assignees Before the due date, on the
// day, then Every so long while overdue.
type RemindersConfig struct {
	// Enabled turns reminders on (default true).
	Enabled bool `yaml:"enabled"`
	// Before is how long before the due date the "due soon" reminder
	// comes (default 3 days; off: none).
	Before Period `yaml:"before"`
	// Every is how often an overdue follow-up is reminded again (default 1
	// week; off: once).
	Every Period `yaml:"every"`
	// Weekends: remind on Saturdays and Sundays too (default false: a step
	// that falls on a weekend comes on Monday).
	Weekends bool `yaml:"weekends"`
}

// DefaultSLO is the built-in follow-up SLO by priority, after Atlassian's
// incident handbook (priority actions of high-severity incidents within 4
// or 8 weeks).
func DefaultSLO() map[string]Period {
	return map[string]Period{"P0": MustPeriod("4w"), "P1": MustPeriod("4w"), "P2": MustPeriod("8w")}
}

// DueBySLO is the due date a follow-up of priority gets from the SLO when
// its postmortem merged at merged, with the key that gave it ("P1",
// "SEV2"): its priority first, else the incident's severity. ok is false
// when neither has an SLO.
func (c *Config) DueBySLO(priority, severity string, merged time.Time) (due time.Time, key string, p Period, ok bool) {
	for _, k := range []string{strings.ToUpper(strings.TrimSpace(priority)), normSev(severity)} {
		if k == "" {
			continue
		}
		if p, found := c.FollowUps.SLO[k]; found && !p.IsZero() {
			return p.After(merged), k, p, true
		}
	}
	return time.Time{}, "", Period{}, false
}

// FilenameData is what the filename pattern sees.
type FilenameData struct {
	Date   string // 2026-03-01
	Year   string
	Month  string
	Day    string
	Number int    // incident issue number
	Slug   string // lower-case words of the title joined by "-"
	Title  string
}

// DefaultFilename is the default filename pattern.
const DefaultFilename = "{{.Date}}-{{.Number}}-{{.Slug}}.md"

// DefaultConfig returns the configuration used when a repository has none.
func DefaultConfig() *Config {
	return &Config{
		IncidentLabel: "incident",
		Directory:     "postmortems/",
		Filename:      DefaultFilename,
		Template:      "default",
		FrontMatter:   FrontMatterRequired,
		Severities:    DefaultSeverities(),
		FollowUps: FollowUpsConfig{Label: "follow-up", AssignOwner: true, SLO: DefaultSLO(),
			Reminders:    RemindersConfig{Enabled: true, Before: MustPeriod("3d"), Every: MustPeriod("1w")},
			OverdueLabel: "overdue", EscalateAfter: MustPeriod("2w"), Max: DefaultMaxFollowUps},
		CompleteLabel: "postmortem-complete",
		Postmortem:    PostmortemConfig{Due: MustPeriod("5 business days")},
		Digest:        DigestOff,
		LookBack:      DefaultLookBack,
	}
}

var (
	reYAMLLine    = regexp.MustCompile(`^line (\d+): `)
	reUnknownKey  = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)
	reTypeNoValue = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) into (.+)$`)
	reTypeMessage = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+) `(.*)` into (.+)$")
)

// ConfigError is a problem in a configuration file, with its line when known.
type ConfigError struct {
	Line    int
	Message string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// ParseConfig reads a configuration strictly: unknown keys, wrong types and
// invalid values are errors naming the key and its line. Absent keys keep
// their defaults.
func ParseConfig(data []byte) (*Config, error) {
	cfg := DefaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	// Every problem at once: the type errors (unknown keys, wrong kinds of
	// values) and the invalid values, in line order. Only a file that is
	// not YAML at all stops at its first error, reported at its line.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := YAMLErrorLine(data, err)
		return nil, &ConfigError{Line: line, Message: msg}
	}
	var errs []error
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return DefaultConfig(), nil
		}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			line, msg := YAMLErrorLine(data, err)
			return nil, &ConfigError{Line: line, Message: msg}
		}
		errs = append(errs, flatten(nameKeys(data, configYAMLError(err)))...)
	} else {
		// A second document ("---" then more keys) would be silently ignored.
		var extra yaml.Node
		if err := dec.Decode(&extra); err != nil && !errors.Is(err, io.EOF) {
			errs = append(errs, flatten(configYAMLError(err))...)
		} else if err == nil && len(extra.Content) > 0 && extra.Content[0].Tag != "!!null" {
			errs = append(errs, &ConfigError{Line: extra.Line, Message: "the file holds more than one YAML document (a second \"---\"): keep one"})
		}
	}
	errs = append(errs, flatten(cfg.validate(&root))...)
	if len(errs) == 0 {
		return cfg, nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errLine(errs[i]) < errLine(errs[j]) })
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// flatten lists the errors of an errors.Join tree.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// errLine is a configuration error's line; errors without one come last.
func errLine(err error) int {
	var ce *ConfigError
	if errors.As(err, &ce) && ce.Line > 0 {
		return ce.Line
	}
	return 1 << 30
}

// nameKeys prefixes line-numbered errors with the dotted key on that line.
func nameKeys(data []byte, err error) error {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err
	}
	var errs []error
	var walk func(err error) []error
	walk = func(err error) []error {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			var out []error
			for _, e := range j.Unwrap() {
				out = append(out, walk(e)...)
			}
			return out
		}
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Line > 0 && !strings.HasPrefix(ce.Message, "unknown key") {
			if k := keyAt(&root, ce.Line, ""); k != "" {
				ce.Message = k + ": " + ce.Message
			}
		}
		return []error{err}
	}
	errs = walk(err)
	return errors.Join(errs...)
}

// keyAt returns the dotted path of the key on a line.
func keyAt(n *yaml.Node, line int, prefix string) string {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			if k := keyAt(c, line, prefix); k != "" {
				return k
			}
		}
		return ""
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		if k.Line == line {
			return path
		}
		if sub := keyAt(v, line, path); sub != "" {
			return sub
		}
	}
	return ""
}

func configYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		var errs []error
		for _, e := range te.Errors {
			errs = append(errs, yamlMessage(e))
		}
		return errors.Join(errs...)
	}
	return yamlMessage(strings.TrimPrefix(err.Error(), "yaml: "))
}

func yamlMessage(msg string) error {
	if m := reUnknownKey.FindStringSubmatch(msg); m != nil {
		return &ConfigError{Line: atoi(m[1]), Message: fmt.Sprintf("unknown key %q", m[2])}
	}
	if m := reTypeMessage.FindStringSubmatch(msg); m != nil {
		want := m[4]
		switch {
		case want == "bool":
			want = "true or false"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case strings.HasPrefix(want, "map["), strings.HasPrefix(want, "checks."):
			want = "a mapping of keys to values"
		case want == "string", want == "checks.Severity":
			want = "a string"
		}
		return &ConfigError{Line: atoi(m[1]), Message: fmt.Sprintf("%s value %q where %s is expected", strings.TrimPrefix(m[2], "!!"), m[3], want)}
	}
	if m := reTypeNoValue.FindStringSubmatch(msg); m != nil {
		if strings.HasSuffix(m[3], "checks.Config") {
			return &ConfigError{Line: atoi(m[1]), Message: "the configuration must be a mapping of keys to values"}
		}
		kind := map[string]string{"seq": "a list", "map": "a mapping"}[m[2]]
		if kind == "" {
			kind = m[2]
		}
		want := m[3]
		switch {
		case want == "bool":
			want = "true or false"
		case want == "string", want == "checks.Severity":
			want = "a string"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		}
		return &ConfigError{Line: atoi(m[1]), Message: fmt.Sprintf("%s where %s is expected", kind, want)}
	}
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		return &ConfigError{Line: atoi(m[1]), Message: msg[len(m[0]):]}
	}
	return &ConfigError{Message: msg}
}

// keyLine finds the line of a key path ("completeness", "rules", "x") in
// the YAML tree, or 0.
func keyLine(root *yaml.Node, keys ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line = n.Content[i].Line
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return line
}

func (c *Config) validate(root *yaml.Node) error {
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, &ConfigError{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(c.IncidentLabel) == "" {
		bad(keyLine(root, "incident_label"), "incident_label must not be empty")
	}
	if strings.TrimSpace(c.CompleteLabel) == "" {
		bad(keyLine(root, "complete_label"), "complete_label must not be empty")
	}
	if strings.TrimSpace(c.FollowUps.Label) == "" {
		bad(keyLine(root, "follow_ups", "label"), "follow_ups.label must not be empty")
	}
	if err := checkDraftPath(c.Directory); err != nil {
		bad(keyLine(root, "directory"), "directory %q %s", c.Directory, err)
	} else if c.Directory != "" && !strings.HasSuffix(c.Directory, "/") {
		c.Directory += "/"
	}
	if c.Directory == "" || c.Directory == "./" || c.Directory == "/" {
		c.Directory = ""
	}
	if strings.TrimSpace(c.Template) == "" {
		bad(keyLine(root, "template"), "template must name a preset or a file in the repository")
	} else if err := checkRelPath(c.Template); err != nil {
		bad(keyLine(root, "template"), "template %q %s", c.Template, err)
	}
	if _, err := c.FileName(FilenameData{Date: "2026-03-01", Year: "2026", Month: "03", Day: "01", Number: 1, Slug: "x", Title: "x"}); err != nil {
		bad(keyLine(root, "filename"), "filename: %v", err)
	}
	if m, err := ParseFrontMatterMode(string(c.FrontMatter)); err != nil {
		bad(keyLine(root, "front_matter"), "front_matter %q must be required, optional or off", c.FrontMatter)
	} else {
		c.FrontMatter = m
	}
	if len(c.Severities) == 0 {
		bad(keyLine(root, "severities"), "severities must list at least one severity")
	}
	seen := map[string]bool{}
	for _, s := range c.Severities {
		if strings.TrimSpace(s) == "" {
			bad(keyLine(root, "severities"), "severities must not contain an empty value")
		}
		if seen[normSev(s)] {
			bad(keyLine(root, "severities"), "severity %q is listed twice", s)
		}
		seen[normSev(s)] = true
	}
	c.Completeness.Rules = c.checkRules(root, "completeness", c.Completeness.Rules, bad)
	c.Blameless.Rules = c.checkRules(root, "blameless", c.Blameless.Rules, bad)
	for _, p := range c.Blameless.Phrases {
		if strings.TrimSpace(p) == "" {
			bad(keyLine(root, "blameless", "phrases"), "blameless.phrases must not contain an empty phrase")
		}
	}
	if mc := c.Blameless.MinConfidence; mc < 0 || mc > 1 || mc != mc {
		bad(keyLine(root, "blameless", "min_confidence"), "blameless.min_confidence must be between 0 and 1")
	}
	for _, p := range c.Blameless.Allow {
		if strings.TrimSpace(p) == "" {
			bad(keyLine(root, "blameless", "allow"), "blameless.allow must not contain an empty entry")
		}
	}
	for _, l := range c.FollowUps.Labels {
		if strings.TrimSpace(l) == "" {
			bad(keyLine(root, "follow_ups", "labels"), "follow_ups.labels must not contain an empty label")
		}
	}
	c.validateDeadlines(root, bad)
	return errors.Join(errs...)
}

var (
	rePriorityKey = regexp.MustCompile(`^[Pp][0-3]$`)
	// reMentionable is a GitHub login or an org/team slug, "@" optional.
	reMentionable = regexp.MustCompile(`^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$`)
)

// validateDeadlines checks the follow-up SLO, reminders, escalation, the
// postmortems owed and the digest, and normalizes them.
func (c *Config) validateDeadlines(root *yaml.Node, bad func(int, string, ...any)) {
	slo := map[string]Period{}
	for k, p := range c.FollowUps.SLO {
		key := ""
		switch {
		case rePriorityKey.MatchString(k):
			key = strings.ToUpper(k)
		case severityAllowed(k, c.Severities):
			key = normSev(k)
		default:
			bad(keyLine(root, "follow_ups", "slo", k), "follow_ups.slo: %q is neither a priority (P0–P3) nor one of the severities (%s)", k, strings.Join(c.Severities, ", "))
			continue
		}
		slo[key] = p
	}
	c.FollowUps.SLO = slo
	if to := strings.TrimSpace(c.FollowUps.EscalateTo); to != "" {
		if !reMentionable.MatchString(to) {
			bad(keyLine(root, "follow_ups", "escalate_to"), "follow_ups.escalate_to %q must be a user (@login) or a team (@org/team)", to)
		} else {
			c.FollowUps.EscalateTo = "@" + strings.TrimPrefix(to, "@")
		}
	}
	c.FollowUps.OverdueLabel = strings.TrimSpace(c.FollowUps.OverdueLabel)
	if m := c.FollowUps.Max; m < 1 || m > MaxFollowUpsLimit {
		bad(keyLine(root, "follow_ups", "max"), "follow_ups.max must be between 1 and %d, not %d", MaxFollowUpsLimit, m)
	}
	for _, s := range c.Postmortem.RequiredFor {
		if !severityAllowed(s, c.Severities) {
			bad(keyLine(root, "postmortem", "required_for"), "postmortem.required_for: %q is not one of the severities (%s)", s, strings.Join(c.Severities, ", "))
		}
	}
	switch strings.ToLower(strings.TrimSpace(c.Digest)) {
	case "", "off", "none", "false":
		c.Digest = DigestOff
	case "repository", "repo":
		c.Digest = DigestRepository
	case "organization", "organisation", "org":
		c.Digest = DigestOrganization
	default:
		bad(keyLine(root, "digest"), "digest %q must be off, repository or organization", c.Digest)
	}
}

// checkRules validates rule ids and severities of one check's rules block,
// and returns it keyed by full rule id ("placeholder" → "completeness/placeholder").
func (c *Config) checkRules(root *yaml.Node, check string, rules map[string]Severity, bad func(int, string, ...any)) map[string]Severity {
	if len(rules) == 0 {
		return rules
	}
	known := map[string]bool{}
	if check == "completeness" {
		for _, r := range CompletenessRules() {
			known[r.ID] = true
		}
	} else {
		for _, r := range blameless.Rules() {
			known[r.ID] = true
		}
	}
	out := map[string]Severity{}
	for id, sev := range rules {
		line := keyLine(root, check, "rules", id)
		full := id
		if !strings.Contains(id, "/") {
			full = check + "/" + id
		}
		if !known[full] {
			var ids []string
			for k := range known {
				ids = append(ids, strings.TrimPrefix(k, check+"/"))
			}
			sortStrings(ids)
			bad(line, "unknown %s rule %q (known: %s)", check, id, strings.Join(ids, ", "))
			continue
		}
		n := normalizeSeverity(sev)
		if check == "blameless" && n != SeverityError && n != SeverityWarning && n != SeverityOff {
			bad(line, "rule %q: severity %q must be error, warning or off", id, sev)
			continue
		}
		if n != SeverityError && n != SeverityWarning && n != SeverityNotice && n != SeverityOff {
			bad(line, "rule %q: severity %q must be error, warning, notice or off", id, sev)
			continue
		}
		out[full] = n
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// checkRelPath accepts a relative slash path that stays inside the repository.
func checkRelPath(p string) error {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':') {
		return errors.New("must be relative to the repository root")
	}
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return errors.New(`must not contain ".."`)
		}
		if strings.EqualFold(part, ".git") {
			return errors.New(`must not contain a ".git" directory`)
		}
	}
	if strings.ContainsFunc(p, unicode.IsControl) {
		return errors.New("must not contain control characters")
	}
	return nil
}

// checkDraftPath accepts where the App writes a drafted postmortem (the
// directory, the rendered file name): a relative path (checkRelPath) none
// of whose parts is hidden (".github/workflows/", ".gitattributes",
// ".gitmodules": files that change how the repository builds or checks
// out), and with no character that hides or reorders what people read
// (bidirectional overrides and isolates, zero-width and other invisible
// format characters, as in "report\u202Edm.exe").
func checkDraftPath(p string) error {
	if err := checkRelPath(p); err != nil {
		return err
	}
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part != "." && strings.HasPrefix(part, ".") {
			return fmt.Errorf("must not contain a hidden (dot) file or directory (%q)", part)
		}
	}
	if i := strings.IndexFunc(p, invisible); i >= 0 {
		r := []rune(p[i:])[0]
		return fmt.Errorf("must not contain invisible or bidirectional characters (U+%04X)", r)
	}
	return nil
}

// invisible is a character that is not shown, or changes how the text
// around it is shown: format characters (Cf: bidirectional marks,
// embeddings, overrides and isolates U+200E–U+200F, U+202A–U+202E,
// U+2066–U+2069, zero-width U+200B–U+200D, U+2060–U+2064, U+FEFF, the soft
// hyphen…), and the other blanks people cannot see (U+115F, U+1160,
// U+3164, U+FFA0, U+034F, variation selectors).
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		return true
	}
	return false
}

// filenameLimits bound the filename pattern, a stranger's template run on
// every job (and in ParseConfig): it has no list to range over, and a path
// is short.
var filenameLimits = safe.Limits{MaxOutput: 1024, MaxSteps: 10_000, Timeout: 100 * time.Millisecond}

// FileName renders the filename pattern in the restricted template
// environment of package templates/safe (no range, no recursion, output
// and time capped). The result is a clean relative path
// that stays inside the directory.
func (c *Config) FileName(data FilenameData) (string, error) {
	pattern := c.Filename
	if pattern == "" {
		pattern = DefaultFilename
	}
	t, err := safe.Parse("filename", pattern, nil, reflect.TypeFor[FilenameData]())
	if err != nil {
		return "", err
	}
	out, err := t.Execute(data, filenameLimits)
	if err != nil {
		return "", err
	}
	name := string(out)
	if strings.TrimSpace(name) == "" {
		return "", errors.New("pattern gives an empty file name")
	}
	if err := checkDraftPath(name); err != nil {
		return "", fmt.Errorf("file name %q %v", name, err)
	}
	return path.Clean(name), nil
}

// Options turns the configuration into check options over a schema (nil:
// the default schema).
func (c *Config) Options(schema *Schema) Options {
	o := Options{
		Schema:          schema,
		Severities:      append([]string(nil), c.Severities...),
		RequireDueDates: c.Completeness.RequireDueDates,
		MaxActionItems:  c.FollowUps.Max,
		FrontMatter:     c.FrontMatter,
		Blameless: blameless.Config{
			Phrases:       append([]string(nil), c.Blameless.Phrases...),
			Allow:         append([]string(nil), c.Blameless.Allow...),
			MinConfidence: c.Blameless.MinConfidence,
		},
	}
	if len(c.Completeness.Rules)+len(c.Blameless.Rules) > 0 {
		o.Rules = map[string]Severity{}
		for k, v := range c.Completeness.Rules {
			if !strings.Contains(k, "/") {
				k = "completeness/" + k
			}
			o.Rules[k] = v
		}
		for k, v := range c.Blameless.Rules {
			if !strings.Contains(k, "/") {
				k = "blameless/" + k
			}
			o.Rules[k] = v
		}
	}
	return o
}
