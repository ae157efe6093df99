package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// The container smoke test builds deploy/Dockerfile with buildah (chroot isolation, vfs storage)
// from base images it makes here — the Go stage from the host's Go toolchain, the runtime stage
// scratch with CA certificates and a passwd entry for the numeric user, in place of
// docker.io/library/golang and distroless, which cannot be pulled here — and runs the image with
// podman and runc: read-only root filesystem, a named volume at /data for the SQLite file,
// /healthz, /readyz, the user, and a pull request reconciled against the simulator.
//
// It needs root, buildah, podman and runc (Debian packages, which .ci/run installs); elsewhere it
// skips, saying so. POSTMORTEM_CONTAINER_TEST=0 skips it too.

const (
	goBaseImage      = "localhost/postmortem-test/go"
	runtimeBaseImage = "localhost/postmortem-test/static:1"
	smokeImage       = "localhost/postmortem-test/postmortem:smoke"
	imageUID         = "65532"
)

// containerTools returns why the smoke test cannot run here, or "".
func containerTools() string {
	if os.Getenv("POSTMORTEM_CONTAINER_TEST") == "0" {
		return "POSTMORTEM_CONTAINER_TEST=0"
	}
	if runtime.GOOS != "linux" {
		return "not Linux"
	}
	if os.Geteuid() != 0 {
		return "not root (the test runs rootful buildah and podman)"
	}
	var missing []string
	for _, tool := range []string{"buildah", "podman", "runc"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		return strings.Join(missing, ", ") + " not installed (Debian packages; .ci/run installs them)"
	}
	return ""
}

// engine runs buildah or podman on the test's own storage (vfs, under the cache dir), so it
// never touches the machine's images and runs where overlay cannot.
type engine struct {
	t           *testing.T
	root, state string
}

func (e engine) cmd(tool string, args ...string) *exec.Cmd {
	all := append([]string{"--root", e.root, "--runroot", e.state, "--storage-driver", "vfs"}, args...)
	c := exec.Command(tool, all...)
	c.Env = append(os.Environ(), "BUILDAH_ISOLATION=chroot", "STORAGE_DRIVER=vfs")
	return c
}

func (e engine) run(tool string, args ...string) string {
	e.t.Helper()
	out, err := e.cmd(tool, args...).Output()
	if err != nil {
		var stderr []byte
		if x, ok := err.(*exec.ExitError); ok {
			stderr = x.Stderr
		}
		e.t.Fatalf("%s %s: %v\n%s%s", tool, strings.Join(args, " "), err, out, stderr)
	}
	return strings.TrimSpace(string(out))
}

func (e engine) exists(image string) bool {
	return e.cmd("buildah", "inspect", "--type", "image", image).Run() == nil
}

// goVersionTag is the host toolchain's version, the Go base image's tag.
func goVersionTag(t *testing.T) (goroot, tag string) {
	out, err := exec.Command("go", "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	return f[0], strings.TrimPrefix(f[1], "go")
}

// makeGoBase makes the build stage's base image from the host toolchain: GOROOT at
// /usr/local/go, a shell and mkdir for RUN (dash, mkdir and the libraries ldd names), /tmp, the
// host's CA certificates and GOPROXY (the test mounts the host's module cache: `go mod download`
// fetches only what it lacks).
func makeGoBase(t *testing.T, e engine, goroot, image string) {
	proxy, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		t.Fatal(err)
	}
	rootfs := t.TempDir()
	for _, d := range []string{"bin", "tmp", "root", "etc", "go"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(rootfs, "tmp"), 0o1777|os.ModeSticky)
	copyFile(t, "/etc/ssl/certs/ca-certificates.crt", filepath.Join(rootfs, "etc/ssl/certs/ca-certificates.crt"))
	for from, to := range map[string]string{"/bin/dash": "bin/sh", "/bin/mkdir": "bin/mkdir"} {
		copyFile(t, from, filepath.Join(rootfs, to))
		ldd, err := exec.Command("ldd", from).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", from, err)
		}
		for _, f := range strings.Fields(string(ldd)) {
			if strings.HasPrefix(f, "/") {
				copyFile(t, f, filepath.Join(rootfs, f))
			}
		}
	}
	os.WriteFile(filepath.Join(rootfs, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644)
	ctr := e.run("buildah", "from", "scratch")
	defer e.cmd("buildah", "rm", ctr).Run()
	e.run("buildah", "copy", "--quiet", ctr, rootfs+"/", "/")
	e.run("buildah", "copy", "--quiet", ctr, goroot+"/", "/usr/local/go/")
	e.run("buildah", "config",
		"--env", "PATH=/usr/local/go/bin:/go/bin:/bin", "--env", "GOPATH=/go", "--env", "HOME=/root",
		"--env", "GOTOOLCHAIN=local", "--env", "GOPROXY="+strings.TrimSpace(string(proxy)), "--env", "GOFLAGS=-mod=readonly",
		"--workingdir", "/go", ctr)
	e.run("buildah", "commit", "--quiet", "--rm=false", ctr, image)
}

// makeRuntimeBase makes the runtime stage's base: scratch, the CA certificates, a passwd and
// group entry for the numeric user, /tmp.
func makeRuntimeBase(t *testing.T, e engine) {
	rootfs := t.TempDir()
	for _, d := range []string{"etc/ssl/certs", "tmp", "home/nonroot"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(rootfs, "tmp"), 0o1777|os.ModeSticky)
	copyFile(t, "/etc/ssl/certs/ca-certificates.crt", filepath.Join(rootfs, "etc/ssl/certs/ca-certificates.crt"))
	os.WriteFile(filepath.Join(rootfs, "etc/passwd"), []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"), 0o644)
	os.WriteFile(filepath.Join(rootfs, "etc/group"), []byte("root:x:0:\nnonroot:x:65532:\n"), 0o644)
	ctr := e.run("buildah", "from", "scratch")
	defer e.cmd("buildah", "rm", ctr).Run()
	e.run("buildah", "copy", "--quiet", ctr, rootfs+"/", "/")
	e.run("buildah", "copy", "--quiet", "--chown", "65532:65532", ctr, filepath.Join(rootfs, "home/nonroot")+"/", "/home/nonroot/")
	e.run("buildah", "commit", "--quiet", "--rm=false", ctr, runtimeBaseImage)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(from)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, st.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// limit is min(the process's hard limit, want): podman's default rlimits (nofile 1048576 and
// nproc 4194304 for root) are above what an unprivileged sandbox lets runc set ("error setting
// rlimit … operation not permitted"); limits at or below the current ones always are.
func limit(t *testing.T, res int, want uint64) uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(res, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Max < want {
		return rl.Max / 2
	}
	return want
}

func TestContainerSmoke(t *testing.T) {
	if why := containerTools(); why != "" {
		fmt.Fprintf(os.Stderr, "\n!!! CONTAINER SMOKE TEST SKIPPED: %s !!!\n\n", why)
		t.Skipf("CONTAINER SMOKE TEST SKIPPED: %s", why)
	}
	if testing.Short() {
		t.Skip("CONTAINER SMOKE TEST SKIPPED: -short")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(cache, "postmortem-containers")
	e := engine{t: t, root: filepath.Join(store, "storage"), state: filepath.Join(store, "run")}
	goroot, gover := goVersionTag(t)
	goImage := goBaseImage + ":" + gover

	// Base images, made once per Go version and kept in the cache dir's storage.
	start := time.Now()
	if !e.exists(goImage) {
		makeGoBase(t, e, goroot, goImage)
	}
	if !e.exists(runtimeBaseImage) {
		makeRuntimeBase(t, e)
	}
	t.Logf("base images ready in %v", time.Since(start).Round(time.Second))

	// The image, from the real Dockerfile and the repository as build context (.dockerignore
	// applies). The host's module and build caches are mounted into RUN: no network.
	modcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	start = time.Now()
	e.run("buildah", "bud", "--isolation", "chroot", "--pull=never", "--layers=false", "--quiet",
		"-f", "Dockerfile",
		"--build-arg", "GO_IMAGE="+goImage, "--build-arg", "RUNTIME_IMAGE="+runtimeBaseImage,
		"--build-arg", "VERSION=v0.0.0-smoke", "--build-arg", "COMMIT=0123456789abcdef0123456789abcdef01234567",
		"-v", strings.TrimSpace(string(modcache))+":/go/pkg/mod",
		"-v", strings.TrimSpace(string(gocache))+":/root/.cache/go-build",
		"-t", smokeImage, "..")
	t.Logf("image built in %v, %s bytes", time.Since(start).Round(time.Second), e.run("podman", "image", "inspect", "--format", "{{.Size}}", smokeImage))
	defer e.cmd("buildah", "rmi", smokeImage).Run()

	// What the image says about itself.
	var img struct {
		OCIv1 struct {
			Config struct {
				User       string
				Entrypoint []string
				Cmd        []string
				WorkingDir string
			} `json:"config"`
		}
	}
	if err := json.Unmarshal([]byte(e.run("buildah", "inspect", "--type", "image", smokeImage)), &img); err != nil {
		t.Fatal(err)
	}
	cfg := img.OCIv1.Config
	if cfg.User != imageUID+":"+imageUID || strings.Join(cfg.Entrypoint, " ") != "/postmortem" || strings.Join(cfg.Cmd, " ") != "serve" || cfg.WorkingDir != "/data" {
		t.Errorf("image config %+v", cfg)
	}
	// Its files: the binary, /data owned by the user, the base's certificates and passwd; nothing
	// of the build context.
	ctr := e.run("buildah", "from", "--pull=never", smokeImage)
	defer e.cmd("buildah", "rm", ctr).Run()
	mnt := e.run("buildah", "mount", ctr)
	var files []string
	filepath.Walk(mnt, func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != mnt {
			files = append(files, strings.TrimPrefix(p, mnt))
		}
		return nil
	})
	t.Logf("image files: %v", files)
	for _, f := range files {
		if strings.Contains(f, ".git") || strings.HasSuffix(f, ".env") || strings.HasSuffix(f, ".go") || strings.HasSuffix(f, ".db") {
			t.Errorf("the image holds %s", f)
		}
	}
	if st, err := os.Stat(filepath.Join(mnt, "data")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
		t.Errorf("/data: %v, want owned by %s", err, imageUID)
	}
	bin, err := os.Stat(filepath.Join(mnt, "postmortem"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("binary %.1f MB", float64(bin.Size())/1e6)
	e.run("buildah", "umount", ctr)

	// Run it against the simulator, which listens on the host's loopback (--network host).
	const appID, instID, secret = 7, 70, "s3cret"
	sim := githubsim.MustStart(githubsim.Options{Seed: &githubsim.Seed{GitHub: githubsim.SeedGitHub{
		Users: []githubsim.SeedUser{{Login: "alice"}},
		Orgs:  []githubsim.SeedOrg{{Login: "acme", Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}}},
		Repos: []githubsim.SeedRepo{{Owner: "acme", Name: "web"}},
		Apps: []githubsim.SeedApp{{
			AppID: appID, Slug: "postmortem", Name: "postmortem",
			Permissions:   map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
			Events:        []string{"issues", "pull_request", "check_suite", "check_run"},
			Installations: []githubsim.SeedInstallation{{InstallationID: instID, Account: "acme", RepositorySelection: "all"}},
		}},
	}}})
	defer sim.Close()
	port := freePort(t)
	volume := fmt.Sprintf("postmortem-smoke-%d", os.Getpid())
	e.run("podman", "volume", "create", volume)
	defer e.cmd("podman", "volume", "rm", "-f", volume).Run()
	name := fmt.Sprintf("postmortem-smoke-%d", os.Getpid())
	runArgs := []string{"run", "-d", "--name", name, "--runtime", "runc", "--network", "host", "--read-only",
		"--ulimit", fmt.Sprintf("nofile=%d:%d", limit(t, syscall.RLIMIT_NOFILE, 4096), limit(t, syscall.RLIMIT_NOFILE, 4096)),
		"--ulimit", fmt.Sprintf("nproc=%d:%d", limit(t, 6 /* RLIMIT_NPROC */, 4096), limit(t, 6, 4096)),
		"-v", volume + ":/data",
		"-e", "GITHUB_APP_ID=" + strconv.Itoa(appID), "-e", "GITHUB_APP_PRIVATE_KEY=" + string(sim.AppPrivateKey(appID)),
		"-e", "GITHUB_WEBHOOK_SECRET=" + secret, "-e", "GITHUB_API_URL=" + sim.URL() + "/api/v3/",
		"-e", fmt.Sprintf("POSTMORTEM_ADDR=127.0.0.1:%d", port),
		smokeImage}
	start = time.Now()
	id := e.run("podman", runArgs...)
	defer e.cmd("podman", "rm", "-f", "-t", "0", id).Run()
	logs := func() string {
		out, _ := e.cmd("podman", "logs", id).CombinedOutput()
		return string(out)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		hc, _ := get("/healthz")
		rc, body := get("/readyz")
		if hc == 200 && rc == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 60s: /healthz %d, /readyz %d %s\n%s", hc, rc, body, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("healthy and ready %v after podman run", time.Since(start).Round(100*time.Millisecond))

	// The process runs as the numeric user (from the host's view of its pid).
	pid := e.run("podman", "inspect", "--format", "{{.State.Pid}}", id)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) > 1 && (f[0] == "Uid:" || f[0] == "Gid:") && f[1] != imageUID {
			t.Errorf("the App runs with %s, want %s", l, imageUID)
		}
	}

	// A person labels an incident: the App in the container drafts the pull request.
	sim.SetWebhook(appID, base+"/webhook", secret)
	alice := sim.As("alice")
	n, err := alice.OpenIssue("acme/web", "Login fails for SSO users", "Since 09:12 UTC.")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.AddLabels("acme/web", n, "incident", "sev2"); err != nil {
		t.Fatal(err)
	}
	labelled := time.Now()
	deadline = time.Now().Add(60 * time.Second)
	for {
		sim.WaitIdle()
		pulls := sim.Pulls("acme/web")
		if len(pulls) == 1 && len(sim.CheckRuns("acme/web", pulls[0].HeadSHA)) == 2 {
			t.Logf("pull request #%d with two check runs %v after the label", pulls[0].Number, time.Since(labelled).Round(100*time.Millisecond))
			break
		}
		if time.Now().After(deadline) || len(pulls) > 1 {
			t.Fatalf("pulls %+v\n%s", pulls, logs())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The queue lives in the volume, written by the user; the root filesystem stayed read-only.
	mp := e.run("podman", "volume", "inspect", "--format", "{{.Mountpoint}}", volume)
	if st, err := os.Stat(filepath.Join(mp, "postmortem.db")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
		t.Errorf("postmortem.db in the volume: %v", err)
	}
	// SIGTERM: the App drains and exits 0.
	if out, err := e.cmd("podman", "stop", "-t", "40", id).CombinedOutput(); err != nil {
		t.Fatalf("podman stop: %v %s", err, out)
	}
	if code := e.run("podman", "inspect", "--format", "{{.State.ExitCode}}", id); code != "0" {
		t.Errorf("exit code %s after SIGTERM\n%s", code, logs())
	}
	if l := logs(); strings.Contains(l, secret) || bytes.Contains([]byte(l), []byte("PRIVATE KEY")) {
		t.Error("the logs hold a secret")
	}
}
