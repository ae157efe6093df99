package githubsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Seed is the initial state of the simulator. Its YAML (or JSON) shape is the one of the npm
// emulate@0.12.2 GitHub emulator, with a few extensions; docs/simulator.md describes every key
// with a complete example (testdata/seed.yaml). Parsing is strict: an unknown key is an error
// with its line.
type Seed struct {
	Tokens map[string]SeedToken `yaml:"tokens" json:"tokens"`
	GitHub SeedGitHub           `yaml:"github" json:"github"`
}

// SeedToken is a personal token acting as a user. In YAML it is either
// {login, scopes} or just the login.
type SeedToken struct {
	Login  string   `yaml:"login" json:"login"`
	Scopes []string `yaml:"scopes" json:"scopes"`
}

// UnmarshalYAML accepts a bare login as well as {login, scopes}.
func (t *SeedToken) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		t.Login = n.Value
		return nil
	}
	if err := knownKeys(n, "token", "login", "scopes"); err != nil {
		return err
	}
	type plain SeedToken
	return n.Decode((*plain)(t))
}

// SeedGitHub is the github: section of a seed.
type SeedGitHub struct {
	Users []SeedUser `yaml:"users" json:"users"`
	Orgs  []SeedOrg  `yaml:"orgs" json:"orgs"`
	Repos []SeedRepo `yaml:"repos" json:"repos"`
	Apps  []SeedApp  `yaml:"apps" json:"apps"`
}

// SeedUser is a person.
type SeedUser struct {
	Login     string `yaml:"login" json:"login"`
	Name      string `yaml:"name" json:"name"`
	Email     string `yaml:"email" json:"email"`
	SiteAdmin bool   `yaml:"site_admin" json:"site_admin"`
}

// SeedOrg is an organization and its members.
type SeedOrg struct {
	Login       string       `yaml:"login" json:"login"`
	Name        string       `yaml:"name" json:"name"`
	Description string       `yaml:"description" json:"description"`
	Email       string       `yaml:"email" json:"email"`
	Members     []SeedMember `yaml:"members" json:"members"`
}

// SeedMember is an organization member; in YAML also a bare login.
type SeedMember struct {
	Login string `yaml:"login" json:"login"`
	Role  string `yaml:"role" json:"role"`
}

// UnmarshalYAML accepts a bare login as well as {login, role}.
func (m *SeedMember) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		m.Login = n.Value
		return nil
	}
	if err := knownKeys(n, "member", "login", "role"); err != nil {
		return err
	}
	type plain SeedMember
	return n.Decode((*plain)(m))
}

// SeedRepo is a repository. AutoInit defaults to true, as in emulate.
type SeedRepo struct {
	Owner         string   `yaml:"owner" json:"owner"`
	Name          string   `yaml:"name" json:"name"`
	Description   string   `yaml:"description" json:"description"`
	Private       bool     `yaml:"private" json:"private"`
	DefaultBranch string   `yaml:"default_branch" json:"default_branch"`
	AutoInit      *bool    `yaml:"auto_init" json:"auto_init"`
	Language      string   `yaml:"language" json:"language"`
	Topics        []string `yaml:"topics" json:"topics"`
	// Collaborators may push and be assigned, besides the owner and org members.
	Collaborators []string `yaml:"collaborators" json:"collaborators"`
	// Files are committed in the initial commit besides README.md (an extension of emulate's shape).
	Files map[string]string `yaml:"files" json:"files"`
}

// SeedApp is a GitHub App. Without PrivateKey the simulator generates one
// (see Server.AppPrivateKey).
type SeedApp struct {
	AppID         int64              `yaml:"app_id" json:"app_id"`
	Slug          string             `yaml:"slug" json:"slug"`
	Name          string             `yaml:"name" json:"name"`
	Description   string             `yaml:"description" json:"description"`
	Owner         string             `yaml:"owner" json:"owner"`
	Permissions   map[string]string  `yaml:"permissions" json:"permissions"`
	Events        []string           `yaml:"events" json:"events"`
	WebhookURL    string             `yaml:"webhook_url" json:"webhook_url"`
	WebhookSecret string             `yaml:"webhook_secret" json:"webhook_secret"`
	PrivateKey    string             `yaml:"private_key" json:"private_key"`
	Installations []SeedInstallation `yaml:"installations" json:"installations"`
}

// SeedInstallation installs an app on an account.
type SeedInstallation struct {
	InstallationID      int64             `yaml:"installation_id" json:"installation_id"`
	Account             string            `yaml:"account" json:"account"`
	RepositorySelection string            `yaml:"repository_selection" json:"repository_selection"`
	Repositories        []string          `yaml:"repositories" json:"repositories"`
	Permissions         map[string]string `yaml:"permissions" json:"permissions"`
	Events              []string          `yaml:"events" json:"events"`
}

// knownKeys reports a mapping key that is not one of keys, with its line (Node.Decode, which
// the short forms above use, does not carry the decoder's KnownFields).
func knownKeys(n *yaml.Node, what string, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(keys, k.Value) {
			return fmt.Errorf("line %d: unknown %s key %q (known: %s)", k.Line, what, k.Value, strings.Join(keys, ", "))
		}
	}
	return nil
}

// ParseSeed reads a YAML or JSON seed. Parsing is strict: an unknown key (a typo) is an error
// naming its line, never silently ignored.
func ParseSeed(data []byte) (*Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && err != io.EOF {
		return nil, fmt.Errorf("githubsim: parse seed: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, errors.New("githubsim: parse seed: more than one YAML document")
	}
	return &s, nil
}

// LoadSeed reads a YAML or JSON seed file.
func LoadSeed(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSeed(data)
}
