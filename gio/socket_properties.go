package gio

import (
	"fmt"
	"strings"
	"time"

	"github.com/sigloop/sigloop/object"
)

// socketProps are a Socket's notifying GObject properties. They are
// installed on the Socket's Object on first use (the first setter call
// that changes a value, or the first access by name), not by the
// constructors: an accepted connection that never touches its properties
// pays nothing for them. The typed accessors (Blocking, SetTimeout, TTL, …)
// read and change the real state; each slot here mirrors the last value set
// through them and is what emits Notify.
type socketProps struct {
	blocking          object.Property[bool]
	keepalive         object.Property[bool]
	timeout           object.Property[time.Duration]
	listenBacklog     object.Property[int]
	ttl               object.Property[uint]
	broadcast         object.Property[bool]
	multicastLoopback object.Property[bool]
	multicastTTL      object.Property[uint]
}

// socketPropertyNames lists GSocket's properties in GLib's order.
var socketPropertyNames = []string{"family", "type", "protocol", "fd", "blocking", "listen-backlog",
	"keepalive", "local-address", "remote-address", "timeout", "ttl", "broadcast",
	"multicast-loopback", "multicast-ttl"}

// props installs the property slots, once, with the current values. The
// slots are fixed names on a fresh table, so Install cannot fail.
func (s *Socket) props() *socketProps {
	s.propOnce.Do(func() {
		p := new(socketProps)
		o := &s.Object
		s.mu.Lock()
		blocking, keepalive, timeout, backlog := s.blocking, s.keepalive, s.timeout, s.backlog
		s.mu.Unlock()
		// GLib notifies "blocking", "keepalive", "timeout" and
		// "listen-backlog" only when they change; the socket options
		// after every successful set.
		_ = p.blocking.Install(o, "blocking", blocking, object.ExplicitNotify)
		_ = p.listenBacklog.Install(o, "listen-backlog", backlog, object.ExplicitNotify)
		_ = p.keepalive.Install(o, "keepalive", keepalive, object.ExplicitNotify)
		_ = p.timeout.Install(o, "timeout", timeout, object.ExplicitNotify)
		inet := s.family == SocketFamilyIPv4 || s.family == SocketFamilyIPv6
		var ttl, mttl uint
		var bcast, mloop bool
		if inet && !s.IsClosed() {
			ttl, mttl, mloop = s.TTL(), s.MulticastTTL(), s.MulticastLoopback()
		}
		if !s.IsClosed() {
			bcast = s.Broadcast()
		}
		_ = p.ttl.Install(o, "ttl", ttl, 0)
		_ = p.broadcast.Install(o, "broadcast", bcast, 0)
		_ = p.multicastLoopback.Install(o, "multicast-loopback", mloop, 0)
		_ = p.multicastTTL.Install(o, "multicast-ttl", mttl, 0)
		s.prop = p
	})
	return s.prop
}

// Property is g_object_get_property on a GSocket: the value of one of
// GSocket's properties by name (GLib's spelling; '_' may stand for '-'):
//
//	"family" SocketFamily, "type" SocketType, "protocol" SocketProtocol,
//	"fd" int, "local-address" and "remote-address" SocketAddress (nil
//	when there is none) — read-only, computed, never notified;
//	"blocking" bool, "listen-backlog" int, "keepalive" bool, "timeout"
//	time.Duration, "ttl" uint, "broadcast" bool, "multicast-loopback"
//	bool, "multicast-ttl" uint — read-write, notified on Notify with the
//	name as detail.
//
// The socket options are read from the kernel, as GLib's getters do. Any
// other name gives a *object.PropertyError wrapping
// object.ErrUnknownProperty. The typed accessors are the main API; this
// exists for porting and tooling. Differs from GLib: the embedded Object's
// own Property method knows only the read-write properties, and only once
// they are installed (see Properties).
func (s *Socket) Property(name string) (any, error) {
	if get, ok := socketGetters[canonProp(name)]; ok {
		return get(s), nil
	}
	return nil, &object.PropertyError{Op: "get", Name: name, Err: object.ErrUnknownProperty}
}

// socketGetters reads each GSocket property by name, through its typed
// getter (the addresses without their error: nil when there is none).
var socketGetters = map[string]func(s *Socket) any{
	"family":             func(s *Socket) any { return s.Family() },
	"type":               func(s *Socket) any { return s.Type() },
	"protocol":           func(s *Socket) any { return s.Protocol() },
	"fd":                 func(s *Socket) any { return s.FD() },
	"local-address":      func(s *Socket) any { a, _ := s.LocalAddress(); return a },
	"remote-address":     func(s *Socket) any { a, _ := s.RemoteAddress(); return a },
	"blocking":           func(s *Socket) any { return s.Blocking() },
	"listen-backlog":     func(s *Socket) any { return s.ListenBacklog() },
	"keepalive":          func(s *Socket) any { return s.Keepalive() },
	"timeout":            func(s *Socket) any { return s.Timeout() },
	"ttl":                func(s *Socket) any { return s.TTL() },
	"broadcast":          func(s *Socket) any { return s.Broadcast() },
	"multicast-loopback": func(s *Socket) any { return s.MulticastLoopback() },
	"multicast-ttl":      func(s *Socket) any { return s.MulticastTTL() },
}

// SetProperty is g_object_set_property on a GSocket: it calls the typed
// setter of a read-write property (see Property), which notifies as GLib's
// does, and returns that setter's system-call error, if any. A read-only name gives a *object.PropertyError wrapping
// object.ErrReadOnlyProperty, a value of the wrong type one wrapping
// object.ErrPropertyType, an unknown name object.ErrUnknownProperty.
func (s *Socket) SetProperty(name string, v any) error {
	canon := canonProp(name)
	bad := func(want string) error {
		return &object.PropertyError{Op: "set", Name: name, Want: want, Got: fmt.Sprintf("%T", v), Err: object.ErrPropertyType}
	}
	switch canon {
	case "family", "type", "protocol", "fd", "local-address", "remote-address":
		return &object.PropertyError{Op: "set", Name: name, Err: object.ErrReadOnlyProperty}
	case "blocking", "keepalive", "broadcast", "multicast-loopback":
		b, ok := v.(bool)
		if !ok {
			return bad("bool")
		}
		switch canon {
		case "blocking":
			s.SetBlocking(b)
			return nil
		case "keepalive":
			return s.SetKeepalive(b)
		case "broadcast":
			return s.SetBroadcast(b)
		}
		return s.SetMulticastLoopback(b)
	case "listen-backlog":
		n, ok := v.(int)
		if !ok {
			return bad("int")
		}
		s.SetListenBacklog(n)
		return nil
	case "timeout":
		d, ok := v.(time.Duration)
		if !ok {
			return bad("time.Duration")
		}
		s.SetTimeout(d)
		return nil
	case "ttl", "multicast-ttl":
		n, ok := v.(uint)
		if !ok {
			return bad("uint")
		}
		if canon == "ttl" {
			return s.SetTTL(n)
		}
		return s.SetMulticastTTL(n)
	}
	return &object.PropertyError{Op: "set", Name: name, Err: object.ErrUnknownProperty}
}

// Properties is g_object_class_list_properties on GSocket: every property
// name Property accepts, in GLib's order. It also installs the read-write
// ones on the embedded Object, so that Object.Property and
// Object.NotifyProperty know them from then on.
func (s *Socket) Properties() []string {
	if s.ok() {
		s.props()
	}
	return append([]string(nil), socketPropertyNames...)
}

// NotifyProperty is g_object_notify on a GSocket: it emits Notify for the
// read-write property called name. Other names log GLib's critical, as
// Object.NotifyProperty does.
func (s *Socket) NotifyProperty(name string) {
	if s.refused("g_object_notify") {
		return
	}
	s.props()
	s.Object.NotifyProperty(name)
}

func canonProp(name string) string { return strings.ReplaceAll(name, "_", "-") }
