package jobs

import (
	"context"
	"encoding/json"
)

// Enqueuer durably stores jobs: when Enqueue returns nil they are committed.
// A job equal to a pending one is merged into it; one equal to a running job
// gets one follow-up run (see Args). The queue implements it.
type Enqueuer interface {
	Enqueue(ctx context.Context, jobs ...Args) (EnqueueResult, error)
}

// EnqueueResult counts what Enqueue did.
type EnqueueResult struct {
	Inserted   int // new jobs
	Duplicates int // merged into an equal pending job
	Reruns     int // follow-up runs added behind a running job
}

// InstallationOf is the installation of the first job that names one (0:
// none does).
func InstallationOf(jobs ...Args) int64 {
	for _, j := range jobs {
		b, _ := json.Marshal(j)
		if id := EncodedInstallation(b); id != 0 {
			return id
		}
	}
	return 0
}

// EncodedInstallation is the installation_id of a job's encoded arguments
// (0: none).
func EncodedInstallation(encoded []byte) int64 {
	var a struct {
		InstallationID int64 `json:"installation_id"`
	}
	json.Unmarshal(encoded, &a)
	return a.InstallationID
}
