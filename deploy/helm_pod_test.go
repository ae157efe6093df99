package deploy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// TestHelmPodsRun runs the pods the chart renders as processes of the real binary: the
// container's args and env as rendered (credentials read from the Secret the chart makes), only
// the pod's network and volumes mapped onto this machine (its http and metrics ports to free
// loopback ports, /data and /tmp to directories). GitHub is the simulator, reached as GitHub
// Enterprise Server (github.apiURL). With PostgreSQL, the default two replicas on a fresh
// database; with SQLite, one. Every replica passes its readiness and liveness probes, serves
// metrics at the scrape annotations' port and path (and not on the public port), a labelled
// incident gets one drafted pull request with its two check runs, and SIGTERM ends each replica
// with status 0 within the pod's termination grace period.
func TestHelmPodsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	helmBin(t)
	bin := filepath.Join(t.TempDir(), "postmortem")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/postmortem").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, db := range []string{"postgres", "sqlite"} {
		t.Run(db, func(t *testing.T) { runChartPods(t, bin, db) })
	}
}

const podAppID = 7

func podSim(t *testing.T) *githubsim.Server {
	sim := githubsim.MustStart(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "web"}},
		Apps: []githubsim.SeedApp{{
			AppID: podAppID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "pull_request", "check_suite", "check_run"},
			Installations: []githubsim.SeedInstallation{{InstallationID: 70, Account: "acme", RepositorySelection: "all"}},
		}},
	}}})
	t.Cleanup(sim.Close)
	return sim
}

func runChartPods(t *testing.T, bin, db string) {
	sim := podSim(t)
	values := fmt.Sprintf("github: {apiURL: %q}\nsecret: {create: true, appId: %d, privateKey: %q, webhookSecret: s3cret, databaseURL: %q}\n",
		sim.URL()+"/api/v3/", podAppID, sim.AppPrivateKey(podAppID), "unused")
	if db == "postgres" {
		values = strings.Replace(values, `"unused"`, strconv.Quote(freshPostgres(t)), 1)
	} else {
		values += "replicas: 1\ndatabase: {type: sqlite}\n"
	}
	rendered, err := render(t, values)
	if err != nil {
		t.Fatal(err)
	}
	objs := objects(t, rendered)
	replicas, _ := dig(objs["Deployment"], "spec", "replicas").(int)
	data := t.TempDir() // the /data volume (the SQLite claim), shared like the claim
	var pods []*podProcess
	for i := 0; i < replicas; i++ {
		pods = append(pods, startPod(t, bin, objs, data))
	}
	for _, p := range pods {
		p.probe(t)
	}
	sim.SetWebhook(podAppID, pods[0].http+"/webhook", "s3cret") // the Service: any replica
	alice := sim.As("alice")
	n, err := alice.OpenIssue("acme/web", "Login fails for SSO users", "Since 09:12 UTC.")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.AddLabels("acme/web", n, "incident", "sev2"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		sim.WaitIdle()
		pulls := sim.Pulls("acme/web")
		if len(pulls) == 1 && len(sim.CheckRuns("acme/web", pulls[0].HeadSHA)) == 2 {
			break
		}
		if time.Now().After(deadline) || len(pulls) > 1 {
			t.Fatalf("pulls %+v\n%s", pulls, pods[0].logs())
		}
	}
	grace, _ := dig(objs["Deployment"], "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	for _, p := range pods {
		p.stop(t, time.Duration(grace)*time.Second)
	}
	if db == "sqlite" {
		if _, err := os.Stat(filepath.Join(data, "postmortem.db")); err != nil {
			t.Errorf("the queue is not on the /data volume: %v", err)
		}
	}
}

// podProcess is one replica of the rendered Deployment, run as a process.
type podProcess struct {
	cmd           *exec.Cmd
	out           *lockedBuffer
	exited        chan error
	http, metrics string            // base URLs of the container's http and metrics ports
	ports         map[string]string // containerPort → the loopback address it is mapped to
	pod           any
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (p *podProcess) logs() string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return p.out.b.String()
}

// startPod starts the rendered container: its args, its env with secretKeyRefs resolved from
// the rendered Secret, its ports mapped to free loopback ports, its volumes to directories.
func startPod(t *testing.T, bin string, objs map[string]obj, data string) *podProcess {
	t.Helper()
	pod := dig(objs["Deployment"], "spec", "template")
	ctr := dig(pod, "spec", "containers", 0)
	ports := map[string]string{}
	p := &podProcess{out: &lockedBuffer{}, exited: make(chan error, 1), pod: pod, ports: ports}
	for _, cp := range dig(ctr, "ports").([]any) {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		ports[itoa(dig(cp, "containerPort"))] = addr
		switch dig(cp, "name") {
		case "http":
			p.http = "http://" + addr
		case "metrics":
			p.metrics = "http://" + addr
		}
	}
	volumes := map[string]string{"/tmp": t.TempDir()}
	if mounts(ctr, "data", "/data") {
		volumes["/data"] = data
	}
	home := t.TempDir()
	env := []string{"HOME=" + home, "TMPDIR=" + volumes["/tmp"]}
	for name, e := range envByName(ctr) {
		env = append(env, name+"="+podEnvValue(t, e, objs["Secret"], ports, volumes))
	}
	var args []string
	for _, a := range dig(ctr, "args").([]any) {
		args = append(args, a.(string))
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env, p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr = env, home, p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

// podEnvValue is a variable as the kubelet would set it, with ":PORT" addresses and paths
// under a mounted volume mapped onto this machine.
func podEnvValue(t *testing.T, e obj, secret obj, ports, volumes map[string]string) string {
	t.Helper()
	v, ok := e["value"].(string)
	if ref := dig(e, "valueFrom", "secretKeyRef"); ref != nil {
		v, ok = dig(secret, "stringData", dig(ref, "key").(string)).(string)
		if !ok {
			t.Fatalf("%s: the rendered Secret has no key %v", e["name"], dig(ref, "key"))
		}
	}
	if !ok {
		t.Fatalf("env %v: neither a value nor a secretKeyRef", e)
	}
	if strings.HasPrefix(v, ":") {
		addr, ok := ports[v[1:]]
		if !ok {
			t.Fatalf("%s=%s listens on no container port", e["name"], v)
		}
		return addr
	}
	for dir, host := range volumes {
		if strings.HasPrefix(v, dir+"/") {
			return host + v[len(dir):]
		}
	}
	return v
}

func (p *podProcess) get(base, path string) (int, string) {
	resp, err := http.Get(base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// probe waits for the readiness and liveness probes to pass, then scrapes the metrics where the
// annotations say.
func (p *podProcess) probe(t *testing.T) {
	t.Helper()
	ctr := dig(p.pod, "spec", "containers", 0)
	ready, live := dig(ctr, "readinessProbe", "httpGet", "path").(string), dig(ctr, "livenessProbe", "httpGet", "path").(string)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rc, body := p.get(p.http, ready)
		lc, _ := p.get(p.http, live)
		if rc == 200 && lc == 200 {
			break
		}
		select {
		case err := <-p.exited:
			t.Fatalf("exited: %v\n%s", err, p.logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %d %s, %s %d after 60s\n%s", ready, rc, body, live, lc, p.logs())
		}
	}
	ann := dig(p.pod, "metadata", "annotations")
	port, _ := dig(ann, "prometheus.io/port").(string) // a container port, mapped here
	path, _ := dig(ann, "prometheus.io/path").(string)
	scrape := "http://" + p.ports[port]
	if code, body := p.get(scrape, path); p.ports[port] == "" || scrape != p.metrics || code != 200 || !strings.Contains(body, "postmortem_") {
		t.Errorf("scraping port %q (%s, the metrics port %s) path %q: %d %.200s", port, scrape, p.metrics, path, code, body)
	}
	if code, _ := p.get(p.http, path); code == 200 {
		t.Errorf("%s answers on the public port too", path)
	}
}

func (p *podProcess) stop(t *testing.T, grace time.Duration) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v\n%s", err, p.logs())
		}
	case <-time.After(grace):
		t.Errorf("still running %v after SIGTERM (the pod's grace period)\n%s", grace, p.logs())
	}
	if l := p.logs(); strings.Contains(l, "s3cret") || strings.Contains(l, "PRIVATE KEY") {
		t.Error("the logs hold a secret")
	}
}

// freshPostgres creates an empty PostgreSQL database, dropped when the test ends. Without
// POSTMORTEM_TEST_DATABASE_URL an unreachable server skips; with it (CI), it fails.
func freshPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("POSTMORTEM_TEST_DATABASE_URL")
	explicit := base != ""
	if !explicit {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if explicit {
			t.Fatalf("PostgreSQL at POSTMORTEM_TEST_DATABASE_URL: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s: %v", base, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("pm_helm_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
