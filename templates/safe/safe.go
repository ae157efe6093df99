// Package safe runs text/templates written by strangers (a repository's
// postmortem template, its filename pattern) in a restricted environment
// whose work, memory and output are bounded before and while it runs.
//
// Go's text/template is a full language: {{range 1000000000}} needs no
// input, {{template}} recurses, {{$x = print $x $x}} doubles a string and
// {{printf "%0999999999d" 0}} allocates a gigabyte in one call. Here:
//
//   - range works only over a list of the data ({{range .Timeline}},
//     {{range $.Labels}}, {{with .Timeline}}{{range .}}): its type is
//     checked against the data's type when the template is parsed, so an
//     integer, a string, a variable or a function's result is refused;
//   - {{template}} and {{block}} are refused (no recursion);
//   - the work a template can do is bounded before it runs: every node
//     counts once per iteration of the ranges around it, the length of the
//     longest list in the data standing for each range (Limits.MaxSteps);
//   - print, printf, println, html, js and urlquery are replaced by
//     versions whose result is capped (Limits.MaxOutput) and printf refuses
//     widths and precisions over 256 and '*';
//   - the output goes through a writer that fails past Limits.MaxOutput and
//     past the time budget (Limits.Timeout, also checked at every call of a
//     capped function).
//
// Errors name the template's line and column.
package safe

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"text/template"
	"text/template/parse"
	"time"
)

// Limits bound one execution.
type Limits struct {
	// MaxOutput caps the output and every string a function builds, in bytes.
	MaxOutput int
	// MaxSteps caps the template's work bound (nodes times iterations).
	MaxSteps int
	// Timeout is the time budget of one execution.
	Timeout time.Duration
}

// ErrOutput is returned (wrapped) when the output or a built string would
// exceed Limits.MaxOutput.
var ErrOutput = errors.New("output exceeds the limit")

// ErrTimeout is returned (wrapped) when an execution runs past its budget.
var ErrTimeout = errors.New("took longer than the time budget")

// ErrTooMuchWork is returned (wrapped) when the template's work bound for
// the data exceeds Limits.MaxSteps.
var ErrTooMuchWork = errors.New("would do too much work")

// Template is a parsed and checked template.
type Template struct {
	name  string
	src   string
	funcs template.FuncMap
	// steps[d] counts the nodes nested in d ranges.
	steps []int
}

// Parse parses src with funcs (the builtins print, printf, println, html,
// js and urlquery are replaced by capped versions) and checks it against
// the type of the data it will be executed with.
func Parse(name, src string, funcs template.FuncMap, data reflect.Type) (*Template, error) {
	t := &Template{name: name, src: src, funcs: funcs}
	tt, err := t.parse(nil)
	if err != nil {
		return nil, err
	}
	for _, x := range tt.Templates() {
		if x.Tree == nil || x.Tree.Root == nil {
			continue
		}
		if x.Name() != name {
			return nil, nodeErr(x.Tree, x.Tree.Root, "{{define}} and {{block}} are not allowed: a template here is one file")
		}
	}
	c := &checker{tree: tt.Tree, root: data}
	c.list(tt.Tree.Root, data, 0)
	if c.err != nil {
		return nil, c.err
	}
	t.steps = c.steps
	return t, nil
}

// parse builds a fresh text/template whose capped functions report to run
// (nil while checking).
func (t *Template) parse(r *run) (*template.Template, error) {
	fm := template.FuncMap{}
	for k, v := range t.funcs {
		fm[k] = v
	}
	for k, v := range r.capped() {
		fm[k] = v
	}
	return template.New(t.name).Funcs(fm).Option("missingkey=error").Parse(t.src)
}

// Execute runs the template on data within the limits.
func (t *Template) Execute(data any, lim Limits) ([]byte, error) {
	if bound := t.Work(data); lim.MaxSteps > 0 && bound > float64(lim.MaxSteps) {
		return nil, fmt.Errorf("template: %s: %w for this data: up to %.3g steps, the limit is %d (ranges nested in ranges multiply)", t.name, ErrTooMuchWork, bound, lim.MaxSteps)
	}
	r := &run{lim: lim}
	if lim.Timeout > 0 {
		r.deadline = time.Now().Add(lim.Timeout)
	}
	tt, err := t.parse(r)
	if err != nil {
		return nil, err
	}
	if err := tt.Execute(r, data); err != nil {
		var ee template.ExecError
		if errors.As(err, &ee) {
			return nil, err // "template: name:line:col: executing ..."
		}
		return nil, fmt.Errorf("template: %s: %w", t.name, err)
	}
	return r.buf.Bytes(), nil
}

// Work is the template's work bound for data: each node counted once per
// iteration of every range around it, a range standing for the longest
// list in data.
func (t *Template) Work(data any) float64 {
	n := float64(longestList(reflect.ValueOf(data), 4))
	total := 0.0
	for d, c := range t.steps {
		total += float64(c) * math.Pow(max(n, 1), float64(d))
	}
	return total
}

// longestList is the length of the longest slice, array or map in v, down
// to depth levels.
func longestList(v reflect.Value, depth int) int {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	if depth == 0 {
		return 0
	}
	best := 0
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		best = v.Len()
		for i := 0; i < v.Len(); i++ {
			best = max(best, longestList(v.Index(i), depth-1))
		}
	case reflect.Map:
		best = v.Len()
		for it := v.MapRange(); it.Next(); {
			best = max(best, longestList(it.Value(), depth-1))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				best = max(best, longestList(v.Field(i), depth-1))
			}
		}
	}
	return best
}

func nodeErr(tree *parse.Tree, n parse.Node, format string, args ...any) error {
	loc, _ := tree.ErrorContext(n)
	return fmt.Errorf("template: %s: %s", loc, fmt.Sprintf(format, args...))
}

// checker walks a parse tree with the type of dot (nil: unknown).
type checker struct {
	tree  *parse.Tree
	root  reflect.Type
	steps []int
	err   error
}

func (c *checker) fail(n parse.Node, format string, args ...any) {
	if c.err == nil {
		c.err = nodeErr(c.tree, n, format, args...)
	}
}

func (c *checker) count(depth int) {
	for len(c.steps) <= depth {
		c.steps = append(c.steps, 0)
	}
	c.steps[depth]++
}

func (c *checker) list(l *parse.ListNode, dot reflect.Type, depth int) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(n, dot, depth)
	}
}

func (c *checker) node(n parse.Node, dot reflect.Type, depth int) {
	c.count(depth)
	switch n := n.(type) {
	case *parse.ActionNode:
		c.pipe(n.Pipe, depth)
	case *parse.IfNode:
		c.pipe(n.Pipe, depth)
		c.list(n.List, dot, depth)
		c.list(n.ElseList, dot, depth)
	case *parse.WithNode:
		c.pipe(n.Pipe, depth)
		c.list(n.List, c.pipeType(n.Pipe, dot), depth)
		c.list(n.ElseList, dot, depth)
	case *parse.RangeNode:
		c.pipe(n.Pipe, depth)
		t := c.pipeType(n.Pipe, dot)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array && t.Kind() != reflect.Map) {
			c.fail(n, "range over %s: range works only over a list of the data (such as .Timeline or $.Labels), not over a number, a string, a variable or a function's result", n.Pipe)
			return
		}
		c.list(n.List, t.Elem(), depth+1)
		c.list(n.ElseList, dot, depth)
	case *parse.TemplateNode:
		c.fail(n, "{{template}} and {{block}} are not allowed: a template here is one file")
	}
}

// pipe counts a pipeline's commands and arguments.
func (c *checker) pipe(p *parse.PipeNode, depth int) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for range cmd.Args {
			c.count(depth)
		}
	}
}

// pipeType is the static type of a pipeline that is a plain field chain
// of dot or of $ ({{.A.B}}, {{$.A}}, {{.}}); nil when it is anything else.
func (c *checker) pipeType(p *parse.PipeNode, dot reflect.Type) reflect.Type {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 || p.IsAssign {
		return nil
	}
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return fieldType(dot, a.Ident)
	case *parse.VariableNode:
		if a.Ident[0] == "$" {
			return fieldType(c.root, a.Ident[1:])
		}
	}
	return nil
}

// fieldType resolves a chain of field or niladic method names on t.
func fieldType(t reflect.Type, names []string) reflect.Type {
	for _, name := range names {
		if t == nil {
			return nil
		}
		if m, ok := t.MethodByName(name); ok {
			if m.Type.NumOut() == 0 {
				return nil
			}
			t = m.Type.Out(0)
			continue
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(name)
			if !ok || !f.IsExported() {
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}
