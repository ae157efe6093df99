package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/postmortem-app/postmortem/app/playground"
)

// runGithubsim serves the simulated GitHub on its own:
// postmortem githubsim --addr ADDR --seed FILE
func runGithubsim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("githubsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "listen address")
	seedPath := fs.String("seed", "", "seed `file` (YAML or JSON, the emulate@0.12.2 GitHub shape; docs/simulator.md; unknown keys are errors)")
	rate := fs.Int("rate-limit", 5000, "hourly request budget per token")
	verbose := fs.Bool("v", false, "log every request and delivery")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "postmortem githubsim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := playground.Simulate(ctx, playground.SimulatorOptions{Addr: *addr, SeedPath: *seedPath, RateLimit: *rate, Out: stdout,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		fmt.Fprintf(stderr, "postmortem githubsim: %v\n", err)
		return 2
	}
	return 0
}
