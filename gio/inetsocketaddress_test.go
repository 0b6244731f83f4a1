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
