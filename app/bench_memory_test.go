package app

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// BenchmarkClientsWarm1000: the heap the App holds for 1 000 installations
// with their clients, tokens and response caches warm (each has read its
// repository and its .github/postmortem.yml, so two cached responses).
// heap-MB is the live heap after GC minus the simulator's and the empty
// Clients'; KB/installation divides it. Run with -benchtime=1x.
func BenchmarkClientsWarm1000(b *testing.B) {
	const n = 1000
	seed := &githubsim.Seed{GitHub: githubsim.SeedGitHub{Users: []githubsim.SeedUser{{Login: "alice"}}}}
	app := githubsim.SeedApp{AppID: flowAppID, Slug: "postmortem", Name: "Postmortem",
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
	sim, err := githubsim.New(githubsim.Options{Seed: seed})
	if err != nil {
		b.Fatal(err)
	}
	sim.Start()
	defer sim.Close()
	key, err := ParsePrivateKey(sim.AppPrivateKey(flowAppID))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		before := liveHeap()
		clients, err := NewClients(ClientsConfig{AppID: flowAppID, PrivateKey: key, APIURL: sim.URL() + "/",
			Pacer: PacerConfig{Interval: time.Nanosecond, PerMinute: 1 << 20, PerHour: 1 << 20}})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			gh, err := clients.Installation(int64(10000 + i))
			if err != nil {
				b.Fatal(err)
			}
			org := fmt.Sprintf("org%d", i)
			if _, _, err := gh.Repositories.Get(ctx, org, "services"); err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := gh.Repositories.GetContents(ctx, org, "services", RepoConfigPath, nil); err != nil {
				b.Fatal(err)
			}
		}
		if clients.Len() != n {
			b.Fatalf("%d clients held", clients.Len())
		}
		after := liveHeap()
		b.ReportMetric(float64(after-before)/(1<<20), "heap-MB")
		b.ReportMetric(float64(after-before)/1024/n, "KB/installation")
		var cached int64
		for _, e := range clients.byID {
			cached += e.Value.(*installationClient).cache.Bytes()
		}
		b.ReportMetric(float64(cached)/1024/n, "cache-KB/installation")
		runtime.KeepAlive(clients)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
