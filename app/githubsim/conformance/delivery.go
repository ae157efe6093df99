package conformance

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidateDelivery checks a whole webhook delivery as GitHub documents it
// ("Webhook events and payloads", Delivery headers): X-GitHub-Event names
// the event; X-GitHub-Delivery is a GUID; User-Agent starts with
// "GitHub-Hookshot/"; Content-Type is application/json; X-GitHub-Hook-ID
// and X-GitHub-Hook-Installation-Target-ID, when present, are numeric;
// when secret is not nil, X-Hub-Signature-256 is "sha256=" and the hex
// HMAC-SHA256 of body (and X-Hub-Signature, if sent, the HMAC-SHA1); and
// the body passes ValidateWebhook. All problems are returned, joined.
//
// Use it in a simulator's tests on what it sends, or in a handler's tests
// as a guard that the fixture deliveries are realistic.
func ValidateDelivery(h http.Header, body []byte, secret []byte) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("delivery: "+format, args...)) }

	event := h.Get("X-GitHub-Event")
	if event == "" {
		bad("missing X-GitHub-Event")
	}
	if d := h.Get("X-GitHub-Delivery"); !guidRe.MatchString(d) {
		bad("X-GitHub-Delivery %q is not a GUID", d)
	}
	if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "GitHub-Hookshot/") {
		bad("User-Agent %q does not start with GitHub-Hookshot/", ua)
	}
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err != nil || mt != "application/json" {
		bad("Content-Type %q is not application/json", h.Get("Content-Type"))
	}
	for _, name := range []string{"X-GitHub-Hook-ID", "X-GitHub-Hook-Installation-Target-ID"} {
		if v := h.Get(name); v != "" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				bad("%s %q is not numeric", name, v)
			}
		}
	}
	if secret != nil {
		check := func(header, prefix string, newHash func() hash.Hash, required bool) {
			got := h.Get(header)
			if got == "" {
				if required {
					bad("missing %s (the webhook has a secret)", header)
				}
				return
			}
			mac := hmac.New(newHash, secret)
			mac.Write(body)
			want := prefix + hex.EncodeToString(mac.Sum(nil))
			if !hmac.Equal([]byte(got), []byte(want)) {
				bad("%s %q does not match the body (want %s)", header, got, want)
			}
		}
		check("X-Hub-Signature-256", "sha256=", sha256.New, true)
		check("X-Hub-Signature", "sha1=", sha1.New, false)
	}
	if event != "" {
		if err := ValidateWebhook(event, body); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NewDeliveryRequest builds the POST GitHub would make to deliver payload
// for event to url: User-Agent, X-GitHub-Event, X-GitHub-Delivery (a GUID
// derived from the payload, so it is stable across runs), X-GitHub-Hook-ID,
// Content-Type and, when secret is not nil, X-Hub-Signature-256 and
// X-Hub-Signature. The result passes ValidateDelivery whenever the payload
// passes ValidateWebhook.
func NewDeliveryRequest(url, event string, payload, secret []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte(event+"\x00"), payload...))
	id := hex.EncodeToString(sum[:16])
	req.Header.Set("User-Agent", "GitHub-Hookshot/conformance")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id[0:8]+"-"+id[8:12]+"-"+id[12:16]+"-"+id[16:20]+"-"+id[20:32])
	req.Header.Set("X-GitHub-Hook-ID", "1")
	if secret != nil {
		mac := hmac.New(sha256.New, secret)
		mac.Write(payload)
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		mac1 := hmac.New(sha1.New, secret)
		mac1.Write(payload)
		req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(mac1.Sum(nil)))
	}
	return req, nil
}

// Request returns the delivery of this example to url (see
// NewDeliveryRequest).
func (e Example) Request(url string, secret []byte) (*http.Request, error) {
	return NewDeliveryRequest(url, e.Event, e.Payload, secret)
}

// CheckDeliveries wraps a webhook handler: every request is checked with
// ValidateDelivery (secret as in the App's configuration; nil skips the
// signature checks) and each problem is reported through r.Errorf before
// the request, body intact, reaches next. Put it in front of the App's
// webhook handler in tests where the simulator delivers webhooks.
func CheckDeliveries(r Reporter, secret []byte, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			r.Errorf("conformance: reading webhook delivery: %v", err)
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if err := ValidateDelivery(req.Header, body, secret); err != nil {
			r.Helper()
			r.Errorf("conformance: webhook delivery %s (%s) to %s: %v",
				req.Header.Get("X-GitHub-Delivery"), req.Header.Get("X-GitHub-Event"), req.URL.Path, err)
		}
		next.ServeHTTP(w, req)
	})
}
