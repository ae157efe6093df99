// Package deploy holds the deployment artefacts — the GitHub App manifest, the container image,
// the Kubernetes manifests and the Helm chart — and the tests that validate them offline.
package deploy

import _ "embed"

// AppManifest is app-manifest.yml, the GitHub App manifest `postmortem register` posts to GitHub.
//
//go:embed app-manifest.yml
var AppManifest []byte
