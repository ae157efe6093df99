package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/postmortem-app/postmortem/app/githubsim"
)

// The story the whole-system tests play is the playground's (app/playground
// imports this package, so its helpers are copied here, for tests only).

func hasCommentWith(is githubsim.Issue, marker string) bool {
	for _, c := range is.Comments {
		if strings.Contains(c.Body, marker) {
			return true
		}
	}
	return false
}

func hasLabelName(labels []string, name string) bool {
	for _, l := range labels {
		if strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

// oneLine returns the first non-empty line of s, at most n runes.
func oneLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "<!--") {
			continue
		}
		if r := []rune(l); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return l
	}
	return ""
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// playgroundPostmortem is what alice writes: complete and blameless.
func playgroundPostmortem(n int) string {
	return fmt.Sprintf(`---
title: "Checkout returns 502s after a config push"
incident: %d
severity: SEV2
status: final
started_at: 2026-03-01T13:55:00Z
detected_at: 2026-03-01T14:00:00Z
resolved_at: 2026-03-01T15:10:00Z
authors: [alice]
responders: [bob]
---

# Postmortem: Checkout returns 502s after a config push

## Summary

For 75 minutes checkout returned 502 errors for most requests after a configuration push reduced the database connection pool from 50 to 2. Rolling the configuration back ended the impact.

## Impact

About 60%% of checkout requests failed between 13:55 and 15:10 UTC; roughly 4,000 orders were delayed, none lost.

## Timeline

- 2026-03-01 13:55 UTC — a configuration push set the database pool size to 2
- 2026-03-01 14:00 UTC — the 5xx alert fired and the on-call engineer was paged
- 2026-03-01 14:40 UTC — the pool size was identified as the trigger
- 2026-03-01 15:10 UTC — the configuration was rolled back and errors stopped

## Root cause

The configuration pipeline accepted a pool size of 2 because nothing validated that field, and the change looked like a routine edit in review. Nothing in the process required or checked a load test for configuration-only changes.

## Resolution

The configuration was rolled back; the pool recovered within a minute.

## Follow-ups

- [ ] Validate pool sizes in the configuration pipeline (owner: @alice, due: 2026-04-01, priority: P1)
- [ ] Alert on connection pool saturation (owner: @bob, due: 2026-04-15, priority: P2) #observability
- [ ] Load-test configuration-only changes in staging (owner: @alice, due: 2026-05-01, priority: P3)
`, n)
}
