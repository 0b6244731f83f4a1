// Package ioerr holds GIO's error domain (GIOErrorEnum) below every package
// that reports it.
//
// The type lives here, not in package gio, because layers under gio report
// the same errors: a Cancellable's SetErrorIfCancelled is a CANCELLED error
// and a task cancelled by it propagates that error. Package gio re-exports
// everything in this package under its own names (gio.Error, gio.ErrorCode,
// gio.ErrCancelled, …), which is the API users see.
//
// # Getting started
//
// A layer reports an error with a code and GLib's message, wrapping the
// errno it came from; callers match it against the code's Sentinel, the
// errno or, for CANCELLED, context.Canceled:
//
//	err := ioerr.Wrap(ioerr.FromErrno(errno), "Error connecting: "+ioerr.Strerror(errno), errno)
//	errors.Is(err, ioerr.Sentinel(ioerr.ConnectionRefused)) // true for ECONNREFUSED
//	errors.Is(err, syscall.ECONNREFUSED)                    // true
package ioerr

import (
	"context"
	"errors"
	"strconv"
	"syscall"
)

// Code is a GIOErrorEnum value. The numbers are GLib's, so they match what a
// GLib peer prints.
type Code int

// The GIOErrorEnum codes (gio/gioenums.h).
const (
	Failed             Code = 0
	NotFound           Code = 1
	Exists             Code = 2
	IsDirectory        Code = 3
	NotDirectory       Code = 4
	NotEmpty           Code = 5
	NotRegularFile     Code = 6
	NotSymbolicLink    Code = 7
	NotMountableFile   Code = 8
	FilenameTooLong    Code = 9
	InvalidFilename    Code = 10
	TooManyLinks       Code = 11
	NoSpace            Code = 12
	InvalidArgument    Code = 13
	PermissionDenied   Code = 14
	NotSupported       Code = 15
	NotMounted         Code = 16
	AlreadyMounted     Code = 17
	Closed             Code = 18
	Cancelled          Code = 19
	Pending            Code = 20
	ReadOnly           Code = 21
	CantCreateBackup   Code = 22
	WrongEtag          Code = 23
	TimedOut           Code = 24
	WouldRecurse       Code = 25
	Busy               Code = 26
	WouldBlock         Code = 27
	HostNotFound       Code = 28
	WouldMerge         Code = 29
	FailedHandled      Code = 30
	TooManyOpenFiles   Code = 31
	NotInitialized     Code = 32
	AddressInUse       Code = 33
	PartialInput       Code = 34
	InvalidData        Code = 35
	DBusError          Code = 36
	HostUnreachable    Code = 37
	NetworkUnreachable Code = 38
	ConnectionRefused  Code = 39
	ProxyFailed        Code = 40
	ProxyAuthFailed    Code = 41
	ProxyNeedAuth      Code = 42
	ProxyNotAllowed    Code = 43
	BrokenPipe         Code = 44
	ConnectionClosed   Code = BrokenPipe // G_IO_ERROR_CONNECTION_CLOSED is an alias of BROKEN_PIPE
	NotConnected       Code = 45
	MessageTooLarge    Code = 46
	NoSuchDevice       Code = 47
	DestinationUnset   Code = 48
)

var codeNames = map[Code]string{
	Failed: "FAILED", NotFound: "NOT_FOUND", Exists: "EXISTS", IsDirectory: "IS_DIRECTORY",
	NotDirectory: "NOT_DIRECTORY", NotEmpty: "NOT_EMPTY", NotRegularFile: "NOT_REGULAR_FILE",
	NotSymbolicLink: "NOT_SYMBOLIC_LINK", NotMountableFile: "NOT_MOUNTABLE_FILE",
	FilenameTooLong: "FILENAME_TOO_LONG", InvalidFilename: "INVALID_FILENAME",
	TooManyLinks: "TOO_MANY_LINKS", NoSpace: "NO_SPACE", InvalidArgument: "INVALID_ARGUMENT",
	PermissionDenied: "PERMISSION_DENIED", NotSupported: "NOT_SUPPORTED", NotMounted: "NOT_MOUNTED",
	AlreadyMounted: "ALREADY_MOUNTED", Closed: "CLOSED", Cancelled: "CANCELLED", Pending: "PENDING",
	ReadOnly: "READ_ONLY", CantCreateBackup: "CANT_CREATE_BACKUP", WrongEtag: "WRONG_ETAG",
	TimedOut: "TIMED_OUT", WouldRecurse: "WOULD_RECURSE", Busy: "BUSY", WouldBlock: "WOULD_BLOCK",
	HostNotFound: "HOST_NOT_FOUND", WouldMerge: "WOULD_MERGE", FailedHandled: "FAILED_HANDLED",
	TooManyOpenFiles: "TOO_MANY_OPEN_FILES", NotInitialized: "NOT_INITIALIZED",
	AddressInUse: "ADDRESS_IN_USE", PartialInput: "PARTIAL_INPUT", InvalidData: "INVALID_DATA",
	DBusError: "DBUS_ERROR", HostUnreachable: "HOST_UNREACHABLE",
	NetworkUnreachable: "NETWORK_UNREACHABLE", ConnectionRefused: "CONNECTION_REFUSED",
	ProxyFailed: "PROXY_FAILED", ProxyAuthFailed: "PROXY_AUTH_FAILED", ProxyNeedAuth: "PROXY_NEED_AUTH",
	ProxyNotAllowed: "PROXY_NOT_ALLOWED", BrokenPipe: "BROKEN_PIPE", NotConnected: "NOT_CONNECTED",
	MessageTooLarge: "MESSAGE_TOO_LARGE", NoSuchDevice: "NO_SUCH_DEVICE",
	DestinationUnset: "DESTINATION_UNSET",
}

// String returns GLib's name for the code without the G_IO_ERROR_ prefix,
// for example "CANCELLED".
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Error is a GError in the G_IO_ERROR domain: a code, GLib's message, and the
// cause it came from (an errno as syscall.Errno, a context error, …).
//
// errors.Is(err, target) holds when target is a Sentinel of the same Code
// (gio.ErrTimedOut and the other code sentinels), or an *Error with the same
// Code and either no message or the same one, when the wrapped cause matches target (errors.Is(err,
// syscall.ECONNREFUSED)), and, for CANCELLED, when target is context.Canceled.
type Error struct {
	Code    Code
	Message string
	Err     error // the cause; may be nil
}

// New returns an *Error with the code and message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Wrap returns an *Error with the code and message whose cause is err.
func Wrap(code Code, msg string, err error) *Error { return &Error{Code: code, Message: msg, Err: err} }

// Error returns the message, as g_error->message would read.
func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return "g-io-error-quark: " + e.Code.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target names the same code (see Error).
func (e *Error) Is(target error) bool {
	if t, ok := target.(Sentinel); ok {
		return Code(t) == e.Code
	}
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
	}
	if e.Code == Cancelled && target == context.Canceled {
		return true
	}
	if e.Code == TimedOut && target == context.DeadlineExceeded {
		return true
	}
	return false
}

// Timeout reports whether the error is TIMED_OUT, so that *Error satisfies
// the net.Error convention.
func (e *Error) Timeout() bool { return e.Code == TimedOut }

// Temporary reports whether retrying may succeed (WOULD_BLOCK, TIMED_OUT, BUSY).
func (e *Error) Temporary() bool {
	return e.Code == WouldBlock || e.Code == TimedOut || e.Code == Busy
}

// Sentinel is a code as an error value, for errors.Is: errors.Is(err,
// Sentinel(TimedOut)) holds for every *Error with the code TIMED_OUT,
// whatever its message, as g_error_matches does. A Sentinel is a plain
// comparable value, so the package-level sentinels (gio.ErrTimedOut, …) are
// constants that no caller can change.
type Sentinel Code

// Error returns "g-io-error-quark: " and the code's name, as GLib prints a
// GError without a message.
func (s Sentinel) Error() string { return "g-io-error-quark: " + Code(s).String() }

// Code returns the code the sentinel stands for.
func (s Sentinel) Code() Code { return Code(s) }

// CancelledMessage is GLib's message for G_IO_ERROR_CANCELLED.
const CancelledMessage = "Operation was cancelled"

// NewCancelled returns GLib's CANCELLED error ("Operation was cancelled"),
// which is also errors.Is(err, context.Canceled).
func NewCancelled() *Error {
	return &Error{Code: Cancelled, Message: CancelledMessage, Err: context.Canceled}
}

// FromErrno maps an errno to a code as g_io_error_from_errno does; an errno
// GLib does not map is FAILED.
func FromErrno(errno syscall.Errno) Code {
	if c, ok := errnoCodes[errno]; ok {
		return c
	}
	return Failed
}

// errnoCodes is g_io_error_from_errno's table, a line per kind of error.
var errnoCodes = map[syscall.Errno]Code{
	// Files and paths.
	syscall.EEXIST: Exists, syscall.EISDIR: IsDirectory, syscall.ENOTDIR: NotDirectory, syscall.ENOENT: NotFound,
	syscall.EACCES: PermissionDenied, syscall.EPERM: PermissionDenied, syscall.EROFS: ReadOnly,
	syscall.ENAMETOOLONG: FilenameTooLong, syscall.ELOOP: TooManyLinks, syscall.ENOTEMPTY: NotEmpty,
	// Resources.
	syscall.ENOSPC: NoSpace, syscall.ENOMEM: NoSpace, syscall.EMFILE: TooManyOpenFiles, syscall.ENFILE: TooManyOpenFiles,
	syscall.EBUSY: Busy, syscall.ETXTBSY: Busy, syscall.ENODEV: NoSuchDevice,
	// Arguments and support.
	syscall.EINVAL: InvalidArgument, syscall.ENOTSOCK: InvalidArgument, syscall.EXDEV: NotSupported,
	syscall.EAFNOSUPPORT: NotSupported, syscall.EPROTONOSUPPORT: NotSupported, syscall.ESOCKTNOSUPPORT: NotSupported,
	syscall.EPFNOSUPPORT: NotSupported, syscall.EOPNOTSUPP: NotSupported, syscall.ENOSYS: NotSupported,
	// Networking.
	syscall.EADDRINUSE: AddressInUse, syscall.ECONNREFUSED: ConnectionRefused, syscall.EADDRNOTAVAIL: ConnectionRefused,
	syscall.ECONNRESET: ConnectionClosed, syscall.EPIPE: ConnectionClosed, syscall.ENOTCONN: NotConnected,
	syscall.EHOSTUNREACH: HostUnreachable, syscall.ENETUNREACH: NetworkUnreachable, syscall.ENETDOWN: NetworkUnreachable,
	syscall.ETIMEDOUT: TimedOut, syscall.EMSGSIZE: MessageTooLarge,
	// Control.
	syscall.EAGAIN: WouldBlock, syscall.ECANCELED: Cancelled,
}

// FromError wraps any error as an *Error: an *Error is returned as it is, an
// errno (found with errors.As) is mapped with FromErrno, a context error
// becomes CANCELLED or TIMED_OUT, anything else FAILED. The message is
// prefix followed by the cause's text, as GLib builds "Error binding to
// address …: <strerror>".
func FromError(prefix string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && prefix == "" {
		return e
	}
	code := Failed
	var errno syscall.Errno
	switch {
	case e != nil:
		code = e.Code
	case errors.As(err, &errno):
		code = FromErrno(errno)
	case errors.Is(err, context.Canceled):
		code = Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		code = TimedOut
	}
	msg := err.Error()
	if errno != 0 {
		msg = Strerror(errno)
	}
	return &Error{Code: code, Message: prefix + msg, Err: err}
}

// Strerror returns the C library's text for errno, as g_strerror gives it
// (Go's text for errnos is already glibc's, with a capital first letter).
func Strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	return s
}
