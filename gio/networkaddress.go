package gio

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// NetworkAddress is GNetworkAddress: a host name (or numeric address) and a
// port, resolved when a SocketClient connects to it.
//
// It is immutable and safe to share between goroutines. The zero value (and
// a nil pointer) names no host: Enumerate, and a SocketClient connecting to
// it, fail with INVALID_ARGUMENT; make one with NewNetworkAddress or
// ParseNetworkAddress.
type NetworkAddress struct {
	hostname string
	port     uint16
}

// NewNetworkAddress is g_network_address_new.
func NewNetworkAddress(hostname string, port uint16) *NetworkAddress {
	return &NetworkAddress{hostname: hostname, port: port}
}

// ParseNetworkAddress is g_network_address_parse: hostAndPort is "host",
// "host:port", "[ipv6]", "[ipv6]:port", or a bare IPv6 address (more than
// one colon, no brackets); the port may be a number or a service name, and
// defaultPort applies when there is none. Errors are INVALID_ARGUMENT with
// GLib's messages, for example "Hostname “[::1” contains “[” but not “]”".
func ParseNetworkAddress(hostAndPort string, defaultPort uint16) (*NetworkAddress, error) {
	host, portStr := hostAndPort, ""
	hasPort := false
	if strings.HasPrefix(hostAndPort, "[") {
		end := strings.IndexByte(hostAndPort, ']')
		if end < 0 {
			return nil, ioerr.New(ioerr.InvalidArgument, "Hostname “"+hostAndPort+"” contains “[” but not “]”")
		}
		host = hostAndPort[1:end]
		switch rest := hostAndPort[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			portStr, hasPort = rest[1:], true
		default:
			return nil, ioerr.New(ioerr.InvalidArgument, "The ']' character (in hostname '"+hostAndPort+
				"') must come at the end or be immediately followed by ':' and a port")
		}
	} else if i := strings.IndexByte(hostAndPort, ':'); i >= 0 && strings.Count(hostAndPort, ":") == 1 {
		host, portStr, hasPort = hostAndPort[:i], hostAndPort[i+1:], true
	}
	port := defaultPort
	if hasPort {
		if portStr == "" {
			return nil, ioerr.New(ioerr.InvalidArgument, "If a ':' character is given, it must be followed by a port (in hostname '"+
				hostAndPort+"').")
		}
		p, err := parsePort(portStr, hostAndPort)
		if err != nil {
			return nil, err
		}
		port = p
	}
	return &NetworkAddress{hostname: host, port: port}, nil
}

func parsePort(s, whole string) (uint16, error) {
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n > 65535 {
			return 0, ioerr.New(ioerr.InvalidArgument, "Invalid numeric port '"+s+"' specified in hostname '"+whole+"'")
		}
		return uint16(n), nil
	}
	n, ok := lookupService(s)
	if !ok {
		return 0, ioerr.New(ioerr.InvalidArgument, "Unknown service '"+s+"' specified in hostname '"+whole+"'")
	}
	return n, nil
}

// servicesFile is the services database getservbyname(3) reads.
const servicesFile = "/etc/services"

// tcpServices maps the TCP service names and aliases of servicesFile to
// their ports, read once.
var tcpServices = sync.OnceValue(func() map[string]uint16 {
	m := map[string]uint16{}
	data, err := os.ReadFile(servicesFile)
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		num, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto != "tcp" {
			continue
		}
		port, err := strconv.ParseUint(num, 10, 16)
		if err != nil {
			continue
		}
		for _, name := range append(f[:1:1], f[2:]...) {
			if _, dup := m[name]; !dup { // the first entry wins, as in getservbyname
				m[name] = uint16(port)
			}
		}
	}
	return m
})

// lookupService is getservbyname(name, "tcp"), which GLib's parser uses: the
// name must match exactly, case included ("http" is a service, "HTTP" is
// not), and it is only looked up in the services database (no numbers, no
// built-in table: net.LookupPort accepts "+80" and "HTTP", GLib does not).
func lookupService(name string) (uint16, bool) {
	p, ok := tcpServices()[name]
	return p, ok
}

// Hostname is g_network_address_get_hostname.
func (a *NetworkAddress) Hostname() string {
	// Same shape as InetSocketAddress's getters: kept as one line per GLib
	// getter, as GLib has one call per field.
	return orZero(a, func(a *NetworkAddress) string { return a.hostname })
}

// Port is g_network_address_get_port.
func (a *NetworkAddress) Port() uint16 {
	return orZero(a, func(a *NetworkAddress) uint16 { return a.port })
}

// String is g_socket_connectable_to_string: "host:port", and just "host"
// for port 0, as GLib writes them. Differs from GLib: a host that contains
// a colon (an IPv6 literal) is put in brackets ("[::1]:80"), so that the
// string parses back with ParseNetworkAddress; GLib writes "::1:80", which
// parses back as the host "::1:80".
func (a *NetworkAddress) String() string {
	if a == nil {
		return ""
	}
	if a.port == 0 {
		return a.hostname
	}
	return net.JoinHostPort(a.hostname, strconv.Itoa(int(a.port)))
}

// Enumerate resolves the address: a numeric host gives itself;
// "localhost" and any "*.localhost" name (in any case, with or without a
// final dot) give ::1 then 127.0.0.1 without asking the resolver, as GLib
// 2.74 does (RFC 6761), so a client reaches a server that listens on only
// one of them; any other name is looked up (both IPv4 and IPv6), in the
// resolver's order. A failed lookup
// is HOST_NOT_FOUND "Error resolving “HOST”: REASON" (GLib reports it in
// the G_RESOLVER_ERROR domain, which this package does not have).
func (a *NetworkAddress) Enumerate(c *cancellable.Cancellable) ([]SocketAddress, error) {
	if a == nil || a.hostname == "" {
		return nil, ioerr.New(ioerr.InvalidArgument, "NetworkAddress has no host name (a zero or nil gio.NetworkAddress: make one with NewNetworkAddress)")
	}
	if ip, err := netip.ParseAddr(a.hostname); err == nil {
		sa, err := NewInetSocketAddressFromString(ip.String(), uint(a.port))
		if err != nil {
			return nil, err
		}
		return []SocketAddress{sa}, nil
	}
	if isLocalhost(a.hostname) {
		return []SocketAddress{
			NewInetSocketAddress(NewInetAddressLoopback(SocketFamilyIPv6), a.port),
			NewInetSocketAddress(NewInetAddressLoopback(SocketFamilyIPv4), a.port),
		}, nil
	}
	ctx := context.Context(context.Background())
	if c != nil {
		ctx = c
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", a.hostname)
	if err != nil {
		if c.IsCancelled() {
			return nil, ioerr.NewCancelled()
		}
		reason := err.Error()
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			reason = dnsErr.Err
			if dnsErr.IsNotFound {
				reason = "Name or service not known"
			}
		}
		return nil, ioerr.Wrap(ioerr.HostNotFound, "Error resolving “"+a.hostname+"”: "+reason, err)
	}
	out := make([]SocketAddress, 0, len(ips))
	for _, ip := range ips {
		sa, err := NewInetSocketAddressFromString(ip.Unmap().String(), uint(a.port))
		if err == nil {
			out = append(out, sa)
		}
	}
	return out, nil
}

// isLocalhost is GLib's test for the names that are the local host
// whatever the resolver says: "localhost" and its subdomains.
func isLocalhost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
