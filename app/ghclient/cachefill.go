package ghclient

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gregjones/httpcache"
)

// cacheFillTransport reads a fresh GET 200 body to its end before handing
// the response on. httpcache stores a response only when its body reaches
// EOF, and go-github decodes with json.Decoder, which stops at the end of
// the JSON value: unless the last Read happened to carry io.EOF (a
// Content-Length body read in one go), nothing was cached and every repeat
// read cost a full, rate-limited request instead of a free 304.
type cacheFillTransport struct{ next http.RoundTripper }

func (t *cacheFillTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || resp.StatusCode != http.StatusOK || resp.Header.Get(httpcache.XFromCache) != "" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
