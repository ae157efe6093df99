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
	"time"

	"github.com/postmortem-app/postmortem/app/playground"
)

const playgroundUsage = `Usage: postmortem playground [--keep] [--verbose] [--timeout D]

Plays the whole story against a simulated GitHub started in this process
(no network, no GitHub account): an incident is opened and labelled, the
App drafts a postmortem pull request, its checks fail, a person fixes the
document, the checks pass, the pull request merges, follow-up issues are
opened and closed, and the incident is closed.

Flags:
`

func runPlayground(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return playStory(ctx, args, stdout, stderr)
}

func playStory(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("playground", flag.ContinueOnError)
	keep := fl.Bool("keep", false, "leave the simulated GitHub running after the story and print how to reach it")
	verbose := fl.Bool("verbose", false, "log what the App and the simulator do (to stderr)")
	timeout := fl.Duration("timeout", 20*time.Second, "how long each step may take to converge")
	if code, ok := parseFlags(fl, args, playgroundUsage, stderr); !ok {
		return code
	}
	opts := playground.Options{Out: stdout, Keep: *keep, StepTimeout: *timeout}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	if _, err := playground.Run(ctx, opts); err != nil {
		fmt.Fprintf(stderr, "postmortem playground: %v\n", err)
		return 1
	}
	return 0
}
