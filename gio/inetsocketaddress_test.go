package gio

import (
	"errors"
	"net"
	"testing"
)

func TestInetSocketAddressToString_SOCK13(t *testing.T) {
	for _, tc := range []struct {
		ip    string
		port  uint
		want  string
		scope uint32
	}{
		{"1.2.3.4", 80, "1.2.3.4:80", 0},
		{"::1", 80, "[::1]:80", 0},
		{"fe80::1%2", 80, "[fe80::1%2]:80", 2},
		{"::1", 0, "::1", 0},
		{"1.2.3.4", 0, "1.2.3.4", 0},
		{"fe80::1%2", 0, "fe80::1%2", 2},
		{"::ffff:1.2.3.4", 5, "1.2.3.4:5", 0}, // GLib turns v4-mapped into IPv4
	} {
		a, err := NewInetSocketAddressFromString(tc.ip, tc.port)
		if err != nil {
			t.Errorf("%s: %v", tc.ip, err)
			continue
		}
		if a.String() != tc.want || a.ScopeID() != tc.scope || uint(a.Port()) != tc.port {
			t.Errorf("%s %d: %q scope %d, want %q scope %d", tc.ip, tc.port, a.String(), a.ScopeID(), tc.want, tc.scope)
		}
	}
	lo, err := net.InterfaceByName("lo")
	if err == nil {
		a, err := NewInetSocketAddressFromString("fe80::1%lo", 5)
		if err != nil || a.ScopeID() != uint32(lo.Index) {
			t.Errorf("fe80::1%%lo: %v %v", a, err)
		}
	}
	for _, bad := range []string{"1.2.3.4%1", "host", "", "fe80::1%nosuchif0"} {
		if _, err := NewInetSocketAddressFromString(bad, 1); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := NewInetSocketAddressFromString("::1", 65536); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("port 65536: %v", err)
	}
}

// Error texts blame the argument that was wrong, in Go terms: a port out
// of range names the port, not the IP.
func TestErrorTextsNameTheArgument(t *testing.T) {
	_, errPort := NewInetSocketAddressFromString("127.0.0.1", 70000)
	_, errIP := NewInetSocketAddressFromString("127.0.0.300", 80)
	_, errNet := SocketAddressFromNet(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 70000})
	_, errBytes := NewInetAddressFromBytes([]byte{1, 2, 3}, SocketFamilyIPv4)
	_, errCount := NewInputStream(plainInput{}).ReadBytes(-1, nil)
	_, errSize := new(Socket).ReceiveBytes(-1, 0, nil)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"port", errPort, "port 70000 out of range 0..65535"},
		{"ip", errIP, "Invalid socket address: “127.0.0.300” is not a numeric IPv4 or IPv6 address"},
		{"net.Addr port", errNet, "port 70000 out of range 0..65535"},
		{"bytes", errBytes, "Invalid address bytes: 3 bytes for family ipv4 (want 4 for IPv4, 16 for IPv6)"},
		{"count", errCount, "count -1 is negative (Too large count value passed to g_input_stream_read_bytes)"},
		{"size", errSize, "size -1 is negative (Invalid size)"},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, tc.err, tc.want)
		}
		if !errors.Is(tc.err, ErrInvalidArgument) {
			t.Errorf("%s: %v is not INVALID_ARGUMENT", tc.name, tc.err)
		}
	}
}

// GLib 2.74's answers (g_inet_address_to_string and
// g_inet_socket_address_new_from_string, checked with PyGObject; the
// differential test in tests/ compares many more): an IPv4-compatible
// address prints as glibc's inet_ntop prints it, and an interface-name
// scope is taken only where getaddrinfo takes one.
func TestAddressStringsAsGLib_SOCK13(t *testing.T) {
	for _, tc := range []struct{ in, ia, isa string }{
		{"::1.2.3.4", "::1.2.3.4", "[::1.2.3.4]:80"},
		{"::0.0.0.1", "::1", "[::1]:80"},
		{"::0.0.1.0", "::100", "[::100]:80"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4", "1.2.3.4:80"},
		{"::ffff:0:1.2.3.4", "::ffff:0:102:304", "[::ffff:0:102:304]:80"},
		{"fe80::1%lo", "", "[fe80::1%1]:80"},
		{"ff01::1%lo", "", "[ff01::1%1]:80"},
		{"ff02::1%lo", "", "[ff02::1%1]:80"},
		{"ff05::1%lo", "", ""},
		{"2001:db8::1%lo", "", ""},
		{"2001:db8::1%1", "", "[2001:db8::1%1]:80"},
		{"fe80::1%0", "", "[fe80::1]:80"},
		{"fe80::1%4294967295", "", "[fe80::1%4294967295]:80"},
		{"fe80::1%4294967296", "", ""},
		{"fe80::1%+1", "", ""},
		{"fe80::1%1a", "", ""},
	} {
		ia, err := NewInetAddressFromString(tc.in)
		if got := ia.String(); (err == nil) != (tc.ia != "") || got != tc.ia {
			t.Errorf("InetAddress %q = %q, %v; want %q", tc.in, got, err, tc.ia)
		}
		isa, err := NewInetSocketAddressFromString(tc.in, 80)
		if got := isa.String(); (err == nil) != (tc.isa != "") || got != tc.isa {
			t.Errorf("InetSocketAddress %q = %q, %v; want %q", tc.in, got, err, tc.isa)
		}
	}
}
