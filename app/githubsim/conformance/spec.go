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
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"fmt"
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

// API is the loaded OpenAPI description together with its router. It is
// immutable after loading and safe for concurrent use.
type API struct {
	Doc    *openapi3.T
	Router *Router
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
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	// Decode with encoding/json: kin-openapi's LoadFromData parses JSON as
	// YAML, which takes over a second for this document.
	doc := &openapi3.T{}
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, fmt.Errorf("conformance: decoding OpenAPI description: %w", err)
	}
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("conformance: resolving OpenAPI description: %w", err)
	}
	r, err := NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &API{Doc: doc, Router: r}, nil
}

func mustAPI() *API {
	a, err := LoadAPI()
	if err != nil {
		panic(err)
	}
	return a
}

// trimSlash removes one trailing slash (but keeps "/").
func trimSlash(p string) string {
	if len(p) > 1 && strings.HasSuffix(p, "/") {
		return p[:len(p)-1]
	}
	return p
}
