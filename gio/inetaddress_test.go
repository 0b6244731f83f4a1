package gio

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
)

func TestInetAddressFromString_SOCK13(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ok     bool
		family SocketFamily
		str    string
	}{
		{"1.2.3.4", true, SocketFamilyIPv4, "1.2.3.4"},
		{"::1", true, SocketFamilyIPv6, "::1"},
		{"::ffff:1.2.3.4", true, SocketFamilyIPv6, "::ffff:1.2.3.4"},
		{"2001:db8::0:1", true, SocketFamilyIPv6, "2001:db8::1"},
		{"fe80::1%2", false, 0, ""},
		{"fe80::1%lo", false, 0, ""},
		{"bogus", false, 0, ""},
		{"1.2.3", false, 0, ""},
		{"01.2.3.4", false, 0, ""},
		{"", false, 0, ""},
		{"example.com", false, 0, ""},
	} {
		a, err := NewInetAddressFromString(tc.in)
		if !tc.ok {
			if err == nil || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%q: got %v, %v; want INVALID_ARGUMENT", tc.in, a, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if a.Family() != tc.family || a.String() != tc.str {
			t.Errorf("%q: family %v string %q, want %v %q", tc.in, a.Family(), a.String(), tc.family, tc.str)
		}
	}
}

func TestInetAddressAnyLoopbackBytes_SOCK13(t *testing.T) {
	for _, tc := range []struct {
		a     *InetAddress
		str   string
		any   bool
		loop  bool
		bytes []byte
	}{
		{NewInetAddressAny(SocketFamilyIPv4), "0.0.0.0", true, false, []byte{0, 0, 0, 0}},
		{NewInetAddressAny(SocketFamilyIPv6), "::", true, false, make([]byte, 16)},
		{NewInetAddressLoopback(SocketFamilyIPv4), "127.0.0.1", false, true, []byte{127, 0, 0, 1}},
		{NewInetAddressLoopback(SocketFamilyIPv6), "::1", false, true, append(make([]byte, 15), 1)},
	} {
		if tc.a.String() != tc.str || tc.a.IsAny() != tc.any || tc.a.IsLoopback() != tc.loop || !bytes.Equal(tc.a.Bytes(), tc.bytes) {
			t.Errorf("%v: any=%v loop=%v bytes=%v", tc.a, tc.a.IsAny(), tc.a.IsLoopback(), tc.a.Bytes())
		}
		b, err := NewInetAddressFromBytes(tc.a.Bytes(), tc.a.Family())
		if err != nil || !b.Equal(tc.a) || b.NativeSize() != len(tc.bytes) {
			t.Errorf("from bytes %v: %v %v", tc.a, b, err)
		}
	}
	capture := logging.StartCapture()
	if NewInetAddressAny(SocketFamilyUnix) != nil || NewInetAddressLoopback(SocketFamilyInvalid) != nil {
		t.Errorf("any/loopback of a non-inet family must be nil")
	}
	capture.Stop()
	for _, fn := range []string{"g_inet_address_new_any", "g_inet_address_new_loopback"} {
		if n := capture.Count("critical", fn+": assertion 'G_INET_ADDRESS_FAMILY_IS_VALID (family)' failed"); n != 1 {
			t.Errorf("%d criticals naming %s, want 1", n, fn)
		}
	}
	if n := len(capture.Records()); n != 2 {
		t.Errorf("%d criticals, want 2", n)
	}
	if _, err := NewInetAddressFromBytes([]byte{1, 2, 3}, SocketFamilyIPv4); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("3 bytes: %v", err)
	}
	if _, err := NewInetAddressFromBytes(make([]byte, 4), SocketFamilyIPv6); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("4 bytes as IPv6: %v", err)
	}
}

func TestInetAddressClasses(t *testing.T) {
	type flags struct{ LinkLocal, SiteLocal, Multicast, McGlobal, McLinkLocal, McNodeLocal, McOrgLocal, McSiteLocal bool }
	for _, tc := range []struct {
		in   string
		want flags
	}{
		{"169.254.1.1", flags{LinkLocal: true}},
		{"fe80::1", flags{LinkLocal: true}},
		{"10.0.0.1", flags{SiteLocal: true}},
		{"172.16.0.1", flags{SiteLocal: true}},
		{"172.32.0.1", flags{}},
		{"192.168.1.1", flags{SiteLocal: true}},
		{"fec0::1", flags{SiteLocal: true}},
		{"fd00::1", flags{}},
		{"224.0.0.1", flags{Multicast: true}},
		{"ff0e::1", flags{Multicast: true, McGlobal: true}},
		{"ff02::1", flags{Multicast: true, McLinkLocal: true}},
		{"ff01::1", flags{Multicast: true, McNodeLocal: true}},
		{"ff08::1", flags{Multicast: true, McOrgLocal: true}},
		{"ff05::1", flags{Multicast: true, McSiteLocal: true}},
		{"8.8.8.8", flags{}},
	} {
		a, err := NewInetAddressFromString(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got := flags{a.IsLinkLocal(), a.IsSiteLocal(), a.IsMulticast(), a.IsMcGlobal(), a.IsMcLinkLocal(), a.IsMcNodeLocal(), a.IsMcOrgLocal(), a.IsMcSiteLocal()}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.in, diff)
		}
	}
}
