package checks

import (
	"bytes"
	"slices"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

var (
	// markdown is the Markdown the checks read: GitHub's (GFM).
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
	// markdownNoLinkify is GFM without its linkify extension. Linkify is
	// tried at the start of every line and at every space, '(', '*', '_' and
	// '~' of the text, and it splits each line's text in two; it was a third
	// of the parse. Where it has nothing to link, the two trees are the same
	// for every use here: the same nodes, text nodes only split differently
	// (TestNoLinkifyParseSame, FuzzNoLinkifyParse).
	markdownNoLinkify = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList))
)

// parseMarkdown parses md as GFM. It parses without linkify and keeps that
// tree unless linkify could have linked something in its text, in which
// case it parses again with GFM.
//
// Linkify, tried at a position of the text, links what starts there (or
// right after the space, '(', '*', '_' or '~' it was tried at) when that is
// "http:", "https:", "ftp:" or "www." followed by a URL, or an e-mail
// address: one to 64 address characters, the first a letter or digit, then
// '@'. No inline syntax starts with a letter or digit, so that first byte
// is in a text node of the tree without linkify (up to where linkify first
// links, both parses take the same steps). So linkify links nothing when
// no such cue starts in a text node (code spans excepted: their content is
// not text to linkify). One more difference: a heading's text nodes are
// trimmed of '\r' at their end, so a "\r(" whose '(' is text (linkify's
// split falls before it) needs the GFM parse too.
func parseMarkdown(md []byte) ast.Node {
	cues := linkifyCues(md)
	root := markdownNoLinkify.Parser().Parse(text.NewReader(md))
	if len(cues) == 0 || !textCovers(root, cues) {
		return root
	}
	return markdown.Parser().Parse(text.NewReader(md))
}

// linkifyCues returns the byte ranges [start, end) of md that linkify could
// start a link from, sorted by start; see parseMarkdown.
func linkifyCues(md []byte) [][2]int {
	var cues [][2]int
	// "http:", "https:" and "ftp:" from their ':', "www." from its '.' and
	// "\r(" from its '\r' (rare bytes, found with IndexByte; searching the
	// words themselves stopped at every 'h').
	eachByte(md, ':', func(i int) {
		for _, scheme := range [...]string{"http", "https", "ftp"} {
			if i >= len(scheme) && string(md[i-len(scheme):i]) == scheme {
				cues = append(cues, [2]int{i - len(scheme), i - len(scheme) + 1})
			}
		}
	})
	eachByte(md, '.', func(i int) {
		if i >= 3 && string(md[i-3:i]) == "www" {
			cues = append(cues, [2]int{i - 3, i - 2})
		}
	})
	eachByte(md, '\r', func(i int) {
		if i+1 < len(md) && md[i+1] == '(' {
			cues = append(cues, [2]int{i + 1, i + 2}) // the '('
		}
	})
	// '@' after address characters: the 64 bytes before it that could be
	// the address (a superset: notEmailLocal excludes only bytes goldmark's
	// address scan stops at).
	eachByte(md, '@', func(k int) {
		j := k
		for j > 0 && k-j < 64 && !notEmailLocal[md[j-1]] {
			j--
		}
		if j < k {
			cues = append(cues, [2]int{j, k})
		}
	})
	slices.SortFunc(cues, func(a, b [2]int) int { return a[0] - b[0] })
	return cues
}

// eachByte calls fn with the index of every c in b.
func eachByte(b []byte, c byte, fn func(int)) {
	for at := 0; ; {
		i := bytes.IndexByte(b[at:], c)
		if i < 0 {
			return
		}
		fn(at + i)
		at += i + 1
	}
}

// notEmailLocal: bytes that cannot be part of the local part of an address
// (a subset of those goldmark's address scan stops at), so that "@alice"
// after a space, '(' or ':' is no address.
var notEmailLocal = func() (t [256]bool) {
	for _, c := range []byte(" \t\n\r\v\f()<>[]\":;,@\\") {
		t[c] = true
	}
	return
}()

// textCovers reports whether a text node of root (outside code spans)
// overlaps one of the sorted ranges.
func textCovers(root ast.Node, ranges [][2]int) bool {
	// maxEnd[i]: the furthest end of ranges[:i+1]
	maxEnd := make([]int, len(ranges))
	for i, r := range ranges {
		maxEnd[i] = r[1]
		if i > 0 && maxEnd[i-1] > r[1] {
			maxEnd[i] = maxEnd[i-1]
		}
	}
	found := false
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.CodeSpan:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			s, e := t.Segment.Start, t.Segment.Stop
			// ranges starting before e; one of them overlaps when the
			// furthest of their ends is after s
			k, _ := slices.BinarySearchFunc(ranges, e, func(r [2]int, e int) int { return r[0] - e })
			if k > 0 && maxEnd[k-1] > s {
				found = true
				return ast.WalkStop, nil
			}
		}
		return ast.WalkContinue, nil
	})
	return found
}
