package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/postmortem-app/postmortem/app/internal/dbtest"
	"github.com/postmortem-app/postmortem/app/jobs"
	"github.com/postmortem-app/postmortem/app/queue"
)

func TestWebhookAnswers(t *testing.T) {
	q, db := openQueue(t)
	m := &outcomes{}
	srv := webhookServer(t, q, m)
	good := prPayload("opened", 7, 12, "abc")

	sha1sig := func(b []byte) string {
		mac := hmac.New(sha1.New, []byte(testSecret))
		mac.Write(b)
		return "sha1=" + hex.EncodeToString(mac.Sum(nil))
	}
	form := []byte("payload=" + url.QueryEscape(string(prPayload("opened", 7, 99, "f"))))
	big := bytes.Repeat([]byte(" "), 26<<20)

	cases := []struct {
		name     string
		method   string
		ctype    string
		event    string
		body     []byte
		headers  map[string]string
		want     int
		wantJobs int // committed jobs after the request, cumulative
		noLength bool
	}{
		{name: "good signature", event: "pull_request", body: good, want: 202, wantJobs: 1},
		{name: "bad signature", event: "pull_request", body: prPayload("opened", 7, 13, "x"),
			headers: map[string]string{"X-Hub-Signature-256": sign([]byte("other"), testSecret)}, want: 401, wantJobs: 1},
		{name: "wrong secret", event: "pull_request", body: prPayload("opened", 7, 13, "x"),
			headers: map[string]string{"X-Hub-Signature-256": sign(prPayload("opened", 7, 13, "x"), "guess")}, want: 401, wantJobs: 1},
		{name: "no signature", event: "pull_request", body: prPayload("opened", 7, 13, "x"),
			headers: map[string]string{"X-Hub-Signature-256": ""}, want: 401, wantJobs: 1},
		{name: "sha1 only", event: "pull_request", body: prPayload("opened", 7, 13, "x"),
			headers: map[string]string{"X-Hub-Signature-256": "", "X-Hub-Signature": sha1sig(prPayload("opened", 7, 13, "x"))}, want: 401, wantJobs: 1},
		{name: "malformed json", event: "pull_request", body: []byte(`{"action":"opened",`), want: 400, wantJobs: 1},
		{name: "wrong types", event: "pull_request", body: []byte(`{"action":"opened","pull_request":{"number":"12"}}`), want: 400, wantJobs: 1},
		{name: "missing event header", event: "", body: good, want: 400, wantJobs: 1},
		{name: "26 MB", event: "pull_request", body: big, want: 413, wantJobs: 1},
		{name: "26 MB chunked", event: "pull_request", body: big, want: 413, wantJobs: 1, noLength: true},
		{name: "text/plain", ctype: "text/plain", event: "pull_request", body: good, want: 415, wantJobs: 1},
		{name: "no content type", ctype: "-", event: "pull_request", body: good, want: 415, wantJobs: 1},
		{name: "form payload", ctype: "application/x-www-form-urlencoded", event: "pull_request", body: form, want: 202, wantJobs: 2},
		{name: "form without payload", ctype: "application/x-www-form-urlencoded", event: "pull_request", body: []byte("x=1"), want: 400, wantJobs: 2},
		{name: "GET", method: "GET", event: "pull_request", want: 405, wantJobs: 2},
		{name: "unknown event", event: "star", body: findExample(t, "star", "created"), want: 200, wantJobs: 2},
		{name: "unknown event, malformed body", event: "watch", body: []byte("{"), want: 200, wantJobs: 2},
		{name: "ignored action", event: "pull_request", body: prPayload("labeled", 7, 14, "x"), want: 200, wantJobs: 2},
		{name: "closed unmerged", event: "pull_request", body: prPayload("closed", 7, 14, "x"), want: 200, wantJobs: 2},
		{name: "ping", event: "ping", body: withInstallation(t, findExample(t, "ping", ""), 7), want: 200, wantJobs: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "POST"
			}
			var body io.Reader = bytes.NewReader(c.body)
			if c.noLength {
				body = io.MultiReader(body) // hides the length: chunked
			}
			req, _ := http.NewRequest(method, srv.URL, body)
			switch c.ctype {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.event != "" {
				req.Header.Set("X-GitHub-Event", c.event)
			}
			req.Header.Set("X-Hub-Signature-256", sign(c.body, testSecret))
			for k, v := range c.headers {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, strings.TrimSpace(string(msg)), c.want)
			}
			if n := db.CountJobs(t, ""); n != c.wantJobs {
				t.Fatalf("jobs in database = %d, want %d", n, c.wantJobs)
			}
		})
	}

	// The observer saw the outcomes, with unverified events not labelled
	// by what the sender claimed.
	for _, want := range []struct {
		event, outcome string
		n              int
	}{
		{"pull_request", "enqueued", 2},
		{"unverified", "unauthorized", 4},
		{"other", "ignored", 2},
	} {
		if n := m.count(want.event, want.outcome); n != want.n {
			t.Errorf("observed %d %s %s, want %d", n, want.event, want.outcome, want.n)
		}
	}
}

// failingQueue is a queue whose database is down.
type failingQueue struct{}

func (failingQueue) Enqueue(context.Context, ...jobs.Args) (jobs.EnqueueResult, error) {
	return jobs.EnqueueResult{}, errors.New("database is locked")
}

func TestWebhookQueueDown(t *testing.T) {
	srv := webhookServer(t, failingQueue{}, nil)
	if code, _ := post(t, srv.URL, "pull_request", prPayload("opened", 1, 2, "x")); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", code)
	}
	// A real queue whose database was closed.
	d := dbtest.New(t, "sqlite")
	sdb := d.Open(t)
	q, err := queue.Open(context.Background(), sdb, nil, queue.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	srv2 := webhookServer(t, q, nil)
	if code, _ := post(t, srv2.URL, "pull_request", prPayload("opened", 1, 2, "x")); code != http.StatusServiceUnavailable {
		t.Fatalf("closed queue: status %d, want 503", code)
	}
}

// memQueue records what would be enqueued (routing tests, fuzzing).
type memQueue struct {
	mu sync.Mutex
	js []jobs.Args
}

func (m *memQueue) Enqueue(_ context.Context, js ...jobs.Args) (jobs.EnqueueResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.js = append(m.js, js...)
	return jobs.EnqueueResult{Inserted: len(js)}, nil
}

// Every example payload GitHub documents is answered 200 or 202, as sent
// (mostly repository webhooks, without installation) and as an App gets it.
func TestExamplePayloadsAccepted(t *testing.T) {
	q, db := openQueue(t)
	srv := webhookServer(t, q, nil)
	routed := map[string]int{}
	for i, e := range loadExamples(t) {
		for _, body := range [][]byte{e.Payload, withInstallation(t, e.Payload, 1000+int64(i))} {
			code, msg := post(t, srv.URL, e.Event, body)
			if code != 200 && code != 202 {
				t.Errorf("example %s (%s): %d %s", e.Name, e.Event, code, msg)
			}
			if code == 202 {
				routed[e.Event]++
			}
		}
	}
	// (The check_run rerequested examples carry no pull requests, so none
	// of them routes; TestRoute covers one that does.)
	for _, ev := range []string{"issues", "pull_request", "check_suite", "installation", "installation_repositories"} {
		if routed[ev] == 0 {
			t.Errorf("no %s example was routed to a job", ev)
		}
	}
	if n := db.CountJobs(t, ""); n == 0 {
		t.Fatal("no jobs")
	}
	t.Logf("routed examples: %v", routed)
}

func TestRoute(t *testing.T) {
	repo := `"installation":{"id":5},"repository":{"name":"svc","default_branch":"trunk","owner":{"login":"acme"}}`
	issue := func(action, sender string, labels ...string) []byte {
		var ls []string
		for _, l := range labels {
			ls = append(ls, fmt.Sprintf(`{"name":%q}`, l))
		}
		return fmt.Appendf(nil, `{"action":%q,%s,"issue":{"number":3,"labels":[%s]},"sender":{"login":%q,"type":"Bot"}}`,
			action, repo, strings.Join(ls, ","), sender)
	}
	// The incident job carries the delivery's labels and default branch as
	// hints (not part of its identity).
	inc := func(labels ...string) jobs.IncidentArgs {
		return jobs.IncidentArgs{InstallationID: 5, Owner: "acme", Repo: "svc", Number: 3, Labels: labels, DefaultBranch: "trunk"}
	}
	fu := jobs.TrackingArgs{InstallationID: 5, Owner: "acme", Repo: "svc", Number: 3}
	pr := func(n int, sha string) jobs.PullRequestArgs {
		return jobs.PullRequestArgs{InstallationID: 5, Owner: "acme", Repo: "svc", Number: n, HeadSHA: sha}
	}
	rerequested := func(a jobs.PullRequestArgs) jobs.PullRequestArgs { a.Rerequested = true; return a }
	comment := func(action, body, login, typ string) []byte {
		b, _ := json.Marshal(body)
		return fmt.Appendf(nil, `{"action":%q,%s,"issue":{"number":3,"labels":[]},"comment":{"id":77,"body":%s,"created_at":"2026-03-02T10:00:00Z","user":{"login":%q,"type":%q}},"sender":{"login":%q,"type":%q}}`,
			action, repo, b, login, typ, login, typ)
	}
	cmd := func(line string) jobs.CommandArgs {
		return jobs.CommandArgs{InstallationID: 5, Owner: "acme", Repo: "svc", CommentID: 77, Number: 3, Login: "bob", Command: line, At: "2026-03-02T10:00:00Z"}
	}
	cases := []struct {
		name  string
		event string
		body  []byte
		want  []jobs.Args
	}{
		{"issue opened", "issues", issue("opened", "alice", "incident"), []jobs.Args{inc("incident")}},
		{"issue labeled", "issues", issue("labeled", "alice", "sev1", "incident"), []jobs.Args{inc("sev1", "incident")}},
		{"issue edited", "issues", issue("edited", "alice", "incident"), []jobs.Args{inc("incident")}},
		{"issue reopened", "issues", issue("reopened", "alice", "follow-up"), []jobs.Args{inc("follow-up"), fu}},
		{"issue closed", "issues", issue("closed", "alice", "follow-up"), []jobs.Args{fu}},
		{"issue deleted", "issues", issue("deleted", "alice", "follow-up"), []jobs.Args{fu}},
		{"issue without labels", "issues", issue("opened", "alice"), nil},
		{"issue assigned", "issues", issue("assigned", "alice", "incident"), nil},
		{"issue unlabeled", "issues", issue("unlabeled", "alice", "incident"), nil},
		{"own edit echo", "issues", issue("edited", "postmortem[bot]", "incident"), nil},
		{"own label echo", "issues", issue("labeled", "PostMortem[bot]", "incident"), nil},
		{"own close still routed", "issues", issue("closed", "postmortem[bot]", "follow-up"), []jobs.Args{fu}},
		{"issue on a PR", "issues", fmt.Appendf(nil, `{"action":"opened",%s,"issue":{"number":3,"labels":[{"name":"x"}],"pull_request":{"url":"u"}}}`, repo), nil},
		{"pr opened", "pull_request", fmt.Appendf(nil, `{"action":"opened",%s,"pull_request":{"number":9,"head":{"sha":"h"}}}`, repo), []jobs.Args{pr(9, "h")}},
		{"pr by the bot still routed", "pull_request", fmt.Appendf(nil, `{"action":"opened",%s,"pull_request":{"number":9,"head":{"sha":"h"}},"sender":{"login":"postmortem[bot]"}}`, repo), []jobs.Args{pr(9, "h")}},
		{"pr edited by bot", "pull_request", fmt.Appendf(nil, `{"action":"edited",%s,"pull_request":{"number":9,"head":{"sha":"h"}},"sender":{"login":"postmortem[bot]"}}`, repo), nil},
		{"pr merged", "pull_request", fmt.Appendf(nil, `{"action":"closed",%s,"pull_request":{"number":9,"merged":true,"head":{"sha":"h"}}}`, repo), []jobs.Args{pr(9, "h")}},
		{"pr closed", "pull_request", fmt.Appendf(nil, `{"action":"closed",%s,"pull_request":{"number":9,"merged":false}}`, repo), nil},
		{"check suite", "check_suite", fmt.Appendf(nil, `{"action":"requested",%s,"check_suite":{"head_sha":"s","pull_requests":[{"number":1},{"number":2},{"number":1}]}}`, repo), []jobs.Args{pr(1, "s"), pr(2, "s")}},
		{"check suite no PRs", "check_suite", fmt.Appendf(nil, `{"action":"rerequested",%s,"check_suite":{"head_sha":"s","pull_requests":[]}}`, repo), nil},
		{"check suite completed", "check_suite", fmt.Appendf(nil, `{"action":"completed",%s,"check_suite":{"head_sha":"s","pull_requests":[{"number":1}]}}`, repo), nil},
		{"check run rerequested", "check_run", fmt.Appendf(nil, `{"action":"rerequested",%s,"check_run":{"head_sha":"s","pull_requests":[{"number":4}]}}`, repo), []jobs.Args{rerequested(pr(4, "s"))}},
		{"check suite rerequested", "check_suite", fmt.Appendf(nil, `{"action":"rerequested",%s,"check_suite":{"head_sha":"s","pull_requests":[{"number":4}]}}`, repo), []jobs.Args{rerequested(pr(4, "s"))}},
		{"check run created", "check_run", fmt.Appendf(nil, `{"action":"created",%s,"check_run":{"head_sha":"s","pull_requests":[{"number":4}]}}`, repo), nil},
		{"command", "issue_comment", comment("created", "/postmortem due 2026-04-01", "bob", "User"), []jobs.Args{cmd("/postmortem due 2026-04-01")}},
		{"command after text", "issue_comment", comment("created", "Moving it:\r\n  /postmortem snooze 1w waiting on the vendor\r\nthanks", "bob", "User"),
			[]jobs.Args{cmd("/postmortem snooze 1w waiting on the vendor")}},
		{"bare command", "issue_comment", comment("created", "/postmortem", "bob", "User"), []jobs.Args{cmd("/postmortem")}},
		{"no command", "issue_comment", comment("created", "I think /postmortem is nice", "bob", "User"), nil},
		{"not ours", "issue_comment", comment("created", "/postmortems are great", "bob", "User"), nil},
		{"edited command", "issue_comment", comment("edited", "/postmortem due 2026-04-01", "bob", "User"), nil},
		{"deleted command", "issue_comment", comment("deleted", "/postmortem due 2026-04-01", "bob", "User"), nil},
		{"the App's help", "issue_comment", comment("created", "/postmortem help", "postmortem[bot]", "Bot"), nil},
		{"another bot", "issue_comment", comment("created", "/postmortem skip automated", "dependabot[bot]", "Bot"), nil},
		{"installation", "installation", []byte(`{"action":"created","installation":{"id":5}}`), []jobs.Args{jobs.InstallationArgs{InstallationID: 5}}},
		{"installation repos", "installation_repositories", []byte(`{"action":"added","installation":{"id":5}}`), []jobs.Args{jobs.InstallationArgs{InstallationID: 5}}},
		{"no installation", "pull_request", []byte(`{"action":"opened","pull_request":{"number":9}}`), nil},
		{"star", "star", []byte(`not even json`), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason, err := Route(c.event, c.body, "postmortem[bot]")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Route = %#v (%s), want %#v", got, reason, c.want)
			}
			if reason == "" {
				t.Fatal("no reason")
			}
		})
	}
	for _, bad := range []struct{ event, body string }{
		{"issues", `{"action":"opened","installation":{"id":5}}`},
		{"issues", `{"action":"opened",` + repo + `}`},
		{"pull_request", `{"action":"opened",` + repo + `,"pull_request":{}}`},
		{"check_suite", `{"action":"requested",` + repo + `}`},
		{"pull_request", `[]`},
		{"installation", `{"installation":{"id":"5"}}`},
		{"issue_comment", `{"action":"created",` + repo + `,"issue":{"number":3}}`},
	} {
		if _, _, err := Route(bad.event, []byte(bad.body), ""); !errors.Is(err, errMalformed) {
			t.Errorf("Route(%s, %s) err = %v, want malformed", bad.event, bad.body, err)
		}
	}
}

// FuzzWebhook drives the handler's decoder and router with arbitrary bodies
// for every routed event: no panic, a status from the documented set, and
// every routed job names a real target.
func FuzzWebhook(f *testing.F) {
	for _, e := range loadExamples(f) {
		if routedEvents[e.Event] {
			f.Add(e.Event, []byte(e.Payload))
		}
	}
	f.Add("pull_request", prPayload("opened", 1, 2, "x"))
	f.Add("check_suite", []byte(`{"action":"requested","installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}},"check_suite":{"pull_requests":[{"number":1}]}}`))
	f.Add("issues", []byte(`{"action":"opened","installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}},"issue":{"number":1,"labels":[{}]}}`))
	f.Add("issue_comment", []byte(`{"action":"created","installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}},"issue":{"number":1},"comment":{"id":2,"body":"/postmortem due 2026-04-01","user":{"login":"a"}}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		q := &memQueue{}
		h := &Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]"}
		req := httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 202, 400:
		default:
			if !(event == "" && rec.Code == 400) {
				t.Fatalf("status %d for %q", rec.Code, event)
			}
		}
		if (rec.Code == 202) != (len(q.js) > 0) {
			t.Fatalf("status %d with %d jobs", rec.Code, len(q.js))
		}
		if rec.Code == 202 && !json.Valid(body) {
			t.Fatalf("invalid JSON routed")
		}
		for _, j := range q.js {
			switch a := j.(type) {
			case jobs.IncidentArgs:
				if a.InstallationID <= 0 || a.Owner == "" || a.Repo == "" || a.Number <= 0 {
					t.Fatalf("bad job %+v", a)
				}
			case jobs.TrackingArgs:
				if a.InstallationID <= 0 || a.Owner == "" || a.Repo == "" || a.Number <= 0 {
					t.Fatalf("bad job %+v", a)
				}
			case jobs.PullRequestArgs:
				if a.InstallationID <= 0 || a.Owner == "" || a.Repo == "" || a.Number <= 0 {
					t.Fatalf("bad job %+v", a)
				}
			case jobs.InstallationArgs:
				if a.InstallationID <= 0 {
					t.Fatalf("bad job %+v", a)
				}
			case jobs.ForgetArgs:
				if a.InstallationID <= 0 {
					t.Fatalf("bad job %+v", a)
				}
				for _, r := range a.Repos {
					if r.ID <= 0 {
						t.Fatalf("bad job %+v", a)
					}
				}
			case jobs.MovedArgs:
				if a.InstallationID <= 0 || a.Repo.ID <= 0 || a.Repo.Name == "" {
					t.Fatalf("bad job %+v", a)
				}
			case jobs.CommandArgs:
				if a.InstallationID <= 0 || a.Owner == "" || a.Repo == "" || a.Number <= 0 || a.CommentID <= 0 ||
					!strings.HasPrefix(a.Command, "/postmortem") || len(a.Command) > maxCommandLine {
					t.Fatalf("bad job %+v", a)
				}
			default:
				t.Fatalf("unexpected job %T", j)
			}
		}
	})
}
