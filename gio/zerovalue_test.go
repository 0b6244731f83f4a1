package gio

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// zeroValueTypes are the exported struct types of the package, each as a
// nil pointer of its type.
var zeroValueTypes = []any{
	(*Socket)(nil), (*SocketClient)(nil), (*Credentials)(nil),
	(*InputStream)(nil), (*OutputStream)(nil), (*IOStream)(nil),
	(*SocketConnection)(nil), (*TCPConnection)(nil), (*UnixConnection)(nil),
	(*NetworkAddress)(nil), (*InetAddress)(nil), (*InetSocketAddress)(nil), (*UnixSocketAddress)(nil),
}

// promoted reports whether method name of pointer type pt comes from an
// embedded field (object.Object's methods, SocketConnection's in a
// TCPConnection): on a nil pointer those cannot run, as with any Go
// embedding, so the nil-pointer half of the table skips them.
func promoted(pt reflect.Type, name string) bool {
	st := pt.Elem()
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.Anonymous {
			continue
		}
		ft := f.Type
		if ft.Kind() != reflect.Pointer {
			ft = reflect.PointerTo(ft)
		}
		if _, ok := ft.MethodByName(name); ok {
			return true
		}
	}
	return false
}

// TestZeroValues calls every exported method of the zero value of every
// exported struct type, and of a nil pointer of it, with zero arguments:
// none may panic or hang (they work, or return a clear error, or log a
// critical), as net's types guard with c.ok().
func TestZeroValues(t *testing.T) {
	capture := logging.StartCapture() // the criticals are expected
	defer capture.Stop()
	for _, nilp := range zeroValueTypes {
		pt := reflect.TypeOf(nilp)
		for _, recv := range []struct {
			name string
			v    reflect.Value
		}{
			{"zero", reflect.New(pt.Elem())},
			{"nil", reflect.Zero(pt)},
		} {
			for i := range pt.NumMethod() {
				m := pt.Method(i)
				if recv.name == "nil" && promoted(pt, m.Name) {
					continue
				}
				name := fmt.Sprintf("%s %s.%s", recv.name, pt.Elem().Name(), m.Name)
				t.Run(name, func(t *testing.T) {
					args := []reflect.Value{recv.v}
					for j := 1; j < m.Type.NumIn(); j++ {
						in := m.Type.In(j)
						if m.Type.IsVariadic() && j == m.Type.NumIn()-1 {
							break
						}
						args = append(args, reflect.Zero(in))
					}
					done := make(chan any, 1)
					go func() {
						defer func() { done <- recover() }()
						m.Func.Call(args)
					}()
					select {
					case p := <-done:
						if p != nil {
							t.Fatalf("panic: %v", p)
						}
					case <-time.After(5 * time.Second):
						t.Fatal("hung")
					}
				})
			}
		}
	}
}

// TestZeroValueErrors: the calls of a zero value that cannot work say so
// with NOT_INITIALIZED (or INVALID_ARGUMENT for an address), naming the
// type and its constructor.
func TestZeroValueErrors(t *testing.T) {
	var nilSock *Socket
	var nilConn *SocketConnection
	for _, tc := range []struct {
		name string
		err  error
		code ErrorCode
		want string
	}{
		{"Socket.Receive", second(new(Socket).Receive(make([]byte, 1), nil)), ErrorNotInitialized, "NewSocket"},
		{"nil Socket.Send", second(nilSock.Send([]byte("x"), nil)), ErrorNotInitialized, "NewSocket"},
		{"nil Socket.Close", nilSock.Close(), ErrorNotInitialized, "NewSocket"},
		{"InputStream.Read", second(new(InputStream).Read(make([]byte, 1), nil)), ErrorNotInitialized, "NewInputStream"},
		{"OutputStream.Write", second(new(OutputStream).Write([]byte("x"), nil)), ErrorNotInitialized, "NewOutputStream"},
		{"IOStream.CloseStream", new(IOStream).CloseStream(nil), ErrorNotInitialized, "NewIOStream"},
		{"SocketConnection.Read", second(new(SocketConnection).Read(make([]byte, 1))), ErrorNotInitialized, "NewSocketConnection"},
		{"nil SocketConnection.Write", second(nilConn.Write([]byte("x"))), ErrorNotInitialized, "NewSocketConnection"},
		{"TCPConnection.Close", new(TCPConnection).Close(), ErrorNotInitialized, "NewSocketConnection"},
		{"SocketClient.Connect", second(new(SocketClient).Connect(NewNetworkAddress("localhost", 1), nil)), ErrorNotInitialized, "NewSocketClient"},
		{"NetworkAddress.Enumerate", second(new(NetworkAddress).Enumerate(nil)), ErrorInvalidArgument, "NewNetworkAddress"},
		{"InetSocketAddress.ToNative", second(new(InetSocketAddress).ToNative()), ErrorInvalidArgument, ""},
		{"UnixSocketAddress.ToNative", second(new(UnixSocketAddress).ToNative()), ErrorInvalidArgument, ""},
	} {
		wantCode(t, tc.name, tc.err, tc.code)
		if tc.err != nil && !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %q does not name %s", tc.name, tc.err, tc.want)
		}
	}
	if fd := new(Socket).FD(); fd != -1 {
		t.Errorf("zero Socket FD = %d, want -1", fd)
	}
	if s := new(Credentials).String(); s != "GCredentials:linux-ucred:" {
		t.Errorf("zero Credentials = %q, claims an identity", s)
	}
}
