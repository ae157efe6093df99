// Command gendata regenerates the embedded reference data of package
// conformance from the unpacked npm packages @octokit/openapi,
// @octokit/webhooks-schemas and @octokit/webhooks-examples.
//
// It is run by `go generate` in the conformance package:
//
//	go generate ./app/githubsim/conformance/
//
// with the npm packages unpacked under $OCTOKIT_DIR (default
// /tmp/ref/node_modules/@octokit). The outputs are committed, so tests never
// need the network or the npm packages.
//
// The OpenAPI description is reduced to what validation needs: descriptions,
// summaries, examples, external docs, tags and x-github metadata are dropped,
// and so is the x-webhooks section. Nothing that affects validation (types,
// formats, enums, required, nullable, patterns, x-multi-segment, …) is removed.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	src := flag.String("src", envOr("OCTOKIT_DIR", "/tmp/ref/node_modules/@octokit"), "directory holding the unpacked @octokit npm packages")
	out := flag.String("out", "data", "output directory")
	ghes := flag.String("ghes", "ghes-35", "GHES examples directory to embed besides api.github.com")
	flag.Parse()
	log.SetFlags(0)

	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}

	versions := map[string]string{}
	for _, pkg := range []string{"openapi", "webhooks-schemas", "webhooks-examples"} {
		versions[pkg] = packageVersion(filepath.Join(*src, pkg, "package.json"))
	}

	// 1. OpenAPI description.
	spec := readJSON(filepath.Join(*src, "openapi", "generated", "api.github.com.json"))
	m := spec.(map[string]any)
	delete(m, "x-webhooks")
	delete(m, "tags")
	delete(m, "externalDocs")
	if comps, ok := m["components"].(map[string]any); ok {
		delete(comps, "examples")
	}
	strip(m, "")
	writeGz(filepath.Join(*out, "api.github.com.json.gz"), spec)

	// 2. Webhook schema: kept whole apart from descriptions (they are
	// annotations, not assertions).
	schema := readJSON(filepath.Join(*src, "webhooks-schemas", "schema.json"))
	stripSchema(schema, false)
	writeGz(filepath.Join(*out, "webhooks-schema.json.gz"), schema)

	// 3. Webhook examples: event -> list of payloads, for api.github.com and
	// one GHES version.
	type example struct {
		Name    string          `json:"name"`
		Payload json.RawMessage `json:"payload"`
	}
	examples := map[string]map[string][]example{}
	for _, target := range []string{"api.github.com", *ghes} {
		var index []struct {
			Name     string            `json:"name"`
			Examples []json.RawMessage `json:"examples"`
		}
		b, err := os.ReadFile(filepath.Join(*src, "webhooks-examples", target, "index.json"))
		if err != nil {
			log.Fatal(err)
		}
		if err := json.Unmarshal(b, &index); err != nil {
			log.Fatal(err)
		}
		byEvent := map[string][]example{}
		for _, ev := range index {
			for i, raw := range ev.Examples {
				var compact bytes.Buffer
				if err := json.Compact(&compact, raw); err != nil {
					log.Fatalf("%s %s[%d]: %v", target, ev.Name, i, err)
				}
				var probe struct {
					Action string `json:"action"`
				}
				_ = json.Unmarshal(raw, &probe)
				name := ev.Name
				if probe.Action != "" {
					name += "." + probe.Action
				}
				name += fmt.Sprintf(".%d", i)
				byEvent[ev.Name] = append(byEvent[ev.Name], example{Name: name, Payload: compact.Bytes()})
			}
		}
		examples[target] = byEvent
	}
	writeGz(filepath.Join(*out, "webhook-examples.json.gz"), map[string]any{
		"ghes_target": *ghes,
		"targets":     examples,
	})

	var keys []string
	for k := range versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "@octokit/%s %s\n", k, versions[k])
	}
	fmt.Fprintf(&sb, "webhook examples: api.github.com and %s\n", *ghes)
	if err := os.WriteFile(filepath.Join(*out, "VERSIONS"), []byte(sb.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// nameKeyed lists OpenAPI members whose keys are user-chosen names rather
// than keywords; their keys must never be stripped.
var nameKeyed = map[string]bool{
	"paths": true, "properties": true, "patternProperties": true, "responses": true,
	"content": true, "headers": true, "schemas": true, "parameters": false, // parameters is a list in operations
	"requestBodies": true, "securitySchemes": true, "links": true, "callbacks": true,
	"encoding": true, "variables": true, "mapping": true, "definitions": true,
}

// annotation keys removed from every keyword-keyed object.
var annotations = map[string]bool{
	"description": true, "summary": true, "example": true, "examples": true,
	"externalDocs": true, "x-github": true, "x-githubCloudOnly": true, "tags": true,
	"x-displayName": true, "x-github-breaking-changes": true, "title": true,
}

func strip(v any, parentKey string) {
	switch t := v.(type) {
	case map[string]any:
		if nameKeyed[parentKey] || parentKey == "components-child" {
			for _, child := range t {
				strip(child, "")
			}
			return
		}
		for k, child := range t {
			if annotations[k] {
				delete(t, k)
				continue
			}
			if k == "components" {
				for _, c := range child.(map[string]any) {
					strip(c, "components-child")
				}
				continue
			}
			strip(child, k)
		}
	case []any:
		for _, child := range t {
			strip(child, "")
		}
	}
}

// stripSchema removes JSON Schema annotations ("description", "title" and
// "examples") but leaves property names alone.
func stripSchema(v any, namesHere bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if !namesHere && (k == "description" || k == "examples") {
				delete(t, k)
				continue
			}
			stripSchema(child, !namesHere && (k == "properties" || k == "definitions" || k == "patternProperties"))
		}
	case []any:
		for _, child := range t {
			stripSchema(child, false)
		}
	}
}

func readJSON(path string) any {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return v
}

func writeGz(path string, v any) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d bytes)", path, buf.Len())
}

func packageVersion(path string) string {
	var p struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		log.Fatal(err)
	}
	return p.Version
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
