package qtnet

import (
	"strconv"
	"syscall"
)

// SocketError is QAbstractSocket::SocketError, the code LocalServer.ServerError
// reports, merged with QLocalSocket::LocalSocketError, the code
// LocalSocket.Error reports: Qt defines the second as the same numbers, and
// where the two enums use different names for one number both names are
// constants here (PeerClosedError is RemoteHostClosedError, ServerNotFoundError
// is HostNotFoundError, ConnectionError is NetworkError).
//
// A SocketError is also an error value, so it is the sentinel for
// errors.Is: errors.Is(err, qtnet.AddressInUseError). Constants cannot be
// changed by callers.
type SocketError int

// QAbstractSocket::SocketError and QLocalSocket::LocalSocketError values.
// One line per Qt value with its number spelled out (no iota: the aliases
// repeat numbers), so each reads against Qt's header.
const (
	UnknownSocketError               SocketError = -1
	ConnectionRefusedError           SocketError = 0
	RemoteHostClosedError            SocketError = 1
	PeerClosedError                  SocketError = 1 // QLocalSocket's name for RemoteHostClosedError
	HostNotFoundError                SocketError = 2
	ServerNotFoundError              SocketError = 2 // QLocalSocket's name for HostNotFoundError
	SocketAccessError                SocketError = 3
	SocketResourceError              SocketError = 4
	SocketTimeoutError               SocketError = 5
	DatagramTooLargeError            SocketError = 6
	NetworkError                     SocketError = 7
	ConnectionError                  SocketError = 7 // QLocalSocket's name for NetworkError
	AddressInUseError                SocketError = 8
	SocketAddressNotAvailableError   SocketError = 9
	UnsupportedSocketOperationError  SocketError = 10
	UnfinishedSocketOperationError   SocketError = 11
	ProxyAuthenticationRequiredError SocketError = 12
	SslHandshakeFailedError          SocketError = 13
	ProxyConnectionRefusedError      SocketError = 14
	ProxyConnectionClosedError       SocketError = 15
	ProxyConnectionTimeoutError      SocketError = 16
	ProxyNotFoundError               SocketError = 17
	ProxyProtocolError               SocketError = 18
	OperationError                   SocketError = 19
	SslInternalError                 SocketError = 20
	SslInvalidUserDataError          SocketError = 21
	TemporaryError                   SocketError = 22
)

// LocalSocketError is QLocalSocket::LocalSocketError. Its values are
// SocketError's (Qt defines them as the same numbers).
type LocalSocketError = SocketError

var socketErrorNames = map[SocketError]string{
	UnknownSocketError:               "UnknownSocketError",
	ConnectionRefusedError:           "ConnectionRefusedError",
	RemoteHostClosedError:            "PeerClosedError/RemoteHostClosedError",
	HostNotFoundError:                "ServerNotFoundError/HostNotFoundError",
	SocketAccessError:                "SocketAccessError",
	SocketResourceError:              "SocketResourceError",
	SocketTimeoutError:               "SocketTimeoutError",
	DatagramTooLargeError:            "DatagramTooLargeError",
	NetworkError:                     "ConnectionError/NetworkError",
	AddressInUseError:                "AddressInUseError",
	SocketAddressNotAvailableError:   "SocketAddressNotAvailableError",
	UnsupportedSocketOperationError:  "UnsupportedSocketOperationError",
	UnfinishedSocketOperationError:   "UnfinishedSocketOperationError",
	ProxyAuthenticationRequiredError: "ProxyAuthenticationRequiredError",
	SslHandshakeFailedError:          "SslHandshakeFailedError",
	ProxyConnectionRefusedError:      "ProxyConnectionRefusedError",
	ProxyConnectionClosedError:       "ProxyConnectionClosedError",
	ProxyConnectionTimeoutError:      "ProxyConnectionTimeoutError",
	ProxyNotFoundError:               "ProxyNotFoundError",
	ProxyProtocolError:               "ProxyProtocolError",
	OperationError:                   "OperationError",
	SslInternalError:                 "SslInternalError",
	SslInvalidUserDataError:          "SslInvalidUserDataError",
	TemporaryError:                   "TemporaryError",
}

// String returns Qt's enumerator name; for a number with two names (one
// QAbstractSocket, one QLocalSocket) both, QLocalSocket's first.
func (e SocketError) String() string {
	if n, ok := socketErrorNames[e]; ok {
		return n
	}
	return "SocketError(" + strconv.Itoa(int(e)) + ")"
}

// Error makes a SocketError usable as the target of errors.Is.
func (e SocketError) Error() string { return "qtnet: " + e.String() }

// Error is a LocalServer or LocalSocket failure: Qt's code and Qt's exact
// errorString text (Message), plus the errno that caused it, if any.
// errors.Is(err, code) matches the SocketError code (any of its names),
// and errors.Is(err, syscall.EADDRINUSE) the errno.
type Error struct {
	// Code is Qt's error code (ServerError / LocalSocket.Error report the same).
	Code SocketError
	// Message is Qt's errorString, e.g. "QLocalServer::listen: Address in use".
	Message string
	// Errno is the system error behind it, 0 when there is none.
	Errno syscall.Errno
}

// Error returns Qt's errorString.
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	return e.Message
}

// Is reports whether target is e's SocketError code.
func (e *Error) Is(target error) bool {
	c, ok := target.(SocketError)
	return ok && e != nil && e.Code == c
}

// Unwrap returns the errno, or nil.
func (e *Error) Unwrap() error {
	if e == nil || e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// serverErrorFor is QLocalServerPrivate::setError's table (LS-09): the code
// and text for errno in function fn. ok is false for EAGAIN, which Qt leaves
// unreported.
func serverErrorFor(fn string, errno syscall.Errno) (code SocketError, msg string, ok bool) {
	switch errno {
	case syscall.EAGAIN:
		return 0, "", false
	case syscall.EACCES:
		return SocketAccessError, fn + ": Permission denied", true
	case syscall.ELOOP, syscall.ENOENT, syscall.ENAMETOOLONG, syscall.EROFS, syscall.ENOTDIR:
		return HostNotFoundError, fn + ": Name error", true
	case syscall.EADDRINUSE:
		return AddressInUseError, fn + ": Address in use", true
	}
	return UnknownSocketError, fn + ": Unknown error " + strconv.Itoa(int(errno)), true
}

// socketErrorString is QLocalSocketPrivate::generateErrorString (LK-08),
// with Qt's texts; errno is only used by UnknownSocketError.
func socketErrorString(code SocketError, fn string, errno syscall.Errno) string {
	switch code {
	case ConnectionRefusedError:
		return fn + ": Connection refused"
	case PeerClosedError:
		return fn + ": Remote closed"
	case ServerNotFoundError:
		return fn + ": Invalid name"
	case SocketAccessError:
		return fn + ": Socket access error"
	case SocketResourceError:
		return fn + ": Socket resource error"
	case SocketTimeoutError:
		return fn + ": Socket operation timed out"
	case DatagramTooLargeError:
		return fn + ": Datagram too large"
	case ConnectionError:
		return fn + ": Connection error"
	case UnsupportedSocketOperationError:
		return fn + ": The socket operation is not supported"
	case OperationError:
		return fn + ": Operation not permitted when socket is in this state"
	}
	return fn + ": Unknown error " + strconv.Itoa(int(errno))
}
