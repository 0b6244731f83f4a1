package gio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

// A TCP listener and client made of bare Sockets, in blocking mode.
func ExampleSocket() {
	server, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	defer server.Close()
	addr, _ := gio.NewInetSocketAddressFromString("127.0.0.1", 0)
	if err := server.Bind(addr, true); err != nil {
		fmt.Println(err)
		return
	}
	server.Listen()
	local, _ := server.LocalAddress()

	client, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	defer client.Close()
	if err := client.Connect(local, nil); err != nil {
		fmt.Println(err)
		return
	}
	conn, _ := server.Accept(nil)
	defer conn.Close()

	client.Send([]byte("hello"), nil)
	buf := make([]byte, 16)
	n, _ := conn.Receive(buf, nil)
	fmt.Printf("server got %q\n", buf[:n])

	// With a timeout, an idle receive fails with TIMED_OUT.
	conn.SetTimeout(50 * time.Millisecond)
	_, err := conn.Receive(buf, nil)
	fmt.Println(err, errors.Is(err, gio.ErrTimedOut))
	// Output:
	// server got "hello"
	// Socket I/O timed out true
}

// A non-blocking connect completes in a main loop: PENDING, then an IOOut
// source, then CheckConnectResult.
func ExampleSocket_CreateSource() {
	server, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	defer server.Close()
	server.Bind(gio.NewInetSocketAddress(gio.NewInetAddressLoopback(gio.SocketFamilyIPv4), 0), true)
	server.Listen()
	addr, _ := server.LocalAddress()

	client, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	defer client.Close()
	client.SetBlocking(false)
	err := client.Connect(addr, nil)
	fmt.Println(err, errors.Is(err, gio.ErrPending))

	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	src := client.CreateSource(mainloop.IOOut, nil, func(s *gio.Socket, cond mainloop.IOCondition) bool {
		fmt.Println("writable:", cond, "result:", s.CheckConnectResult())
		loop.Quit()
		return mainloop.SourceRemove
	})
	src.Attach(ctx)
	loop.Run()
	// Output:
	// Connection in progress true
	// writable: OUT result: <nil>
}

func ExampleInetSocketAddress_String() {
	for _, s := range []struct {
		ip   string
		port uint
	}{{"1.2.3.4", 80}, {"::1", 80}, {"fe80::1%2", 80}, {"::1", 0}} {
		a, _ := gio.NewInetSocketAddressFromString(s.ip, s.port)
		fmt.Println(a)
	}
	_, err := gio.NewInetSocketAddressFromString("not-an-ip", 80)
	fmt.Println(errors.Is(err, gio.ErrInvalidArgument))
	// Output:
	// 1.2.3.4:80
	// [::1]:80
	// [fe80::1%2]:80
	// ::1
	// true
}

// A Socket is an object: its GLib properties notify on change, and are
// reachable by name for porting and tooling.
func ExampleSocket_properties() {
	s, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	defer s.Close()
	s.Notify.ConnectDetailed("keepalive", func(name string) {
		fmt.Println("notify::" + name)
	})
	s.SetKeepalive(true)
	s.SetKeepalive(true) // unchanged: no notification, as in GLib
	if err := s.SetProperty("listen-backlog", 64); err != nil {
		fmt.Println(err)
	}
	backlog, _ := s.Property("listen-backlog")
	family, _ := s.Property("family")
	fmt.Println(backlog, family)
	fmt.Println(s.SetProperty("fd", 3))
	// Output:
	// notify::keepalive
	// 64 ipv4
	// object: set property "fd": property is not writable
}

// A Go context bounds a Socket call through cancellable.FromContext, which
// links the two without a goroutine: the one cancellation form of every
// gio call is a *cancellable.Cancellable, and a Cancellable is also a
// context.Context for code that wants one.
func ExampleSocket_Receive_context() {
	a, _ := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeDatagram, gio.SocketProtocolDefault)
	defer a.Close()
	a.Bind(gio.NewInetSocketAddress(gio.NewInetAddressLoopback(gio.SocketFamilyIPv4), 0), false)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := a.Receive(make([]byte, 16), cancellable.FromContext(ctx))
	fmt.Println(err, errors.Is(err, gio.ErrCancelled), errors.Is(err, context.Canceled))
	// Output:
	// Operation was cancelled true true
}
