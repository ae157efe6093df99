package main

import (
	"fmt"
	"io"
)

// Not built yet: see the issue tracker.
func runNew(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postmortem new: not available in this build yet")
	return 2
}
