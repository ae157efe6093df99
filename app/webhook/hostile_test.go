package webhook

import (
	"testing"

	"github.com/postmortem-app/postmortem/app/githubsim/conformance"
)

// wantRouted is the routing table, written out independently of Route:
// which event/action pairs may become jobs (when the payload also has an
// installation, a repository and, for issues, labels).
var wantRouted = map[string]map[string]bool{
	"issues":                    {"opened": true, "edited": true, "labeled": true, "reopened": true, "closed": true, "deleted": true},
	"pull_request":              {"opened": true, "synchronize": true, "reopened": true, "ready_for_review": true, "edited": true, "closed": true},
	"check_suite":               {"requested": true, "rerequested": true},
	"check_run":                 {"rerequested": true},
	"installation":              {"*": true},
	"installation_repositories": {"*": true},
	"repository":                {"deleted": true, "renamed": true, "transferred": true},
}

// TestEveryExampleThroughTheHandler sends every @octokit/webhooks-examples
// payload (api.github.com and GHES), as sent and as an App receives it,
// through the real handler over HTTP and counts the River jobs committed
// after each: an ignored delivery (200) adds none, a queued one (202) is an
// event/action the App routes, and nothing else answers.
func TestEveryExampleThroughTheHandler(t *testing.T) {
	q, db := openQueue(t)
	srv := webhookServer(t, q, nil)
	var ignored, queued, ghes, ghesQueued int
	js := db.CountJobs(t, "")
	for i, e := range conformance.Examples() {
		for _, body := range [][]byte{e.Payload, withInstallation(t, e.Payload, 5000+int64(i))} {
			code, msg := post(t, srv.URL, e.Event, body)
			after := db.CountJobs(t, "")
			switch code {
			case 200:
				ignored++
				if after != js {
					t.Errorf("%s/%s: ignored (%s) but %d jobs were queued", e.Target, e.Name, msg, after-js)
				}
			case 202:
				queued++
				acts := wantRouted[e.Event]
				if acts == nil || !acts["*"] && !acts[e.Action] {
					t.Errorf("%s/%s: %s %s was queued (%s)", e.Target, e.Name, e.Event, e.Action, msg)
				}
				if after < js {
					t.Errorf("%s/%s: jobs went from %d to %d", e.Target, e.Name, js, after)
				}
				if e.GHES {
					ghesQueued++
				}
			default:
				t.Errorf("%s/%s: %d %s", e.Target, e.Name, code, msg)
			}
			if e.GHES {
				ghes++
			}
			js = after
		}
	}
	if ghes == 0 || ghesQueued == 0 {
		t.Errorf("GHES examples: %d delivered, %d queued", ghes, ghesQueued)
	}
	if queued == 0 || ignored == 0 {
		t.Fatalf("%d queued, %d ignored", queued, ignored)
	}
	t.Logf("%d deliveries: %d ignored with no job, %d queued (%d of %d GHES); %d jobs", ignored+queued, ignored, queued, ghesQueued, ghes, js)
}
