package main

import (
	"fmt"
	"io"
)

// Not built yet: see the issue tracker.
func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postmortem lint: not available in this build yet")
	return 2
}
