// Package tests holds sigloop's cross-package tests, above all the ones that
// talk to a real peer: a GLib program run with PyGObject (Debian's
// /usr/bin/python3 with python3-gi).
//
// The peers live in peers/:
//
//   - glib_echo_server.py: a Gio.SocketService echo server (async streams),
//     for testing sigloop's client side (gio.SocketClient, the streams);
//   - glib_unix_fd.py: a Gio.UnixConnection that sends and receives
//     credentials and file descriptors, for gio.UnixConnection;
//   - glib_client.py: a Gio.SocketClient client that writes, reads the echo,
//     half-closes and closes with GIO's async calls, for testing sigloop's
//     server side (gio.Socket accept loop, gio.SocketConnection).
//
// When python3-gi is missing the peer tests skip with a message saying so,
// unless SIGLOOP_REQUIRE_PEERS=1 (CI sets it, and installs python3-gi), where
// they fail. Every peer is killed and waited for on every path, and every
// wait is bounded.
//
// The package has no API; this file only documents it.
package tests
