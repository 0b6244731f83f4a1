// Package gen generates package signal's per-arity signal types: Signal0 …
// Signal3 and Signal0R … Signal3R, one file each, from one template.
//
// Everything that does not depend on the handler's func type lives in
// package signal's generic core; what is generated is what cannot be
// generic: an Emit that calls the handler funcs with the arguments as they
// are (a call through a closure that captured them would cost a second
// indirect call per handler), and the exported methods, which check for a
// nil receiver before they reach the embedded core.
//
// Run `go generate` in package signal after changing the template;
// TestGeneratedFilesUpToDate fails while the files in the tree differ from
// what Files returns.
package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"
	"text/template"
)

// File is one generated file.
type File struct {
	Name string
	Data []byte
}

// arity is what the template needs to know about one signal type.
type arity struct {
	N       int
	R       bool
	Name    string // Signal1R
	Recv    string // Signal1R[A, R]
	TParams string // [A, R any]
	F       string // func(A) R
	Params  string // a A
	Args    string // a
	Comma   string // ", " before Params when there are any
	Ret     string // " R" or ""
	Zero    string // "res" after "var res R", or ""
	Args0   string // "no arguments", "one argument"…
	// Forwards are the methods common to every signal type.
	Forwards []forward
}

var (
	letters = []string{"A", "B", "C"}
	words   = []string{"no arguments", "one argument", "two arguments", "three arguments"}
)

func newArity(n int, r bool) arity {
	a := arity{N: n, R: r, Name: fmt.Sprintf("Signal%d", n), Args0: words[n], Forwards: forwards}
	var tps, params, args []string
	for i := range n {
		tps = append(tps, letters[i])
		params = append(params, strings.ToLower(letters[i])+" "+letters[i])
		args = append(args, strings.ToLower(letters[i]))
	}
	if r {
		a.Name += "R"
		tps = append(tps, "R")
		a.Ret = " R"
		a.Zero = "res"
	}
	a.Recv = a.Name
	if len(tps) > 0 {
		a.Recv += "[" + strings.Join(tps, ", ") + "]"
		a.TParams = "[" + strings.Join(tps, ", ") + " any]"
	}
	a.F = "func(" + strings.Join(letters[:n], ", ") + ")" + a.Ret
	a.Params = strings.Join(params, ", ")
	a.Args = strings.Join(args, ", ")
	if n > 0 {
		a.Comma = ", "
	}
	return a
}

// Files returns the generated files, gofmt-ed, in a fixed order.
func Files() ([]File, error) {
	t, err := template.New("signal").Parse(tmpl)
	if err != nil {
		return nil, err
	}
	var out []File
	for n := range 4 {
		for _, r := range []bool{false, true} {
			a := newArity(n, r)
			var b bytes.Buffer
			if err := t.Execute(&b, a); err != nil {
				return nil, fmt.Errorf("%s: %w", a.Name, err)
			}
			src, err := format.Source(b.Bytes())
			if err != nil {
				return nil, fmt.Errorf("%s: %w\n%s", a.Name, err, b.Bytes())
			}
			out = append(out, File{Name: strings.ToLower(a.Name) + ".go", Data: src})
		}
	}
	return out, nil
}
