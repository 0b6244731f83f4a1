package gio

import (
	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

// inetOption picks the IPv4 or IPv6 option for the socket's family; ok is
// false (after GLib's critical) for any other family.
func (s *Socket) inetOption(fn string, v4, v6 int) (level, name int, ok bool) {
	if s.refused(fn) {
		return 0, 0, false
	}
	switch s.family {
	case SocketFamilyIPv4:
		return unix.IPPROTO_IP, v4, true
	case SocketFamilyIPv6:
		return unix.IPPROTO_IPV6, v6, true
	}
	criticalf(fn + ": assertion 'socket->priv->family == G_SOCKET_FAMILY_IPV4 || socket->priv->family == G_SOCKET_FAMILY_IPV6' failed")
	return 0, 0, false
}

func (s *Socket) intOption(what string, level, name int) int {
	v, err := s.Option(level, name)
	if err != nil {
		logging.Warning("gio", "error getting "+what+": "+err.Error())
		return 0
	}
	return v
}

// setIntOption sets a socket option as GLib's setters do: a failure is a
// warning, a success is reported true (and then notified by the caller).
func (s *Socket) setIntOption(what string, level, name, v int) bool {
	if err := s.SetOption(level, name, v); err != nil {
		logging.Warning("gio", "error setting "+what+": "+err.Error())
		return false
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TTL is g_socket_get_ttl: IP_TTL or IPV6_UNICAST_HOPS. A failure logs
// GLib's warning and gives 0.
func (s *Socket) TTL() uint {
	level, name, ok := s.inetOption("g_socket_get_ttl", unix.IP_TTL, unix.IPV6_UNICAST_HOPS)
	if !ok {
		return 0
	}
	return uint(s.intOption("unicast ttl", level, name))
}

// SetTTL is g_socket_set_ttl. On an IPv6 socket it also sets IP_TTL, for
// v4-mapped traffic, as GLib does. Every successful call notifies "ttl", as
// in GLib.
func (s *Socket) SetTTL(ttl uint) {
	level, name, ok := s.inetOption("g_socket_set_ttl", unix.IP_TTL, unix.IPV6_UNICAST_HOPS)
	if !ok {
		return
	}
	p := s.props()
	if s.family == SocketFamilyIPv6 {
		_ = s.SetOption(unix.IPPROTO_IP, unix.IP_TTL, int(ttl))
	}
	if s.setIntOption("unicast ttl", level, name, int(ttl)) {
		p.ttl.Set(ttl)
	}
}

// Broadcast is g_socket_get_broadcast: SO_BROADCAST.
func (s *Socket) Broadcast() bool {
	return s.intOption("broadcast", unix.SOL_SOCKET, unix.SO_BROADCAST) != 0
}

// SetBroadcast is g_socket_set_broadcast. Every successful call notifies
// "broadcast".
func (s *Socket) SetBroadcast(b bool) {
	if s.refused("g_socket_set_broadcast") {
		return
	}
	p := s.props()
	if s.setIntOption("broadcast", unix.SOL_SOCKET, unix.SO_BROADCAST, b2i(b)) {
		p.broadcast.Set(b)
	}
}

// MulticastLoopback is g_socket_get_multicast_loopback: IP_MULTICAST_LOOP or
// IPV6_MULTICAST_LOOP.
func (s *Socket) MulticastLoopback() bool {
	level, name, ok := s.inetOption("g_socket_get_multicast_loopback", unix.IP_MULTICAST_LOOP, unix.IPV6_MULTICAST_LOOP)
	if !ok {
		return false
	}
	return s.intOption("multicast loopback", level, name) != 0
}

// SetMulticastLoopback is g_socket_set_multicast_loopback (also IP_MULTICAST_LOOP
// on IPv6 sockets, as GLib does). Every successful call notifies
// "multicast-loopback".
func (s *Socket) SetMulticastLoopback(loop bool) {
	level, name, ok := s.inetOption("g_socket_set_multicast_loopback", unix.IP_MULTICAST_LOOP, unix.IPV6_MULTICAST_LOOP)
	if !ok {
		return
	}
	p := s.props()
	if s.family == SocketFamilyIPv6 {
		_ = s.SetOption(unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, b2i(loop))
	}
	if s.setIntOption("multicast loopback", level, name, b2i(loop)) {
		p.multicastLoopback.Set(loop)
	}
}

// MulticastTTL is g_socket_get_multicast_ttl: IP_MULTICAST_TTL or
// IPV6_MULTICAST_HOPS.
func (s *Socket) MulticastTTL() uint {
	level, name, ok := s.inetOption("g_socket_get_multicast_ttl", unix.IP_MULTICAST_TTL, unix.IPV6_MULTICAST_HOPS)
	if !ok {
		return 0
	}
	return uint(s.intOption("multicast ttl", level, name))
}

// SetMulticastTTL is g_socket_set_multicast_ttl (also IP_MULTICAST_TTL on
// IPv6 sockets, as GLib does). Every successful call notifies
// "multicast-ttl".
func (s *Socket) SetMulticastTTL(ttl uint) {
	level, name, ok := s.inetOption("g_socket_set_multicast_ttl", unix.IP_MULTICAST_TTL, unix.IPV6_MULTICAST_HOPS)
	if !ok {
		return
	}
	p := s.props()
	if s.family == SocketFamilyIPv6 {
		_ = s.SetOption(unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, int(ttl))
	}
	if s.setIntOption("multicast ttl", level, name, int(ttl)) {
		p.multicastTTL.Set(ttl)
	}
}
