package main

import (
	"fmt"
	"io"
)

// Not built yet: see the issue tracker.
func runPlayground(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postmortem playground: not available in this build yet")
	return 2
}
