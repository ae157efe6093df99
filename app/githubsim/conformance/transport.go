package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Reporter receives violations as they happen. *testing.T, *testing.B and
// testing.TB satisfy it; so can a logger outside tests.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Kind says which half of an exchange a violation concerns.
type Kind string

const (
	KindRoute    Kind = "route"    // no operation in the description for method+path
	KindRequest  Kind = "request"  // request does not match the operation
	KindResponse Kind = "response" // response does not match the operation
)

// Violation is one departure from GitHub's OpenAPI description.
type Violation struct {
	Kind        Kind
	Method      string   // HTTP method
	Path        string   // request path as sent (after base-path stripping)
	Route       string   // path template, e.g. /repos/{owner}/{repo}; empty for KindRoute
	OperationID string   // e.g. repos/get
	Status      int      // response status; 0 for request and route violations
	Message     string   // all details, rendered
	Details     []Detail // each failing check; allowlist entries can excuse single details
	Hint        string   // how to fix it, when known
}

func (v Violation) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "conformance: %s violation: %s %s", v.Kind, v.Method, v.Path)
	if v.Route != "" {
		fmt.Fprintf(&sb, " (route %s", v.Route)
		if v.OperationID != "" {
			fmt.Fprintf(&sb, ", operation %s", v.OperationID)
		}
		sb.WriteString(")")
	}
	if v.Status != 0 {
		fmt.Fprintf(&sb, " status %d", v.Status)
	}
	fmt.Fprintf(&sb, ": %s", v.Message)
	if v.Hint != "" {
		fmt.Fprintf(&sb, "\n  hint: %s", v.Hint)
	}
	return sb.String()
}

// Transport is an http.RoundTripper that validates every exchange against
// the api.github.com OpenAPI description. Create it with [NewTransport].
type Transport struct {
	base           http.RoundTripper
	reporter       Reporter
	api            *API
	basePaths      []string
	ignore         []string
	allow          []AllowEntry
	allowUnknown   bool
	strictStatuses bool

	mu         sync.Mutex
	violations []Violation
	allowed    []Violation
	operations map[string]int
	exchanges  int
}

// Option configures a Transport.
type Option func(*Transport)

// WithBasePath strips prefix (e.g. "/api/v3" or "/sim") from request paths
// before routing. "/api/v3" is always tried; other prefixes of a client's
// base URL must be declared with this option unless they are unambiguous
// (see [Transport.RoundTrip]).
func WithBasePath(prefix string) Option {
	return func(t *Transport) {
		prefix = "/" + strings.Trim(prefix, "/")
		if prefix != "/" {
			t.basePaths = append(t.basePaths, prefix)
		}
	}
}

// WithIgnoredPathPrefix passes requests whose path starts with prefix
// through unvalidated (for endpoints that are not GitHub's, such as a
// simulator's control API).
func WithIgnoredPathPrefix(prefix string) Option {
	return func(t *Transport) { t.ignore = append(t.ignore, prefix) }
}

// WithAllowlist adds allowlist entries. Each entry must carry a Reason.
func WithAllowlist(entries ...AllowEntry) Option {
	return func(t *Transport) {
		for _, e := range entries {
			if strings.TrimSpace(e.Reason) == "" {
				panic(fmt.Sprintf("conformance: allowlist entry %+v has no reason", e))
			}
			t.allow = append(t.allow, e)
		}
	}
}

// WithUnknownRoutesAllowed stops reporting requests for which the
// description has no operation; they are passed through unvalidated.
func WithUnknownRoutesAllowed() Option {
	return func(t *Transport) { t.allowUnknown = true }
}

// WithStrictStatuses reports every status an operation does not declare,
// including the universal ones (see [Transport.RoundTrip]).
func WithStrictStatuses() Option {
	return func(t *Transport) { t.strictStatuses = true }
}

// WithoutDefaultAllowlist drops [DefaultAllowlist].
func WithoutDefaultAllowlist() Option {
	return func(t *Transport) { t.allow = nil }
}

// NewTransport returns a RoundTripper that sends requests through base
// (http.DefaultTransport if nil) and validates each request and response.
// Violations are recorded (see [Transport.Violations]) and, when r is not
// nil, reported through r.Errorf as they happen. The OpenAPI description is
// loaded on first use, once per process; a load failure is reported to r
// and every exchange passes unvalidated.
func NewTransport(r Reporter, base http.RoundTripper, opts ...Option) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{
		base:       base,
		reporter:   r,
		basePaths:  []string{"/api/v3"},
		allow:      append([]AllowEntry(nil), DefaultAllowlist...),
		operations: map[string]int{},
	}
	for _, o := range opts {
		o(t)
	}
	api, err := LoadAPI()
	if err != nil {
		if r != nil {
			r.Helper()
			r.Errorf("conformance: %v", err)
		}
	}
	t.api = api
	return t
}

// Violations returns the violations recorded so far (allowlisted ones
// excluded).
func (t *Transport) Violations() []Violation {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Violation(nil), t.violations...)
}

// Allowed returns the violations that matched an allowlist entry.
func (t *Transport) Allowed() []Violation {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Violation(nil), t.allowed...)
}

// Operations returns how many exchanges were validated per operation
// ("METHOD template"), which shows which part of the API a test covers.
func (t *Transport) Operations() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.operations))
	for k, v := range t.operations {
		out[k] = v
	}
	return out
}

// OperationList returns the keys of Operations, sorted.
func (t *Transport) OperationList() []string {
	ops := t.Operations()
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Exchanges returns how many exchanges went through the transport.
func (t *Transport) Exchanges() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exchanges
}

func (t *Transport) record(v Violation) {
	t.mu.Lock()
	// Entries with a Detail pattern excuse single details; the violation
	// is excused when nothing is left.
	kept := v.Details[:0:0]
	var excused []Detail
	for _, d := range v.Details {
		if t.excusesDetail(v, d) {
			excused = append(excused, d)
		} else {
			kept = append(kept, d)
		}
	}
	if len(excused) > 0 {
		a := v
		a.Details = excused
		a.Message = joinDetails(excused)
		t.allowed = append(t.allowed, a)
		if len(kept) == 0 {
			t.mu.Unlock()
			return
		}
	}
	v.Details = kept
	v.Message = joinDetails(kept)
	for _, e := range t.allow {
		if e.Detail == nil && e.matches(v) {
			t.allowed = append(t.allowed, v)
			t.mu.Unlock()
			return
		}
	}
	t.violations = append(t.violations, v)
	t.mu.Unlock()
	if t.reporter != nil {
		t.reporter.Helper()
		t.reporter.Errorf("%s", v)
	}
}

func (t *Transport) excusesDetail(v Violation, d Detail) bool {
	for _, e := range t.allow {
		if e.Detail != nil && e.matches(v) && e.Detail.MatchString(d.String()) {
			return true
		}
	}
	return false
}

var validationOptions = &openapi3filter.Options{
	AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus:             true,
	RejectWhenRequestBodyNotSpecified: true,
	SkipSettingDefaults:               true,
	MultiError:                        true,
}

// universalStatuses can come from any endpoint of GitHub's REST API, though
// most operations do not declare them: 401 Bad credentials (REST "Getting
// started: authentication"), 403 and 429 for primary and secondary rate
// limits ("Rate limits for the REST API"), and server errors. An
// undeclared one is accepted if its body is GitHub's error shape.
var universalStatuses = map[int]bool{401: true, 403: true, 429: true, 500: true, 502: true, 503: true, 504: true}

// checkErrorBody checks an undeclared universal error response: a JSON
// body must be an object with a string "message" (and, if present, a
// string "documentation_url"), as GitHub's basic-error schema says.
func checkErrorBody(resp *http.Response, body []byte) []Detail {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil // e.g. an HTML 502 from a proxy
	}
	ctx := fmt.Sprintf("undeclared status %d: body is not GitHub's error shape", resp.StatusCode)
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		return []Detail{{Context: ctx, Problem: err.Error()}}
	}
	if _, ok := e["message"].(string); !ok {
		return []Detail{{Context: ctx, Problem: `at /message: want a string "message"`}}
	}
	if u, present := e["documentation_url"]; present {
		if _, ok := u.(string); !ok {
			return []Detail{{Context: ctx, Problem: "at /documentation_url: want a string"}}
		}
	}
	return nil
}

// RoundTrip validates req, sends it through the base transport, validates
// the response and returns it unchanged (bodies are buffered and restored).
//
// Statuses: a response status must be declared for the operation (or
// "default"), except the universal ones GitHub can send from any endpoint
// (401, 403, 429, 500, 502, 503, 504), whose JSON body must then have
// GitHub's error shape; WithStrictStatuses turns that exception off.
//
// Routing: the request's escaped path is matched as is; failing that, with
// each WithBasePath prefix (and "/api/v3") removed; failing that, with
// leading segments removed one at a time, so a client whose base URL has a
// path prefix works without configuration as long as the rest is a GitHub
// path.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	path := req.URL.EscapedPath()
	for _, p := range t.ignore {
		if strings.HasPrefix(path, p) {
			return t.base.RoundTrip(req)
		}
	}
	if t.api == nil {
		return t.base.RoundTrip(req)
	}
	t.mu.Lock()
	t.exchanges++
	t.mu.Unlock()

	route, params, routedPath, rerr := t.route(req.Method, path)
	if rerr != nil {
		if !t.allowUnknown {
			msg := "no operation in the api.github.com description for this method and path"
			if errors.Is(rerr, routers.ErrMethodNotAllowed) {
				msg = "the path exists in the api.github.com description but not for this method"
			}
			t.record(Violation{Kind: KindRoute, Method: req.Method, Path: path, Details: []Detail{{Problem: msg}}})
		}
		return t.base.RoundTrip(req)
	}
	opKey := req.Method + " " + route.Path
	t.mu.Lock()
	t.operations[opKey]++
	t.mu.Unlock()
	base := Violation{Method: req.Method, Path: routedPath, Route: route.Path, OperationID: route.Operation.OperationID}

	// Request. The caller's request is not modified (RoundTripper
	// contract): a clone carrying the buffered body is sent instead.
	var reqBody []byte
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(b))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		out.ContentLength = int64(len(b))
	}
	vreq := req.Clone(context.Background())
	if reqBody != nil {
		vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	} else {
		vreq.Body = http.NoBody
	}
	reqInput := &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: params,
		Route:      route,
		Options:    validationOptions,
	}
	var reqDetails []Detail
	if err := openapi3filter.ValidateRequest(context.Background(), reqInput); err != nil {
		reqDetails = describe(err)
	}
	reqDetails = append(reqDetails, unknownQuery(route, req.URL.Query())...)
	if len(reqDetails) > 0 {
		v := base
		v.Kind = KindRequest
		v.Details = reqDetails
		v.Hint = hintFor(v, reqBody)
		t.record(v)
	}

	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	if resp.Request == out {
		resp.Request = req
	}

	// Response.
	var respBody []byte
	if resp.Body != nil {
		respBody, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
	}
	if details := t.checkResponse(reqInput, resp, respBody); len(details) != 0 {
		v := base
		v.Kind = KindResponse
		v.Status = resp.StatusCode
		v.Details = details
		t.record(v)
	}
	return resp, nil
}

func (t *Transport) route(method, path string) (*routers.Route, map[string]string, string, error) {
	route, params, err := t.api.Route(method, path)
	if err == nil {
		return route, params, path, nil
	}
	firstErr := err
	for _, p := range t.basePaths {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			if route, params, err := t.api.Route(method, rest); err == nil {
				return route, params, rest, nil
			}
		}
	}
	// Unknown leading segments (a client base URL such as
	// http://127.0.0.1:8080/sim/) are stripped one at a time, but never a
	// path that starts like a GitHub path: "/repos/o/r/bogus/issues" must
	// not be taken for "/issues".
	if segs := splitPath(path); len(segs) == 0 || t.api.Router.root.literal[segs[0]] != nil {
		return nil, nil, path, firstErr
	}
	rest := path
	for {
		i := strings.Index(strings.TrimPrefix(rest, "/"), "/")
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if route, params, err := t.api.Route(method, rest); err == nil {
			return route, params, rest, nil
		}
	}
	return nil, nil, path, firstErr
}

func (t *Transport) checkResponse(in *openapi3filter.RequestValidationInput, resp *http.Response, body []byte) []Detail {
	method := in.Request.Method
	if resp.StatusCode == http.StatusNotModified {
		// A conditional request (If-None-Match / If-Modified-Since) may
		// get 304 from any GET; it must not carry a body.
		if len(body) != 0 {
			return []Detail{{Problem: fmt.Sprintf("304 Not Modified with a %d-byte body", len(body))}}
		}
		return nil
	}
	op := in.Route.Operation
	if op.Responses.Status(resp.StatusCode) == nil && op.Responses.Default() == nil {
		if !t.strictStatuses && universalStatuses[resp.StatusCode] {
			return checkErrorBody(resp, body)
		}
		return []Detail{{Problem: fmt.Sprintf("status %d is not declared for this operation (declared: %s)", resp.StatusCode, declaredStatuses(op))}}
	}
	if method == http.MethodHead {
		return nil
	}
	if undescribedMediaType(in.Request, resp, op.Responses.Status(resp.StatusCode)) {
		return nil
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                validationOptions,
	}
	rin.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		return describe(err)
	}
	return nil
}

// undescribedMediaType reports whether the response uses one of GitHub's
// custom media types (application/vnd.github.raw, .html, .diff, .patch,
// .sha, …) that the client asked for in Accept but the description does
// not list for this response. GitHub documents them per endpoint in prose
// only; the body is then not JSON and is not validated (the status is).
func undescribedMediaType(req *http.Request, resp *http.Response, declared *openapi3.ResponseRef) bool {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "application/vnd.github.") {
		return false
	}
	if declared != nil && declared.Value != nil && declared.Value.Content.Get(mt) != nil {
		return false
	}
	base := strings.TrimSuffix(mt, "+json")
	for _, accept := range req.Header.Values("Accept") {
		for _, part := range strings.Split(accept, ",") {
			amt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && strings.TrimSuffix(amt, "+json") == base {
				return true
			}
		}
	}
	return false
}

func declaredStatuses(op *openapi3.Operation) string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// maxLeaves bounds how many schema errors one violation lists.
const maxLeaves = 8

// Detail is one failing check within a violation: what was being
// validated (e.g. "request body", `query parameter "state"`, "response body
// doesn't match schema …") and the failure, usually "at <JSON pointer>:
// <reason> (got <value>) (schema keyword …)".
type Detail struct {
	Context string
	Problem string
}

func (d Detail) String() string {
	if d.Context == "" {
		return d.Problem
	}
	return d.Context + ": " + d.Problem
}

// joinDetails renders details, naming each context once.
func joinDetails(ds []Detail) string {
	var sb strings.Builder
	for i, d := range ds {
		switch {
		case i == 0:
			sb.WriteString(d.String())
		case d.Context == ds[i-1].Context:
			sb.WriteString("; " + d.Problem)
		default:
			sb.WriteString("; " + d.String())
		}
	}
	return sb.String()
}

// describe breaks a kin-openapi error into details: every failing location
// (JSON pointer), reason, offending value and schema keyword.
// allOf/oneOf/anyOf failures are opened up to the nested errors that caused
// them, so the message says what is actually wrong.
func describe(err error) []Detail {
	if me, ok := err.(openapi3.MultiError); ok {
		// Several parameter/body errors (MultiError option).
		var out []Detail
		for _, e := range me {
			out = append(out, describe(e)...)
		}
		return out
	}
	var ctx string
	var rerr *openapi3filter.RequestError
	var resErr *openapi3filter.ResponseError
	switch {
	case errors.As(err, &rerr):
		var parts []string
		if rerr.Parameter != nil {
			parts = append(parts, fmt.Sprintf("%s parameter %q", rerr.Parameter.In, rerr.Parameter.Name))
		} else if rerr.RequestBody != nil {
			parts = append(parts, "request body")
		}
		if rerr.Reason != "" {
			parts = append(parts, rerr.Reason)
		}
		ctx = strings.Join(parts, ": ")
	case errors.As(err, &resErr):
		ctx = resErr.Reason
	}
	leaves := schemaLeaves(err)
	if len(leaves) == 0 {
		if ctx == "" {
			return []Detail{{Problem: err.Error()}}
		}
		problem := ""
		if inner := errors.Unwrap(err); inner != nil && !strings.Contains(ctx, inner.Error()) {
			problem = inner.Error()
		}
		if problem == "" {
			return []Detail{{Problem: ctx}}
		}
		return []Detail{{Context: ctx, Problem: problem}}
	}
	var out []Detail
	for i, l := range leaves {
		if i == maxLeaves {
			out = append(out, Detail{Context: ctx, Problem: fmt.Sprintf("… and %d more", len(leaves)-maxLeaves)})
			break
		}
		out = append(out, Detail{Context: ctx, Problem: leafString(l)})
	}
	return out
}

// schemaLeaves finds the innermost schema errors under err.
func schemaLeaves(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	seen := map[string]bool{}
	var walk func(e error)
	walk = func(e error) {
		switch v := e.(type) {
		case nil:
			return
		case openapi3.MultiError:
			for _, x := range v {
				walk(x)
			}
			return
		case *openapi3.SchemaError:
			if v.Origin != nil {
				before := len(out)
				var inner openapi3.MultiError
				if errors.As(v.Origin, &inner) {
					walk(inner)
				}
				if len(out) > before {
					return
				}
			}
			key := leafString(v)
			if !seen[key] {
				seen[key] = true
				out = append(out, v)
			}
			return
		}
		var serr *openapi3.SchemaError
		var multi openapi3.MultiError
		switch {
		case errors.As(e, &multi):
			walk(multi)
		case errors.As(e, &serr):
			walk(serr)
		}
	}
	walk(err)
	return out
}

func leafString(serr *openapi3.SchemaError) string {
	ptr := "/" + strings.Join(serr.JSONPointer(), "/")
	detail := fmt.Sprintf("at %s: %s", ptr, serr.Reason)
	if got, err := json.Marshal(serr.Value); err == nil && serr.SchemaField != "required" {
		if len(got) > 120 {
			got = append(got[:117:117], "..."...)
		}
		detail += fmt.Sprintf(" (got %s)", got)
	}
	if serr.SchemaField != "" {
		detail += fmt.Sprintf(" (schema keyword %q)", serr.SchemaField)
	}
	return detail
}

func hintFor(v Violation, body []byte) string {
	if v.Route == "/app/installations/{installation_id}/access_tokens" && bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return "the body is JSON null: pass &github.InstallationTokenOptions{} (ghinstallation: set Transport.InstallationTokenOptions) instead of nil"
	}
	return ""
}

// unknownQuery are the query parameters the operation does not declare
// (GitHub ignores them silently, so a client sending one believes in a
// filter or a page that is not there: page and per_page on an endpoint
// that does not paginate, a misspelt filter).
func unknownQuery(route *routers.Route, query url.Values) []Detail {
	declared := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	var names []string
	for name := range query {
		if !declared[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []Detail
	for _, name := range names {
		out = append(out, Detail{Context: fmt.Sprintf("query parameter %q", name), Problem: "not a parameter of this operation (GitHub ignores it)"})
	}
	return out
}
