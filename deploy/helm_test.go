package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	yaml "go.yaml.in/yaml/v3"
)

const chartDir = "helm/postmortem"

// helmMissing says once per run, on stderr, that the chart tests skip.
var helmMissing sync.Once

// helmBin is helm v4: the first of PATH's helm and $GOPATH/bin/helm (where `.ci/run` installs
// helm.sh/helm/v4/cmd/helm) that says v4. Without one the chart tests skip, loudly; under CI=true
// they fail instead.
func helmBin(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("helm"); err == nil {
		candidates = append(candidates, p)
	}
	gopath := os.Getenv("GOPATH")
	if home, _ := os.UserHomeDir(); gopath == "" && home != "" {
		gopath = filepath.Join(home, "go")
	}
	candidates = append(candidates, filepath.Join(gopath, "bin", "helm"))
	var seen []string
	for _, bin := range candidates {
		out, err := exec.Command(bin, "version", "--short").Output()
		if err == nil && strings.HasPrefix(string(out), "v4.") {
			return bin
		}
		seen = append(seen, fmt.Sprintf("%s: %q %v", bin, bytes.TrimSpace(out), err))
	}
	msg := "!!! no helm v4 (" + strings.Join(seen, "; ") + "): THE HELM CHART IS NOT RENDERED NOR VALIDATED; " +
		"`go install helm.sh/helm/v4/cmd/helm@v4.3.2` (as .ci/run does) !!!"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	helmMissing.Do(func() { fmt.Fprintf(os.Stderr, "\n%s\n\n", msg) }) // seen without -v too
	t.Skip(msg)
	return ""
}

// runHelm runs helm with its cache, config and data in a temporary directory (nothing of the
// user's repositories or plugins, no cluster).
func runHelm(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(helmBin(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data", "KUBECONFIG="+home+"/kubeconfig")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// valuesFile writes a values file for -f, in a directory whose name has no comma (t.TempDir
// takes the subtest's name, and helm splits -f at commas).
func valuesFile(t *testing.T, values string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "helm-values")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(f, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// render is `helm template postmortem helm/postmortem` with the given values file contents.
func render(t *testing.T, values string) (string, error) {
	t.Helper()
	out, stderr, err := runHelm(t, "template", "postmortem", chartDir, "--namespace", "incidents", "-f", valuesFile(t, values))
	if err != nil {
		return out, errors.New(stderr)
	}
	return out, nil
}

// objects decodes a rendered stream into its objects by kind (each kind at most once here).
func objects(t *testing.T, rendered string) map[string]obj {
	t.Helper()
	byKind := map[string]obj{}
	dec := yaml.NewDecoder(strings.NewReader(rendered))
	for {
		var o obj
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return byKind
		} else if err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, rendered)
		}
		if o == nil {
			continue
		}
		kind, _ := o["kind"].(string)
		if byKind[kind] != nil {
			t.Fatalf("two %s rendered", kind)
		}
		byKind[kind] = o
	}
}

type chartCase struct {
	name, values string
	kinds        []string // what renders
	replicas     int
	secret       string // the Secret the pods read
	sqlite       bool
}

var chartCases = []chartCase{
	{name: "defaults", kinds: []string{"Deployment", "PodDisruptionBudget", "Service"}, replicas: 2, secret: "postmortem"},
	{name: "postgres, 3 replicas", values: "replicas: 3\ndatabase: {type: postgres}\n",
		kinds: []string{"Deployment", "PodDisruptionBudget", "Service"}, replicas: 3, secret: "postmortem"},
	{name: "existing secret", values: "secret: {name: pm-credentials}\n",
		kinds: []string{"Deployment", "PodDisruptionBudget", "Service"}, replicas: 2, secret: "pm-credentials"},
	{name: "created secret", values: `secret: {create: true, appId: 123456, webhookSecret: s3cret,
  databaseURL: "postgres://pm@db:5432/pm?sslmode=require",
  privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"}
`, kinds: []string{"Deployment", "PodDisruptionBudget", "Secret", "Service"}, replicas: 2, secret: "postmortem"},
	{name: "sqlite, one replica", values: "replicas: 1\ndatabase: {type: sqlite}\n",
		kinds: []string{"Deployment", "PersistentVolumeClaim", "PodDisruptionBudget", "Service"}, replicas: 1, secret: "postmortem", sqlite: true},
	{name: "sqlite on a claim, GHES, pinned image", values: `replicas: 1
database: {type: sqlite, sqlite: {persistence: {existingClaim: pm-data}}}
github: {apiURL: "https://github.example.com/api/v3/", appSlug: ""}
image: {digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", pullPolicy: IfNotPresent}
extraEnv: [{name: POSTMORTEM_API_CACHE_BYTES, value: 32MiB}]
extraArgs: [--workers=8]
pdb: {enabled: false}
metrics: {port: 9191}
podAnnotations: {team: sre}
`, kinds: []string{"Deployment", "Service"}, replicas: 1, secret: "postmortem", sqlite: true},
}

// TestHelmChart lints and renders deploy/helm/postmortem with each value set, validates every
// rendered object with the same strict schemas as deploy/kubernetes (kubeconform), and checks
// what the schemas cannot (chartRules).
func TestHelmChart(t *testing.T) {
	v := newValidator(t)
	for _, c := range chartCases {
		t.Run(c.name, func(t *testing.T) {
			if out, stderr, err := runHelm(t, "lint", "--strict", chartDir, "-f", valuesFile(t, c.values)); err != nil {
				t.Fatalf("helm lint: %v\n%s%s", err, out, stderr)
			}
			rendered, err := render(t, c.values)
			if err != nil {
				t.Fatalf("helm template: %v", err)
			}
			var valid []string
			for _, r := range v.Validate(c.name, io.NopCloser(strings.NewReader(rendered))) {
				sig, _ := r.Resource.Signature()
				if r.Status != validator.Valid {
					t.Errorf("%s: status %d: %v %v", sig.Kind, r.Status, r.Err, r.ValidationErrors)
				}
				valid = append(valid, sig.Kind)
			}
			sort.Strings(valid)
			if !reflect.DeepEqual(valid, c.kinds) {
				t.Errorf("rendered %v, want %v", valid, c.kinds)
			}
			chartRules(t, c, objects(t, rendered))
		})
	}
}

// envByName indexes a container's env by name.
func envByName(c any) map[string]obj {
	env := map[string]obj{}
	l, _ := dig(c, "env").([]any)
	for _, e := range l {
		env[e.(obj)["name"].(string)] = e.(obj)
	}
	return env
}

// chartRules: replicas and the database agree, credentials come from the Secret (which has the
// keys when the chart makes it), metrics port, annotation and address agree, non-root and
// read-only, memory limit with GOMEMLIMIT, grace beyond the job drain, selectors match the pods.
func chartRules(t *testing.T, c chartCase, objs map[string]obj) {
	d := objs["Deployment"]
	pod := dig(d, "spec", "template")
	ctr := dig(pod, "spec", "containers", 0)
	env := envByName(ctr)
	if got, _ := dig(d, "spec", "replicas").(int); got != c.replicas {
		t.Errorf("replicas %d, want %d", got, c.replicas)
	}
	secretKeys := []string{"app-id", "private-key", "webhook-secret"}
	strategy := "RollingUpdate"
	if c.sqlite {
		strategy = "Recreate"
		if dig(env["DATABASE_URL"], "value") != "/data/postmortem.db" || !mounts(ctr, "data", "/data") {
			t.Errorf("SQLite: DATABASE_URL %v, mounts %v", env["DATABASE_URL"], dig(ctr, "volumeMounts"))
		}
	} else {
		secretKeys = append(secretKeys, "database-url")
	}
	if got := dig(d, "spec", "strategy", "type"); got != strategy {
		t.Errorf("strategy %v, want %s", got, strategy)
	}
	var refs []string
	for _, e := range env {
		if name := dig(e, "valueFrom", "secretKeyRef", "name"); name != nil {
			if name != c.secret {
				t.Errorf("%s from Secret %v, want %s", e["name"], name, c.secret)
			}
			refs = append(refs, dig(e, "valueFrom", "secretKeyRef", "key").(string))
		}
	}
	sort.Strings(refs)
	sort.Strings(secretKeys)
	if !reflect.DeepEqual(refs, secretKeys) {
		t.Errorf("Secret keys read %v, want %v", refs, secretKeys)
	}
	if s := objs["Secret"]; s != nil {
		for _, k := range refs {
			if v, _ := dig(s, "stringData", k).(string); v == "" || dig(s, "metadata", "name") != c.secret {
				t.Errorf("the created Secret %v lacks %s", dig(s, "metadata", "name"), k)
			}
		}
	}
	podRules(t, pod, ctr, env)
	selectorRules(t, objs)
}

func mounts(ctr any, volume, path string) bool {
	l, _ := dig(ctr, "volumeMounts").([]any)
	for _, m := range l {
		if dig(m, "name") == volume && dig(m, "mountPath") == path {
			return true
		}
	}
	return false
}

func podRules(t *testing.T, pod, ctr any, env map[string]obj) {
	t.Helper()
	var port string
	for _, p := range dig(ctr, "ports").([]any) {
		if dig(p, "name") == "metrics" {
			port = itoa(dig(p, "containerPort"))
		}
	}
	if ann := dig(pod, "metadata", "annotations"); dig(ann, "prometheus.io/port") != port || dig(ann, "prometheus.io/scrape") != "true" ||
		dig(env["POSTMORTEM_METRICS_ADDR"], "value") != ":"+port {
		t.Errorf("metrics port %q, annotations %v, POSTMORTEM_METRICS_ADDR %v", port, ann, env["POSTMORTEM_METRICS_ADDR"])
	}
	if dig(ctr, "securityContext", "readOnlyRootFilesystem") != true || dig(pod, "spec", "securityContext", "runAsNonRoot") != true ||
		dig(pod, "spec", "securityContext", "runAsUser") != 65532 {
		t.Errorf("not read-only / non-root 65532: %v %v", dig(ctr, "securityContext"), dig(pod, "spec", "securityContext"))
	}
	if dig(ctr, "resources", "limits", "memory") != "256Mi" || dig(env["GOMEMLIMIT"], "value") != "200MiB" {
		t.Errorf("memory limit %v, GOMEMLIMIT %v", dig(ctr, "resources", "limits"), env["GOMEMLIMIT"])
	}
	if grace, _ := dig(pod, "spec", "terminationGracePeriodSeconds").(int); grace <= jobDrainSeconds(t)+5 {
		t.Errorf("terminationGracePeriodSeconds %d does not outlast the job drain", grace)
	}
}

func itoa(v any) string {
	b, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(b))
}

// selectorRules: the Deployment's, Service's and PDB's selectors pick the pods, and the Service
// targets the container's http port.
func selectorRules(t *testing.T, objs map[string]obj) {
	t.Helper()
	d := objs["Deployment"]
	labels, _ := dig(d, "spec", "template", "metadata", "labels").(obj)
	sels := map[string]any{"deployment": dig(d, "spec", "selector", "matchLabels"), "service": dig(objs["Service"], "spec", "selector")}
	if pdb := objs["PodDisruptionBudget"]; pdb != nil {
		sels["pdb"] = dig(pdb, "spec", "selector", "matchLabels")
	}
	for what, sel := range sels {
		m, _ := sel.(obj)
		if len(m) == 0 {
			t.Errorf("%s has no selector", what)
		}
		for k, v := range m {
			if labels[k] != v {
				t.Errorf("%s selector %s=%v does not match the pod labels %v", what, k, v, labels)
			}
		}
	}
	if dig(objs["Service"], "spec", "ports", 0, "targetPort") != "http" || dig(d, "spec", "template", "spec", "containers", 0, "ports", 0, "name") != "http" {
		t.Error("the Service does not target the container's http port")
	}
}

// TestHelmChartMatchesKustomize: with its defaults (release "postmortem"), the chart renders
// what deploy/kubernetes/ holds, spec for spec: the only differences allowed are the chart's
// extra labels (release instance, version, chart) and the Service's explicit type ClusterIP
// (Kubernetes' default).
func TestHelmChartMatchesKustomize(t *testing.T) {
	rendered, err := render(t, "")
	if err != nil {
		t.Fatal(err)
	}
	helm := objects(t, rendered)
	for file, kind := range map[string]string{"deployment.yaml": "Deployment", "service.yaml": "Service", "pdb.yaml": "PodDisruptionBudget"} {
		want := loadYAML(t, filepath.Join("kubernetes", file))
		got := helm[kind]
		if got == nil {
			t.Errorf("the chart renders no %s", kind)
			continue
		}
		if dig(got, "metadata", "name") != dig(want, "metadata", "name") || got["apiVersion"] != want["apiVersion"] {
			t.Errorf("%s: %v %v, kustomize %v %v", kind, got["apiVersion"], dig(got, "metadata", "name"), want["apiVersion"], dig(want, "metadata", "name"))
		}
		dropKey(got, "app.kubernetes.io/instance")
		if kind == "Service" && dig(want, "spec", "type") == nil {
			want["spec"].(obj)["type"] = "ClusterIP"
		}
		for _, d := range differences("spec", got["spec"], want["spec"]) {
			t.Errorf("%s differs from kubernetes/%s: %s", kind, file, d)
		}
	}
}

// differences lists where a (helm) and b (kustomize) differ, by path.
func differences(path string, a, b any) []string {
	am, aok := a.(obj)
	bm, bok := b.(obj)
	if aok && bok {
		var out []string
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			out = append(out, differences(path+"."+k, am[k], bm[k])...)
		}
		sort.Strings(out)
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var out []string
		for i := range al {
			out = append(out, differences(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []string{fmt.Sprintf("%s: helm %s, kustomize %s", path, itoa(a), itoa(b))}
}

// dropKey deletes a key from every map inside v.
func dropKey(v any, key string) {
	switch x := v.(type) {
	case obj:
		delete(x, key)
		for _, e := range x {
			dropKey(e, key)
		}
	case []any:
		for _, e := range x {
			dropKey(e, key)
		}
	}
}

// TestHelmValuesDocumented: every value of values.yaml is in docs/install.md's Helm section, by
// its full path or an ancestor's (`resources` covers resources.limits.memory).
func TestHelmValuesDocumented(t *testing.T) {
	values := loadYAML(t, filepath.Join(chartDir, "values.yaml"))
	b, err := os.ReadFile("../docs/install.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "### Helm\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var paths []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		m, ok := v.(obj)
		if !ok || len(m) == 0 {
			paths = append(paths, prefix)
			return
		}
		for k, e := range m {
			walk(strings.TrimPrefix(prefix+"."+k, "."), e)
		}
	}
	walk("", values)
	if len(paths) < 20 {
		t.Fatalf("values %v", paths)
	}
	for _, p := range paths {
		documented := false
		for q := p; q != "" && !documented; {
			documented = strings.Contains(section, "`"+q+"`")
			i := strings.LastIndex(q, ".")
			if i < 0 {
				break
			}
			q = q[:i]
		}
		if !documented {
			t.Errorf("value %s is not documented in docs/install.md's Helm section", p)
		}
	}
}

// TestHelmChartRefuses: values that would run a broken install do not render, and say why.
func TestHelmChartRefuses(t *testing.T) {
	for values, want := range map[string]string{
		// the templates' own checks (fail, required)
		"replicas: 3\ndatabase: {type: sqlite}\n":                               "replicas 3 with database.type sqlite",
		"replicas: 2\ndatabase: {type: sqlite}\n":                               "several replicas need database.type postgres",
		"metrics: {port: 8080}\n":                                               "metrics.port 8080 is the http port",
		"secret: {create: true, webhookSecret: x, privateKey: pem}\n":           "secret.appId",
		"secret: {create: true, appId: 1, webhookSecret: x, privateKey: pem}\n": "secret.databaseURL",
		// values.schema.json: a typo or a wrong value is named, not ignored
		"replica: 3\n":                            "additional properties 'replica' not allowed",
		"database: {type: mysql}\n":               "/database/type",
		"replicas: 0\n":                           "/replicas",
		"goMemLimit: 200Mi\n":                     "/goMemLimit",
		"image: {digest: latest}\n":               "/image/digest",
		"secret: {name: Not_A_Name}\n":            "/secret/name",
		"extraEnv: [{value: x}]\n":                "/extraEnv/0",
		"database: {sqlite: {persistance: {}}}\n": "additional properties 'persistance' not allowed",
		// accepted
		"secret: {create: true, appId: 1, webhookSecret: x, privateKey: pem}\nreplicas: 1\ndatabase: {type: sqlite}\n": "",
		"pdb: {maxUnavailable: 50%}\ngithub: {apiURL: https://github.example.com/api/v3}\n":                            "",
	} {
		out, err := render(t, values)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q refused: %v", values, err)
		case want != "" && err == nil:
			t.Errorf("%q rendered:\n%s", values, out)
		case want != "" && !strings.Contains(err.Error(), want):
			t.Errorf("%q: %v, want %q", values, err, want)
		}
	}
}
