package webhook

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/postmortem-app/postmortem/app/jobs"
)

// Bodies are read into pooled buffers of the announced length. A body
// shorter than its Content-Length is a 400 (never a truncated payload), and
// deliveries of every size in a row, chunked or announced, are each judged
// on their own bytes (a reused buffer leaks nothing into the next).
func TestWebhookBodyReading(t *testing.T) {
	q := &memQueue{}
	srv := webhookServer(t, q, nil)

	// Short body: Content-Length says 400, 60 bytes come, then the client
	// stops writing.
	u, _ := url.Parse(srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := prPayload("opened", 1, 2, "abc")
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: pull_request\r\n"+
		"X-Hub-Signature-256: %s\r\nContent-Length: %d\r\n\r\n%s", sign(body, testSecret), len(body)+200, body[:60])
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("short body: status %d, want 400", resp.StatusCode)
	}

	// Long, short, long again: each is routed from its own bytes.
	for i, n := range []int{5000, 10, 3000, 0, 20000, 7} {
		pad := strings.Repeat("x", n)
		b := fmt.Appendf(nil, `{"action":"opened","installation":{"id":%d},"repository":{"name":"svc","owner":{"login":"acme"}},`+
			`"pull_request":{"number":%d,"head":{"sha":"s%d"},"title":%q}}`, 100+i, i+1, i, pad)
		if code, msg := post(t, srv.URL, "pull_request", b); code != http.StatusAccepted {
			t.Fatalf("delivery %d (%d bytes): %d %s", i, len(b), code, msg)
		}
	}
	if len(q.js) != 6 {
		t.Fatalf("%d jobs, want 6", len(q.js))
	}
	for i, j := range q.js {
		a := j.(jobs.PullRequestArgs)
		if a.InstallationID != int64(100+i) || a.Number != i+1 || a.HeadSHA != fmt.Sprintf("s%d", i) {
			t.Fatalf("job %d = %+v", i, a)
		}
	}
}
