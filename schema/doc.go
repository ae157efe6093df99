// Package schema holds postmortem.schema.json, the JSON Schema of .github/postmortem.yml for
// editors (yaml-language-server: `# yaml-language-server: $schema=…`), and the tests that keep
// it in step with checks.ParseConfig.
package schema

import _ "embed"

// Postmortem is postmortem.schema.json.
//
//go:embed postmortem.schema.json
var Postmortem []byte

// Index is postmortem-index.v1.schema.json, the JSON Schema of
// postmortems/index.json (checks/record).
//
//go:embed postmortem-index.v1.schema.json
var Index []byte
