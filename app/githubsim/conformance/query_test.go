package conformance

import (
	"net/http"
	"testing"
)

// TestUnknownQueryParameterIsARequestViolation: GitHub ignores a query
// parameter an operation does not take, so a client sending one believes
// in a page or a filter that is not there; the transport says so. The
// declared ones (matching-refs takes none; the issues list takes page,
// per_page, state…) pass.
func TestUnknownQueryParameterIsARequestViolation(t *testing.T) {
	f, srv := newFake(t)
	f.handle("GET", "/repos/o/r/git/matching-refs/heads/postmortem/1-", 200, []byte(`[]`))
	rec := &recorder{}
	tr := NewTransport(rec, nil)
	c := &http.Client{Transport: tr}
	do(t, c, "GET", srv.URL+"/repos/o/r/git/matching-refs/heads/postmortem/1-?per_page=100&page=1", "")
	v := mustOneViolation(t, tr, rec, KindRequest, "/repos/{owner}/{repo}/git/matching-refs/{ref}", `query parameter "page"`, `query parameter "per_page"`, "not a parameter of this operation")
	if len(v.Details) != 2 {
		t.Errorf("details %v, want page and per_page", v.Details)
	}

	f.handle("GET", "/repos/o/r/issues", 200, []byte(`[]`))
	rec2 := &recorder{}
	tr2 := NewTransport(rec2, nil)
	do(t, &http.Client{Transport: tr2}, "GET", srv.URL+"/repos/o/r/issues?state=open&labels=incident&per_page=100&page=2", "")
	if vs := tr2.Violations(); len(vs) != 0 {
		t.Errorf("declared query parameters flagged: %v", vs)
	}
}
