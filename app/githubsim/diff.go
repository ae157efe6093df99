package githubsim

import (
	"fmt"
	"sort"
	"strings"
)

// fileChange is one entry of a tree diff.
type fileChange struct {
	Filename  string
	Status    string // added, modified, removed
	SHA       string // new blob (old for removed)
	Additions int
	Deletions int
	Patch     string
}

// diffTrees compares two trees like GitHub's compare and pull files.
func (o objectStore) diffTrees(oldTree, newTree string) []fileChange {
	a := o.flatten(oldTree)
	b := o.flatten(newTree)
	var names []string
	for p := range a {
		names = append(names, p)
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	var out []fileChange
	for _, p := range names {
		ea, inA := a[p]
		eb, inB := b[p]
		var fc fileChange
		switch {
		case inA && inB:
			if ea.SHA == eb.SHA && ea.Mode == eb.Mode {
				continue
			}
			fc = fileChange{Filename: p, Status: "modified", SHA: eb.SHA}
		case inB:
			fc = fileChange{Filename: p, Status: "added", SHA: eb.SHA}
		default:
			fc = fileChange{Filename: p, Status: "removed", SHA: ea.SHA}
		}
		var oldText, newText string
		if inA {
			d, _ := o.get(ea.SHA, "blob")
			oldText = string(d)
		}
		if inB {
			d, _ := o.get(eb.SHA, "blob")
			newText = string(d)
		}
		fc.Patch, fc.Additions, fc.Deletions = unifiedDiff(oldText, newText)
		out = append(out, fc)
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type diffOp struct {
	kind byte // ' ', '-', '+'
	line string
}

// lineDiff is an LCS line diff; big inputs degrade to replace-all.
func lineDiff(a, b []string) []diffOp {
	n, m := len(a), len(b)
	// trim common prefix/suffix
	pre := 0
	for pre < n && pre < m && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && a[n-1-suf] == b[m-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i]})
	}
	ma, mb := a[pre:n-suf], b[pre:m-suf]
	if len(ma)*len(mb) > 4_000_000 {
		for _, l := range ma {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l})
		}
	} else {
		la, lb := len(ma), len(mb)
		dp := make([][]int32, la+1)
		for i := range dp {
			dp[i] = make([]int32, lb+1)
		}
		for i := la - 1; i >= 0; i-- {
			for j := lb - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					dp[i][j] = dp[i+1][j+1] + 1
				} else if dp[i+1][j] >= dp[i][j+1] {
					dp[i][j] = dp[i+1][j]
				} else {
					dp[i][j] = dp[i][j+1]
				}
			}
		}
		i, j := 0, 0
		for i < la && j < lb {
			switch {
			case ma[i] == mb[j]:
				ops = append(ops, diffOp{' ', ma[i]})
				i++
				j++
			case dp[i+1][j] >= dp[i][j+1]:
				ops = append(ops, diffOp{'-', ma[i]})
				i++
			default:
				ops = append(ops, diffOp{'+', mb[j]})
				j++
			}
		}
		for ; i < la; i++ {
			ops = append(ops, diffOp{'-', ma[i]})
		}
		for ; j < lb; j++ {
			ops = append(ops, diffOp{'+', mb[j]})
		}
	}
	for i := n - suf; i < n; i++ {
		ops = append(ops, diffOp{' ', a[i]})
	}
	return ops
}

// unifiedDiff renders GitHub's "patch" field: hunks with 3 lines of context,
// no file headers.
func unifiedDiff(oldText, newText string) (patch string, adds, dels int) {
	ops := lineDiff(splitLines(oldText), splitLines(newText))
	const ctx = 3
	var b strings.Builder
	i := 0
	for i < len(ops) {
		// find next change
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i >= len(ops) {
			break
		}
		start := max(i-ctx, 0)
		end := i
		// extend hunk while changes are within 2*ctx lines
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			k := end
			for k < len(ops) && ops[k].kind == ' ' {
				k++
			}
			if k < len(ops) && k-end <= 2*ctx {
				end = k
				continue
			}
			end = min(end+ctx, len(ops))
			break
		}
		// compute line numbers
		oldLine, newLine := 1, 1
		for _, op := range ops[:start] {
			if op.kind != '+' {
				oldLine++
			}
			if op.kind != '-' {
				newLine++
			}
		}
		oldN, newN := 0, 0
		var body strings.Builder
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				oldN++
			}
			if op.kind != '-' {
				newN++
			}
			switch op.kind {
			case '+':
				adds++
			case '-':
				dels++
			}
			line := op.line
			body.WriteByte(op.kind)
			body.WriteString(strings.TrimSuffix(line, "\n"))
			body.WriteByte('\n')
			if !strings.HasSuffix(line, "\n") {
				body.WriteString("\\ No newline at end of file\n")
			}
		}
		if oldN == 0 {
			oldLine--
		}
		if newN == 0 {
			newLine--
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(oldLine, oldN), hunkRange(newLine, newN))
		b.WriteString(strings.TrimSuffix(body.String(), "\n"))
		i = end
	}
	return b.String(), adds, dels
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
