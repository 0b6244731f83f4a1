package gio

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/object"
)

// notes records the Notify emissions of o, by detail.
func notes(o *object.Object) *[]string {
	var got []string
	o.Notify.Connect(func(name string) { got = append(got, name) })
	return &got
}

// GSocket's stored properties notify only when they change; its socket
// options after every successful set (SOCK-9).
func TestSocketPropertyNotify_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	got := notes(&s.Object)
	s.SetKeepalive(false) // unchanged: nothing
	s.SetBlocking(true)
	s.SetTimeout(0)
	s.SetListenBacklog(10)
	s.SetKeepalive(true)
	s.SetKeepalive(true)
	s.SetBlocking(false)
	s.SetTimeout(2 * time.Second)
	s.SetTimeout(2 * time.Second)
	s.SetListenBacklog(5)
	s.SetTTL(9)
	s.SetTTL(9)
	s.SetBroadcast(false)
	s.SetMulticastLoopback(true)
	s.SetMulticastTTL(2)
	want := []string{"keepalive", "blocking", "timeout", "listen-backlog", "ttl", "ttl", "broadcast",
		"multicast-loopback", "multicast-ttl"}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}

	// notify::keepalive, by detail.
	var detailed int
	s.Notify.ConnectDetailed("keepalive", func(string) { detailed++ })
	s.SetKeepalive(false)
	s.SetBlocking(true)
	if detailed != 1 {
		t.Errorf("notify::keepalive handler ran %d times, want 1", detailed)
	}

	// Frozen notifications are queued and squashed (OBJ-3).
	*got = nil
	s.FreezeNotify()
	s.SetTimeout(time.Second)
	s.SetTimeout(3 * time.Second)
	if len(*got) != 0 {
		t.Errorf("notified while frozen: %v", *got)
	}
	s.ThawNotify()
	if diff := cmp.Diff([]string{"timeout"}, *got); diff != "" {
		t.Errorf("after thaw (-want +got):\n%s", diff)
	}
}

// A setter that fails (keepalive on a closed socket) leaves the value and
// notifies nothing, as GLib's does.
func TestSocketPropertyFailedSet_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	got := notes(&s.Object)
	s.Close()
	if s.SetKeepalive(true) == nil || s.SetTTL(3) == nil {
		t.Error("a set on a closed socket succeeded")
	}
	if s.Keepalive() || len(*got) != 0 {
		t.Errorf("keepalive %v, notifications %v", s.Keepalive(), *got)
	}
}

// Every GSocket property is reachable by name; the read-only ones refuse
// SetProperty; wrong types and unknown names are errors, never panics.
func TestSocketPropertyByName_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	if err := s.Bind(loopback(SocketFamilyIPv4), false); err != nil {
		t.Fatal(err)
	}
	local, _ := s.LocalAddress()
	for _, tc := range []struct {
		name string
		want any
	}{
		{"family", SocketFamilyIPv4},
		{"type", SocketTypeDatagram},
		{"protocol", SocketProtocolDefault},
		{"fd", s.FD()},
		{"blocking", true},
		{"listen-backlog", 10},
		{"listen_backlog", 10},
		{"keepalive", false},
		{"timeout", time.Duration(0)},
		{"broadcast", false},
		{"multicast-loopback", true},
		{"multicast-ttl", uint(1)},
	} {
		v, err := s.Property(tc.name)
		if err != nil || v != tc.want {
			t.Errorf("Property(%q) = %v (%T), %v; want %v", tc.name, v, v, err, tc.want)
		}
	}
	if v, err := s.Property("local-address"); err != nil || v.(SocketAddress).String() != local.String() {
		t.Errorf("local-address %v %v, want %v", v, err, local)
	}
	if v, _ := s.Property("remote-address"); v != nil {
		t.Errorf("remote-address of an unconnected socket: %v", v)
	}
	if v, _ := s.Property("ttl"); v.(uint) == 0 {
		t.Error("ttl reads 0")
	}

	for name, v := range map[string]any{"blocking": false, "keepalive": true, "listen-backlog": 3,
		"timeout": time.Second, "ttl": uint(7), "broadcast": true, "multicast-loopback": false, "multicast_ttl": uint(4)} {
		if err := s.SetProperty(name, v); err != nil {
			t.Errorf("SetProperty(%q, %v): %v", name, v, err)
		}
		if got, _ := s.Property(name); got != v {
			t.Errorf("after SetProperty(%q, %v) it reads %v", name, v, got)
		}
	}
	for _, tc := range []struct {
		name string
		v    any
		want error
	}{
		{"fd", 3, object.ErrReadOnlyProperty},
		{"family", SocketFamilyIPv6, object.ErrReadOnlyProperty},
		{"local-address", nil, object.ErrReadOnlyProperty},
		{"timeout", 5, object.ErrPropertyType},
		{"ttl", -1, object.ErrPropertyType},
		{"blocking", nil, object.ErrPropertyType},
		{"no-such", 1, object.ErrUnknownProperty},
		{"", 1, object.ErrUnknownProperty},
	} {
		err := s.SetProperty(tc.name, tc.v)
		var pe *object.PropertyError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) {
			t.Errorf("SetProperty(%q, %#v) = %v, want %v", tc.name, tc.v, err, tc.want)
		}
	}
	if _, err := s.Property("no-such"); !errors.Is(err, object.ErrUnknownProperty) {
		t.Errorf("Property(no-such): %v", err)
	}
}

// The property table is installed lazily: a socket nobody configures
// carries none (that is what keeps NewSocket and Accept cheap); after the
// first change, or Properties, the embedded Object knows the read-write
// properties by name too.
func TestSocketPropertiesLazy_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if n := len(s.Object.Properties()); n != 0 {
		t.Fatalf("fresh socket has %d installed properties", n)
	}
	s.SetTimeout(0) // unchanged: still nothing to install
	if n := len(s.Object.Properties()); n != 0 {
		t.Fatalf("an unchanged set installed %d properties", n)
	}
	s.SetKeepalive(true)
	v, err := s.Object.Property("keepalive")
	if err != nil || v != true {
		t.Fatalf("Object.Property(keepalive) = %v, %v", v, err)
	}
	if names := s.Properties(); !slices.Equal(names, socketPropertyNames) || len(names) != 14 {
		t.Errorf("Properties() = %v", names)
	}
	// The socket is an object: it has a context affinity, a name, data.
	if s.MainContext() == nil {
		t.Error("no context")
	}
	s.SetObjectName("listener")
	if s.ObjectName() != "listener" {
		t.Error("object name lost")
	}
	got := notes(&s.Object)
	s.NotifyProperty("ttl")
	if diff := cmp.Diff([]string{"ttl"}, *got); diff != "" {
		t.Errorf("NotifyProperty (-want +got):\n%s", diff)
	}
}

// NewSocketFromFD reads SO_KEEPALIVE, as g_socket_details_from_fd does.
func TestNewFromFDKeepalive_SOCK1(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	s.SetKeepalive(true)
	fd, err := unix.FcntlInt(uintptr(s.FD()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := adoptTestFD(t, fd)
	defer a.Close()
	if !a.Keepalive() {
		t.Error("adopted socket with SO_KEEPALIVE reports keepalive off")
	}
}
