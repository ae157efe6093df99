package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/postmortem-app/postmortem/app/registration"
	"github.com/postmortem-app/postmortem/deploy"
)

const registerUsage = `Usage: postmortem register [flags]

Registers the postmortem GitHub App by GitHub's App manifest flow: serves a page on 127.0.0.1
that posts deploy/app-manifest.yml to GitHub (github.com or GitHub Enterprise Server), receives
the one-time code, exchanges it and writes the App id, private key and webhook secret to a file
with mode 0600, ready for 'set -a; . FILE; set +a; postmortem serve'.

It refuses to write the credentials inside a git work tree (a clone, where a careless 'git add'
would commit the private key) unless --out names the file explicitly.

Flags:
`

func runRegister(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return register(ctx, args, stdout, stderr, nil)
}

func register(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(string)) int {
	fl := flag.NewFlagSet("register", flag.ContinueOnError)
	org := fl.String("org", "", "register the App under this `organization` (default: your user account)")
	githubURL := fl.String("github-url", "https://github.com", "GitHub's web `URL` (GitHub Enterprise Server: https://HOST)")
	apiURL := fl.String("api-url", "", "REST API `URL` (default https://api.github.com/, or GITHUB_URL/api/v3/ for GHES)")
	webhookURL := fl.String("webhook-url", "", "where GitHub sends webhooks: the public `URL` of 'postmortem serve' + /webhook (required)")
	name := fl.String("name", "", "the App's `name` (default: the manifest's; names are unique on GitHub)")
	manifestPath := fl.String("manifest", "", "a manifest `file` instead of the built-in deploy/app-manifest.yml")
	out := fl.String("out", "postmortem-app.env", "credentials `file` to create (mode 0600; never overwritten)")
	addr := fl.String("addr", "127.0.0.1:0", "loopback `address` of the local page")
	timeout := fl.Duration("timeout", 30*time.Minute, "give up after this long")
	if code, ok := parseFlags(fl, args, registerUsage, stderr); !ok {
		return code
	}
	if *webhookURL == "" {
		fmt.Fprintln(stderr, "postmortem register: --webhook-url is required (e.g. https://postmortem.example.com/webhook)")
		return 2
	}
	if !flagSet(fl, "out") {
		if tree, ok := gitWorkTree(*out); ok {
			fmt.Fprintf(stderr, "postmortem register: refusing to write the App's credentials (its private key) to %s inside the git work tree %s, where they could be committed.\n"+
				"Pass --out with a path outside it (e.g. --out ~/.config/postmortem/app.env), or --out %s to write them there anyway (make sure git ignores it).\n",
				*out, tree, *out)
			return 2
		}
	}
	raw := deploy.AppManifest
	if *manifestPath != "" {
		b, err := os.ReadFile(*manifestPath)
		if err != nil {
			fmt.Fprintf(stderr, "postmortem register: %v\n", err)
			return 2
		}
		raw = b
	}
	m, err := registration.ParseManifest(raw)
	if err != nil {
		fmt.Fprintf(stderr, "postmortem register: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	reg, err := registration.Register(ctx, registration.Options{
		Manifest: m, GitHubURL: *githubURL, APIURL: *apiURL, Org: *org, Name: *name, WebhookURL: *webhookURL,
		Addr: *addr, Out: *out,
		Ready: func(u string) {
			fmt.Fprintf(stdout, "Open %s in your browser and confirm the App on GitHub.\n", u)
			if ready != nil {
				ready(u)
			}
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "postmortem register: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Registered GitHub App %q (id %d, owner %s).\nCredentials: %s (mode 0600)\nInstall it: %s/installations/new\nRun it:     set -a; . %s; set +a; postmortem serve\n",
		reg.Slug, reg.ID, reg.Owner.Login, reg.File, reg.HTMLURL, reg.File)
	return 0
}

// flagSet says whether the command line set the flag (not its default).
func flagSet(fl *flag.FlagSet, name string) (set bool) {
	fl.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// gitWorkTree returns the root of the git work tree that path would be
// written in (a directory above it holding .git, a directory or, in a linked
// worktree or submodule, a file), if any.
func gitWorkTree(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir, true
		}
		if filepath.Dir(dir) == dir {
			return "", false
		}
	}
}
