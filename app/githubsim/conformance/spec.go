// Package conformance holds HTTP exchanges with (simulated) GitHub to
// GitHub's own published descriptions:
//
//   - [NewTransport] wraps an http.RoundTripper and validates every REST
//     request and response against the OpenAPI description of api.github.com
//     (npm @octokit/openapi), reporting violations to a test.
//   - [ValidateWebhook] validates a webhook payload against the JSON Schema
//     of its event and action (npm @octokit/webhooks-schemas).
//   - [Examples] returns GitHub's real example webhook payloads
//     (npm @octokit/webhooks-examples) for feeding to handlers in tests.
//
// All reference data is embedded (see data/ and the README), so tests work
// offline from a clean clone. Everything is loaded lazily, once per process.
package conformance

//go:generate go run ./internal/gendata -out data

import (
	"bytes"
	"net/http"
	"regexp"

	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"github.com/getkin/kin-openapi/routers"
	"io"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed data/api.github.com.json.gz data/webhooks-schema.json.gz data/webhook-examples.json.gz data/VERSIONS
var dataFS embed.FS

func gunzipFile(name string) ([]byte, error) {
	raw, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", name, err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// DataVersions reports the npm package versions the embedded data was
// generated from, one "@octokit/<pkg> <version>" per line.
func DataVersions() string {
	b, _ := dataFS.ReadFile("data/VERSIONS")
	return string(b)
}

// API is the embedded OpenAPI description with its router. Only the path
// index is decoded up front; each path item (with the components it
// references) is decoded into its own small openapi3.T on first use and
// cached, so a process pays for the operations it exercises, not for all
// of GitHub's API. Safe for concurrent use.
type API struct {
	Router *Router
	// Version is info.version of the description, e.g. "23.0.2".
	Version string

	head       json.RawMessage // {"openapi":..,"info":..}
	paths      map[string]json.RawMessage
	components map[string]map[string]json.RawMessage

	mu    sync.Mutex
	items map[string]*lazyItem
}

type lazyItem struct {
	once sync.Once
	doc  *openapi3.T
	item *openapi3.PathItem
	err  error
}

type rawSpec struct {
	OpenAPI    string                                `json:"openapi"`
	Info       json.RawMessage                       `json:"info"`
	Paths      map[string]json.RawMessage            `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

// lightParam is what routing needs from a parameter.
type lightParam struct {
	Ref   string `json:"$ref"`
	In    string `json:"in"`
	Name  string `json:"name"`
	Multi bool   `json:"x-multi-segment"`
}

var (
	apiOnce sync.Once
	apiVal  *API
	apiErr  error
)

// LoadAPI returns the embedded api.github.com OpenAPI description (loaded
// once per process; later calls are free).
func LoadAPI() (*API, error) {
	apiOnce.Do(func() { apiVal, apiErr = loadAPI() })
	return apiVal, apiErr
}

func loadAPI() (*API, error) {
	data, err := gunzipFile("data/api.github.com.json.gz")
	if err != nil {
		return nil, err
	}
	var raw rawSpec
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("conformance: decoding OpenAPI description: %w", err)
	}
	var info struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(raw.Info, &info)
	head, _ := json.Marshal(map[string]any{"openapi": raw.OpenAPI, "info": raw.Info})
	a := &API{
		Version:    info.Version,
		head:       head,
		paths:      raw.Paths,
		components: raw.Components,
		items:      map[string]*lazyItem{},
	}
	var templates []routeTemplate
	for template, item := range raw.Paths {
		multi, err := a.multiSegmentParams(item)
		if err != nil {
			return nil, fmt.Errorf("conformance: path %s: %w", template, err)
		}
		templates = append(templates, routeTemplate{Template: template, MultiSegment: multi})
	}
	r, err := NewRouter(templates)
	if err != nil {
		return nil, err
	}
	a.Router = r
	return a, nil
}

// multiSegmentParams collects the path parameters marked x-multi-segment
// in the path item or any of its operations.
func (a *API) multiSegmentParams(item json.RawMessage) (map[string]bool, error) {
	var pi map[string]json.RawMessage
	if err := json.Unmarshal(item, &pi); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for key, v := range pi {
		var params []lightParam
		if key == "parameters" {
			if err := json.Unmarshal(v, &params); err != nil {
				return nil, err
			}
		} else {
			var op struct {
				Parameters []lightParam `json:"parameters"`
			}
			if err := json.Unmarshal(v, &op); err != nil {
				continue // not an operation (e.g. an extension)
			}
			params = op.Parameters
		}
		for _, p := range params {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				if err := json.Unmarshal(a.components["parameters"][name], &p); err != nil {
					return nil, fmt.Errorf("parameter %s: %w", name, err)
				}
			}
			if p.In == "path" && p.Multi {
				out[p.Name] = true
			}
		}
	}
	return out, nil
}

var componentRef = regexp.MustCompile(`"#/components/([^/"]+)/([^"]+)"`)

// PathItem returns the decoded path item for template, with its own
// document (holding just the components it references).
func (a *API) PathItem(template string) (*openapi3.T, *openapi3.PathItem, error) {
	a.mu.Lock()
	li := a.items[template]
	if li == nil {
		li = &lazyItem{}
		a.items[template] = li
	}
	a.mu.Unlock()
	li.once.Do(func() { li.doc, li.item, li.err = a.decodePath(template) })
	return li.doc, li.item, li.err
}

func (a *API) decodePath(template string) (*openapi3.T, *openapi3.PathItem, error) {
	raw, ok := a.paths[template]
	if !ok {
		return nil, nil, fmt.Errorf("conformance: no path %s", template)
	}
	// Transitive closure of the components the path item references.
	comps := map[string]map[string]json.RawMessage{}
	todo := [][]byte{raw}
	for len(todo) > 0 {
		cur := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, m := range componentRef.FindAllSubmatch(cur, -1) {
			kind, name := string(m[1]), string(m[2])
			if comps[kind] == nil {
				comps[kind] = map[string]json.RawMessage{}
			}
			if _, seen := comps[kind][name]; seen {
				continue
			}
			c, ok := a.components[kind][name]
			if !ok {
				return nil, nil, fmt.Errorf("conformance: path %s: dangling reference #/components/%s/%s", template, kind, name)
			}
			comps[kind][name] = c
			todo = append(todo, c)
		}
	}
	var buf bytes.Buffer
	buf.Write(a.head[:len(a.head)-1])
	buf.WriteString(`,"paths":`)
	pathsJSON, _ := json.Marshal(map[string]json.RawMessage{template: raw})
	buf.Write(pathsJSON)
	buf.WriteString(`,"components":`)
	compJSON, _ := json.Marshal(comps)
	buf.Write(compJSON)
	buf.WriteString("}")

	doc := &openapi3.T{}
	// encoding/json, not Loader.LoadFromData: the latter parses JSON as
	// YAML, several times slower.
	if err := json.Unmarshal(buf.Bytes(), doc); err != nil {
		return nil, nil, fmt.Errorf("conformance: decoding path %s: %w", template, err)
	}
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, nil, fmt.Errorf("conformance: resolving path %s: %w", template, err)
	}
	return doc, doc.Paths.Value(template), nil
}

// Route finds the operation for method and escaped request path. The error
// is routers.ErrPathNotFound or routers.ErrMethodNotAllowed when the
// description has no such operation.
func (a *API) Route(method, escapedPath string) (*routers.Route, map[string]string, error) {
	m, ok := a.Router.Match(escapedPath)
	if !ok {
		return nil, nil, routers.ErrPathNotFound
	}
	doc, item, err := a.PathItem(m.Template)
	if err != nil {
		return nil, nil, err
	}
	method = strings.ToUpper(method)
	op := item.GetOperation(method)
	if op == nil && method == http.MethodHead {
		op = item.Get
	}
	if op == nil {
		return nil, m.Params, routers.ErrMethodNotAllowed
	}
	return &routers.Route{Spec: doc, Path: m.Template, PathItem: item, Method: method, Operation: op}, m.Params, nil
}

// trimSlash removes one trailing slash (but keeps "/").
func trimSlash(p string) string {
	if len(p) > 1 && strings.HasSuffix(p, "/") {
		return p[:len(p)-1]
	}
	return p
}
