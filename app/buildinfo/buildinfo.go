// Package buildinfo says which build of postmortem is running: the module version and VCS commit
// the Go toolchain stamps into the binary (debug.ReadBuildInfo: a tag, or a pseudo-version and
// vcs.revision when built from a clone), or those a release build sets with
//
//	-ldflags "-X github.com/postmortem-app/postmortem/app/buildinfo.version=v1.2.3
//	          -X github.com/postmortem-app/postmortem/app/buildinfo.commit=SHA"
//
// as make release and deploy/Dockerfile do (an image is built without .git, so nothing else
// knows). `postmortem version`, SARIF's tool.driver.version and the build-info metric read it.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at link time (-X); empty otherwise.
var version, commit string

// Devel is the version of a build that knows none (go run, go test, a build without VCS
// information).
const Devel = "(devel)"

// Info describes the running binary.
type Info struct {
	Version   string // v1.2.3, a pseudo-version (v0.0.0-20261205080106-e45402700da0), or Devel
	Commit    string // the full VCS revision, or ""
	Modified  bool   // built from a work tree with uncommitted changes
	GoVersion string // go1.26.8
	Platform  string // linux/amd64
}

// Get reads the link-time values, else the build information.
func Get() Info {
	i := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" && bi.Main.Version != "" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.modified":
				i.Modified = i.Modified || (commit == "" && s.Value == "true")
			}
		}
	}
	if i.Version == "" {
		i.Version = Devel
	}
	return i
}

// String is one line: postmortem v1.2.3 (commit e45402700da0…, go1.26.8 linux/amd64).
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "postmortem %s (", i.Version)
	if i.Commit != "" {
		fmt.Fprintf(&b, "commit %s", i.Commit)
		if i.Modified {
			b.WriteString(" modified")
		}
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "%s %s)", i.GoVersion, i.Platform)
	return b.String()
}
