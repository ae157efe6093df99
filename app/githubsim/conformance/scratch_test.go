package conformance

import (
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestScratchParse(t *testing.T) {
	for _, ex := range Examples() {
		if ex.Event != "check_run" && ex.Event != "discussion" && ex.Event != "sponsorship" && ex.Event != "package" && ex.Event != "deployment_review" {
			continue
		}
		if _, err := github.ParseWebHook(ex.Event, ex.Payload); err != nil {
			t.Logf("%s %s: %v", ex.Target, ex.Name, err)
		}
	}
}
