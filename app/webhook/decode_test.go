package webhook

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeCases are payloads where a hand-written decoder could part from
// json.Unmarshal: case-folded and escaped keys, duplicates, nulls, wrong
// types, reused slice elements, numbers out of range, bad UTF-8, syntax.
var decodeCases = []string{
	`null`, `[]`, `"x"`, `1`, `true`, `{}`, ` {"action" : "opened" } `,
	`{"ACTION":"opened","Installation":{"ID":7}}`,
	`{"\u0061ction":"opened","installation":{"\u0069d":3}}`,
	`{"ſender":{"login":"x"},"installation":{"İd":1}}`,
	`{"installation":{"id":1},"installation":{"id":2}}`,
	`{"installation":{"id":1},"installation":null}`,
	`{"repository":{"name":"a"},"repository":{"owner":{"login":"o"}}}`,
	`{"repository":{"name":"a","owner":null}}`,
	`{"repository":{"default_branch":"main","Default_Branch":null,"name":"a"}}`, `{"repository":{"default_branch":1}}`,
	`{"repository":"x"}`, `{"repository":[1]}`, `{"installation":{"id":"1"}}`,
	`{"installation":{"id":1.5}}`, `{"installation":{"id":1e3}}`,
	`{"installation":{"id":99999999999999999999}}`, `{"installation":{"id":-0}}`,
	`{"action":5}`, `{"action":null}`, `{"action":"a","action":null}`,
	`{"action":"caf\u00e9 \ud83d\ude00 \"q\" \\"}`, "{\"action\":\"\xff\xfe\"}",
	`{"issue":{"number":3,"labels":[null,{"name":"x"},{}],"pull_request":null}}`,
	`{"issue":{"labels":[]}}`, `{"issue":{"labels":null}}`, `{"issue":{"labels":{}}}`,
	`{"issue":{"labels":[1]}}`, `{"issue":{"labels":[{"name":2}]}}`,
	`{"issue":{"pull_request":{"url":"x"}}}`, `{"issue":{"pull_request":[1, 2]}}`,
	`{"pull_request":{"number":4,"merged":true,"head":{"sha":"abc"},"base":{"ref":"main"}}}`,
	`{"pull_request":{"merged":"yes"}}`, `{"pull_request":{"merged":null,"head":null}}`,
	`{"pull_request":{"head":"x"}}`,
	`{"check_suite":{"head_sha":"s","pull_requests":[{"number":1},{"number":2}]},"check_suite":{"pull_requests":[{}]}}`,
	`{"check_run":{"pull_requests":[{"number":1},{"number":2}]},"check_run":{"pull_requests":[]},"check_run":{"pull_requests":[null,null]}}`,
	`{"check_run":{"pull_requests":[{"number":1},{"number":2}]},"check_run":{"pull_requests":[{"x":1}]},"check_run":{"pull_requests":[null,null]}}`,
	`{"x":[{"a":"]}\"["},{"b":[[],{}]}],"y":"\\","action":"after"}`,
	`{"comment":{"id":7,"body":"/postmortem due\n2026","created_at":"t","user":{"login":"a","type":"User"}}}`,
	`{"comment":{"id":7,"user":null},"comment":{"body":"x"}}`, `{"comment":null}`, `{"comment":{"user":"x"}}`,
	`{"comment":{"id":"7"}}`, `{"comment":{"body":1,"user":{"login":2}}}`, `{"comment":[1]}`,
	`{"action":"opened"`, `{"action":"opened"}x`, `{"action":'x'}`, `{"a":01}`, ``,
}

func TestDecodeDeliveryMatchesUnmarshal(t *testing.T) {
	cases := append([]string(nil), decodeCases...)
	for _, e := range loadExamples(t) {
		cases = append(cases, string(e.Payload))
	}
	for _, c := range cases {
		checkDecodeSame(t, []byte(c))
	}
}

func checkDecodeSame(t *testing.T, body []byte) {
	t.Helper()
	var want, got delivery
	werr := json.Unmarshal(body, &want)
	gerr := decodeDelivery(body, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: json.Unmarshal error %v, decodeDelivery error %v", body, werr, gerr)
	}
	if werr != nil {
		if werr.Error() != gerr.Error() {
			t.Fatalf("%q: error %q, want %q", body, gerr, werr)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		t.Fatalf("%q:\n got %s\nwant %s", body, gj, wj)
	}
}

func FuzzDecodeDelivery(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeSame(t, body) })
}

// BenchmarkRoute: decoding and routing alone, over the example payloads of
// the routed events.
func BenchmarkRoute(b *testing.B) {
	var evs []string
	var bodies [][]byte
	size := 0
	for _, e := range loadExamples(b) {
		if routedEvents[e.Event] {
			evs = append(evs, e.Event)
			bodies = append(bodies, e.Payload)
			size += len(e.Payload)
		}
	}
	b.SetBytes(int64(size / len(bodies)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(bodies)
		Route(evs[k], bodies[k], "postmortem[bot]")
	}
}

var validCases = []string{
	``, ` `, `0`, `-0`, `01`, `-`, `1.`, `1.5e`, `1e+5`, `1E-05`, `.5`, `-01`, `1.0.0`,
	`"a\u00e9\"\\\/\b\f\n\r\t"`, `"\u00g0"`, `"\x"`, "\"a\x01\"", "\"\xff\"", `"abc`,
	`tru`, `true `, ` null`, `nul`, `falsey`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`,
	`{}`, `{ }`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{1:2}`, `{"a":1}}`, `[}`, `{]`,
	`{"a":[{"b":[]},{}],"c":{"d":null}}`, `[[[[[]]]]]`, `[[[[[]]]]`, `1 2`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidJSONMatchesValid(t *testing.T) {
	cases := append([]string(nil), validCases...)
	for _, e := range loadExamples(t) {
		cases = append(cases, string(e.Payload))
	}
	for _, c := range cases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Fatalf("validJSON(%.80q) = %v, json.Valid %v", c, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range append(validCases, decodeCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}

// special8 never misses a byte strSpecial marks, at any of the 8 positions,
// whatever the other bytes are (a miss would let validJSON accept a raw
// control character or read past a string's end).
func TestSpecial8NeverMisses(t *testing.T) {
	fillers := []byte{'a', ' ', 0x7f, 0x80, 0xff, '!', '#', '[', 0x21, 0x5b, 0x5d}
	for c := 0; c < 256; c++ {
		for p := 0; p < 8; p++ {
			for _, f := range fillers {
				var b [8]byte
				for i := range b {
					b[i] = f
				}
				b[p] = byte(c)
				x := binary.LittleEndian.Uint64(b[:])
				if strSpecial[c] && !special8(x) {
					t.Fatalf("special8 misses %#02x at %d among %#02x", c, p, f)
				}
				if !strSpecial[c] && !strSpecial[f] && special8(x) && c < 0x80 && f < 0x80 && c >= 0x21 && f >= 0x21 {
					t.Fatalf("special8 flags %q among %q: no special byte", b, f)
				}
			}
		}
	}
}
