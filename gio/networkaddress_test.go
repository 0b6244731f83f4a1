package gio

import (
	"testing"

	"github.com/sigloop/sigloop/internal/ioerr"
)

// g_network_address_parse, with the outcomes GLib 2.74 gives.
func TestParseNetworkAddress_SOCK12(t *testing.T) {
	cases := []struct {
		in   string
		host string
		port uint16
		err  string
	}{
		{"localhost:80", "localhost", 80, ""},
		{"[::1]:80", "::1", 80, ""},
		{"::1", "::1", 42, ""},
		{"[::1]", "::1", 42, ""},
		{"host", "host", 42, ""},
		{"host:http", "host", 80, ""},
		{"a:b:c", "a:b:c", 42, ""},
		{"", "", 42, ""},
		{"host:nosuchsvc", "", 0, "Unknown service 'nosuchsvc' specified in hostname 'host:nosuchsvc'"},
		{"host:99999", "", 0, "Invalid numeric port '99999' specified in hostname 'host:99999'"},
		{"[::1]x", "", 0, "The ']' character (in hostname '[::1]x') must come at the end or be immediately followed by ':' and a port"},
		{"[::1", "", 0, "Hostname “[::1” contains “[” but not “]”"},
		{"host:", "", 0, "If a ':' character is given, it must be followed by a port (in hostname 'host:')."},
		{"host:-1", "", 0, "Unknown service '-1' specified in hostname 'host:-1'"},
	}
	for _, tc := range cases {
		a, err := ParseNetworkAddress(tc.in, 42)
		if tc.err != "" {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
				continue
			}
			wantIOErr(t, err, ioerr.InvalidArgument, tc.err)
			continue
		}
		if err != nil || a.Hostname() != tc.host || a.Port() != tc.port {
			t.Errorf("%q: got %v, %v; want %s %d", tc.in, a, err, tc.host, tc.port)
		}
	}
	if s := NewNetworkAddress("::1", 80).String(); s != "[::1]:80" {
		t.Errorf("String = %s", s)
	}
}
