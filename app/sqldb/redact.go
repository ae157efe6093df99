package sqldb

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// Redact is s with any password it carries replaced by "xxxxx": a URL's
// user password (scheme://user:PASSWORD@host), and password=… or
// sslpassword=… in a keyword DSN or a query. What a person set as
// DATABASE_URL (or any URL) is safe to print once redacted.
func Redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			s = strings.Replace(s, u.User.String()+"@", u.User.Username()+":xxxxx@", 1)
		}
	}
	s = reUserinfo.ReplaceAllString(s, "${1}xxxxx@")
	return rePasswordKV.ReplaceAllString(s, "${1}xxxxx")
}

var (
	// scheme://user:password@ even where net/url gives up on the rest.
	reUserinfo = regexp.MustCompile(`(://[^/@:\s]*:)[^/\s]*@`)
	// password=secret, sslpassword='secret' (keyword DSNs and queries).
	rePasswordKV = regexp.MustCompile(`(?i)((?:^|[\s&?;])(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;]*)`)
)

// redactedError is an error whose text is redacted of the secret it could
// echo (errors.Is and As still see the original).
type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	msg := e.err.Error()
	if e.secret != "" {
		msg = strings.ReplaceAll(msg, e.secret, Redact(e.secret))
	}
	return Redact(msg)
}

func (e *redactedError) Unwrap() error { return e.err }

// RedactError wraps err so that its text never carries secret (a
// DATABASE_URL) or any password-looking part unredacted.
func RedactError(err error, secret string) error {
	if err == nil {
		return nil
	}
	var re *redactedError
	if errors.As(err, &re) && re.secret == secret {
		return err
	}
	return &redactedError{err: err, secret: secret}
}
