package gio

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnixSocketAddress_SOCK13(t *testing.T) {
	for _, tc := range []struct {
		a    *UnixSocketAddress
		str  string
		size int
		net  string
	}{
		{NewUnixSocketAddress("/tmp/x"), "/tmp/x", 110, "/tmp/x"},
		{NewUnixSocketAddressAbstract("abc"), "abc", 6, "@abc"},
		{must(NewUnixSocketAddressWithType("abc", UnixSocketAddressAbstractPadded)), "abc", 110, "@abc"},
		{must(NewUnixSocketAddressWithType("ignored", UnixSocketAddressAnonymous)), "", 2, ""},
		{NewUnixSocketAddressAbstract("a\x00b"), `a\x00b`, 6, "@a\x00b"},
	} {
		if tc.a.String() != tc.str || tc.a.NativeSize() != tc.size || tc.a.ToNet().String() != tc.net || tc.a.Family() != SocketFamilyUnix {
			t.Errorf("%v: %q size %d net %q", tc.a.AddressType(), tc.a.String(), tc.a.NativeSize(), tc.a.ToNet())
		}
		n, err := tc.a.ToNative()
		if err != nil || len(n) != tc.size {
			t.Errorf("%q native: %d %v", tc.str, len(n), err)
			continue
		}
		back, err := SocketAddressFromNative(n)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.a, back, cmp.AllowUnexported(UnixSocketAddress{})); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
	long := NewUnixSocketAddress(string(bytes.Repeat([]byte("x"), 200)))
	if _, err := long.ToNative(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("long path: %v", err)
	}
	if _, err := NewUnixSocketAddressWithType("x", 9); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad type: %v", err)
	}
}
