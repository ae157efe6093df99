package deploy

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	yaml "go.yaml.in/yaml/v3"

	"github.com/postmortem-app/postmortem/app/registration"
)

// schemaDir unpacks the committed standalone-strict JSON schemas (testdata/schemas, Kubernetes
// 1.27, see its README) so kubeconform validates offline.
func schemaDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gzs, _ := filepath.Glob("testdata/schemas/*.json.gz")
	if len(gzs) < 4 {
		t.Fatalf("schemas missing: %v", gzs)
	}
	for _, p := range gzs {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(p), ".gz")), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	v, err := validator.New([]string{filepath.Join(schemaDir(t), "{{ .ResourceKind }}{{ .KindSuffix }}.json")}, validator.Opts{
		Strict:    true,
		SkipKinds: map[string]struct{}{"Kustomization": {}}, // kustomize's own file, not an API object
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func manifests(t *testing.T) []string {
	files, _ := filepath.Glob("kubernetes/*.yaml")
	if len(files) < 5 {
		t.Fatalf("manifests: %v", files)
	}
	return files
}

// TestKubernetesManifestsValidate runs kubeconform (strict: unknown fields are errors) over every
// manifest, offline.
func TestKubernetesManifestsValidate(t *testing.T) {
	v := newValidator(t)
	kinds := map[string]int{}
	for _, f := range manifests(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range v.Validate(f, io.NopCloser(bytes.NewReader(b))) {
			sig, _ := r.Resource.Signature()
			switch r.Status {
			case validator.Valid:
				kinds[sig.Kind]++
			case validator.Skipped:
				if sig.Kind != "Kustomization" {
					t.Errorf("%s: %s skipped", f, sig.Kind)
				}
			default:
				t.Errorf("%s: %s: status %d: %v %v", f, sig.Kind, r.Status, r.Err, r.ValidationErrors)
			}
		}
	}
	for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget", "Secret"} {
		if kinds[k] != 1 {
			t.Errorf("%d valid %s, want 1 (all: %v)", kinds[k], k, kinds)
		}
	}
}

// TestValidatorCatchesMistakes keeps the validation above honest: the same schemas reject a
// typo'd field, a wrong type and a wrong apiVersion.
func TestValidatorCatchesMistakes(t *testing.T) {
	v := newValidator(t)
	orig, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string][2]string{
		"typo'd field":   {"replicas: 2", "replica: 2"},
		"wrong type":     {"replicas: 2", "replicas: two"},
		"old apiVersion": {"apiVersion: apps/v1", "apiVersion: apps/v1beta3"},
		"probe typo":     {"readinessProbe:", "readynessProbe:"},
	} {
		if !bytes.Contains(orig, []byte(edit[0])) {
			t.Fatalf("%s: %q not in deployment.yaml", name, edit[0])
		}
		b := bytes.Replace(orig, []byte(edit[0]), []byte(edit[1]), 1)
		for _, r := range v.Validate(name, io.NopCloser(bytes.NewReader(b))) {
			if r.Status == validator.Valid {
				t.Errorf("%s: accepted", name)
			}
		}
	}
}

type obj = map[string]any

func loadYAML(t *testing.T, path string) obj {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m obj
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// dig walks maps and lists: dig(m, "spec", "template", "spec", "containers", 0, "name").
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(obj)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// TestDeploymentOperationalRules checks what the schema cannot: replicas, PostgreSQL, probes,
// resources, secrets, the grace period against the job drain, and that selectors agree.
func TestDeploymentOperationalRules(t *testing.T) {
	d := loadYAML(t, "kubernetes/deployment.yaml")
	svc := loadYAML(t, "kubernetes/service.yaml")
	pdb := loadYAML(t, "kubernetes/pdb.yaml")
	replicas, _ := dig(d, "spec", "replicas").(int)
	if replicas < 2 {
		t.Errorf("replicas %d, want ≥ 2", replicas)
	}
	c := dig(d, "spec", "template", "spec", "containers", 0)
	env := map[string]obj{}
	for _, e := range dig(c, "env").([]any) {
		env[e.(obj)["name"].(string)] = e.(obj)
	}
	for _, name := range []string{"GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "DATABASE_URL"} {
		if dig(env[name], "valueFrom", "secretKeyRef", "name") != "postmortem" {
			t.Errorf("%s does not come from the Secret: %v", name, env[name])
		}
	}
	secret := loadYAML(t, "kubernetes/secret.example.yaml")
	for _, name := range []string{"GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "DATABASE_URL"} {
		key, _ := dig(env[name], "valueFrom", "secretKeyRef", "key").(string)
		if dig(secret, "stringData", key) == nil {
			t.Errorf("the example Secret has no key %q for %s", key, name)
		}
	}
	if db, _ := dig(secret, "stringData", "database-url").(string); !strings.HasPrefix(db, "postgres://") {
		t.Errorf("DATABASE_URL example %q is not PostgreSQL (several replicas need it)", db)
	}
	if dig(c, "readinessProbe", "httpGet", "path") != "/readyz" || dig(c, "livenessProbe", "httpGet", "path") != "/healthz" {
		t.Errorf("probes: readiness %v liveness %v", dig(c, "readinessProbe"), dig(c, "livenessProbe"))
	}
	for _, k := range []string{"requests", "limits"} {
		if dig(c, "resources", k, "memory") == nil {
			t.Errorf("no memory %s", k)
		}
	}
	if dig(c, "resources", "requests", "cpu") == nil {
		t.Error("no cpu request")
	}
	if dig(c, "securityContext", "readOnlyRootFilesystem") != true || dig(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
		t.Error("not read-only / non-root")
	}
	// the grace period outlasts serve's job drain
	drain := jobDrainSeconds(t)
	grace, _ := dig(d, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	if grace <= drain+5 {
		t.Errorf("terminationGracePeriodSeconds %d does not outlast the %ds job drain (plus the HTTP shutdown)", grace, drain)
	}
	// selectors agree
	labels := dig(d, "spec", "template", "metadata", "labels").(obj)
	for what, sel := range map[string]any{
		"deployment": dig(d, "spec", "selector", "matchLabels"), "service": dig(svc, "spec", "selector"), "pdb": dig(pdb, "spec", "selector", "matchLabels"),
	} {
		for k, v := range sel.(obj) {
			if labels[k] != v {
				t.Errorf("%s selector %s=%v does not match the pod labels %v", what, k, v, labels)
			}
		}
	}
	if mu, ok := dig(pdb, "spec", "maxUnavailable").(int); !ok || mu < 1 || mu >= replicas {
		t.Errorf("PDB maxUnavailable %v: want 1 ≤ n < replicas", dig(pdb, "spec", "maxUnavailable"))
	}
	if dig(svc, "spec", "ports", 0, "targetPort") != dig(c, "ports", 0, "name") {
		t.Error("the Service does not target the container's port")
	}
	// kustomization lists every manifest but the example Secret
	k := loadYAML(t, "kubernetes/kustomization.yaml")
	listed := map[string]bool{}
	for _, r := range dig(k, "resources").([]any) {
		listed[r.(string)] = true
	}
	for _, f := range manifests(t) {
		base := filepath.Base(f)
		want := base != "kustomization.yaml" && base != "secret.example.yaml"
		if listed[base] != want {
			t.Errorf("kustomization lists %s: %v, want %v", base, listed[base], want)
		}
	}
}

// jobDrainSeconds is serve's --shutdown-grace default (cmd/postmortem/serve.go).
func jobDrainSeconds(t *testing.T) int {
	t.Helper()
	src, err := os.ReadFile("../cmd/postmortem/serve.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"shutdown-grace",\s*(\d+)\s*\*\s*time\.Second`).FindSubmatch(src)
	if m == nil {
		t.Fatal("cannot find serve's --shutdown-grace default")
	}
	drain, _ := strconv.Atoi(string(m[1]))
	return drain
}

// TestDockerfile checks the image rules that can be checked without a container engine
// (deploy/container_test.go builds and runs it where one installs).
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var build, entry string
	args := map[string]string{} // ARG defaults
	var lines []string
	for _, l := range strings.Split(string(b), "\n") { // join continuation lines
		if n := len(lines); n > 0 && strings.HasSuffix(lines[n-1], "\\") {
			lines[n-1] = strings.TrimSuffix(lines[n-1], "\\") + " " + strings.TrimSpace(l)
			continue
		}
		lines = append(lines, l)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "ARG":
			if k, v, ok := strings.Cut(f[1], "="); ok {
				args[k] = strings.Trim(v, `"`)
			}
		case "FROM":
			img := f[1]
			if m := regexp.MustCompile(`^\$\{(\w+)\}$`).FindStringSubmatch(img); m != nil {
				img = args[m[1]]
			}
			froms = append(froms, img)
			users = nil // USER is per stage
		case "USER":
			users = append(users, f[1])
		case "RUN":
			if strings.Contains(line, "go build") {
				build = line
			}
		case "ENTRYPOINT":
			entry = line
		}
	}
	if len(froms) < 2 {
		t.Fatalf("not multi-stage: %v", froms)
	}
	// fully qualified: a registry host, a repository and a tag (a daemonless builder does not
	// guess docker.io for a short name)
	qualified := regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/[a-z0-9._/-]+:[\w.-]+$`)
	for _, f := range froms {
		if !qualified.MatchString(f) {
			t.Errorf("base image %q is not fully qualified (registry/repository:tag)", f)
		}
	}
	final := froms[len(froms)-1]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") {
		t.Errorf("final stage %s is not distroless static", final)
	}
	if !strings.HasPrefix(froms[0], "docker.io/library/golang:") {
		t.Errorf("build stage %s is not the official Go image", froms[0])
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "buildinfo.version=${VERSION}", "buildinfo.commit=${COMMIT}"} {
		if !strings.Contains(build, want) {
			t.Errorf("the build lacks %s: %q", want, build)
		}
	}
	for _, a := range []string{"VERSION", "COMMIT"} {
		if _, ok := args[a]; !ok {
			t.Errorf("no build argument %s", a)
		}
	}
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "root") || strings.HasPrefix(users[len(users)-1], "0") {
		t.Errorf("final stage runs as %v, want a non-root user", users)
	}
	if !strings.Contains(entry, "/postmortem") {
		t.Errorf("entrypoint %q", entry)
	}
	// the numeric uid matches the pod's runAsNonRoot (kubelet can only verify a numeric USER)
	if u := users[len(users)-1]; !regexp.MustCompile(`^\d+(:\d+)?$`).MatchString(u) {
		t.Errorf("USER %s is not numeric: runAsNonRoot cannot verify a user name", u)
	}
}

// TestAppManifest: the manifest parses strictly, asks for the least the flows need, and every
// permission and event is justified in the README.
func TestAppManifest(t *testing.T) {
	m, err := registration.ParseManifest(AppManifest)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "checks": "write", "metadata": "read",
		"deployments": "read", "actions": "read"}
	if len(m.DefaultPermissions) != len(want) {
		t.Errorf("permissions %v, want exactly %v", m.DefaultPermissions, want)
	}
	for k, v := range want {
		if m.DefaultPermissions[k] != v {
			t.Errorf("permission %s = %q, want %q", k, m.DefaultPermissions[k], v)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range m.DefaultPermissions {
		row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(k) + ` \| ` + v + ` \| .{20,}\|$`)
		if !row.Match(readme) {
			t.Errorf("README has no justified row for permission %s: %s", k, v)
		}
	}
	for _, e := range m.DefaultEvents {
		if !bytes.Contains(readme, []byte("`"+e+"`")) {
			t.Errorf("README does not mention event %s", e)
		}
	}
	if m.HookAttributes.URL == "" || !m.HookAttributes.Active || m.Public {
		t.Errorf("hook %+v public %v", m.HookAttributes, m.Public)
	}
}
