package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// decodeDelivery fills d from a webhook payload exactly as
// json.Unmarshal(body, d) would (same accepted inputs, same field values,
// an error in the same cases), at a fraction of the cost: the payload is
// checked once with json.Valid (no allocation), then only the routing
// fields are decoded and every other value is skipped by a byte scan that
// can trust the syntax. Keys match case-insensitively as encoding/json's do,
// duplicate keys last-wins, null leaves values (or sets pointers and slices
// to nil), type mismatches are errors. TestDecodeDeliveryMatchesUnmarshal
// and FuzzDecodeDelivery hold it to json.Unmarshal.
func decodeDelivery(body []byte, d *delivery) error {
	if !validJSON(body) {
		// The same error (and message) as before.
		return json.Unmarshal(body, d)
	}
	s := scan{b: body}
	s.ws()
	switch s.b[s.i] {
	case 'n':
		return nil // null: nothing to do
	case '{':
	default:
		return json.Unmarshal(body, d) // not an object: its type error
	}
	s.object(func(key []byte) {
		switch {
		case keyIs(key, "action"):
			s.str(&d.Action)
		case keyIs(key, "installation"):
			s.installation(d)
		case keyIs(key, "repository"):
			s.repository(d)
		case keyIs(key, "repositories_removed"):
			s.removed(d)
		case keyIs(key, "issue"):
			s.issue(d)
		case keyIs(key, "pull_request"):
			s.pullRequest(d)
		case keyIs(key, "check_suite"):
			s.check(&d.CheckSuite)
		case keyIs(key, "check_run"):
			s.check(&d.CheckRun)
		case keyIs(key, "comment"):
			s.comment(d)
		case keyIs(key, "sender"):
			s.sender(d)
		default:
			s.skip()
		}
	})
	if s.err != nil {
		// A type error: json.Unmarshal gives the same verdict with its
		// message (rare: GitHub never sends one).
		*d = delivery{}
		if err := json.Unmarshal(body, d); err != nil {
			return err
		}
		return s.err
	}
	return nil
}

// installation reads the delivery's installation: its id.
func (s *scan) installation(d *delivery) {
	if s.null() {
		d.Installation = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.Installation == nil {
		d.Installation = new(deliveryInstallation)
	}
	in := d.Installation
	s.object(func(k []byte) {
		if keyIs(k, "id") {
			s.int(&in.ID)
		} else {
			s.skip()
		}
	})
}

// removed reads installation_repositories's repositories_removed: each
// one's id and full name.
func (s *scan) removed(d *delivery) {
	rs := d.Removed
	n := s.array(func() { rs = nil }, func(i int, isNull bool) {
		rs = growTo(rs, i)
		if !isNull && s.isObject() {
			r := &rs[i]
			s.object(func(k []byte) {
				switch {
				case keyIs(k, "id"):
					s.int(&r.ID)
				case keyIs(k, "full_name"):
					s.str(&r.FullName)
				default:
					s.skip()
				}
			})
		}
	})
	d.Removed = endSlice(rs, n)
}

// repository reads the delivery's repository: id, name, default branch, owner.
func (s *scan) repository(d *delivery) {
	if s.null() {
		d.Repository = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.Repository == nil {
		d.Repository = new(deliveryRepository)
	}
	r := d.Repository
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "id"):
			s.int(&r.ID)
		case keyIs(k, "name"):
			s.str(&r.Name)
		case keyIs(k, "default_branch"):
			s.str(&r.DefaultBranch)
		case keyIs(k, "owner"):
			s.loginOnly(&r.Owner.Login)
		default:
			s.skip()
		}
	})
}

// sender reads the delivery's sender: login and type.
func (s *scan) sender(d *delivery) {
	if s.null() {
		d.Sender = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.Sender == nil {
		d.Sender = new(deliverySender)
	}
	s.user(d.Sender)
}

// comment reads an issue_comment's comment: id, body, creation time and
// author.
func (s *scan) comment(d *delivery) {
	if s.null() {
		d.Comment = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.Comment == nil {
		d.Comment = new(deliveryComment)
	}
	c := d.Comment
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "id"):
			s.int(&c.ID)
		case keyIs(k, "body"):
			s.str(&c.Body)
		case keyIs(k, "created_at"):
			s.str(&c.CreatedAt)
		case keyIs(k, "user"):
			if !s.null() && s.isObject() {
				s.user(&c.User)
			}
		default:
			s.skip()
		}
	})
}

// user reads a user object (at s.i) into u: login and type.
func (s *scan) user(u *deliverySender) {
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "login"):
			s.str(&u.Login)
		case keyIs(k, "type"):
			s.str(&u.Type)
		default:
			s.skip()
		}
	})
}

// errType stands for json.Unmarshal's *UnmarshalTypeError: a value of the
// wrong kind for its field (400 either way).
var errType = errors.New("json: value of the wrong type for a routing field")

// scan walks a payload json.Valid has accepted.
type scan struct {
	b   []byte
	i   int
	err error // the first type error; decoding goes on, as encoding/json does
}

func (s *scan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scan) fail() {
	if s.err == nil {
		s.err = errType
	}
}

// null consumes a null literal if one is next.
func (s *scan) null() bool {
	s.ws()
	if s.b[s.i] == 'n' {
		s.i += 4
		return true
	}
	return false
}

// isObject reports whether an object is next; any other value is skipped as
// a type error.
func (s *scan) isObject() bool {
	s.ws()
	if s.b[s.i] == '{' {
		return true
	}
	s.fail()
	s.skip()
	return false
}

// object walks the object that starts at s.i, calling field for each key
// with s.i at its value; field must consume the value.
func (s *scan) object(field func(key []byte)) {
	s.i++ // {
	var scratch [32]byte
	for {
		s.ws()
		if s.b[s.i] == '}' {
			s.i++
			return
		}
		if s.b[s.i] == ',' {
			s.i++
			s.ws()
		}
		raw := s.stringToken()
		key := raw[1 : len(raw)-1]
		if bytes.IndexByte(key, '\\') >= 0 || !isASCII(key) {
			var k string
			json.Unmarshal(raw, &k) // valid: cannot fail
			key = append(scratch[:0], k...)
		}
		s.ws()
		s.i++ // :
		s.ws()
		field(key)
	}
}

// stringToken returns the string token at s.i, quotes included. The
// closing quote is the first '"' not escaped, that is not preceded by an
// odd run of backslashes (json.Valid has checked the escapes).
func (s *scan) stringToken() []byte {
	start := s.i
	j := s.i + 1
	for {
		j += bytes.IndexByte(s.b[j:], '"')
		p := j - 1
		for p > start && s.b[p] == '\\' {
			p--
		}
		if (j-1-p)%2 == 0 {
			s.i = j + 1
			return s.b[start:s.i]
		}
		j++
	}
}

// structural marks the bytes skip stops at inside a container.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// skip passes over one value.
func (s *scan) skip() {
	s.ws()
	switch s.b[s.i] {
	case '"':
		s.stringToken()
	case '{', '[':
		depth := 0
		b := s.b
		for {
			i := s.i
			for !structural[b[i]] {
				i++
			}
			s.i = i
			switch b[i] {
			case '"':
				s.stringToken()
				continue
			case '{', '[':
				depth++
			default:
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

// str decodes a string value into dst (null leaves it).
func (s *scan) str(dst *string) {
	s.ws()
	switch s.b[s.i] {
	case 'n':
		s.i += 4
	case '"':
		raw := s.stringToken()
		in := raw[1 : len(raw)-1]
		if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			*dst = string(in)
			return
		}
		json.Unmarshal(raw, dst) // escapes and invalid UTF-8 exactly as encoding/json
	default:
		s.fail()
		s.skip()
	}
}

// number returns the number token at s.i, or nil (after skipping a value of
// another kind, a type error) when the value is not a number; null is
// (nil, true).
func (s *scan) number() (tok []byte, null bool) {
	s.ws()
	c := s.b[s.i]
	if c == 'n' {
		s.i += 4
		return nil, true
	}
	if c != '-' && (c < '0' || c > '9') {
		s.fail()
		s.skip()
		return nil, false
	}
	start := s.i
	s.skip()
	return s.b[start:s.i], false
}

func (s *scan) int(dst *int64) {
	tok, null := s.number()
	if tok == nil {
		_ = null
		return
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		s.fail()
		return
	}
	*dst = n
}

func (s *scan) intField(dst *int) {
	var n int64 = int64(*dst)
	s.int(&n)
	*dst = int(n)
}

func (s *scan) bool(dst *bool) {
	s.ws()
	switch s.b[s.i] {
	case 't':
		*dst = true
		s.i += 4
	case 'f':
		*dst = false
		s.i += 5
	case 'n':
		s.i += 4
	default:
		s.fail()
		s.skip()
	}
}

// loginOnly decodes an object with a login field (a non-pointer struct:
// null leaves it).
func (s *scan) loginOnly(dst *string) {
	if s.null() || !s.isObject() {
		return
	}
	s.object(func(k []byte) {
		if keyIs(k, "login") {
			s.str(dst)
		} else {
			s.skip()
		}
	})
}

// stringField decodes an object into one named string field (a non-pointer
// struct such as head{sha} or base{ref}).
func (s *scan) stringField(name string, dst *string) {
	if s.null() || !s.isObject() {
		return
	}
	s.object(func(k []byte) {
		if keyIs(k, name) {
			s.str(dst)
		} else {
			s.skip()
		}
	})
}

// array walks an array: null calls null (the slice becomes nil), another
// non-array is a type error, and elem is called for each element with its
// index (isNull for a null element, which encoding/json leaves as it is).
// It returns the element count, or -1 when the value was not an array.
func (s *scan) array(null func(), elem func(i int, isNull bool)) int {
	s.ws()
	switch s.b[s.i] {
	case 'n':
		s.i += 4
		null()
		return -1
	case '[':
	default:
		s.fail()
		s.skip()
		return -1
	}
	s.i++
	for i := 0; ; i++ {
		s.ws()
		switch s.b[s.i] {
		case ']':
			s.i++
			return i
		case ',':
			s.i++
			s.ws()
		}
		if s.b[s.i] == 'n' {
			s.i += 4
			elem(i, true)
			continue
		}
		elem(i, false)
	}
}

// growTo makes s[i] addressable the way encoding/json grows a slice it
// decodes into: within the capacity the old element is reused as it is.
func growTo[T any](s []T, i int) []T {
	if i >= cap(s) {
		s = slices.Grow(s, 1)
	}
	if i >= len(s) {
		s = s[:i+1]
	}
	return s
}

// endSlice truncates a decoded slice to n elements (an empty array is an
// empty, non-nil slice).
func endSlice[T any](s []T, n int) []T {
	if n < 0 {
		return s
	}
	if n == 0 {
		return make([]T, 0)
	}
	return s[:n]
}

func (s *scan) issue(d *delivery) {
	if s.null() {
		d.Issue = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.Issue == nil {
		d.Issue = new(deliveryIssue)
	}
	is := d.Issue
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "number"):
			s.intField(&is.Number)
		case keyIs(k, "labels"):
			labels := is.Labels
			n := s.array(func() { labels = nil }, func(i int, isNull bool) {
				labels = growTo(labels, i)
				if !isNull && s.isObject() {
					l := &labels[i]
					s.object(func(k []byte) {
						if keyIs(k, "name") {
							s.str(&l.Name)
						} else {
							s.skip()
						}
					})
				}
			})
			is.Labels = endSlice(labels, n)
		case keyIs(k, "pull_request"):
			s.ws()
			start := s.i
			s.skip()
			is.PullRequest = json.RawMessage(s.b[start:s.i:s.i])
		default:
			s.skip()
		}
	})
}

func (s *scan) pullRequest(d *delivery) {
	if s.null() {
		d.PullRequest = nil
		return
	}
	if !s.isObject() {
		return
	}
	if d.PullRequest == nil {
		d.PullRequest = new(deliveryPullRequest)
	}
	pr := d.PullRequest
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "number"):
			s.intField(&pr.Number)
		case keyIs(k, "merged"):
			s.bool(&pr.Merged)
		case keyIs(k, "head"):
			s.stringField("sha", &pr.Head.SHA)
		case keyIs(k, "base"):
			s.stringField("ref", &pr.Base.Ref)
		default:
			s.skip()
		}
	})
}

func (s *scan) check(dst **checkDelivery) {
	if s.null() {
		*dst = nil
		return
	}
	if !s.isObject() {
		return
	}
	if *dst == nil {
		*dst = new(checkDelivery)
	}
	c := *dst
	s.object(func(k []byte) {
		switch {
		case keyIs(k, "head_sha"):
			s.str(&c.HeadSHA)
		case keyIs(k, "pull_requests"):
			prs := c.PullRequests
			n := s.array(func() { prs = nil }, func(i int, isNull bool) {
				prs = growTo(prs, i)
				if !isNull && s.isObject() {
					p := &prs[i]
					s.object(func(k []byte) {
						if keyIs(k, "number") {
							s.intField(&p.Number)
						} else {
							s.skip()
						}
					})
				}
			})
			c.PullRequests = endSlice(prs, n)
		default:
			s.skip()
		}
	})
}

// keyIs matches a decoded key against a field name as encoding/json does:
// exactly, or else case-insensitively with its folding (ASCII letters, and
// for other runes the smallest of its simple folds: "ſ" matches "s", the
// Kelvin sign "k").
func keyIs(key []byte, name string) bool {
	if string(key) == name {
		return true
	}
	j := 0
	for i := 0; i < len(key); {
		c := key[i]
		var r rune
		if c < utf8.RuneSelf {
			r, i = rune(c), i+1
		} else {
			var w int
			r, w = utf8.DecodeRune(key[i:])
			i += w
			for {
				r2 := unicode.SimpleFold(r)
				if r2 <= r {
					r = r2
					break
				}
				r = r2
			}
		}
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		if j >= len(name) {
			return false
		}
		n := rune(name[j]) // field names are ASCII
		j++
		if 'a' <= n && n <= 'z' {
			n -= 'a' - 'A'
		}
		if r != n {
			return false
		}
	}
	return j == len(name)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
