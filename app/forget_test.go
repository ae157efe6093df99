package app

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/githubsim"
	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
	"github.com/postmortem-app/postmortem/app/internal/flowtest"
	"github.com/postmortem-app/postmortem/app/queue"
)

// startAppOn is the whole App (webhooks, queue, flows) against the
// simulator, on a database of dialect: a SQLite file or a PostgreSQL schema.
func startAppOn(t *testing.T, dialect string) *storyApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	seed := flowtest.Seed(nil)
	seed.GitHub.Apps[0].WebhookURL = "http://" + ln.Addr().String() + "/webhook"
	seed.GitHub.Apps[0].WebhookSecret = testSecret
	sim, key := startSim(t, githubsim.Options{Seed: seed})
	d := newTestDB(t, dialect)
	a, err := New(ctx, Options{
		GitHub: ghclient.Config{AppID: flowtest.AppID, PrivateKey: key, APIURL: sim.URL() + "/", Base: conformance.NewTransport(t, nil),
			Pacer: ghclient.PacerConfig{Interval: time.Millisecond, PerMinute: 1 << 20, PerHour: 1 << 20, MaxWait: 10 * time.Second}},
		WebhookSecret: testSecret, BotLogin: flowtest.Bot,
		DatabaseURL: d.url, Schema: d.schema,
		Queue: queue.Config{MaxWorkers: 4, PollInterval: 20 * time.Millisecond, RerunDelay: 50 * time.Millisecond, JobTimeout: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-ran; a.Close() })
	return &storyApp{t: t, ctx: ctx, sim: sim, app: a, alice: sim.As("alice"), bob: sim.As("bob"), carol: sim.As("carol")}
}

// rows counts the rows of table where cond holds (args in $n form).
func (s *storyApp) rows(table, cond string, args ...any) int {
	s.t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	if err := s.app.DB.SQL().QueryRowContext(s.ctx, s.app.DB.Rebind(q), args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestForgetDeletedRemovedAndUninstalled: through the simulator's
// deliveries to the real App, on a real SQLite file and real PostgreSQL.
// A repository renamed (repository.renamed) keeps its claims and its watch
// row takes the new name. A repository deleted (repository.deleted) loses
// every row the App kept
// for it (claims, watch list) and only it; created again under the same
// name, its first incident gets its own draft and pointer. A repository
// removed from the installation (installation_repositories.removed) and
// the installation uninstalled (installation.deleted) are forgotten the
// same way: after the uninstall no row of the installation is left.
// Before, nothing was forgotten: the rows stayed forever.
func TestForgetDeletedRemovedAndUninstalled(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			s := startAppOn(t, dialect)
			inst := int64(flowtest.InstID)
			_, err := s.sim.CreateRepo("alice", "acme/web", nil)
			if err != nil {
				t.Fatal(err)
			}
			incident := func(repo string) int {
				t.Helper()
				n, err := s.alice.OpenIssue(repo, "Checkout outage", "502s", "incident")
				if err != nil {
					t.Fatal(err)
				}
				s.settle()
				return n
			}
			n := incident(flowtest.Repo)
			incident("acme/web")
			pm := flowtest.Env{T: t, Ctx: s.ctx, Sim: s.sim, Alice: s.alice, Bob: s.bob}
			pm.MergedPostmortem(n, flowtest.ThreeActions) // three follow-ups: acme/services is watched
			s.settle()
			svc, web := s.sim.RepoID(flowtest.Repo), s.sim.RepoID("acme/web")
			count := func() (svcClaims, webClaims, all, watched int) {
				return s.rows(claims.Table, "repo_id = $1", svc), s.rows(claims.Table, "repo_id = $1", web),
					s.rows(claims.Table, "installation_id = $1", inst), s.rows("postmortem_watch", "installation_id = $1", inst)
			}
			sc, wc, all, watched := count()
			t.Logf("before: acme/services %d claims, acme/web %d, installation %d, watched %d", sc, wc, all, watched)
			if sc < 5 || wc < 2 || watched < 1 {
				t.Fatalf("before: acme/services %d claims, acme/web %d, watched %d: the flows did not run", sc, wc, watched)
			}

			// Renamed (repository.renamed): the claims stay, the watch row
			// takes the new name; and back.
			for _, to := range []string{"platform", "services"} {
				from := flowtest.Repo
				if to == "services" {
					from = "acme/platform"
				}
				if err := s.sim.RenameRepo("alice", from, to); err != nil {
					t.Fatal(err)
				}
				s.settle()
				if sc2, _, _, _ := count(); sc2 != sc || s.rows("postmortem_watch", "repo = $1 AND repo_id = $2", "acme/"+to, svc) != 1 ||
					s.rows("postmortem_watch", "repo = $1", from) != 0 {
					t.Fatalf("renamed %s to acme/%s: %d claims (want %d), watch rows %d under the new name, %d under the old",
						from, to, sc2, sc, s.rows("postmortem_watch", "repo = $1", "acme/"+to), s.rows("postmortem_watch", "repo = $1", from))
				}
			}

			if err := s.sim.DeleteRepo("alice", flowtest.Repo); err != nil {
				t.Fatal(err)
			}
			s.settle()
			if sc2, wc2, _, watched2 := count(); sc2 != 0 || wc2 != wc || s.rows("postmortem_watch", "repo = $1", flowtest.Repo) != 0 {
				t.Fatalf("after deleting acme/services: its claims %d (want 0), acme/web's %d (want %d), watched %d", sc2, wc2, wc, watched2)
			}
			if _, err := s.sim.CreateRepo("alice", flowtest.Repo, nil); err != nil {
				t.Fatal(err)
			}
			n2 := incident(flowtest.Repo)
			var pointers int
			for _, is := range s.sim.Issues(flowtest.Repo) {
				for _, c := range is.Comments {
					if is.Number == n2 && c.User == flowtest.Bot && strings.Contains(c.Body, "<!-- postmortem:pr incident=") {
						pointers++
					}
				}
			}
			if pointers != 1 || len(s.sim.Pulls(flowtest.Repo)) != 1 {
				t.Fatalf("re-created acme/services: %d pointers, %d pulls; want its own draft", pointers, len(s.sim.Pulls(flowtest.Repo)))
			}

			if err := s.sim.RemoveInstallationRepos(flowtest.InstID, "web"); err != nil {
				t.Fatal(err)
			}
			s.settle()
			if _, wc3, _, _ := count(); wc3 != 0 {
				t.Fatalf("after removing acme/web: %d claims left", wc3)
			}

			s.sim.Uninstall(flowtest.InstID)
			s.settle()
			if all, watched := s.rows(claims.Table, "installation_id = $1", inst), s.rows("postmortem_watch", "installation_id = $1", inst); all != 0 || watched != 0 {
				t.Fatalf("after the uninstall: %d claims, %d watched rows of the installation; want none", all, watched)
			}
		})
	}
}
