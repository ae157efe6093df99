// Command k8sschema turns a Kubernetes OpenAPI v2 document (swagger.json) into the
// "standalone-strict" JSON schemas kubeconform reads — one file per kind, every $ref inlined,
// additionalProperties false on every object with declared properties, int-or-string as a oneOf,
// apiVersion and kind pinned — the way yannh/kubernetes-json-schema builds them with
// openapi2jsonschema. Descriptions are dropped to keep the files small. It writes
// OUT/{kind}{-group-version}.json.gz for the kinds named on the command line.
//
//	go run ./deploy/internal/k8sschema -swagger swagger.json -out deploy/testdata/schemas \
//	  io.k8s.api.apps.v1.Deployment io.k8s.api.core.v1.Service ...
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func main() {
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 `file`")
	out := flag.String("out", ".", "output `directory`")
	flag.Parse()
	if err := run(*swagger, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschema:", err)
		os.Exit(1)
	}
}

func run(swagger, out string, names []string) error {
	b, err := os.ReadFile(swagger)
	if err != nil {
		return err
	}
	var doc struct {
		Info        map[string]any            `json:"info"`
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	for _, name := range names {
		def := doc.Definitions[name]
		if def == nil {
			return fmt.Errorf("no definition %s", name)
		}
		raw, _ := json.Marshal(def["x-kubernetes-group-version-kind"])
		var gvks []gvk
		if err := json.Unmarshal(raw, &gvks); err != nil || len(gvks) != 1 {
			return fmt.Errorf("%s: not a single kind", name)
		}
		g := gvks[0]
		s := convert(doc.Definitions, def, map[string]bool{name: true}).(map[string]any)
		apiVersion := g.Version
		suffix := "-" + strings.ToLower(g.Version)
		if g.Group != "" {
			apiVersion = g.Group + "/" + g.Version
			suffix = "-" + strings.ToLower(strings.Split(g.Group, ".")[0]) + "-" + strings.ToLower(g.Version)
		}
		props := s["properties"].(map[string]any)
		props["apiVersion"] = map[string]any{"type": []any{"string", "null"}, "enum": []any{apiVersion}}
		props["kind"] = map[string]any{"type": []any{"string", "null"}, "enum": []any{g.Kind}}
		s["$schema"] = "http://json-schema.org/schema#"
		s["x-kubernetes-group-version-kind"] = def["x-kubernetes-group-version-kind"]
		s["x-source"] = fmt.Sprintf("%s from Kubernetes %v OpenAPI", name, doc.Info["version"])
		file := filepath.Join(out, strings.ToLower(g.Kind)+suffix+".json.gz")
		if err := writeGz(file, s); err != nil {
			return err
		}
		fmt.Println(file)
	}
	return nil
}

// convert inlines references and tightens objects, like openapi2jsonschema --expanded --strict.
func convert(defs map[string]map[string]any, v any, seen map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			if seen[name] {
				return map[string]any{} // a recursive type (JSONSchemaProps): accept anything below
			}
			seen2 := map[string]bool{name: true}
			for k := range seen {
				seen2[k] = true
			}
			return convert(defs, defs[name], seen2)
		}
		out := map[string]any{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch k {
			case "description", "x-kubernetes-group-version-kind", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
				"x-kubernetes-patch-merge-key", "x-kubernetes-patch-strategy", "x-kubernetes-map-type", "x-kubernetes-unions":
				continue
			case "properties":
				ps := map[string]any{}
				for pk, pv := range x[k].(map[string]any) {
					ps[pk] = convert(defs, pv, seen)
				}
				out[k] = ps
			default:
				out[k] = convert(defs, x[k], seen)
			}
		}
		if out["format"] == "int-or-string" {
			delete(out, "format")
			delete(out, "type")
			out["oneOf"] = []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": []any{"integer", "null"}}}
		}
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
		if _, ok := out["properties"]; ok {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = convert(defs, x[i], seen)
		}
		return out
	}
	return v
}

func writeGz(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
