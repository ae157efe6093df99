package safe

import (
	"bytes"
	"fmt"
	"text/template"
	"time"
)

// run is one execution: the output buffer, its limits and its deadline.
type run struct {
	lim      Limits
	deadline time.Time
	buf      bytes.Buffer
}

// Write appends p unless the output or the time budget would be exceeded.
func (r *run) Write(p []byte) (int, error) {
	if err := r.check(len(p)); err != nil {
		return 0, err
	}
	return r.buf.Write(p)
}

// check fails when n more output bytes would pass the cap, or when the
// time budget is spent.
func (r *run) check(n int) error {
	if r.lim.MaxOutput > 0 && r.buf.Len()+n > r.lim.MaxOutput {
		return fmt.Errorf("%w of %d bytes", ErrOutput, r.lim.MaxOutput)
	}
	if !r.deadline.IsZero() && time.Now().After(r.deadline) {
		return fmt.Errorf("%w of %v", ErrTimeout, r.lim.Timeout)
	}
	return nil
}

// result checks a string a function built.
func (r *run) result(s string) (string, error) {
	if r.lim.MaxOutput > 0 && len(s) > r.lim.MaxOutput {
		return "", fmt.Errorf("%w of %d bytes", ErrOutput, r.lim.MaxOutput)
	}
	if err := r.check(0); err != nil {
		return "", err
	}
	return s, nil
}

// capped are the builtins that build strings, replaced by versions that
// check their result (r nil: parsing only, the functions are never called).
func (r *run) capped() template.FuncMap {
	wrap := func(f func(...any) string) func(...any) (string, error) {
		return func(args ...any) (string, error) {
			if r == nil {
				return "", nil
			}
			if err := r.argsFit(args); err != nil {
				return "", err
			}
			return r.result(f(args...))
		}
	}
	return template.FuncMap{
		"print":    wrap(fmt.Sprint),
		"println":  wrap(fmt.Sprintln),
		"html":     wrap(template.HTMLEscaper),
		"js":       wrap(template.JSEscaper),
		"urlquery": wrap(template.URLQueryEscaper),
		"printf": func(format string, args ...any) (string, error) {
			if r == nil {
				return "", nil
			}
			if err := checkFormat(format); err != nil {
				return "", err
			}
			if err := r.argsFit(append([]any{format}, args...)); err != nil {
				return "", err
			}
			return r.result(fmt.Sprintf(format, args...))
		},
	}
}

// argsFit refuses arguments whose strings add up past the cap before they
// are joined (print of a string and itself doubles it).
func (r *run) argsFit(args []any) error {
	n := 0
	for _, a := range args {
		if s, ok := a.(string); ok {
			n += len(s)
		}
	}
	if r.lim.MaxOutput > 0 && n > r.lim.MaxOutput {
		return fmt.Errorf("%w of %d bytes", ErrOutput, r.lim.MaxOutput)
	}
	return nil
}

// maxWidth bounds printf's widths and precisions.
const maxWidth = 256

// checkFormat refuses '*' widths and widths or precisions over maxWidth.
func checkFormat(format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format); i++ {
			c := format[i]
			if c == '*' {
				return fmt.Errorf("printf: '*' widths are not allowed")
			}
			if c >= '1' && c <= '9' {
				n := 0
				for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
					n = min(n*10+int(format[i]-'0'), 1<<20)
				}
				if n > maxWidth {
					return fmt.Errorf("printf: widths and precisions over %d are not allowed", maxWidth)
				}
				i--
				continue
			}
			if c == '+' || c == '-' || c == '#' || c == ' ' || c == '0' || c == '.' || c == '[' || c == ']' {
				continue
			}
			break // the verb, or "%%"
		}
	}
	return nil
}
