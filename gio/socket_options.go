package gio

import (
	"math"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
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

// getInetOption is a typed getter of an inet option: the value, or 0
// after GLib's critical (another family) or warning (getsockopt failed).
func (s *Socket) getInetOption(fn, what string, v4, v6 int) int {
	level, name, ok := s.inetOption(fn, v4, v6)
	if !ok {
		return 0
	}
	return s.intOption(what, level, name)
}

// setInetUint is setInetOption for the uint options (the ttls), which
// setsockopt takes as a C int.
func (s *Socket) setInetUint(fn, what string, v4, v6 int, v uint) error {
	if v > math.MaxInt32 {
		return optionRangeError(what, v)
	}
	return s.setInetOption(fn, what, v4, v6, int(v))
}

func (s *Socket) intOption(what string, level, name int) int {
	v, err := s.Option(level, name)
	if err != nil {
		logging.Warning("gio", "error getting "+what+": "+err.Error())
		return 0
	}
	return v
}

// setInetOption is the system call of a typed setter of an inet option
// (ttl, multicast-loopback, multicast-ttl): the option for the socket's
// family, and on an IPv6 socket the IPv4 one too (v4, for v4-mapped
// traffic, best effort), as GLib does. The error says which property and
// value failed, in Go terms.
func (s *Socket) setInetOption(fn, what string, v4, v6, v int) error {
	if !s.ok() {
		return notInitError()
	}
	switch s.family {
	case SocketFamilyIPv4:
		return s.setIntOption(what, v, unix.IPPROTO_IP, v4)
	case SocketFamilyIPv6:
		_ = s.SetOption(unix.IPPROTO_IP, v4, v)
		return s.setIntOption(what, v, unix.IPPROTO_IPV6, v6)
	}
	return ioerr.New(ioerr.InvalidArgument, "cannot set "+what+" on a "+s.family.String()+" socket: only IPv4 and IPv6 sockets have it ("+
		fn+": assertion 'socket->priv->family == G_SOCKET_FAMILY_IPV4 || socket->priv->family == G_SOCKET_FAMILY_IPV6' failed)")
}

// setIntOption is setsockopt for a typed setter: the error names the
// property and the value ("Error setting ttl to 300: Invalid argument").
func (s *Socket) setIntOption(what string, v, level, name int) error {
	var serr error
	if err := s.control(func(fd int) { serr = unix.SetsockoptInt(fd, level, name, v) }); err != nil {
		return err
	}
	if serr != nil {
		return errnoOf(serr, "Error setting "+what+" to "+strconv.Itoa(v)+": ")
	}
	return nil
}

// optionRangeError is the error for a value setsockopt cannot even take
// (it takes a C int).
func optionRangeError(what string, v uint) error {
	return ioerr.Wrap(ioerr.InvalidArgument, "Error setting "+what+" to "+strconv.FormatUint(uint64(v), 10)+
		": value out of range for setsockopt", unix.EINVAL)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The typed option accessors below are GLib's, one per option; the work is
// in getInetOption, setInetOption, setInetUint and setIntOption, and the
// setters' notification in notifySet.

// notifySet finishes a typed option setter: when the system call succeeded
// (err is nil) it sets the property slot that pick selects to v, which
// notifies; otherwise it returns err and leaves the slots uninstalled.
func notifySet[T comparable](s *Socket, err error, pick func(*socketProps) *object.Property[T], v T) error {
	if err != nil {
		return err
	}
	pick(s.props()).Set(v)
	return nil
}

// TTL is g_socket_get_ttl: IP_TTL or IPV6_UNICAST_HOPS. A failure logs
// GLib's warning and gives 0.
func (s *Socket) TTL() uint {
	return uint(s.getInetOption("g_socket_get_ttl", "unicast ttl", unix.IP_TTL, unix.IPV6_UNICAST_HOPS))
}

// SetTTL is g_socket_set_ttl: IP_TTL or IPV6_UNICAST_HOPS (on an IPv6
// socket also IP_TTL, for v4-mapped traffic, as GLib does). It returns the
// system call's error, e.g. for a ttl above 255, as net.TCPConn's setters
// do (GLib logs a warning instead); a socket of another family gives
// INVALID_ARGUMENT. Every successful call notifies "ttl", as in GLib.
func (s *Socket) SetTTL(ttl uint) error {
	err := s.setInetUint("g_socket_set_ttl", "ttl", unix.IP_TTL, unix.IPV6_UNICAST_HOPS, ttl)
	return notifySet(s, err, func(p *socketProps) *object.Property[uint] { return &p.ttl }, ttl)
}

// Broadcast is g_socket_get_broadcast: SO_BROADCAST.
func (s *Socket) Broadcast() bool {
	return s.intOption("broadcast", unix.SOL_SOCKET, unix.SO_BROADCAST) != 0
}

// SetBroadcast is g_socket_set_broadcast: SO_BROADCAST. It returns the
// system call's error (GLib logs a warning instead). Every successful call
// notifies "broadcast".
func (s *Socket) SetBroadcast(b bool) error {
	err := s.setIntOption("broadcast", b2i(b), unix.SOL_SOCKET, unix.SO_BROADCAST)
	return notifySet(s, err, func(p *socketProps) *object.Property[bool] { return &p.broadcast }, b)
}

// MulticastLoopback is g_socket_get_multicast_loopback: IP_MULTICAST_LOOP or
// IPV6_MULTICAST_LOOP.
func (s *Socket) MulticastLoopback() bool {
	return s.getInetOption("g_socket_get_multicast_loopback", "multicast loopback", unix.IP_MULTICAST_LOOP, unix.IPV6_MULTICAST_LOOP) != 0
}

// SetMulticastLoopback is g_socket_set_multicast_loopback:
// IP_MULTICAST_LOOP or IPV6_MULTICAST_LOOP (also IP_MULTICAST_LOOP on IPv6
// sockets, as GLib does). It returns the system call's error; a socket of
// another family gives INVALID_ARGUMENT. Every successful call notifies
// "multicast-loopback".
func (s *Socket) SetMulticastLoopback(loop bool) error {
	err := s.setInetOption("g_socket_set_multicast_loopback", "multicast-loopback",
		unix.IP_MULTICAST_LOOP, unix.IPV6_MULTICAST_LOOP, b2i(loop))
	return notifySet(s, err, func(p *socketProps) *object.Property[bool] { return &p.multicastLoopback }, loop)
}

// MulticastTTL is g_socket_get_multicast_ttl: IP_MULTICAST_TTL or
// IPV6_MULTICAST_HOPS.
func (s *Socket) MulticastTTL() uint {
	return uint(s.getInetOption("g_socket_get_multicast_ttl", "multicast ttl", unix.IP_MULTICAST_TTL, unix.IPV6_MULTICAST_HOPS))
}

// SetMulticastTTL is g_socket_set_multicast_ttl: IP_MULTICAST_TTL or
// IPV6_MULTICAST_HOPS (also IP_MULTICAST_TTL on IPv6 sockets, as GLib
// does). It returns the system call's error, e.g. for a ttl above 255; a
// socket of another family gives INVALID_ARGUMENT. Every successful call
// notifies "multicast-ttl".
func (s *Socket) SetMulticastTTL(ttl uint) error {
	err := s.setInetUint("g_socket_set_multicast_ttl", "multicast-ttl", unix.IP_MULTICAST_TTL, unix.IPV6_MULTICAST_HOPS, ttl)
	return notifySet(s, err, func(p *socketProps) *object.Property[uint] { return &p.multicastTTL }, ttl)
}
