package gio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/sigloop/sigloop/internal/testwait"
)

// A SocketListener serves net/http through NetListener, and Close ends
// Serve with an error matching net.ErrClosed.
func TestNetListenerHTTP(t *testing.T) {
	l := NewSocketListener()
	addLoopback4(t, l)
	nl := l.NetListener()
	addr := nl.Addr()
	if _, ok := addr.(*net.TCPAddr); !ok || addr.(*net.TCPAddr).Port == 0 {
		t.Fatalf("Addr %v", addr)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from gio")
	}), ReadHeaderTimeout: testTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(nl) }()
	client := &http.Client{Timeout: testTimeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from gio" {
		t.Fatalf("body %q", body)
	}
	nl.Close()
	if err := testwait.Recv(t, served, testTimeout, "Serve to return after Close"); !errors.Is(err, net.ErrClosed) || !errors.Is(err, ErrClosed) {
		t.Errorf("Serve returned %v", err)
	}
	if _, err := nl.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
}

func TestNetListenerZero(t *testing.T) {
	var nl *NetListener
	if _, err := nl.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("nil Accept: %v", err)
	}
	if nl.Addr() != nil || nl.Close() != nil {
		t.Error("nil Addr/Close")
	}
	l := NewSocketListener()
	defer l.Close()
	if l.NetListener().Addr() != nil {
		t.Error("Addr with no sockets")
	}
}

// Example_socketListenerNetListener adopts a Go net.Listener into a
// SocketListener (AddSocket), and serves the listener back to Go code as a
// net.Listener.
func Example_socketListenerNetListener() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	sock, err := NewSocketFromNetListener(ln) // a duplicate descriptor
	ln.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	l := NewSocketListener()
	defer l.Close()
	if err := l.AddSocket(sock, "from Go"); err != nil {
		fmt.Println(err)
		return
	}
	nl := l.NetListener()
	go func() {
		c, err := net.Dial("tcp", nl.Addr().String())
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	conn, err := nl.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(conn)
	conn.Close()
	fmt.Printf("%s %T\n", b, conn)
	// Output: hi *gio.SocketConnection
}
