package githubsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Delivery is one webhook delivery attempt, as the deliveries API reports it.
type Delivery struct {
	ID             int64
	GUID           string
	AppID          int64
	InstallationID int64
	RepositoryID   int64
	Event          string
	Action         string
	URL            string
	Payload        []byte
	RequestHeader  http.Header
	Redelivery     bool
	// Filled once attempted:
	Attempted      bool
	DeliveredAt    time.Time
	Duration       time.Duration
	StatusCode     int // 0: no HTTP response
	Status         string
	ResponseHeader http.Header
	ResponseBody   string
}

// OK reports a 2xx answer.
func (d Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

type hookSystem struct {
	s       *Server
	mu      sync.Mutex
	cond    *sync.Cond
	queues  map[int64][]*Delivery
	running map[int64]bool
	held    map[int64][]*Delivery // reorder fault: waiting for the next delivery
	pending int
	all     []*Delivery
	nextID  int64
	client  *http.Client
	closed  bool
}

func newHookSystem(s *Server) *hookSystem {
	h := &hookSystem{s: s, queues: map[int64][]*Delivery{}, running: map[int64]bool{}, held: map[int64][]*Delivery{},
		client: &http.Client{Timeout: 10 * time.Second}, nextID: 90000}
	h.cond = sync.NewCond(&h.mu)
	return h
}

func (h *hookSystem) close() {
	h.mu.Lock()
	h.closed = true
	h.cond.Broadcast()
	h.mu.Unlock()
}

// enqueue schedules a delivery (called with s.mu held; never blocks on HTTP).
func (h *hookSystem) enqueue(d *Delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	d.ID = h.nextID
	if d.GUID == "" {
		d.GUID = uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("githubsim-delivery-%d", d.ID))).String()
	}
	d.RequestHeader.Set("X-GitHub-Delivery", d.GUID)
	h.all = append(h.all, d)
	h.pending++
	h.queues[d.AppID] = append(h.queues[d.AppID], d)
	if !h.running[d.AppID] {
		h.running[d.AppID] = true
		go h.worker(d.AppID)
	}
}

func (h *hookSystem) worker(appID int64) {
	for {
		h.mu.Lock()
		q := h.queues[appID]
		if len(q) == 0 || h.closed {
			h.running[appID] = false
			h.mu.Unlock()
			return
		}
		d := q[0]
		h.queues[appID] = q[1:]
		h.mu.Unlock()

		f := h.s.faults.matchHook(d.Event, d.Action)
		switch {
		case f != nil && f.Kind == HookFail:
			h.record(d, 0, "Invalid HTTP Response: delivery failed (injected fault)", nil, "", 0)
		case f != nil && f.Kind == HookDelay:
			go func(d *Delivery) {
				time.Sleep(f.Delay)
				h.send(d)
			}(d)
			continue // pending is released by send
		case f != nil && f.Kind == HookReorder:
			h.mu.Lock()
			h.held[appID] = append(h.held[appID], d)
			h.mu.Unlock()
			continue
		default:
			h.send(d)
			if f != nil && f.Kind == HookDuplicate {
				for i := 0; i < max(f.N, 1); i++ {
					dup := h.cloneFor(d, false, nil)
					h.mu.Lock()
					h.pending++
					h.mu.Unlock()
					h.send(dup)
				}
			}
		}
		// a delivery went out: release held (reordered) ones after it
		h.mu.Lock()
		held := h.held[appID]
		delete(h.held, appID)
		h.mu.Unlock()
		for _, hd := range held {
			h.send(hd)
		}
	}
}

// cloneFor records a new attempt of d: a duplicate, or a redelivery sent
// to hook (the app's webhook now; nil: where d went).
func (h *hookSystem) cloneFor(d *Delivery, redelivery bool, hook *hookConfig) *Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	nd := &Delivery{ID: h.nextID, GUID: d.GUID, AppID: d.AppID, InstallationID: d.InstallationID, RepositoryID: d.RepositoryID,
		Event: d.Event, Action: d.Action, URL: d.URL, Payload: d.Payload, RequestHeader: d.RequestHeader.Clone(), Redelivery: redelivery}
	if hook != nil {
		nd.URL = hook.url
		nd.RequestHeader.Del("X-Hub-Signature-256")
		nd.RequestHeader.Del("X-Hub-Signature")
		if hook.secret != "" {
			s256, s1 := sign(hook.secret, nd.Payload)
			nd.RequestHeader.Set("X-Hub-Signature-256", s256)
			nd.RequestHeader.Set("X-Hub-Signature", s1)
		}
	}
	h.all = append(h.all, nd)
	return nd
}

// send performs the HTTP POST and records the outcome; releases one pending.
func (h *hookSystem) send(d *Delivery) {
	if d.URL == "" {
		h.record(d, 0, "No webhook URL configured", nil, "", 0)
		return
	}
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		h.record(d, 0, "Invalid HTTP Response: "+err.Error(), nil, "", 0)
		return
	}
	req.Header = d.RequestHeader.Clone()
	resp, err := h.client.Do(req)
	dur := time.Since(start)
	if err != nil {
		h.record(d, 0, "We couldn’t deliver this payload: "+err.Error(), nil, "", dur)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	status := "OK"
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		status = "Invalid HTTP Response: " + strconv.Itoa(resp.StatusCode)
	}
	h.record(d, resp.StatusCode, status, resp.Header, string(body), dur)
}

func (h *hookSystem) record(d *Delivery, code int, status string, hdr http.Header, body string, dur time.Duration) {
	h.s.log.Debug("githubsim webhook", "event", d.Event, "action", d.Action, "guid", d.GUID, "status", code)
	now := h.s.clockNow()
	h.mu.Lock()
	d.Attempted, d.StatusCode, d.Status, d.ResponseHeader, d.ResponseBody, d.Duration = true, code, status, hdr, body, dur
	d.DeliveredAt = now
	h.pending--
	h.cond.Broadcast()
	h.mu.Unlock()
}

func (s *Server) clockNow() time.Time { return s.clock() }

// WaitIdle blocks until every queued webhook delivery has been attempted
// (reordered deliveries held back wait for the next one: use Flush).
func (s *Server) WaitIdle() {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		heldN := 0
		for _, q := range h.held {
			heldN += len(q)
		}
		if h.pending-heldN <= 0 || h.closed {
			return
		}
		h.cond.Wait()
	}
}

// Flush releases deliveries held back by reorder faults and waits until all
// deliveries have been attempted.
func (s *Server) Flush() {
	s.WaitIdle() // let running workers finish first: they release held deliveries in order
	h := s.hooks
	h.mu.Lock()
	var held []*Delivery
	for id, q := range h.held {
		held = append(held, q...)
		delete(h.held, id)
	}
	h.mu.Unlock()
	sort.Slice(held, func(i, j int) bool { return held[i].ID < held[j].ID })
	for _, d := range held {
		h.send(d)
	}
	h.mu.Lock()
	for h.pending > 0 && !h.closed {
		h.cond.Wait()
	}
	h.mu.Unlock()
}

// Deliveries returns every delivery so far, oldest first (copies).
func (s *Server) Deliveries() []Delivery {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Delivery, 0, len(h.all))
	for _, d := range h.all {
		out = append(out, *d)
	}
	return out
}

// Redeliver re-sends a delivery like POST /app/hook/deliveries/{id}/attempts.
func (s *Server) Redeliver(id int64) bool {
	h := s.hooks
	h.mu.Lock()
	var orig *Delivery
	for _, d := range h.all {
		if d.ID == id {
			orig = d
		}
	}
	h.mu.Unlock()
	if orig == nil {
		return false
	}
	s.mu.Lock()
	a := s.apps[orig.AppID]
	var hook *hookConfig
	if a != nil {
		hook = &hookConfig{url: a.WebhookURL, secret: a.WebhookSecret}
	}
	s.mu.Unlock()
	h.redeliver(orig, hook)
	return true
}

// hookConfig is an app's webhook as it is now.
type hookConfig struct{ url, secret string }

// redeliver re-sends orig to the app's current webhook (read under s.mu by
// the caller; nil: the app is gone, resend as before), signed with its
// current secret, as GitHub does: the hook may have moved since.
func (h *hookSystem) redeliver(orig *Delivery, hook *hookConfig) {
	nd := h.cloneFor(orig, true, hook)
	h.mu.Lock()
	h.pending++
	h.queues[nd.AppID] = append(h.queues[nd.AppID], nd)
	if !h.running[nd.AppID] {
		h.running[nd.AppID] = true
		go h.worker(nd.AppID)
	}
	h.mu.Unlock()
}

func sign(secret string, body []byte) (string, string) {
	m256 := hmac.New(sha256.New, []byte(secret))
	m256.Write(body)
	m1 := hmac.New(sha1.New, []byte(secret))
	m1.Write(body)
	return "sha256=" + hex.EncodeToString(m256.Sum(nil)), "sha1=" + hex.EncodeToString(m1.Sum(nil))
}

// hookTarget says who receives an event.
type hookTarget struct {
	only *app // deliver only to this app (check_suite requested etc.)
	// force delivers to 'only' even when it is not subscribed
	force bool
	inst  *installation // installation events: this installation only
}

// emit builds and enqueues an event for every subscribed installation that
// can see the repository. Called with s.mu held.
func (s *Server) emit(event, action string, r *repo, payload map[string]any, sender *account, tgt hookTarget) {
	v := s.rootView()
	var apps []*app
	for _, a := range s.apps {
		apps = append(apps, a)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	for _, a := range apps {
		if tgt.only != nil && a != tgt.only {
			continue
		}
		var in *installation
		if tgt.inst != nil {
			if tgt.inst.App != a {
				continue
			}
			in = tgt.inst
		} else {
			in = s.installationFor(a, r)
			if in == nil {
				continue
			}
		}
		if !(tgt.force && tgt.only == a) && !subscribed(in.Events, event) {
			continue
		}
		p := map[string]any{}
		if action != "" {
			p["action"] = action
		}
		for k, val := range payload {
			p[k] = val
		}
		if r != nil {
			if _, ok := p["repository"]; !ok {
				p["repository"] = v.hookRepository(r)
			}
			if r.Owner.Type == "Organization" {
				p["organization"] = v.orgObj(r.Owner)
			}
		}
		p["sender"] = v.user(sender)
		p["installation"] = map[string]any{"id": in.ID, "node_id": nodeID("Installation", in.ID)}
		if event == "installation" || event == "installation_repositories" {
			p["installation"] = payload["installation"]
		}
		body, _ := json.Marshal(p)
		hdr := http.Header{}
		hdr.Set("Content-Type", "application/json")
		hdr.Set("User-Agent", "GitHub-Hookshot/githubsim")
		hdr.Set("X-GitHub-Event", event)
		hdr.Set("X-GitHub-Hook-ID", strconv.FormatInt(a.HookID, 10))
		hdr.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(a.ID, 10))
		hdr.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
		if a.WebhookSecret != "" {
			s256, s1 := sign(a.WebhookSecret, body)
			hdr.Set("X-Hub-Signature-256", s256)
			hdr.Set("X-Hub-Signature", s1)
		}
		d := &Delivery{AppID: a.ID, InstallationID: in.ID, Event: event, Action: action, URL: a.WebhookURL, Payload: body, RequestHeader: hdr}
		if r != nil {
			d.RepositoryID = r.ID
		}
		s.hooks.enqueue(d)
	}
}

func subscribed(events []string, event string) bool {
	for _, e := range events {
		if e == event || e == "*" {
			return true
		}
	}
	return false
}

// installationFor finds app's installation covering r.
func (s *Server) installationFor(a *app, r *repo) *installation {
	if r == nil {
		return nil
	}
	var ids []int64
	for id := range s.insts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		in := s.insts[id]
		if in.App == a && s.instCoversRepo(in, r) {
			return in
		}
	}
	return nil
}
