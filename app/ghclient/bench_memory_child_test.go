package ghclient

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// memorySimEnv names the seed file (JSON) of the simulator that
// BenchmarkClientsWarm1000 runs in a child process, so that the benchmark's
// own process holds only the App's side.
const memorySimEnv = "POSTMORTEM_MEMORY_SIM"

// TestHelperMemorySim is the child process of BenchmarkClientsWarm1000: it
// serves githubsim with the seed named by POSTMORTEM_MEMORY_SIM on
// 127.0.0.1:0, prints "URL <url>" and exits when its stdin closes.
func TestHelperMemorySim(t *testing.T) {
	path := os.Getenv(memorySimEnv)
	if path == "" {
		t.Skip("helper process of BenchmarkClientsWarm1000 (runs only as a child with " + memorySimEnv + ")")
	}
	seed, err := githubsim.LoadSeed(path)
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(3)
	}
	sim, err := githubsim.New(githubsim.Options{Seed: seed})
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(3)
	}
	sim.Start()
	fmt.Printf("URL %s\n", sim.URL())
	io.Copy(io.Discard, os.Stdin) // the parent closed stdin or went away: stop
	sim.Close()
	os.Exit(0)
}

// memorySeed is n organizations, each with a repository holding
// .github/postmortem.yml, and the App (with keyPEM) installed on all of them
// as installations 10000…10000+n-1.
// memoryAppID is the App the child simulator holds.
const memoryAppID = 31

func memorySeed(n int, keyPEM string) *githubsim.Seed {
	seed := &githubsim.Seed{GitHub: githubsim.SeedGitHub{Users: []githubsim.SeedUser{{Login: "alice"}}}}
	app := githubsim.SeedApp{AppID: memoryAppID, Slug: "postmortem", Name: "Postmortem", PrivateKey: keyPEM,
		Permissions: map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "checks": "write", "metadata": "read"},
		Events:      []string{"issues", "pull_request"}}
	for i := range n {
		org := fmt.Sprintf("org%d", i)
		seed.GitHub.Orgs = append(seed.GitHub.Orgs, githubsim.SeedOrg{Login: org, Members: []githubsim.SeedMember{{Login: "alice", Role: "admin"}}})
		seed.GitHub.Repos = append(seed.GitHub.Repos, githubsim.SeedRepo{Owner: org, Name: "services",
			Files: map[string]string{".github/postmortem.yml": "close_incident: true\n"}})
		app.Installations = append(app.Installations, githubsim.SeedInstallation{InstallationID: int64(10000 + i), Account: org, RepositorySelection: "all"})
	}
	seed.GitHub.Apps = []githubsim.SeedApp{app}
	return seed
}

// startMemorySim generates the App's key, writes the seed of n
// installations, runs TestHelperMemorySim in a child process of this test
// binary and returns the simulator's URL and the key. The child is stopped
// (stdin closed, then killed if it lingers) in Cleanup.
func startMemorySim(b *testing.B, n int) (string, *rsa.PrivateKey) {
	b.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	js, err := json.Marshal(memorySeed(n, string(keyPEM)))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "seed.json")
	if err := os.WriteFile(path, js, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMemorySim$", "-test.count=1")
	cmd.Env = append(os.Environ(), memorySimEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "URL "); ok {
			go io.Copy(io.Discard, out)
			return u, key
		}
		if strings.HasPrefix(line, "ERR ") {
			b.Fatalf("simulator child: %s", line)
		}
	}
	b.Fatalf("simulator child did not report its URL (stderr: %s)", stderr.String())
	return "", nil
}

// procMem is the resident memory of this process, in bytes, from
// /proc/self/status: VmRSS = RssAnon (heap, stacks, runtime) + RssFile
// (mapped pages of the binary) + RssShmem.
type procMem struct{ RSS, HWM, Anon, File uint64 }

// procStatus reads VmRSS, VmHWM, RssAnon and RssFile from /proc/self/status.
func procStatus() (procMem, error) {
	var m procMem
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m, err
	}
	fields := map[string]*uint64{"VmRSS": &m.RSS, "VmHWM": &m.HWM, "RssAnon": &m.Anon, "RssFile": &m.File}
	seen := 0
	for line := range strings.Lines(string(data)) {
		name, val, ok := strings.Cut(line, ":")
		dst := fields[name]
		if !ok || dst == nil {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("/proc/self/status: %s: %q", name, val)
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("/proc/self/status: %s: %w", name, err)
		}
		*dst = kb << 10
		seen++
	}
	if seen != len(fields) {
		return m, errors.New("/proc/self/status: VmRSS, VmHWM, RssAnon or RssFile missing")
	}
	return m, nil
}

// resetPeakRSS sets VmHWM back to the current VmRSS (Linux ≥ 4.0); false if
// the kernel refused.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}
