package watch

import (
	"context"
	"testing"
	"time"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
)

// The watch list and the digests' weeks on both databases.
func TestWatchList(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := New(dbtest.New(t, dialect).Open(t))
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(s.Watch(ctx, 7, "acme/b", 0, t0))
			must(s.Watch(ctx, 7, "acme/a", 0, t0.Add(time.Hour)))
			must(s.Watch(ctx, 9, "other/x", 0, t0))
			must(s.Watch(ctx, 7, "acme/a", 0, t0)) // older: ActiveAt stays
			must(s.Passed(ctx, 7, "acme/b", 0, t0.Add(48*time.Hour), true, "repository"))
			must(s.Passed(ctx, 7, "acme/a", 0, t0.Add(48*time.Hour), false, "organization"))
			repos, err := s.Repos(ctx, 7)
			must(err)
			if len(repos) != 2 || repos[0].Name != "acme/a" || !repos[0].ActiveAt.Equal(t0.Add(time.Hour)) || repos[0].Digest != "organization" ||
				repos[1].Name != "acme/b" || !repos[1].ActiveAt.Equal(t0.Add(48*time.Hour)) || repos[1].Digest != "repository" {
				t.Fatalf("repos = %+v", repos)
			}
			insts, err := s.Installations(ctx)
			must(err)
			if len(insts) != 2 || insts[0] != 7 || insts[1] != 9 {
				t.Fatalf("installations = %v", insts)
			}
			must(s.Unwatch(ctx, 7, "acme/a"))
			if repos, _ := s.Repos(ctx, 7); len(repos) != 1 {
				t.Fatalf("after unwatch: %+v", repos)
			}
			week, issue, err := s.Digest(ctx, 7, "acme")
			must(err)
			if week != "" || issue != 0 {
				t.Fatalf("no digest yet: %q %d", week, issue)
			}
			must(s.SetDigest(ctx, 7, "acme", "2026-W10", 42))
			must(s.SetDigest(ctx, 7, "acme", "2026-W11", 42))
			if week, issue, _ := s.Digest(ctx, 7, "acme"); week != "2026-W11" || issue != 42 {
				t.Fatalf("digest = %q %d", week, issue)
			}
			must(s.Forget(ctx, 7))
			if insts, _ := s.Installations(ctx); len(insts) != 1 || insts[0] != 9 {
				t.Fatalf("after forget: %v", insts)
			}
		})
	}
}

// TestMovedAndForgotten: a watched repository renamed or transferred keeps
// its row under its new name and installation (found by its id), once; one
// deleted loses its row and its digest's week, found by id or by name; an
// installation uninstalled loses everything.
func TestMovedAndForgotten(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := New(dbtest.New(t, dialect).Open(t))
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			must(s.Watch(ctx, 7, "acme/services", 500, t0))
			must(s.Passed(ctx, 7, "acme/services", 500, t0, false, "repository"))
			must(s.Watch(ctx, 7, "acme/web", 501, t0))
			must(s.Moved(ctx, 7, "acme/platform", 500))
			repos, err := s.Repos(ctx, 7)
			must(err)
			if len(repos) != 2 || repos[0].Name != "acme/platform" || repos[0].ID != 500 || repos[0].Digest != "repository" || !repos[0].ActiveAt.Equal(t0) {
				t.Fatalf("renamed: %+v", repos)
			}
			must(s.Moved(ctx, 9, "bob/platform", 500)) // transferred to bob's installation
			if repos, _ := s.Repos(ctx, 7); len(repos) != 1 || repos[0].Name != "acme/web" {
				t.Fatalf("transferred away: %+v", repos)
			}
			if repos, _ := s.Repos(ctx, 9); len(repos) != 1 || repos[0].Name != "bob/platform" || repos[0].ID != 500 {
				t.Fatalf("transferred in: %+v", repos)
			}
			must(s.Moved(ctx, 9, "bob/x", 999)) // not watched: nothing
			must(s.SetDigest(ctx, 7, "acme/web", "2026-W10", 3))
			if n, err := s.ForgetRepo(ctx, 7, "acme/web", 501); err != nil || n != 2 {
				t.Fatalf("forget acme/web: %d rows, %v; want its watch row and digest week", n, err)
			}
			if n, err := s.ForgetCount(ctx, 9); err != nil || n != 1 {
				t.Fatalf("uninstall: %d rows, %v", n, err)
			}
			if insts, _ := s.Installations(ctx); len(insts) != 0 {
				t.Fatalf("left: %v", insts)
			}
		})
	}
}
