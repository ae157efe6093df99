package app

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/postmortem-app/postmortem/app/ghclient"
	"github.com/postmortem-app/postmortem/app/sqldb"
	"github.com/postmortem-app/postmortem/app/webhook"
)

// Config is what `postmortem serve` needs. ConfigFromEnv reads it from the
// environment; the command's flags override single fields.
type Config struct {
	AppID          int64  // GITHUB_APP_ID
	PrivateKeyPEM  string // GITHUB_APP_PRIVATE_KEY (PEM text)
	PrivateKeyPath string // GITHUB_APP_PRIVATE_KEY_PATH
	WebhookSecret  string // GITHUB_WEBHOOK_SECRET
	APIURL         string // GITHUB_API_URL (default https://api.github.com/; GHES https://HOST/api/v3/)
	Addr           string // POSTMORTEM_ADDR (default :8080)
	DatabaseURL    string // DATABASE_URL (default SQLite file postmortem.db; postgres://… for PostgreSQL)
	AppSlug        string // GITHUB_APP_SLUG: the bot is "<slug>[bot]"; looked up via GET /app when empty
	// MetricsAddr is POSTMORTEM_METRICS_ADDR: when set, GET /metrics is
	// served there and not on Addr.
	MetricsAddr string
	// WebhookMaxInFlight is POSTMORTEM_WEBHOOK_MAX_INFLIGHT: the webhook
	// body bytes read at once (default 50MiB; a number of bytes with an
	// optional KiB, MiB or GiB).
	WebhookMaxInFlight int64
	// APICacheBytes is POSTMORTEM_API_CACHE_BYTES: the GitHub response
	// caches of all installations together (default 64MiB).
	APICacheBytes int64
}

// ConfigFromEnv reads the environment through getenv (os.Getenv) and fills
// defaults.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		PrivateKeyPEM:  getenv("GITHUB_APP_PRIVATE_KEY"),
		PrivateKeyPath: getenv("GITHUB_APP_PRIVATE_KEY_PATH"),
		WebhookSecret:  getenv("GITHUB_WEBHOOK_SECRET"),
		APIURL:         getenv("GITHUB_API_URL"),
		Addr:           getenv("POSTMORTEM_ADDR"),
		DatabaseURL:    getenv("DATABASE_URL"),
		AppSlug:        getenv("GITHUB_APP_SLUG"),
		MetricsAddr:    getenv("POSTMORTEM_METRICS_ADDR"),
	}
	if v := strings.TrimSpace(getenv("GITHUB_APP_ID")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("GITHUB_APP_ID=%q is not a GitHub App ID (a positive number, on the App's settings page)", v)
		}
		c.AppID = id
	}
	if v := strings.TrimSpace(getenv("POSTMORTEM_WEBHOOK_MAX_INFLIGHT")); v != "" {
		n, err := ParseBytes(v)
		if err != nil {
			return c, fmt.Errorf("POSTMORTEM_WEBHOOK_MAX_INFLIGHT=%q: %v", v, err)
		}
		c.WebhookMaxInFlight = n
	}
	if v := strings.TrimSpace(getenv("POSTMORTEM_API_CACHE_BYTES")); v != "" {
		n, err := ParseBytes(v)
		if err != nil {
			return c, fmt.Errorf("POSTMORTEM_API_CACHE_BYTES=%q: %v", v, err)
		}
		c.APICacheBytes = n
	}
	c.Defaults()
	return c, nil
}

// ParseBytes reads a size: a whole number of bytes, or with a unit KiB,
// MiB or GiB (KB, MB and GB are read as the same powers of two).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return 0, errors.New("want a positive size such as 50MiB or 52428800")
	}
	return n * mult, nil
}

// Defaults fills empty fields with their defaults.
func (c *Config) Defaults() {
	if c.APIURL == "" {
		c.APIURL = ghclient.DefaultAPIURL
	}
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = sqldb.DefaultURL
	}
	if c.WebhookMaxInFlight <= 0 {
		c.WebhookMaxInFlight = webhook.DefaultMaxInFlight
	}
	if c.APICacheBytes <= 0 {
		c.APICacheBytes = ghclient.DefaultCacheTotalBytes
	}
}

// Validate checks the configuration is enough to run and returns the parsed
// private key. Its errors say what to set.
func (c *Config) Validate() (*rsa.PrivateKey, error) {
	var errs []error
	if c.WebhookSecret == "" {
		errs = append(errs, errors.New("no webhook secret: set GITHUB_WEBHOOK_SECRET (or --webhook-secret) to the secret configured on the GitHub App; unsigned deliveries are never accepted"))
	}
	if c.AppID <= 0 {
		errs = append(errs, errors.New("no App ID: set GITHUB_APP_ID (or --app-id) to the GitHub App's numeric ID"))
	}
	var key *rsa.PrivateKey
	pem := []byte(c.PrivateKeyPEM)
	switch {
	case c.PrivateKeyPEM != "" && c.PrivateKeyPath != "":
		errs = append(errs, errors.New("both GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are set: set only one"))
		pem = nil
	case c.PrivateKeyPath != "":
		b, err := os.ReadFile(c.PrivateKeyPath)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot read the App's private key: %v; set GITHUB_APP_PRIVATE_KEY_PATH (or --private-key-path) to the .pem file downloaded from the App's settings", err))
		}
		pem = b
	case c.PrivateKeyPEM == "":
		errs = append(errs, errors.New("no private key: set GITHUB_APP_PRIVATE_KEY_PATH (or --private-key-path) to the App's .pem file, or GITHUB_APP_PRIVATE_KEY to its contents"))
	}
	if len(pem) > 0 {
		k, err := ghclient.ParsePrivateKey(pem)
		if err != nil {
			errs = append(errs, fmt.Errorf("the App's private key is not a valid RSA PEM key (%v): use the .pem file downloaded from the App's settings", err))
		}
		key = k
	}
	if c.APIURL != "" && !strings.HasPrefix(c.APIURL, "https://") && !strings.HasPrefix(c.APIURL, "http://") {
		errs = append(errs, fmt.Errorf("GITHUB_API_URL=%q: want https://api.github.com/ or https://HOST/api/v3/ for GitHub Enterprise Server", sqldb.Redact(c.APIURL)))
	}
	if err := sqldb.CheckURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return key, nil
}

// BotLogin is the login the App's bot account acts as.
func BotLogin(slug string) string {
	if slug == "" {
		return ""
	}
	return slug + "[bot]"
}
