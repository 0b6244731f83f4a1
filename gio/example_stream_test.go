package gio_test

import (
	"bufio"
	"fmt"
	"io"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

// echoServer listens on 127.0.0.1 (port chosen by the kernel), echoes one
// connection with the net.Conn side of SocketConnection, and returns the
// address and a function that waits for it to finish.
func echoServer() (gio.SocketAddress, func()) {
	l, err := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	if err != nil {
		panic(err)
	}
	if err := l.Bind(gio.NewInetSocketAddress(gio.NewInetAddressLoopback(gio.SocketFamilyIPv4), 0), true); err != nil {
		panic(err)
	}
	if err := l.Listen(); err != nil {
		panic(err)
	}
	addr, _ := l.LocalAddress()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer l.Close()
		s, err := l.Accept(nil)
		if err != nil {
			return
		}
		conn := gio.NewSocketConnection(s)
		defer conn.Close()
		_, _ = io.Copy(conn, conn) // a SocketConnection is a net.Conn
	}()
	return addr, func() { <-done }
}

// connectEcho connects to a new echoServer (and panics if it cannot);
// done closes the connection and waits for the server to finish.
func connectEcho() (conn *gio.SocketConnection, done func()) {
	addr, wait := echoServer()
	conn, err := gio.NewSocketClient().Connect(addr, nil)
	if err != nil {
		panic(err)
	}
	return conn, func() { conn.Close(); wait() }
}

// Blocking calls: connect, write everything, read the echo back.
func ExampleSocketClient_Connect() {
	addr, wait := echoServer()
	defer wait()

	client := gio.NewSocketClient()
	conn, err := client.Connect(addr, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	if _, err := conn.OutputStream().WriteAll([]byte("hello"), nil); err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]byte, 5)
	n, err := conn.InputStream().ReadAll(buf, nil)
	fmt.Println(n, string(buf), err, conn.TCP() != nil)
	// Output: 5 hello <nil> true
}

// The async calls on a main loop: every event and callback runs on the
// loop's context, in order.
func ExampleSocketClient_ConnectAsync() {
	addr, wait := echoServer()
	defer wait()
	loop := mainloop.New(nil)

	client := gio.NewSocketClient()
	client.Event.Connect(func(ev gio.SocketClientEvent, _ gio.SocketConnectable, _ *gio.SocketConnection) {
		fmt.Println("event", ev)
	})
	client.ConnectAsync(addr, nil, func(_ any, res asyncresult.AsyncResult) {
		conn, err := client.ConnectFinish(res)
		if err != nil {
			fmt.Println(err)
			loop.Quit()
			return
		}
		msg := []byte("ping")
		conn.OutputStream().WriteAllAsync(msg, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
			n, err := conn.OutputStream().WriteAllFinish(res)
			fmt.Println("wrote", n, err)
			buf := make([]byte, len(msg))
			conn.InputStream().ReadAllAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
				n, err := conn.InputStream().ReadAllFinish(res)
				fmt.Println("read", n, string(buf[:n]), err)
				conn.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					fmt.Println("closed", conn.CloseFinish(res))
					loop.Quit()
				})
			})
		})
	})
	loop.Run()
	// Output:
	// event RESOLVING
	// event RESOLVED
	// event CONNECTING
	// event CONNECTED
	// event COMPLETE
	// wrote 4 <nil>
	// read 4 ping <nil>
	// closed <nil>
}

// A SocketConnection is a net.Conn, so Go's io helpers work on it.
func ExampleSocketConnection_netConn() {
	addr, wait := echoServer()
	defer wait()

	conn, err := gio.NewSocketClient().ConnectToHost(addr.String(), 0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(conn, "line one\nline two\n")
	r := bufio.NewReader(conn)
	for range 2 {
		line, _ := r.ReadString('\n')
		fmt.Print(line)
	}
	fmt.Printf("%T %v\n", conn.RemoteAddr(), conn.RemoteAddr().String() == addr.String())
	// Output:
	// line one
	// line two
	// *net.TCPAddr true
}

// One operation at a time: a second read while one is in progress fails with
// PENDING, as in GLib.
func ExampleInputStream_ReadAsync() {
	conn, done := connectEcho()
	defer done()
	loop := mainloop.New(nil)
	in := conn.InputStream()
	buf := make([]byte, 2)
	in.ReadAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		n, err := in.ReadFinish(res)
		fmt.Println("read", string(buf[:n]), err)
		loop.Quit()
	})
	_, err := in.Read(make([]byte, 1), nil)
	fmt.Println(err)
	_, _ = conn.OutputStream().WriteAll([]byte("hi"), nil)
	loop.Run()
	// Output:
	// Stream has outstanding operation
	// read hi <nil>
}

// A loop on a context of its own: push it as the thread-default context
// before the async calls, or their callbacks go to mainloop.Default(),
// which this loop never iterates (see the package doc, "the trap").
func ExampleSocketClient_ConnectAsync_ownContext() {
	addr, wait := echoServer()
	defer wait()
	done := make(chan struct{})
	go func() { // a worker goroutine with its own loop
		defer close(done)
		ctx := mainloop.NewContext()
		loop := mainloop.New(ctx)
		if err := ctx.PushThreadDefault(); err != nil {
			fmt.Println(err)
			return
		}
		defer ctx.PopThreadDefault()
		client := gio.NewSocketClient()
		client.ConnectAsync(addr, nil, func(_ any, res asyncresult.AsyncResult) {
			conn, err := client.ConnectFinish(res)
			fmt.Println("connected on the worker's context:", err == nil, mainloop.ThreadDefault() == ctx)
			if err == nil {
				conn.Close()
			}
			loop.Quit()
		})
		loop.Run()
	}()
	<-done
	// Output: connected on the worker's context: true true
}

// A read loop that keeps no result: each callback finishes its result and
// starts the next read, so the stream may reuse the results, with no
// allocation per read. A result must not be used after its Finish then.
func ExampleInputStream_SetReuseResults() {
	conn, done := connectEcho()
	defer done()
	loop := mainloop.New(nil)
	in := conn.InputStream()
	in.SetReuseResults(true)
	buf := make([]byte, 3)
	var got []byte
	var onRead asyncresult.ReadyCallback
	onRead = func(_ any, res asyncresult.AsyncResult) {
		n, err := in.ReadFinish(res) // the last use of res
		got = append(got, buf[:n]...)
		if err != nil || len(got) == 9 {
			loop.Quit()
			return
		}
		in.ReadAsync(buf, mainloop.PriorityDefault, nil, onRead)
	}
	in.ReadAsync(buf, mainloop.PriorityDefault, nil, onRead)
	_, _ = conn.OutputStream().WriteAll([]byte("abcdefghi"), nil)
	loop.Run()
	fmt.Println(string(got))
	// Output:
	// abcdefghi
}
