package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sigloop/sigloop/gio"
)

// glibParse is what tests/peers/glib_parse.py reports for one input.
type glibParse struct {
	In string `json:"in"`
	NA struct {
		Host *string `json:"host"`
		Port int     `json:"port"`
		Str  string  `json:"str"`
		Err  *int    `json:"err"`
		Msg  string  `json:"msg"`
	} `json:"na"`
	IA   *string  `json:"ia"`
	ISA  *string  `json:"isa"`
	Enum []string `json:"enum"`
}

// readParseCorpus reads tests/testdata/gio_parse_corpus.txt: one Go-quoted
// string a line.
func readParseCorpus(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "gio_parse_corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		s, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("corpus line %d: %v", i+1, err)
		}
		out = append(out, s)
	}
	return out
}

// mutations derives n inputs from the corpus by random edits (a fixed
// seed, so a failure is reproducible): the fuzzing half of the
// differential test, run against GLib in the same batch.
func mutations(corpus []string, n int) []string {
	r := rand.New(rand.NewPCG(7, 74))
	const alphabet = "0123456789abcdefABCDEF:.[]%+- lohstpLOCAx"
	out := make([]string, 0, n)
	for len(out) < n {
		b := []byte(corpus[r.IntN(len(corpus))])
		for edits := 1 + r.IntN(3); edits > 0; edits-- {
			c := alphabet[r.IntN(len(alphabet))]
			switch i := r.IntN(len(b) + 1); {
			case len(b) == 0 || r.IntN(3) == 0:
				b = append(b[:i:i], append([]byte{c}, b[i:]...)...)
			case r.IntN(2) == 0 && i < len(b):
				b = append(b[:i:i], b[i+1:]...)
			case i < len(b):
				b[i] = c
			}
		}
		out = append(out, string(b))
	}
	return out
}

// runGLibParse runs every input through GLib (PyGObject) in one process.
func runGLibParse(t *testing.T, inputs []string) []glibParse {
	t.Helper()
	in, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join("peers", "glib_parse.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("glib_parse.py: %v\n%s", err, stderr.String())
	}
	t.Logf("compared with %s", strings.TrimSpace(stderr.String()))
	var res []glibParse
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r glibParse
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("glib_parse.py line %q: %v", sc.Text(), err)
		}
		res = append(res, r)
	}
	if len(res) != len(inputs) {
		t.Fatalf("glib_parse.py answered %d of %d inputs", len(res), len(inputs))
	}
	return res
}

// wantNetworkAddressString is GLib's to_string, but for the one
// documented difference: a host with a colon is bracketed when a port
// follows, so that the string parses back (see NetworkAddress.String).
func wantNetworkAddressString(host string, port int, glib string) string {
	if port != 0 && strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return glib
}

// TestGioParseDiff feeds the corpus, and random mutations of it, to GLib
// 2.74's parsers (through PyGObject) and to gio's, and compares results,
// error codes and messages: g_network_address_parse and to_string,
// g_inet_address_new_from_string, g_inet_socket_address_new_from_string
// and to_string, and what "localhost" names enumerate to.
func TestGioParseDiff(t *testing.T) {
	needPyGObject(t)
	corpus := readParseCorpus(t)
	inputs := append(append([]string(nil), corpus...), mutations(corpus, 600)...)
	for i, g := range runGLibParse(t, inputs) {
		s := inputs[i]
		if g.In != s {
			t.Fatalf("input %d: GLib answered for %q, want %q", i, g.In, s)
		}
		what := "corpus"
		if i >= len(corpus) {
			what = "mutation"
		}
		checkNetworkAddress(t, what, s, g)
		checkInetAddress(t, what, s, g)
		checkInetSocketAddress(t, what, s, g)
	}
}

func checkNetworkAddress(t *testing.T, what, s string, g glibParse) {
	t.Helper()
	na, err := gio.ParseNetworkAddress(s, 80)
	if g.NA.Err != nil {
		var ge *gio.Error
		switch {
		case err == nil:
			t.Errorf("%s %q: ParseNetworkAddress = %q, GLib fails: %s", what, s, na.String(), g.NA.Msg)
		case !errors.As(err, &ge) || int(ge.Code) != *g.NA.Err || ge.Message != g.NA.Msg:
			t.Errorf("%s %q: ParseNetworkAddress error %v, GLib's is code %d %q", what, s, err, *g.NA.Err, g.NA.Msg)
		}
		return
	}
	if err != nil {
		t.Errorf("%s %q: ParseNetworkAddress: %v, GLib gives host %q port %d", what, s, err, *g.NA.Host, g.NA.Port)
		return
	}
	if na.Hostname() != *g.NA.Host || int(na.Port()) != g.NA.Port {
		t.Errorf("%s %q: host %q port %d, GLib's %q %d", what, s, na.Hostname(), na.Port(), *g.NA.Host, g.NA.Port)
	}
	if want := wantNetworkAddressString(*g.NA.Host, g.NA.Port, g.NA.Str); na.String() != want {
		t.Errorf("%s %q: String %q, want %q (GLib's %q)", what, s, na.String(), want, g.NA.Str)
	}
	// String parses back (GLib's does not for IPv6 hosts), unless the host
	// has a bracket in it: no spelling of such a host parses back.
	if na.Port() != 0 && !strings.ContainsAny(na.Hostname(), "[]") {
		back, err := gio.ParseNetworkAddress(na.String(), 1)
		if err != nil || back.Hostname() != na.Hostname() || back.Port() != na.Port() {
			t.Errorf("%s %q: String %q parses back as %v, %v", what, s, na.String(), back, err)
		}
	}
	if g.Enum != nil {
		addrs, err := na.Enumerate(nil)
		var got []string
		for _, a := range addrs {
			got = append(got, a.String())
		}
		if err != nil || strings.Join(got, " ") != strings.Join(g.Enum, " ") {
			t.Errorf("%s %q: Enumerate %v, %v; GLib's %v", what, s, got, err, g.Enum)
		}
	}
}

func checkInetAddress(t *testing.T, what, s string, g glibParse) {
	t.Helper()
	checkLiteral(t, what, s, "InetAddress", g.IA, gio.NewInetAddressFromString,
		func(a *gio.InetAddress) (string, error) {
			back, err := gio.NewInetAddressFromString(a.String())
			return back.String(), err
		})
}

func checkInetSocketAddress(t *testing.T, what, s string, g glibParse) {
	t.Helper()
	checkLiteral(t, what, s, "InetSocketAddress", g.ISA,
		func(s string) (*gio.InetSocketAddress, error) { return gio.NewInetSocketAddressFromString(s, 80) },
		func(a *gio.InetSocketAddress) (string, error) {
			// The string parses back: host and port, then the address.
			na, err := gio.ParseNetworkAddress(a.String(), 1)
			if err != nil {
				return "", err
			}
			back, err := gio.NewInetSocketAddressFromString(na.Hostname(), uint(na.Port()))
			return back.String(), err
		})
}

// checkLiteral compares one of gio's literal parsers with GLib's answer
// (glib nil: GLib returns NULL), then checks that String parses back.
func checkLiteral[A interface{ String() string }](t *testing.T, what, s, typ string, glib *string,
	parse func(string) (A, error), back func(A) (string, error)) {
	t.Helper()
	a, err := parse(s)
	switch {
	case glib == nil && err == nil:
		t.Errorf("%s %q: %s = %q, GLib gives NULL", what, s, typ, a.String())
	case glib == nil:
		if !errors.Is(err, gio.ErrInvalidArgument) {
			t.Errorf("%s %q: %s error %v, want INVALID_ARGUMENT", what, s, typ, err)
		}
	case err != nil:
		t.Errorf("%s %q: %s: %v, GLib gives %q", what, s, typ, err, *glib)
	case a.String() != *glib:
		t.Errorf("%s %q: %s.String %q, GLib's %q", what, s, typ, a.String(), *glib)
	default:
		if b, err := back(a); err != nil || b != a.String() {
			t.Errorf("%s %q: %s.String %q parses back as %q, %v", what, s, typ, a.String(), b, err)
		}
	}
}

// FuzzGioParse holds gio's own invariants on any input, without GLib:
// no panic, and every String parses back to the same value.
func FuzzGioParse(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "gio_parse_corpus.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if s, err := strconv.Unquote(line); err == nil {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if na, err := gio.ParseNetworkAddress(s, 80); err == nil && na.Port() != 0 && !strings.ContainsAny(na.Hostname(), "[]") {
			back, err := gio.ParseNetworkAddress(na.String(), 1)
			if err != nil || back.Hostname() != na.Hostname() || back.Port() != na.Port() {
				t.Errorf("%q: String %q parses back as %v, %v", s, na.String(), back, err)
			}
		}
		if ia, err := gio.NewInetAddressFromString(s); err == nil {
			if back, err := gio.NewInetAddressFromString(ia.String()); err != nil || !back.Equal(ia) {
				t.Errorf("%q: String %q parses back as %v, %v", s, ia.String(), back, err)
			}
		}
	})
}
