package qtnet_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/qtnet"
)

// A server and a client with the blocking API only: no loop runs.
func Example() {
	dir, _ := os.MkdirTemp("", "qtnet-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "echo")

	srv := qtnet.NewLocalServer(nil)
	if err := srv.Listen(name); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := qtnet.NewLocalSocket(nil)
	c.ConnectToServer(name)
	fmt.Println("client:", c.State())

	ok, _ := srv.WaitForNewConnection(1000)
	s := srv.NextPendingConnection()
	fmt.Println("accepted:", ok, s.State())

	c.Write([]byte("hello"))
	c.WaitForBytesWritten(1000)
	s.WaitForReadyRead(1000)
	fmt.Printf("server read %q\n", s.ReadAll())

	c.DisconnectFromServer()
	s.WaitForDisconnected(1000)
	fmt.Println("server side:", s.State(), s.ErrorString())
	// Output:
	// client: QLocalSocket::ConnectedState
	// accepted: true QLocalSocket::ConnectedState
	// server read "hello"
	// server side: QLocalSocket::UnconnectedState QLocalSocket: Remote closed
}

// An echo server driven by signals on a running loop.
func ExampleLocalServer_NewConnection() {
	dir, _ := os.MkdirTemp("", "qtnet-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "echo")

	ctx := mainloop.NewContext()
	ctx.PushThreadDefault() // the objects below live on ctx
	defer ctx.PopThreadDefault()
	loop := mainloop.New(ctx)

	srv := qtnet.NewLocalServer(nil)
	srv.Listen(name)
	defer srv.Close()
	srv.NewConnection.Connect(func() {
		for s := srv.NextPendingConnection(); s != nil; s = srv.NextPendingConnection() {
			s.ReadyRead.Connect(func() { s.Write(s.ReadAll()) })
			s.Disconnected.Connect(s.DeleteLater)
		}
	})

	c := qtnet.NewLocalSocket(nil)
	c.ReadyRead.Connect(func() {
		fmt.Printf("echoed %q\n", c.ReadAll())
		c.DisconnectFromServer()
	})
	c.Disconnected.Connect(loop.Quit)
	c.Connected.Connect(func() { c.Write([]byte("ping")) })
	c.ConnectToServer(name)
	loop.Run()
	// Output:
	// echoed "ping"
}

// Listen's errors carry Qt's code and text, and errors.Is works with the
// codes: the crash-recovery pattern.
func ExampleRemoveServer() {
	dir, _ := os.MkdirTemp("", "qtnet-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "app")
	os.WriteFile(name, nil, 0o600) // left behind by a crash, say

	srv := qtnet.NewLocalServer(nil)
	err := srv.Listen(name)
	fmt.Println(err, errors.Is(err, qtnet.AddressInUseError), srv.ServerError() == qtnet.AddressInUseError)
	if errors.Is(err, qtnet.AddressInUseError) {
		qtnet.RemoveServer(name)
		err = srv.Listen(name)
	}
	fmt.Println(err, srv.IsListening())
	srv.Close()
	// Output:
	// QLocalServer::listen: Address in use true true
	// <nil> true
}

// Access options set the socket file's mode exactly, whatever the umask.
func ExampleLocalServer_SetSocketOptions() {
	dir, _ := os.MkdirTemp("", "qtnet-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "private")
	srv := qtnet.NewLocalServer(nil)
	srv.SetSocketOptions(qtnet.UserAccessOption | qtnet.GroupAccessOption)
	srv.Listen(name)
	defer srv.Close()
	fi, _ := os.Stat(name)
	fmt.Println(fi.Mode())
	// Output:
	// Srwxrwx---
}

// CountingServer overrides the IncomingConnection virtual method and
// chains up to LocalServer's, which queues the socket and emits
// NewConnection.
type CountingServer struct {
	qtnet.LocalServer
	accepted int
}

func (c *CountingServer) IncomingConnection(fd int) {
	c.accepted++
	c.LocalServer.IncomingConnection(fd) // chain up
}

func ExampleLocalServer_IncomingConnection() {
	dir, _ := os.MkdirTemp("", "qtnet-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "counted")

	srv := &CountingServer{}
	srv.Init(srv) // the outermost value, so the override is reached
	srv.Listen(name)
	defer srv.Close()
	srv.NewConnection.Connect(func() { fmt.Println("newConnection") })

	c := qtnet.NewLocalSocket(nil)
	c.ConnectToServer(name)
	defer c.Abort()
	ok, _ := srv.WaitForNewConnection(1000)
	fmt.Println(ok, srv.accepted, srv.NextPendingConnection() != nil)
	// Output:
	// newConnection
	// true 1 true
}
