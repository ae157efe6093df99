package webhook

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawRequest writes a POST's headers (and head, the start of its body) on
// a fresh connection and returns the connection, to write the rest of the
// body or to read the answer.
func rawRequest(t *testing.T, srvURL string, headers map[string]string, head []byte) net.Conn {
	t.Helper()
	u, _ := url.Parse(srvURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b bytes.Buffer
	b.WriteString("POST / HTTP/1.1\r\nHost: x\r\n")
	for k, v := range headers {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(head)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return conn
}

func readAnswer(t *testing.T, conn net.Conn) *http.Response {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// A delivery with wrong headers is answered from its headers alone: each
// request below announces 24 MB (or 26) and sends not one byte of it, and
// still gets its answer; nothing is queued.
func TestWebhookRefusesBeforeReadingTheBody(t *testing.T) {
	q := &memQueue{}
	m := &outcomes{}
	srv := webhookServer(t, q, m)
	body := prPayload("opened", 1, 2, "abc")
	good := map[string]string{
		"Content-Type":        "application/json",
		"X-GitHub-Event":      "pull_request",
		"X-Hub-Signature-256": sign(body, testSecret),
		"Content-Length":      fmt.Sprint(24 << 20),
	}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range good {
			h[a] = b
		}
		h[k] = v
		return h
	}
	for _, c := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no signature", with("X-Hub-Signature-256", ""), 401},
		{"sha1 signature", with("X-Hub-Signature-256", "sha1=0123456789abcdef0123456789abcdef01234567"), 401},
		{"signature not hex", with("X-Hub-Signature-256", "sha256="+strings.Repeat("z", 64)), 401},
		{"signature too short", with("X-Hub-Signature-256", "sha256=abcd"), 401},
		{"no event", with("X-GitHub-Event", ""), 400},
		{"26 MB announced", with("Content-Length", fmt.Sprint(26<<20)), 413},
		{"text/plain", with("Content-Type", "text/plain"), 415},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := rawRequest(t, srv.URL, c.headers, nil)
			if resp := readAnswer(t, conn); resp.StatusCode != c.want {
				t.Fatalf("%d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	if len(q.js) != 0 {
		t.Fatalf("%d jobs queued", len(q.js))
	}
}

// The body bytes read at once are capped: while one delivery holds the
// budget (its 200 KiB announced, 10 KiB sent), the next is answered 503
// with Retry-After before its body is read; once the first is done, the
// same delivery goes through. A chunked body (no length announced) is
// reserved chunk by chunk and refused when it outgrows the budget alone.
func TestWebhookInFlightCap(t *testing.T) {
	q := &memQueue{}
	m := &outcomes{}
	h := &Handler{Secret: []byte(testSecret), Queue: q, BotLogin: "postmortem[bot]", Observer: m, MaxInFlight: 256 << 10}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	padded := func(n, pr int) []byte {
		b := prPayload("opened", 1, pr, "abc")
		return append(b[:len(b)-1], fmt.Sprintf(`,"pad":%q}`, strings.Repeat("x", n-len(b)-10))...)
	}
	big := padded(200<<10, 1)
	conn := rawRequest(t, srv.URL, map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": "pull_request",
		"X-Hub-Signature-256": sign(big, testSecret), "Content-Length": fmt.Sprint(len(big)),
	}, big[:10<<10])

	small := prPayload("opened", 1, 2, "def")
	var code int
	var retry string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(small))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64)) // 401 if read
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		code, retry = resp.StatusCode, resp.Header.Get("Retry-After")
		if code != http.StatusUnauthorized {
			break
		}
	}
	if code != http.StatusServiceUnavailable || retry == "" {
		t.Fatalf("with the budget held: %d (Retry-After %q), want 503 with Retry-After", code, retry)
	}
	if m.count("unverified", "busy") == 0 {
		t.Fatal("busy answer not observed")
	}

	if _, err := conn.Write(big[10<<10:]); err != nil {
		t.Fatal(err)
	}
	if resp := readAnswer(t, conn); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the delivery holding the budget: %d, want 202", resp.StatusCode)
	}
	if c, msg := post(t, srv.URL, "pull_request", small); c != http.StatusAccepted {
		t.Fatalf("after the budget is back: %d %s", c, msg)
	}

	chunked := func(b []byte) int {
		req, _ := http.NewRequest("POST", srv.URL, io.MultiReader(bytes.NewReader(b))) // no length: chunked
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-Hub-Signature-256", sign(b, testSecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := chunked(padded(300<<10, 3)); c != http.StatusServiceUnavailable {
		t.Fatalf("300 KiB chunked over a 256 KiB budget: %d, want 503", c)
	}
	if c := chunked(padded(150<<10, 4)); c != http.StatusAccepted {
		t.Fatalf("150 KiB chunked: %d, want 202", c)
	}
	if len(q.js) != 3 {
		t.Fatalf("%d jobs, want 3", len(q.js))
	}
}
