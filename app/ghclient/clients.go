// Package ghclient is the App's GitHub client stack: one reused go-github
// client per installation, each with its own token, response cache,
// retries and write pacing, over one shared connection pool, reporting
// every request to an Observer. Rate limits become a *RateLimitError that
// says when to retry.
package ghclient

import (
	"container/list"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// Config configures New.
type Config struct {
	AppID      int64
	PrivateKey *rsa.PrivateKey
	// APIURL is the REST API base: https://api.github.com/ (default), a
	// GitHub Enterprise Server https://HOST/api/v3/, or a simulator's URL.
	APIURL string
	// Base is the shared connection pool (default: a clone of
	// http.DefaultTransport with header timeouts).
	Base http.RoundTripper
	// CacheBytes is each installation's response cache budget (default 4 MiB).
	CacheBytes int64
	// CacheTotalBytes bounds the response caches of all installations
	// together (default DefaultCacheTotalBytes, 64 MiB): beyond it the
	// least recently used response of any installation is evicted.
	CacheTotalBytes int64
	// MaxInstallations bounds the clients kept (least recently used first
	// out; default 1024).
	MaxInstallations int
	Retry            RetryConfig
	Pacer            PacerConfig
	// Observer, when set, is told of every request (metrics).
	Observer Observer
}

// Clients hands out one reused *github.Client per installation. Each has its
// own transport chain, outermost first:
//
//	ghinstallation (installation token, refreshed a minute before expiry)
//	→ httpcache with a per-installation byte-bounded LRU (conditional
//	  requests; a 304 does not count against the rate limit)
//	→ cache policy (always revalidate; Vary: Authorization dropped, the cache
//	  being per installation already, so token rotation keeps the cache)
//	→ retry (5xx/timeouts/connection errors on idempotent requests; secondary
//	  limits honour Retry-After; primary exhaustion → *RateLimitError)
//	→ write pacer (per installation) → metrics → shared http.Transport.
//
// The cache sits inside the auth transport: requests reaching it carry the
// installation's token, and nothing is shared between installations.
type Clients struct {
	cfg     Config
	apiURL  *url.URL
	appHTTP http.RoundTripper

	mu     sync.Mutex
	order  *list.List // of *installationClient, front = most recent
	byID   map[int64]*list.Element
	app    *github.Client
	caches *cacheBudget // the installations' caches' shared budget
}

// DefaultCacheTotalBytes is the default of Config.CacheTotalBytes: a
// fraction of a 256 MiB pod, and far more than a busy installation's few
// hundred KB of files, pull requests and comment lists.
const DefaultCacheTotalBytes = 64 << 20

type installationClient struct {
	id     int64
	client *github.Client
	auth   *ghinstallation.Transport
	cache  *lruCache
}

// ParsePrivateKey parses a GitHub App private key (PEM, PKCS#1 or PKCS#8).
func ParsePrivateKey(pem []byte) (*rsa.PrivateKey, error) {
	k, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("parse GitHub App private key: %w", err)
	}
	return k, nil
}

// New validates cfg and returns an empty client cache.
func New(cfg Config) (*Clients, error) {
	if cfg.AppID <= 0 {
		return nil, errors.New("app: GitHub App ID missing")
	}
	if cfg.PrivateKey == nil {
		return nil, errors.New("app: GitHub App private key missing")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		shown := "(not a URL; not printed, it may hold a token)"
		if err == nil {
			shown = strconv.Quote(u.Redacted())
		}
		return nil, fmt.Errorf("app: GitHub API URL %s: want https://HOST/…", shown)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if cfg.Base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 30 * time.Second
		t.MaxIdleConnsPerHost = 16
		cfg.Base = t
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 4 << 20
	}
	if cfg.MaxInstallations <= 0 {
		cfg.MaxInstallations = 1024
	}
	if cfg.CacheTotalBytes <= 0 {
		cfg.CacheTotalBytes = DefaultCacheTotalBytes
	}
	r := &cfg.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 4
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 500 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 10 * time.Second
	}
	if r.MaxWait <= 0 {
		r.MaxWait = time.Minute
	}
	p := &cfg.Pacer
	if p.Interval <= 0 {
		p.Interval = time.Second
	}
	if p.Burst <= 0 {
		p.Burst = DefaultPacerBurst
	}
	if p.PerMinute <= 0 {
		p.PerMinute = 80
	}
	if p.PerHour <= 0 {
		p.PerHour = 500
	}
	if p.MaxWait <= 0 {
		p.MaxWait = time.Minute
	}
	c := &Clients{cfg: cfg, apiURL: u, order: list.New(), byID: map[int64]*list.Element{}, caches: newCacheBudget(cfg.CacheTotalBytes)}
	c.appHTTP = &retryTransport{cfg: cfg.Retry, next: &metricsTransport{installation: 0, metrics: cfg.Observer, apiPath: u.Path, next: cfg.Base}}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(c.appHTTP, cfg.AppID, cfg.PrivateKey)
	atr.BaseURL = c.tokenBaseURL()
	c.app = c.newGitHubClient(atr)
	return c, nil
}

// tokenBaseURL is the API base without its trailing slash, as ghinstallation
// wants it.
func (c *Clients) tokenBaseURL() string { return strings.TrimRight(c.apiURL.String(), "/") }

func (c *Clients) newGitHubClient(rt http.RoundTripper) *github.Client {
	gh := github.NewClient(&http.Client{Transport: rt})
	base := *c.apiURL
	gh.BaseURL = &base
	up := *c.apiURL
	switch {
	case strings.HasSuffix(up.Path, "/api/v3/"): // GitHub Enterprise Server
		up.Path = strings.TrimSuffix(up.Path, "v3/") + "uploads/"
	case up.Host == "api.github.com":
		up.Host = "uploads.github.com"
	}
	gh.UploadURL = &up
	return gh
}

// App is the app-level client (JWT-authenticated; /app endpoints only).
func (c *Clients) App() *github.Client { return c.app }

// Installation returns the installation's client, creating it on first use.
// The same *github.Client (same token, same cache) is returned until the
// installation is evicted or forgotten.
func (c *Clients) Installation(id int64) (*github.Client, error) {
	ic, err := c.installation(id)
	if err != nil {
		return nil, err
	}
	return ic.client, nil
}

// Token returns a valid installation token (for git over HTTPS).
func (c *Clients) Token(ctx context.Context, id int64) (string, error) {
	ic, err := c.installation(id)
	if err != nil {
		return "", err
	}
	return ic.auth.Token(ctx)
}

// Forget drops an installation's client, token and cache (uninstall).
func (c *Clients) Forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.order.Remove(e)
		delete(c.byID, id)
		e.Value.(*installationClient).cache.clear()
	}
}

// CacheBytes is what the installations' response caches hold together
// (at most Config.CacheTotalBytes).
func (c *Clients) CacheBytes() int64 { return c.caches.Bytes() }

// Len is the number of installation clients held.
func (c *Clients) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID)
}

func (c *Clients) installation(id int64) (*installationClient, error) {
	if id <= 0 {
		return nil, fmt.Errorf("app: invalid installation ID %d", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*installationClient), nil
	}
	ic := &installationClient{id: id, cache: c.caches.cache(c.cfg.CacheBytes)}
	inner := &metricsTransport{installation: id, metrics: c.cfg.Observer, apiPath: c.apiURL.Path, next: c.cfg.Base}
	paced := &pacerTransport{p: newPacer(c.cfg.Pacer), next: inner}
	retried := &retryTransport{cfg: c.cfg.Retry, next: paced}
	cached := &httpcache.Transport{Transport: &cachePolicyTransport{next: retried}, Cache: ic.cache, MarkCachedResponses: true}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(&cacheFillTransport{next: cached}, c.cfg.AppID, c.cfg.PrivateKey)
	atr.BaseURL = c.tokenBaseURL()
	ic.auth = ghinstallation.NewFromAppsTransport(atr, id)
	ic.auth.BaseURL = c.tokenBaseURL()
	ic.auth.InstallationTokenOptions = &github.InstallationTokenOptions{}
	ic.client = c.newGitHubClient(ic.auth)
	c.byID[id] = c.order.PushFront(ic)
	for len(c.byID) > c.cfg.MaxInstallations {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byID, old.Value.(*installationClient).id)
		old.Value.(*installationClient).cache.clear()
	}
	return ic, nil
}

// cachePolicyTransport adjusts GitHub's caching headers before httpcache
// stores a response: GitHub says `max-age=60`, but a reconciler woken by a
// webhook must see the change the webhook announced, so every cached
// response is revalidated (If-None-Match → 304, free of rate limit). Vary:
// Authorization is dropped because the cache is per installation: only token
// rotation changes that header, and it must not empty the cache hourly.
type cachePolicyTransport struct{ next http.RoundTripper }

func (t *cachePolicyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
		return resp, err
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified {
		resp.Header.Set("Cache-Control", "private, no-cache")
		resp.Header.Del("Expires")
		if vary := resp.Header.Values("Vary"); len(vary) > 0 {
			var keep []string
			for _, v := range vary {
				for _, f := range strings.Split(v, ",") {
					if f = strings.TrimSpace(f); f != "" && !strings.EqualFold(f, "Authorization") {
						keep = append(keep, f)
					}
				}
			}
			resp.Header.Del("Vary")
			if len(keep) > 0 {
				resp.Header.Set("Vary", strings.Join(keep, ", "))
			}
		}
	}
	return resp, nil
}
