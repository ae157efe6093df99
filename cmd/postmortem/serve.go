package main

import (
	"fmt"
	"io"
)

// Not built yet: see the issue tracker.
func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postmortem serve: not available in this build yet")
	return 2
}
