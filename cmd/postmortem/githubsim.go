package main

import (
	"fmt"
	"io"
)

// Not built yet: see the issue tracker.
func runGithubsim(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postmortem githubsim: not available in this build yet")
	return 2
}
