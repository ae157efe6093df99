package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// runGithubsim serves the simulated GitHub on its own:
// postmortem githubsim --addr ADDR --seed FILE
func runGithubsim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("githubsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "listen address")
	seedPath := fs.String("seed", "", "seed file (YAML or JSON, the emulate@0.12.2 GitHub shape)")
	rate := fs.Int("rate-limit", 5000, "hourly request budget per token")
	verbose := fs.Bool("v", false, "log every request and delivery")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "postmortem githubsim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var seed *githubsim.Seed
	if *seedPath != "" {
		s, err := githubsim.LoadSeed(*seedPath)
		if err != nil {
			fmt.Fprintf(stderr, "postmortem githubsim: %v\n", err)
			return 2
		}
		seed = s
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	srv, err := githubsim.New(githubsim.Options{Seed: seed, RateLimit: *rate,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		fmt.Fprintf(stderr, "postmortem githubsim: %v\n", err)
		return 2
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "postmortem githubsim: %v\n", err)
		return 2
	}
	url := "http://" + l.Addr().String()
	srv.SetBaseURL(url)
	fmt.Fprintf(stdout, "simulated GitHub listening on %s (also %s/api/v3)\n", url, url)
	if seed != nil {
		for _, a := range seed.GitHub.Apps {
			fmt.Fprintf(stdout, "app %s: id %d, webhooks → %s\n", a.Slug, a.AppID, orNone(a.WebhookURL))
			for _, in := range a.Installations {
				fmt.Fprintf(stdout, "  installation %d on %s\n", in.InstallationID, in.Account)
			}
		}
		var toks []string
		for t := range seed.Tokens {
			toks = append(toks, t)
		}
		sort.Strings(toks)
		for _, t := range toks {
			fmt.Fprintf(stdout, "token %s acts as %s:  curl -H 'Authorization: token %s' %s/user\n", t, seed.Tokens[t].Login, t, url)
		}
	}
	fmt.Fprintln(stdout, "app JWTs: sign RS256 with the seeded private_key, iss = app id; POST /app/installations/{id}/access_tokens for ghs_ tokens")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
		srv.Close()
		l.Close()
		return 0
	case err := <-errc:
		fmt.Fprintf(stderr, "postmortem githubsim: %v\n", err)
		return 1
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
