package playground

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// SimulatorOptions configure Simulate.
type SimulatorOptions struct {
	Addr      string // listen address
	SeedPath  string // seed file (YAML or JSON, the emulate@0.12.2 GitHub shape); "" for an empty GitHub
	RateLimit int    // hourly request budget per token
	Logger    *slog.Logger
	// Out receives how to reach the simulator: its URL, the seeded Apps and
	// their installations, the tokens.
	Out io.Writer
}

// Simulate serves the simulated GitHub on its own until ctx is done (then
// it returns nil) or serving fails. A bad seed or address is returned
// before anything is served.
func Simulate(ctx context.Context, o SimulatorOptions) error {
	var seed *githubsim.Seed
	if o.SeedPath != "" {
		s, err := githubsim.LoadSeed(o.SeedPath)
		if err != nil {
			return err
		}
		seed = s
	}
	srv, err := githubsim.New(githubsim.Options{Seed: seed, RateLimit: o.RateLimit, Logger: o.Logger})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	url := "http://" + l.Addr().String()
	srv.SetBaseURL(url)
	describe(o.Out, url, seed)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
		srv.Close()
		l.Close()
		return nil
	case err := <-errc:
		return err
	}
}

// describe tells how to reach the simulator and what it was seeded with.
func describe(out io.Writer, url string, seed *githubsim.Seed) {
	fmt.Fprintf(out, "simulated GitHub listening on %s (also %s/api/v3)\n", url, url)
	if seed != nil {
		for _, a := range seed.GitHub.Apps {
			fmt.Fprintf(out, "app %s: id %d, webhooks → %s\n", a.Slug, a.AppID, orNone(a.WebhookURL))
			for _, in := range a.Installations {
				fmt.Fprintf(out, "  installation %d on %s\n", in.InstallationID, in.Account)
			}
		}
		var toks []string
		for t := range seed.Tokens {
			toks = append(toks, t)
		}
		sort.Strings(toks)
		for _, t := range toks {
			fmt.Fprintf(out, "token %s acts as %s:  curl -H 'Authorization: token %s' %s/user\n", t, seed.Tokens[t].Login, t, url)
		}
	}
	fmt.Fprintln(out, "app JWTs: sign RS256 with the seeded private_key, iss = app id; POST /app/installations/{id}/access_tokens for ghs_ tokens")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
