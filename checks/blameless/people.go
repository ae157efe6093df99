package blameless

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// ParsePeople reads the people an incident involves, for Config.People, in
// one of these forms:
//
//   - a JSON array of {"login": "...", "name": "..."};
//   - lines: "@login Display Name", "@login", "login" (one word) or "Display
//     Name", the output of `git shortlog -sne` ("  12\tDana Scully
//     <dana@example.com>") included; # starts a comment.
//
// At most 10 000 people are read.
func ParsePeople(r io.Reader) ([]Person, error) {
	br := bufio.NewReader(io.LimitReader(r, 4<<20))
	first, _ := br.Peek(64)
	if t := strings.TrimLeftFunc(string(first), unicode.IsSpace); strings.HasPrefix(t, "[") {
		var ps []Person
		var raw []struct {
			Login string `json:"login"`
			Name  string `json:"name"`
		}
		if err := json.NewDecoder(br).Decode(&raw); err != nil {
			return nil, fmt.Errorf("people: %v", err)
		}
		for _, p := range raw {
			ps = append(ps, Person{Login: strings.TrimPrefix(p.Login, "@"), Name: p.Name})
		}
		return capPeople(ps), nil
	}
	var ps []Person
	sc := bufio.NewScanner(br)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if i := strings.IndexByte(line, '<'); i >= 0 {
			line = line[:i] // an e-mail address
		}
		f := strings.Fields(line)
		if len(f) > 0 && strings.Trim(f[0], "0123456789") == "" {
			f = f[1:] // git shortlog -s: the commit count
		}
		if len(f) == 0 {
			continue
		}
		var p Person
		switch {
		case strings.HasPrefix(f[0], "@"):
			p.Login, p.Name = strings.TrimPrefix(f[0], "@"), strings.Join(f[1:], " ")
		case len(f) == 1:
			p.Login = f[0]
		default:
			p.Name = strings.Join(f, " ")
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("people: %v", err)
	}
	return capPeople(ps), nil
}

func capPeople(ps []Person) []Person {
	if len(ps) > 10000 {
		ps = ps[:10000]
	}
	return ps
}
