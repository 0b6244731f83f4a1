// Package gen generates package signal's per-arity signal types: Signal0 …
// Signal3 and Signal0R … Signal3R, one file each, from one template.
//
// Everything that does not depend on the handler's func type lives in
// package signal's generic core (core.go, list.go, emit.go, stop.go); what
// is generated is what cannot be generic: Emit's loop over the handler
// funcs, which calls them with the arguments as they are (a call through a
// closure that captured them would cost a second indirect call per
// handler), the closures that hand the arguments to the generic paths, and
// one-line exported methods, which turn a nil receiver into a nil core
// before they reach it (Go promotes no method of an embedded field through
// a nil pointer without a panic).
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
	RT      string // the handlers' result type: "R", or "struct{}" without one
	Params  string // a A
	Args    string // a
	Comma   string // ", " before Params when there are any
	Ret     string // " R" or ""
	Args0   string // "no arguments", "one argument"…
	// Call is the body of the func(F) RT that calls a handler fn with
	// the arguments: "return fn(a)", or "fn(a); return struct{}{}".
	Call string
	// Forwards are the exported methods that only pass their arguments
	// on to the core (with F spelled out).
	Forwards []forward
	// Unrolled are the handler counts, 1 … maxUnrolled, for which Emit's
	// fast path calls the handlers without a loop.
	Unrolled []int
}

// maxUnrolled is the largest handler count for which Emit's fast path is
// written out call by call. A loop reloads its index, its slice and
// everything else live from the stack after every indirect call; written
// out, each call reloads only the slice's pointer, and the gen check
// after it costs what the loop's own bookkeeping would. Measured with
// bench/emit-layouts.sh (BenchmarkEmitVsFloor/n=4 in four builds, the code
// at both of its alignments): 1.62–1.67× a plain loop over the same funcs
// as a loop, 1.24–1.26× written out (medians; 1.55–1.73× and 1.16–1.39×
// per build). Beyond four a signal takes the loop. The cases repeat one
// another's calls (duplicates lists them) on purpose: a single run of
// four calls entered by fallthrough, indexing from the end (fns[n-3]),
// measured 1.36×, since the index is no longer a constant.
const maxUnrolled = 4

var (
	letters = []string{"A", "B", "C"}
	words   = []string{"no arguments", "one argument", "two arguments", "three arguments"}
)

func newArity(n int, r bool) arity {
	a := arity{N: n, R: r, Name: fmt.Sprintf("Signal%d", n), Args0: words[n], RT: "struct{}"}
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
		a.RT = "R"
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
	a.Call = "return fn(" + a.Args + ")"
	if !r {
		a.Call = "fn(" + a.Args + "); return struct{}{}"
	}
	for n := 1; n <= maxUnrolled; n++ {
		a.Unrolled = append(a.Unrolled, n)
	}
	for _, f := range forwards {
		if f.ROnly && !r {
			continue
		}
		f.Params = strings.ReplaceAll(f.Params, "$F", a.F)
		a.Forwards = append(a.Forwards, f)
	}
	return a
}

// tmplFuncs are the template's helpers: upTo n is 0 … n-1, inc i is i+1.
var tmplFuncs = template.FuncMap{
	"upTo": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
	"inc": func(i int) int { return i + 1 },
}

// Files returns the generated files, gofmt-ed, in a fixed order.
func Files() ([]File, error) {
	t, err := template.New("signal").Funcs(tmplFuncs).Parse(tmpl)
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
