package gio

import (
	"syscall"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
)

// Error is a GError in the G_IO_ERROR domain: a Code, GLib's message and the
// cause (an errno as syscall.Errno, a context error, …).
//
// errors.Is(err, target) holds when target is one of the sentinels below
// with the same Code (they carry no message, so any message matches), when the
// wrapped cause matches (errors.Is(err, syscall.ECONNREFUSED)), and for
// CANCELLED when target is context.Canceled. Use errors.As to reach Code and
// Message.
type Error = ioerr.Error

// ErrorCode is GIOErrorEnum. The numbers are GLib's, so they match what a GLib
// peer prints.
type ErrorCode = ioerr.Code

// The GIOErrorEnum codes (gio/gioenums.h).
const (
	ErrorFailed             ErrorCode = ioerr.Failed
	ErrorNotFound           ErrorCode = ioerr.NotFound
	ErrorExists             ErrorCode = ioerr.Exists
	ErrorIsDirectory        ErrorCode = ioerr.IsDirectory
	ErrorNotDirectory       ErrorCode = ioerr.NotDirectory
	ErrorNotEmpty           ErrorCode = ioerr.NotEmpty
	ErrorNotRegularFile     ErrorCode = ioerr.NotRegularFile
	ErrorNotSymbolicLink    ErrorCode = ioerr.NotSymbolicLink
	ErrorNotMountableFile   ErrorCode = ioerr.NotMountableFile
	ErrorFilenameTooLong    ErrorCode = ioerr.FilenameTooLong
	ErrorInvalidFilename    ErrorCode = ioerr.InvalidFilename
	ErrorTooManyLinks       ErrorCode = ioerr.TooManyLinks
	ErrorNoSpace            ErrorCode = ioerr.NoSpace
	ErrorInvalidArgument    ErrorCode = ioerr.InvalidArgument
	ErrorPermissionDenied   ErrorCode = ioerr.PermissionDenied
	ErrorNotSupported       ErrorCode = ioerr.NotSupported
	ErrorNotMounted         ErrorCode = ioerr.NotMounted
	ErrorAlreadyMounted     ErrorCode = ioerr.AlreadyMounted
	ErrorClosed             ErrorCode = ioerr.Closed
	ErrorCancelled          ErrorCode = ioerr.Cancelled
	ErrorPending            ErrorCode = ioerr.Pending
	ErrorReadOnly           ErrorCode = ioerr.ReadOnly
	ErrorCantCreateBackup   ErrorCode = ioerr.CantCreateBackup
	ErrorWrongEtag          ErrorCode = ioerr.WrongEtag
	ErrorTimedOut           ErrorCode = ioerr.TimedOut
	ErrorWouldRecurse       ErrorCode = ioerr.WouldRecurse
	ErrorBusy               ErrorCode = ioerr.Busy
	ErrorWouldBlock         ErrorCode = ioerr.WouldBlock
	ErrorHostNotFound       ErrorCode = ioerr.HostNotFound
	ErrorWouldMerge         ErrorCode = ioerr.WouldMerge
	ErrorFailedHandled      ErrorCode = ioerr.FailedHandled
	ErrorTooManyOpenFiles   ErrorCode = ioerr.TooManyOpenFiles
	ErrorNotInitialized     ErrorCode = ioerr.NotInitialized
	ErrorAddressInUse       ErrorCode = ioerr.AddressInUse
	ErrorPartialInput       ErrorCode = ioerr.PartialInput
	ErrorInvalidData        ErrorCode = ioerr.InvalidData
	ErrorDBusError          ErrorCode = ioerr.DBusError
	ErrorHostUnreachable    ErrorCode = ioerr.HostUnreachable
	ErrorNetworkUnreachable ErrorCode = ioerr.NetworkUnreachable
	ErrorConnectionRefused  ErrorCode = ioerr.ConnectionRefused
	ErrorProxyFailed        ErrorCode = ioerr.ProxyFailed
	ErrorProxyAuthFailed    ErrorCode = ioerr.ProxyAuthFailed
	ErrorProxyNeedAuth      ErrorCode = ioerr.ProxyNeedAuth
	ErrorProxyNotAllowed    ErrorCode = ioerr.ProxyNotAllowed
	ErrorBrokenPipe         ErrorCode = ioerr.BrokenPipe
	ErrorConnectionClosed   ErrorCode = ioerr.ConnectionClosed // the same value as ErrorBrokenPipe, as in GLib
	ErrorNotConnected       ErrorCode = ioerr.NotConnected
	ErrorMessageTooLarge    ErrorCode = ioerr.MessageTooLarge
	ErrorNoSuchDevice       ErrorCode = ioerr.NoSuchDevice
	ErrorDestinationUnset   ErrorCode = ioerr.DestinationUnset
)

// Sentinels for errors.Is: each matches any *Error with its code, whatever
// the message. errors.Is(err, gio.ErrTimedOut) is g_error_matches(err,
// G_IO_ERROR, G_IO_ERROR_TIMED_OUT). They are constants: no caller can
// change what they match.
const (
	ErrFailed             = ioerr.Sentinel(ioerr.Failed)
	ErrNotFound           = ioerr.Sentinel(ioerr.NotFound)
	ErrExists             = ioerr.Sentinel(ioerr.Exists)
	ErrInvalidArgument    = ioerr.Sentinel(ioerr.InvalidArgument)
	ErrPermissionDenied   = ioerr.Sentinel(ioerr.PermissionDenied)
	ErrNotSupported       = ioerr.Sentinel(ioerr.NotSupported)
	ErrClosed             = ioerr.Sentinel(ioerr.Closed)
	ErrCancelled          = ioerr.Sentinel(ioerr.Cancelled)
	ErrPending            = ioerr.Sentinel(ioerr.Pending)
	ErrTimedOut           = ioerr.Sentinel(ioerr.TimedOut)
	ErrBusy               = ioerr.Sentinel(ioerr.Busy)
	ErrWouldBlock         = ioerr.Sentinel(ioerr.WouldBlock)
	ErrHostNotFound       = ioerr.Sentinel(ioerr.HostNotFound)
	ErrTooManyOpenFiles   = ioerr.Sentinel(ioerr.TooManyOpenFiles)
	ErrNotInitialized     = ioerr.Sentinel(ioerr.NotInitialized)
	ErrAddressInUse       = ioerr.Sentinel(ioerr.AddressInUse)
	ErrPartialInput       = ioerr.Sentinel(ioerr.PartialInput)
	ErrInvalidData        = ioerr.Sentinel(ioerr.InvalidData)
	ErrHostUnreachable    = ioerr.Sentinel(ioerr.HostUnreachable)
	ErrNetworkUnreachable = ioerr.Sentinel(ioerr.NetworkUnreachable)
	ErrConnectionRefused  = ioerr.Sentinel(ioerr.ConnectionRefused)
	ErrBrokenPipe         = ioerr.Sentinel(ioerr.BrokenPipe)
	ErrConnectionClosed   = ErrBrokenPipe // G_IO_ERROR_CONNECTION_CLOSED is BROKEN_PIPE
	ErrNotConnected       = ioerr.Sentinel(ioerr.NotConnected)
	ErrMessageTooLarge    = ioerr.Sentinel(ioerr.MessageTooLarge)
	ErrNoSuchDevice       = ioerr.Sentinel(ioerr.NoSuchDevice)
	ErrDestinationUnset   = ioerr.Sentinel(ioerr.DestinationUnset)
)

// NewError returns an *Error with code and message, as g_error_new_literal
// (G_IO_ERROR, code, msg) does.
func NewError(code ErrorCode, msg string) *Error { return ioerr.New(code, msg) }

// NewCancelledError returns GLib's CANCELLED error, "Operation was
// cancelled", which is also errors.Is(err, context.Canceled).
func NewCancelledError() *Error { return ioerr.NewCancelled() }

// ErrorFromErrno is g_io_error_from_errno: the GIOErrorEnum code for errno.
func ErrorFromErrno(errno syscall.Errno) ErrorCode { return ioerr.FromErrno(errno) }

// Messages GLib uses for socket errors that do not come from an errno.
const (
	msgClosed      = "Socket is already closed"
	msgTimedOut    = "Socket I/O timed out"
	msgPending     = "Connection in progress"
	msgNotInit     = "Invalid socket, not initialized"
	msgCancelledOp = ioerr.CancelledMessage
	msgReceiving   = "Error receiving data: "
	msgSending     = "Error sending data: "
	msgAccepting   = "Error accepting connection: "
)

// errnoError builds GLib's socket_set_error_lazy: WOULD_BLOCK carries only
// strerror, every other code the formatted prefix, e.g. "Error receiving
// data: " followed by strerror.
func errnoError(errno syscall.Errno, prefix string) *Error {
	code := ioerr.FromErrno(errno)
	if code == ioerr.WouldBlock {
		return ioerr.Wrap(code, ioerr.Strerror(errno), errno)
	}
	return ioerr.Wrap(code, prefix+ioerr.Strerror(errno), errno)
}

func closedError() *Error   { return ioerr.Wrap(ioerr.Closed, msgClosed, nil) }
func timedOutError() *Error { return ioerr.Wrap(ioerr.TimedOut, msgTimedOut, nil) }

// criticalf logs a GLib g_critical (a g_return_if_fail failure) for gio.
func criticalf(msg string) { logging.Critical("gio", msg) }

// cancelledErr is g_cancellable_set_error_if_cancelled: GIO's CANCELLED
// error once c is cancelled (also errors.Is context.Canceled), nil before.
// It does not rely on c.Err(), which as a context.Context method returns
// context.Canceled itself.
func cancelledErr(c *cancellable.Cancellable) error {
	if c.IsCancelled() {
		return ioerr.NewCancelled()
	}
	return nil
}
