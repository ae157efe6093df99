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
