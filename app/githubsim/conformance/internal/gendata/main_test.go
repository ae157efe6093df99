package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestStripKeepsNamesDropsAnnotations(t *testing.T) {
	in := `{
	  "paths": {"/x": {"get": {"summary": "s", "description": "d", "tags": ["t"], "x-github": {},
	    "operationId": "x/get",
	    "parameters": [{"name": "description", "in": "query", "description": "d", "schema": {"type": "string", "example": "e"}}],
	    "responses": {"200": {"description": "ok", "content": {"application/json": {
	      "examples": {"default": {"$ref": "#/components/examples/e"}},
	      "schema": {"$ref": "#/components/schemas/summary"}}}}}}}},
	  "components": {"schemas": {"summary": {"title": "T", "type": "object", "description": "d",
	      "required": ["description", "title"],
	      "properties": {"description": {"type": "string", "description": "d"}, "title": {"type": "string"},
	        "example": {"type": "integer", "example": 1}}}},
	    "parameters": {"description": {"name": "example", "in": "path", "x-multi-segment": true, "description": "d"}}}
	}`
	want := `{
	  "paths": {"/x": {"get": {
	    "operationId": "x/get",
	    "parameters": [{"name": "description", "in": "query", "schema": {"type": "string"}}],
	    "responses": {"200": {"content": {"application/json": {
	      "schema": {"$ref": "#/components/schemas/summary"}}}}}}}},
	  "components": {"schemas": {"summary": {"type": "object",
	      "required": ["description", "title"],
	      "properties": {"description": {"type": "string"}, "title": {"type": "string"},
	        "example": {"type": "integer"}}}},
	    "parameters": {"description": {"name": "example", "in": "path", "x-multi-segment": true}}}
	}`
	var got, exp any
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(want), &exp)
	strip(got, "")
	if !reflect.DeepEqual(got, exp) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("got\n%s", g)
	}
}

func TestStripSchemaKeepsPropertyNames(t *testing.T) {
	var got, exp any
	json.Unmarshal([]byte(`{"definitions": {"description": {"type": "object", "description": "d", "title": "t",
	  "properties": {"description": {"type": "string", "description": "d", "examples": ["x"]}}}}}`), &got)
	json.Unmarshal([]byte(`{"definitions": {"description": {"type": "object", "title": "t",
	  "properties": {"description": {"type": "string"}}}}}`), &exp)
	stripSchema(got, false)
	if !reflect.DeepEqual(got, exp) {
		g, _ := json.Marshal(got)
		t.Fatalf("got %s", g)
	}
}
