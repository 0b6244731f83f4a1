// Package gio is a Go port of GLib's GIO networking layer: GSocket, socket
// addresses, GSocketConnection and its streams, GSocketClient, and (in later
// files) GSocketListener and GSocketService.
//
// # Design
//
// A Socket is a non-blocking, close-on-exec descriptor created with
// golang.org/x/sys/unix, so that everything GLib controls (listen backlog,
// IPV6_V6ONLY, SO_REUSEADDR, abstract Unix names, peer credentials) stays
// under control, and then handed to Go's runtime poller through an *os.File
// and its syscall.RawConn. GLib's "blocking" mode is emulated as GLib does
// it: a blocking call that would block waits for readiness and retries. The
// wait is a goroutine parked in the poller, not a thread in poll(2).
// Timeouts are poller deadlines; a Cancellable (or any context.Context, in
// the XxxContext methods) interrupts a wait by moving the deadline into the
// past.
//
// Errors are *Error values in GLib's G_IO_ERROR domain (Error, ErrorCode,
// the ErrXxx sentinels), with GLib's codes and messages: errors.Is works
// against the sentinels, against the wrapped errno (syscall.ECONNREFUSED)
// and, for CANCELLED, against context.Canceled.
//
// Sources for a main loop (CreateSource) watch the descriptor with the
// mainloop package's own poller; both pollers may watch the same
// descriptor.
//
// # Concurrency properties
//
//  1. Every exported method of Socket may be called from any goroutine. A
//     receive-side operation (Receive, ReceiveFrom, Accept, ConditionWait
//     for IOIn) and a send-side one (Send, SendTo, SendVectors, a blocking
//     Connect's wait) run in parallel; two operations on the same side are
//     served one after the other, and a queued one still honours its
//     timeout, cancellation and Close.
//  2. A blocking operation ends with TIMED_OUT when the socket timeout
//     passes, with CANCELLED when its Cancellable or context is cancelled,
//     and with CLOSED when another goroutine closes the socket. It never
//     keeps a goroutine or thread after it returns.
//  3. Close is idempotent, closes the descriptor exactly once, returns only
//     after the descriptor is closed, and never waits for a blocked
//     operation to time out.
//  4. A socket source's callback runs on the goroutine dispatching the
//     context it is attached to, never concurrently with that context's
//     other callbacks (see package mainloop).
//  5. Addresses (InetAddress, InetSocketAddress, UnixSocketAddress) are
//     immutable values, safe to share.
//
// # Panics
//
// Bad arguments never panic: they give an INVALID_ARGUMENT error, or, where
// GLib has a g_return_if_fail, a logged critical (see internal/logging) and
// a zero result. A panic in a source callback is not recovered by this
// package: it propagates out of the dispatch, as in package mainloop.
//
// # Differences from GLib
//
// Each difference is documented on its method ("Differs from GLib: …"):
// timeouts are time.Durations; Credentials over TCP give NOT_SUPPORTED;
// over-long Unix paths are rejected instead of truncated;
// NewUnixSocketAddressAbstract makes the unpadded kind; control messages are
// raw bytes (SendMessage, ReceiveMessage); a Socket may be used from several
// goroutines at once; sockets adopted from a descriptor report whether they
// listen.
//
// # Using Go's net package alongside
//
// NewSocketFromNetListener and NewSocketFromNetConn adopt a duplicate of a
// net.Listener's or net.Conn's descriptor; NetListener hands a duplicate of
// a listening Socket to Go code. Every ...Context method takes a
// context.Context where the GLib-style method takes a Cancellable; a
// cancellable.Cancellable is itself a context.Context.
package gio
