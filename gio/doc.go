// Package gio is a Go port of GLib's GIO networking layer: sockets and
// their addresses, the stream classes, socket connections and the socket
// client, with GLib's error codes and messages, and Go's runtime poller
// underneath.
//
// # Getting started
//
// A client connects with a SocketClient and talks through the
// connection's streams, with the blocking calls (each takes a
// *cancellable.Cancellable; nil means "not cancellable"):
//
//	client := gio.NewSocketClient()
//	client.SetTimeout(5 * time.Second)
//	conn, err := client.ConnectToHost("localhost:7000", 0, nil)
//	if err != nil {
//		return err // a *gio.Error: errors.Is(err, gio.ErrConnectionRefused)…
//	}
//	defer conn.Close()
//	if _, err := conn.OutputStream().WriteAll([]byte("hello\n"), nil); err != nil {
//		return err
//	}
//	buf := make([]byte, 64)
//	n, err := conn.InputStream().Read(buf, nil)
//
// The same calls exist as XxxAsync/XxxFinish pairs, whose callback runs
// on the caller's main context (see "Async calls and main contexts"
// below); a SocketConnection is also a net.Conn, so io.Copy, bufio and
// net/http-style code work with it as they are. ExampleSocketClient_Connect
// and ExampleSocketClient_ConnectAsync run both forms against a real
// server; ExampleSocket shows bare Sockets, and
// ExampleSocket_Receive_context bounds a call with a Go context through
// cancellable.FromContext.
//
// # Writing a server
//
// A server is a SocketService: a SocketListener that accepts on the main
// context by itself and hands each connection to its Incoming signal
// (GLib's "incoming"). Add the addresses to listen on; the service starts
// accepting with the first one. Once Incoming returns, the connection is
// closed unless a handler called Keep on it, which is how a handler that
// goes on with async calls keeps its connection (GLib keeps a reference):
//
//	service := gio.NewSocketService()
//	if err := service.AddInetPort(7000, nil); err != nil {
//		return err // e.g. ADDRESS_IN_USE
//	}
//	service.Incoming.Connect(func(conn *gio.SocketConnection, _ any) bool {
//		service.Keep(conn)
//		buf := make([]byte, 64<<10)
//		var echo func()
//		echo = func() {
//			conn.InputStream().ReadAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
//				n, err := conn.InputStream().ReadFinish(res)
//				if err != nil || n == 0 {
//					conn.Close()
//					return
//				}
//				conn.OutputStream().WriteAllAsync(buf[:n], mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
//					if _, err := conn.OutputStream().WriteAllFinish(res); err != nil {
//						conn.Close()
//						return
//					}
//					echo()
//				})
//			})
//		}
//		echo()
//		return true // handled: later Incoming handlers are not called
//	})
//	mainloop.New(nil).Run()
//
// ThreadedSocketService is the same with blocking I/O: its Run signal is
// emitted on a goroutine of its own for each connection, at most
// max-threads at a time. SocketListener alone gives Accept and
// AcceptAsync/AcceptFinish, and NetListener turns it into a net.Listener
// for Go code such as net/http. ExampleSocketService and
// ExampleSocketListener run against real sockets; demo/gioecho is a
// complete server in all three forms.
//
// # Async calls and main contexts: the trap
//
// An XxxAsync callback runs on the caller's main context: the context
// being dispatched on the calling goroutine, else the one it pushed with
// PushThreadDefault, else mainloop.Default(). A goroutine that runs a loop
// on a context of its own must push that context before it starts async
// calls, or their callbacks go to Default(), which nobody iterates, and
// the loop waits forever:
//
//	ctx := mainloop.NewContext()
//	loop := mainloop.New(ctx)
//	if err := ctx.PushThreadDefault(); err != nil { // the fix: without it,
//		return err // ConnectAsync below delivers to mainloop.Default()
//	}
//	defer ctx.PopThreadDefault()
//	client.ConnectAsync(addr, nil, func(_ any, res asyncresult.AsyncResult) {
//		conn, err := client.ConnectFinish(res)
//		// … runs here, inside loop.Run, on this goroutine
//		loop.Quit()
//	})
//	loop.Run()
//
// Calls made from inside a callback already running on ctx need no push:
// the context being dispatched is the caller's context.
//
// # Types and their GLib counterparts
//
// Errors and enums:
//
//   - Error is GError in the G_IO_ERROR domain, ErrorCode is GIOErrorEnum,
//     and the ErrXxx values are sentinels for errors.Is
//     (g_error_matches).
//   - SocketFamily, SocketType and SocketProtocol are GSocketFamily,
//     GSocketType and GSocketProtocol (SocketProtocolMPTCP is added: Go's
//     net package makes Multipath TCP sockets).
//
// Addresses:
//
//   - SocketAddress is GSocketAddress, InetAddress is GInetAddress,
//     InetSocketAddress is GInetSocketAddress, UnixSocketAddress (with
//     UnixSocketAddressType) is GUnixSocketAddress. All convert to and from
//     net.Addr (ToNet, SocketAddressFromNet) and struct sockaddr
//     (SocketAddressToNative, SocketAddressFromNative).
//   - SocketConnectable is GSocketConnectable, NetworkAddress is
//     GNetworkAddress; SocketConnectableEnumerator folds in
//     GSocketAddressEnumerator.
//   - Credentials is GCredentials.
//
// Sockets:
//
//   - Socket is GSocket, an object.Object with GSocket's properties;
//     SocketSourceFunc is GSocketSourceFunc (CreateSource).
//
// Streams and connections:
//
//   - InputStream is GInputStream and OutputStream is GOutputStream, with
//     GPollableInputStream's and GPollableOutputStream's calls (CanPoll,
//     ReadNonblocking, CreateSource, …). To make a stream of your own,
//     implement InputStreamImpl (Read, Close) or OutputStreamImpl (Write,
//     Close); the rest of the class is optional and found by type
//     assertion, as io.Copy finds an io.WriterTo: VectorWriter (Writev),
//     Flusher (Flush), PollableInputImpl and PollableOutputImpl.
//   - IOStream is GIOStream (IOStreamImpl its two stream getters,
//     IOStreamCloser an optional close; NewSimpleIOStream is
//     GSimpleIOStream), an object.Object. IOStreamer is what
//     IOStream.SpliceAsync joins; OutputStreamSpliceFlags and
//     IOStreamSpliceFlags are GOutputStreamSpliceFlags and
//     GIOStreamSpliceFlags.
//   - SocketConnection is GSocketConnection, TCPConnection is
//     GTcpConnection, UnixConnection is GUnixConnection. NewSocketConnection
//     is the connection factory. A SocketConnection is also a net.Conn.
//   - SocketClient is GSocketClient (an object.Object), SocketClientEvent
//     is GSocketClientEvent.
//
// Servers:
//
//   - SocketListener is GSocketListener and SocketListenerEvent is
//     GSocketListenerEvent; SocketListenerClass holds its virtual methods
//     (do_changed, do_event). NetListener adapts a SocketListener to
//     net.Listener.
//   - SocketService is GSocketService (Incoming, Start, Stop, the "active"
//     property; DoIncoming is do_incoming), and ThreadedSocketService is
//     GThreadedSocketService (Run, "max-threads"; DoRun is do_run).
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
// Timeouts are poller deadlines; a Cancellable interrupts a wait by moving
// the deadline into the past. A blocking receive or send allocates
// nothing.
//
// The streams follow GLib's classes: InputStream and OutputStream wrap an
// implementation with the one-operation-at-a-time rule and the Async/Finish
// forms; a SocketConnection's streams do blocking socket calls. Their
// Read, ReadAll, ReadBytes, Write, WriteAll, Writev and WritevAll Async
// forms take GLib's pollable path (a non-blocking attempt on the calling goroutine, then the
// stream's source on the caller's context, which waits in the context's
// poller), and the other Async forms run the blocking call on a goroutine.
// The result is an asyncresult.AsyncResult either way: an
// asyncresult.Result embedded in the operation on the pollable path, an
// asyncresult.Task otherwise, with the same delivery rules.
// SocketClient resolves, connects and reports each stage on its Event
// signal; its async form uses Happy Eyeballs.
//
// Errors are *Error values in GLib's G_IO_ERROR domain (Error, ErrorCode,
// the ErrXxx sentinels), with GLib's codes and messages: errors.Is works
// against the sentinels, against the wrapped errno (syscall.ECONNREFUSED)
// and, for CANCELLED, against context.Canceled. Bad input (an unparsable
// address, a nil argument) gives INVALID_ARGUMENT, never a panic.
//
// Sources for a main loop (Socket.CreateSource, the streams'
// CreateSource) watch the descriptor with the mainloop package's own
// poller; both pollers may watch the same descriptor.
//
// # Objects and properties
//
// Socket, IOStream (so every SocketConnection, TCPConnection and
// UnixConnection) and SocketClient embed object.Object, as their GLib
// counterparts are GObjects: each has a context affinity (the caller's
// context when it was made), a name, data and Notify. Their typed
// accessors are the main API; the GLib properties are also reachable by
// name through each type's Property, SetProperty and Properties, and
// notify (Notify, detailed by the property name) as GLib's do:
//
//   - Socket: "blocking", "keepalive", "timeout", "listen-backlog" when
//     they change; "ttl", "broadcast", "multicast-loopback",
//     "multicast-ttl" after every successful set; "family", "type",
//     "protocol", "fd", "local-address", "remote-address" are read-only
//     and computed. A Socket installs its property table on first use, so
//     sockets that never touch it (most accepted ones) do not pay for it.
//   - IOStream: "closed" (read-only, notified once when the stream closes;
//     GLib does not notify it), "input-stream", "output-stream";
//     SocketConnection adds "socket", TCPConnection "graceful-disconnect".
//   - SocketClient: "family", "type", "protocol", "local-address",
//     "timeout", "enable-proxy".
//   - SocketListener: "listen-backlog" (0..2000, default 10; a by-name set
//     outside the range is refused with object.ErrPropertyRange).
//     SocketService adds "active" (notified only when it changes), and
//     ThreadedSocketService "max-threads" (-1..MaxInt32, default 10,
//     construct-only).
//
// Destroy (the embedded Object's, Qt's delete and GLib's dispose) of an
// IOStream or SocketConnection closes it, as g_io_stream_dispose does (and
// the socket with it, since Go has no last unref to close it later).
// Destroy of a Socket does not close it, as GSocket's dispose does not:
// call Close (or let the garbage collector close it, as a last unref
// would).
//
// # Concurrency properties
//
//  1. Every exported method may be called from any goroutine. GLib's
//     GSocket and streams are not thread-safe; these are.
//  2. Socket: a receive-side operation (Receive, ReceiveFrom, Accept,
//     ConditionWait for IOIn) and a send-side one (Send, SendTo,
//     SendVectors, a blocking Connect's wait) run in parallel; two
//     operations on the same side are served one after the other, and a
//     queued one still honours its timeout, cancellation and Close.
//  3. Streams: operations on one InputStream or OutputStream are
//     serialised by GLib's PENDING rule, not queued: while one is in
//     progress (sync or async) any other fails at once with PENDING
//     "Stream has outstanding operation", and every one after Close with
//     CLOSED "Stream is already closed" (SOCK-11). The input and the output
//     stream of a connection are independent: a read and a write run in
//     parallel. An IOStream close while a substream operation runs still
//     closes the socket, and the operation ends with CLOSED.
//  4. net.Conn: Read and Write of a SocketConnection called from several
//     goroutines are queued (one Read at a time, one Write at a time, as
//     net.Conn callers expect) rather than failing with PENDING. Only a
//     GLib-style operation on the same stream makes a net.Conn call fail
//     with PENDING. Deadlines apply to the net.Conn calls, including one
//     already waiting.
//  5. Async callbacks: every XxxAsync callback runs exactly once, on the
//     caller's context (mainloop.ThreadDefault when XxxAsync was called),
//     at the priority given, never inside the XxxAsync call and never
//     inside a Cancel of its Cancellable (TASK-3, CAN-11). A stream's
//     pending flag is cleared just before the callback runs, so the
//     callback may start the next operation.
//  6. Waiting costs no thread: blocking calls and the goroutines behind the
//     async forms park in Go's netpoller while they wait; an async
//     operation holds a goroutine (a few KiB of stack), not an OS thread.
//     The socket streams' reads and writes (ReadAsync, ReadAllAsync,
//     ReadBytesAsync, WriteAsync, WriteAllAsync, WritevAsync,
//     WritevAllAsync) hold no goroutine at all: as in GLib, they wait with a
//     source attached to the caller's context at the operation's priority,
//     and so make progress only while that context is iterated.
//     Nothing is left running after an operation completes, and Close ends
//     every wait at once with CLOSED.
//  7. SocketClient: Connect emits Event on the calling goroutine;
//     ConnectAsync and ConnectToHostAsync emit RESOLVING inside the call and
//     the later events on the caller's context, in GLib's order (RESOLVING,
//     RESOLVED, CONNECTING, CONNECTED, COMPLETE; on failure COMPLETE with a
//     nil connection), with COMPLETE always last and always before the
//     callback (SOCK-12).
//  8. Property notifications run on the goroutine that changed the value
//     (for "closed" after CloseAsync: on the caller's context, before the
//     callback), with no lock held, so a handler may call any method.
//  9. Close of a Socket is idempotent, closes the descriptor exactly once,
//     returns only after it is closed, and never waits for a blocked
//     operation to time out. A socket source's callback runs on the
//     goroutine dispatching its context, never concurrently with that
//     context's other callbacks (see package mainloop).
//  10. Addresses (InetAddress, InetSocketAddress, UnixSocketAddress,
//     NetworkAddress) are immutable values, safe to share.
//
// # Zero values, nil and panics
//
// Each exported type's doc says whether its zero value is usable. The
// addresses' and Credentials' are (they hold no address, no identity); a
// zero or nil Socket, InputStream, OutputStream, IOStream,
// SocketConnection or SocketClient is not, and every call on it returns
// NOT_INITIALIZED naming the constructor to use (or, with no error to
// return, logs a critical and gives the zero result); none panics.
//
// Bad arguments never panic: they give an INVALID_ARGUMENT error whose
// text names the argument in Go terms (GLib's own text may follow), or,
// where GLib has a g_return_if_fail and there is no error to return, a
// logged critical (see internal/logging) and a zero result. User code is not recovered: a panic in an async callback,
// an Event or Notify handler or a source callback propagates out of the
// context's dispatch (Iteration or Run), as in package mainloop, and one
// event handler that panics does not stop the later SocketClient events
// from being delivered. A panic in an InputStreamImpl, OutputStreamImpl or
// IOStreamImpl method propagates to the caller of a sync call (the stream
// is left not pending); in an async call it runs on the operation's own
// goroutine and so ends the program, as any goroutine's panic does.
//
// # Differences from GLib
//
// Each difference is documented on its method ("Differs from GLib: …"):
// timeouts are time.Durations; Credentials over TCP give NOT_SUPPORTED;
// over-long Unix paths are rejected instead of truncated;
// NewUnixSocketAddressAbstract makes the unpadded kind; control messages are
// raw bytes (SendMessage, ReceiveMessage); a Socket and the streams may be
// used from several goroutines at once; sockets adopted from a descriptor
// report whether they listen; ReadAll stays pending for the whole call;
// "closed" notifies; the setters that make a system call (SetKeepalive,
// SetTTL, SetBroadcast, SetMulticastLoopback, SetMulticastTTL) return its
// error where GLib logs a warning; NetworkAddress.String brackets a host
// with a colon so that it parses back; no proxies and no TLS in
// SocketClient. Everything else the parsers and String methods answer is
// GLib 2.74's, input for input (tests/gio_parse_diff_test.go compares them
// with PyGObject).
//
// # Using Go's net package alongside
//
// NewSocketFromNetListener and NewSocketFromNetConn adopt a duplicate of a
// net.Listener's or net.Conn's descriptor (a Multipath TCP one gives a
// TCPConnection too); NetListener hands a duplicate of a listening Socket
// to Go code; a SocketConnection is a net.Conn (with CloseRead and
// CloseWrite). There is one cancellation form, GLib's: a
// *cancellable.Cancellable, which is itself a context.Context;
// cancellable.FromContext turns a Go context into one without a goroutine
// (its deadline then gives CANCELLED; the socket timeout gives TIMED_OUT).
package gio
