// Package qtnet is Qt's QLocalServer and QLocalSocket in Go: local (Unix
// domain) stream sockets with Qt's names, on-disk behaviour, error codes and
// texts, and signals, built on sigloop's mainloop, signal and object.
//
// A Qt 5 or Qt 6 program talking to a qtnet program cannot tell it from a
// Qt one: names resolve the same way (a bare name lives in $TMPDIR or /tmp,
// a name starting with '/' is a path, AbstractNamespaceOption uses Linux's
// abstract namespace), the socket file is created the same way for every
// SocketOptions value, and the byte stream is plain, without framing.
//
// # Getting started
//
// A server accepts on its context's loop and hands out LocalSockets:
//
//	srv := qtnet.NewLocalServer(nil)
//	if err := srv.Listen("myapp"); errors.Is(err, qtnet.AddressInUseError) {
//		// a crashed instance left its socket file: see RemoveServer
//	}
//	srv.NewConnection.Connect(func() {
//		for c := srv.NextPendingConnection(); c != nil; c = srv.NextPendingConnection() {
//			c.ReadyRead.Connect(func() { c.Write(c.ReadAll()) }) // echo
//			c.Disconnected.Connect(c.DeleteLater)
//		}
//	})
//	mainloop.New(nil).Run()
//
// A client connects (on Linux a local connect completes at once) and
// reads and writes, with signals or with the blocking WaitForXxx calls,
// which need no running loop:
//
//	c := qtnet.NewLocalSocket(nil)
//	c.ConnectToServer("myapp")
//	if !c.WaitForConnected(1000) {
//		log.Fatal(c.ErrorString()) // "QLocalSocket::connectToServer: Invalid name"
//	}
//	c.Write([]byte("hello"))
//	c.WaitForBytesWritten(1000)
//	c.WaitForReadyRead(1000)
//	fmt.Printf("%s\n", c.ReadAll())
//
// Qt's bool results become errors (nil on success) carrying Qt's code and
// exact text (*Error); ServerError/ErrorString (Error/ErrorString on a
// socket) report the same, as in Qt. The rule ids (LS-nn for QLocalServer,
// LK-nn for QLocalSocket) in the docs and tests are listed in
// docs/conformance/qtnet.md.
//
// # Differences from Qt
//
// Each is documented on its method and held by a test: Close removes only
// the socket file the server created itself (LS-13); exactly
// MaxPendingConnections connections are held, not max+2 (LS-17); a
// successful Listen clears the previous error (LS-11); ListenDescriptor of
// an unnamed socket reports IsListening (LS-15); accept errors such as
// EMFILE pause the server instead of closing it (LS-16); names with a NUL
// byte (other than abstract ones) are refused; LocalSocket.Read blocks as
// net.Conn requires; one SocketOptions type serves both classes. Where Qt 5
// and Qt 6 differ, qtnet does what Qt 6 does (accepted sockets carry the
// server's names, Qt 5 leaves them empty; paths are limited to Qt 6's 106
// bytes), except that a $TMPDIR naming a missing directory is used as Qt 5
// uses it. Go-only: the descriptor of a socket or server that becomes
// garbage without being closed is closed, as an os.File's is.
//
// # Concurrency properties
//
//  1. Every method of LocalServer and LocalSocket may be called from any
//     goroutine.
//  2. I/O is done by the object's context (MainContext, the caller's context
//     when it was made; an accepted socket gets its server's): signals
//     caused by I/O (NewConnection, ReadyRead, BytesWritten, the disconnect
//     sequence) run there, never concurrently with each other.
//  3. WaitForXxx calls work without a running loop: when the calling
//     goroutine can own the context (nobody runs it, or the caller is
//     inside one of its callbacks), it does the I/O itself for the length
//     of the wait and the signals run on it, as in Qt; otherwise the loop
//     that owns the context does the I/O and the call sleeps until the
//     condition holds or the time is up (so the goroutine that owns the
//     context must be running it).
//  4. Signals caused by a method call (ConnectToServer, Close, Abort,
//     DisconnectFromServer, and the socketOptions notifications of
//     SetSocketOptions and ListenDescriptor) are emitted by that call,
//     synchronously, on the calling goroutine, as in Qt.
//  5. No lock is held while a signal handler or IncomingConnection runs.
package qtnet
