package webhook

import "encoding/binary"

// validJSON reports whether b is one JSON value, exactly as json.Valid does
// (same grammar, same 10 000-level nesting limit, invalid UTF-8 inside
// strings accepted), without its byte-at-a-time state machine: strings run
// through a table, containers are a byte stack. FuzzValidJSON holds it to
// json.Valid.
func validJSON(b []byte) bool {
	var stackBuf [64]byte
	stack := stackBuf[:0]
	i := skipSpace(b, 0)
value:
	for {
		if i >= len(b) {
			return false
		}
		switch c := b[i]; c {
		case '{', '[':
			stack = append(stack, c)
			if len(stack) > 10000 {
				return false
			}
			i = skipSpace(b, i+1)
			if i < len(b) && (b[i] == '}' && c == '{' || b[i] == ']' && c == '[') {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i = objectKey(b, i); i < 0 {
					return false
				}
			}
			continue value
		case '"':
			if i = stringEnd(b, i); i < 0 {
				return false
			}
		case 't':
			if !hasAt(b, i, "true") {
				return false
			}
			i += 4
		case 'f':
			if !hasAt(b, i, "false") {
				return false
			}
			i += 5
		case 'n':
			if !hasAt(b, i, "null") {
				return false
			}
			i += 4
		default:
			if i = numberEnd(b, i); i < 0 {
				return false
			}
		}
		// After a value: close containers, or a comma and the next value.
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			top := stack[len(stack)-1]
			switch c := b[i]; {
			case c == ',':
				i = skipSpace(b, i+1)
				if top == '{' {
					if i = objectKey(b, i); i < 0 {
						return false
					}
				}
				continue value
			case c == '}' && top == '{', c == ']' && top == '[':
				stack = stack[:len(stack)-1]
				i++
			default:
				return false
			}
		}
	}
}

// objectKey checks `"key" :` at i and returns the offset of the value after
// it (white space skipped), or -1.
func objectKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = stringEnd(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// strSpecial marks the bytes a string scan must stop at: the quote, the
// backslash and control characters.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return
}()

// special8 reports whether any of the 8 bytes in x may be one strSpecial
// marks (a quote, a backslash or a byte under 0x20). Borrows may flag a
// byte after a real one, never miss one: a false answer lets the scan skip
// all 8 bytes at once.
func special8(x uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	return ((x-lsb*0x20)&^x|(q-lsb)&^q|(bs-lsb)&^bs)&msb != 0
}

// stringEnd returns the offset after the string starting at b[i] == '"',
// or -1.
func stringEnd(b []byte, i int) int {
	i++
	for {
		for i+8 <= len(b) && !special8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			if i+1 >= len(b) {
				return -1
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 {
					return -1
				}
				for _, h := range b[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 6
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
}

// numberEnd returns the offset after the number at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) int {
	digits := func(i int) int { // at least one digit
		j := i
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(i); i < 0 {
			return -1
		}
	}
	return i
}
