package qtnet

import (
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// LS-09: QLocalServerPrivate::setError's table, and EAGAIN left unreported.
func TestServerErrorTable_LS09(t *testing.T) {
	type row struct {
		Code SocketError
		Msg  string
		OK   bool
	}
	cases := map[syscall.Errno]row{
		syscall.EACCES:       {SocketAccessError, "QLocalServer::listen: Permission denied", true},
		syscall.ELOOP:        {HostNotFoundError, "QLocalServer::listen: Name error", true},
		syscall.ENOENT:       {HostNotFoundError, "QLocalServer::listen: Name error", true},
		syscall.ENAMETOOLONG: {HostNotFoundError, "QLocalServer::listen: Name error", true},
		syscall.EROFS:        {HostNotFoundError, "QLocalServer::listen: Name error", true},
		syscall.ENOTDIR:      {HostNotFoundError, "QLocalServer::listen: Name error", true},
		syscall.EADDRINUSE:   {AddressInUseError, "QLocalServer::listen: Address in use", true},
		syscall.EISDIR:       {UnknownSocketError, "QLocalServer::listen: Unknown error 21", true},
		syscall.EAGAIN:       {0, "", false},
	}
	for errno, want := range cases {
		c, m, ok := serverErrorFor("QLocalServer::listen", errno)
		if d := cmp.Diff(want, row{c, m, ok}); d != "" {
			t.Errorf("%v: %s", errno, d)
		}
	}
	// A real one: /proc refuses a socket file with a name error.
	s := NewLocalServer(nil)
	if err := s.Listen("/proc/qtnet-test"); !errors.Is(err, HostNotFoundError) {
		t.Errorf("Listen(/proc/x) = %v", err)
	}
}

// LK-08: the error strings, Qt's texts for each code.
func TestSocketErrorStrings_LK08(t *testing.T) {
	want := map[SocketError]string{
		ConnectionRefusedError:          "F: Connection refused",
		PeerClosedError:                 "F: Remote closed",
		ServerNotFoundError:             "F: Invalid name",
		SocketAccessError:               "F: Socket access error",
		SocketResourceError:             "F: Socket resource error",
		SocketTimeoutError:              "F: Socket operation timed out",
		DatagramTooLargeError:           "F: Datagram too large",
		ConnectionError:                 "F: Connection error",
		UnsupportedSocketOperationError: "F: The socket operation is not supported",
		OperationError:                  "F: Operation not permitted when socket is in this state",
		UnknownSocketError:              "F: Unknown error 13",
	}
	for code, w := range want {
		if got := socketErrorString(code, "F", syscall.EACCES); got != w {
			t.Errorf("%v: %q want %q", code, got, w)
		}
	}
	e := &Error{Code: AddressInUseError, Message: "m", Errno: syscall.EADDRINUSE}
	if !errors.Is(e, AddressInUseError) || errors.Is(e, HostNotFoundError) || !errors.Is(e, syscall.EADDRINUSE) {
		t.Fatal("errors.Is")
	}
	var nilErr *Error
	if nilErr.Error() != "<nil>" || nilErr.Unwrap() != nil {
		t.Fatal("nil *Error")
	}
}
