package gio

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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
		// GLib takes a sign or a space as the start of a service name, and
		// service names are case-sensitive (net.LookupPort accepts all three).
		{"host:+80", "", 0, "Unknown service '+80' specified in hostname 'host:+80'"},
		{"host: 80", "", 0, "Unknown service ' 80' specified in hostname 'host: 80'"},
		{"host:HTTP", "", 0, "Unknown service 'HTTP' specified in hostname 'host:HTTP'"},
		{"host:0080", "host", 80, ""},
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
	// String is GLib's, with the port left out when it is 0. Differs from
	// GLib: a host with a colon is bracketed, so the string parses back.
	for _, tc := range []struct {
		a    *NetworkAddress
		want string
	}{
		{NewNetworkAddress("::1", 80), "[::1]:80"},
		{NewNetworkAddress("example.com", 80), "example.com:80"},
		{NewNetworkAddress("example.com", 0), "example.com"},
		{NewNetworkAddress("::1", 0), "::1"},
	} {
		if s := tc.a.String(); s != tc.want {
			t.Errorf("String(%s, %d) = %q, want %q", tc.a.Hostname(), tc.a.Port(), s, tc.want)
		}
	}
}

// "localhost" and "*.localhost" give ::1 then 127.0.0.1 without the
// resolver, as GLib 2.74's GNetworkAddress does, in any case and with a
// final dot; a name that only looks like it is resolved as usual.
func TestEnumerateLocalhost_SOCK12(t *testing.T) {
	for _, host := range []string{"localhost", "LOCALHOST", "foo.localhost", "Foo.LocalHost.", "localhost."} {
		addrs, err := NewNetworkAddress(host, 81).Enumerate(nil)
		if err != nil || len(addrs) != 2 || addrs[0].String() != "[::1]:81" || addrs[1].String() != "127.0.0.1:81" {
			t.Errorf("%s: %v, %v; want [::1]:81 127.0.0.1:81", host, addrs, err)
		}
	}
	for _, host := range []string{"localhostx", "xlocalhost", "localhost.example"} {
		if !isLocalhost(host) {
			continue
		}
		t.Errorf("%s counted as localhost", host)
	}
}

// A client reaches a server that listens only on ::1, or only on
// 127.0.0.1, by the name "localhost", with GLib's events: one CONNECTING
// per address tried (::1 comes first).
func TestSocketClientLocalhost_SOCK12(t *testing.T) {
	for _, tc := range []struct {
		family SocketFamily
		want   []SocketClientEvent
	}{
		{SocketFamilyIPv6, evSuccess},
		{SocketFamilyIPv4, []SocketClientEvent{SocketClientResolving, SocketClientResolved, SocketClientConnecting,
			SocketClientConnecting, SocketClientConnected, SocketClientComplete}},
	} {
		_, addr := listenLoopback(t, tc.family)
		cl := NewSocketClient()
		log := watchEvents(cl)
		conn, err := cl.ConnectToHost("localhost", addr.(*InetSocketAddress).Port(), nil)
		if err != nil {
			t.Fatalf("%v-only server: %v", tc.family, err)
		}
		remote, _ := conn.RemoteAddress()
		conn.Close()
		if remote.Family() != tc.family {
			t.Errorf("%v-only server: connected to %v", tc.family, remote)
		}
		if diff := cmp.Diff(tc.want, log.events); diff != "" {
			t.Errorf("%v-only server: events (-want +got):\n%s", tc.family, diff)
		}
	}
}
