package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The webhook schema (@octokit/webhooks-schemas) is one draft-07 document
// whose "definitions" hold one schema per "<event>$<action>" (or
// "<event>$event" for events without actions) plus "<event>_event" oneOfs
// and shared object schemas. It is validated with
// github.com/santhosh-tekuri/jsonschema/v6, a complete draft-07 validator
// that kin-openapi itself depends on.

const webhookSchemaURL = "https://postmortem.invalid/webhooks-schema.json"

// ErrUnknownWebhook is returned (wrapped) by ValidateWebhook for an event or
// action the schema does not describe.
var ErrUnknownWebhook = errors.New("no webhook schema for this event/action")

type webhookSchemas struct {
	compiler    *jsonschema.Compiler
	definitions map[string]bool

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

var (
	whOnce sync.Once
	whVal  *webhookSchemas
	whErr  error
)

func loadWebhookSchemas() (*webhookSchemas, error) {
	whOnce.Do(func() {
		data, err := gunzipFile("data/webhooks-schema.json.gz")
		if err != nil {
			whErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			whErr = fmt.Errorf("conformance: webhook schema: %w", err)
			return
		}
		defs, _ := doc.(map[string]any)["definitions"].(map[string]any)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft7)
		c.AssertFormat()
		// jsonschema v6.0.3's uri-template check splits the template on "/"
		// first, so it rejects RFC 6570 path expansions like
		// ".../branches{/branch}" that every GitHub payload carries.
		c.RegisterFormat(&jsonschema.Format{Name: "uri-template", Validate: validateURITemplate})
		if err := c.AddResource(webhookSchemaURL, doc); err != nil {
			whErr = fmt.Errorf("conformance: webhook schema: %w", err)
			return
		}
		w := &webhookSchemas{compiler: c, definitions: map[string]bool{}, compiled: map[string]*jsonschema.Schema{}}
		for name := range defs {
			w.definitions[name] = true
		}
		whVal = w
	})
	return whVal, whErr
}

func (w *webhookSchemas) schema(def string) (*jsonschema.Schema, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.compiled[def]; s != nil {
		return s, nil
	}
	s, err := w.compiler.Compile(webhookSchemaURL + "#/definitions/" + url.PathEscape(def))
	if err != nil {
		return nil, fmt.Errorf("conformance: compiling webhook schema %s: %w", def, err)
	}
	w.compiled[def] = s
	return s, nil
}

// WebhookDefinition returns the name of the schema definition that
// ValidateWebhook uses for event and action ("issues$opened", "push$event"),
// or "" when the schema has none.
func WebhookDefinition(event, action string) string {
	w, err := loadWebhookSchemas()
	if err != nil {
		return ""
	}
	return w.definition(event, action)
}

func (w *webhookSchemas) definition(event, action string) string {
	if action != "" && w.definitions[event+"$"+action] {
		return event + "$" + action
	}
	// Events without actions, and repository_dispatch whose "action" is
	// the sender's free-form event_type, have one "<event>$event" schema.
	if w.definitions[event+"$event"] {
		return event + "$event"
	}
	return ""
}

// WebhookEvents lists the "<event>$<action>" definitions of the schema,
// sorted.
func WebhookEvents() []string {
	w, err := loadWebhookSchemas()
	if err != nil {
		return nil
	}
	var out []string
	for d := range w.definitions {
		if strings.Contains(d, "$") {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// ValidateWebhook validates payload (the JSON body of a webhook delivery)
// against the schema for event (the X-GitHub-Event header) and the
// payload's "action". The error names the definition used and every
// failing location; it wraps ErrUnknownWebhook when the schema has no
// definition for the event and action.
func ValidateWebhook(event string, payload []byte) error {
	w, err := loadWebhookSchemas()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("webhook %s: payload is not JSON: %w", event, err)
	}
	action := ""
	if m, ok := v.(map[string]any); ok {
		action, _ = m["action"].(string)
	}
	def := w.definition(event, action)
	if def == "" {
		if action != "" {
			return fmt.Errorf("webhook %s action %q: %w", event, action, ErrUnknownWebhook)
		}
		return fmt.Errorf("webhook %s: %w", event, ErrUnknownWebhook)
	}
	s, err := w.schema(def)
	if err != nil {
		return err
	}
	if err := s.Validate(v); err != nil {
		var verr *jsonschema.ValidationError
		if errors.As(err, &verr) {
			return &WebhookError{Event: event, Action: action, Definition: def, Causes: flatten(verr)}
		}
		return fmt.Errorf("webhook %s: %w", def, err)
	}
	return nil
}

// WebhookError reports a payload that does not match its schema.
type WebhookError struct {
	Event, Action, Definition string
	Causes                    []string // "<instance pointer>: <message>", deepest first
}

func (e *WebhookError) Error() string {
	return fmt.Sprintf("webhook payload does not match schema %s:\n  %s", e.Definition, strings.Join(e.Causes, "\n  "))
}

// validateURITemplate checks that expressions are brace-delimited and not
// nested (RFC 6570, section 2).
func validateURITemplate(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	open := false
	for _, ch := range s {
		switch ch {
		case '{':
			if open {
				return errors.New("nested curly braces")
			}
			open = true
		case '}':
			if !open {
				return errors.New("unmatched closing brace")
			}
			open = false
		}
	}
	if open {
		return errors.New("no matching closing brace")
	}
	return nil
}

var printer = message.NewPrinter(language.English)

// flatten collects the leaf errors of a validation error tree.
func flatten(e *jsonschema.ValidationError) []string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, fmt.Sprintf("/%s: %s", strings.Join(e.InstanceLocation, "/"), e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(e)
	sort.Strings(out)
	return dedupe(out)
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Example is one real webhook payload from @octokit/webhooks-examples.
type Example struct {
	Event   string // X-GitHub-Event value, e.g. "issues"
	Action  string // payload action, "" for events without one
	Name    string // unique within Event and target, e.g. "issues.opened.3"
	Payload []byte // compact JSON
	GHES    bool   // from the GHES examples rather than api.github.com
	Target  string // "api.github.com" or the GHES directory, e.g. "ghes-35"
}

var (
	exOnce sync.Once
	exVal  []Example
	exErr  error
)

// Examples returns every embedded example payload: all api.github.com
// examples, then those of one GHES version. Sorted by target, event and
// name. The returned slice is shared: do not modify it.
func Examples() []Example {
	exOnce.Do(func() { exVal, exErr = loadExamples() })
	if exErr != nil {
		panic(exErr)
	}
	return exVal
}

func loadExamples() ([]Example, error) {
	data, err := gunzipFile("data/webhook-examples.json.gz")
	if err != nil {
		return nil, err
	}
	var doc struct {
		GHESTarget string `json:"ghes_target"`
		Targets    map[string]map[string][]struct {
			Name    string          `json:"name"`
			Payload json.RawMessage `json:"payload"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("conformance: webhook examples: %w", err)
	}
	var out []Example
	for target, events := range doc.Targets {
		for event, list := range events {
			for _, ex := range list {
				var probe struct {
					Action string `json:"action"`
				}
				_ = json.Unmarshal(ex.Payload, &probe)
				out = append(out, Example{
					Event: event, Action: probe.Action, Name: ex.Name,
					Payload: []byte(ex.Payload), GHES: target == doc.GHESTarget, Target: target,
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.GHES != b.GHES {
			return !a.GHES
		}
		if a.Event != b.Event {
			return a.Event < b.Event
		}
		return a.Name < b.Name
	})
	return out, nil
}
