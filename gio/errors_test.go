package gio

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

func TestErrorCodesAreGLibs(t *testing.T) {
	// The numbers from gioenums.h that peers print.
	for _, tc := range []struct {
		code ErrorCode
		want int
	}{
		{ErrorFailed, 0}, {ErrorNotFound, 1}, {ErrorExists, 2}, {ErrorInvalidArgument, 13},
		{ErrorPermissionDenied, 14}, {ErrorNotSupported, 15}, {ErrorClosed, 18}, {ErrorCancelled, 19},
		{ErrorPending, 20}, {ErrorTimedOut, 24}, {ErrorBusy, 26}, {ErrorWouldBlock, 27},
		{ErrorHostNotFound, 28}, {ErrorTooManyOpenFiles, 31}, {ErrorNotInitialized, 32},
		{ErrorAddressInUse, 33}, {ErrorHostUnreachable, 37}, {ErrorNetworkUnreachable, 38},
		{ErrorConnectionRefused, 39}, {ErrorBrokenPipe, 44}, {ErrorConnectionClosed, 44},
		{ErrorNotConnected, 45}, {ErrorMessageTooLarge, 46}, {ErrorDestinationUnset, 48},
	} {
		if int(tc.code) != tc.want {
			t.Errorf("%v = %d, want %d", tc.code, int(tc.code), tc.want)
		}
	}
}

func TestErrorFromErrno(t *testing.T) {
	for _, tc := range []struct {
		errno syscall.Errno
		want  ErrorCode
	}{
		{syscall.EADDRINUSE, ErrorAddressInUse},
		{syscall.ECONNREFUSED, ErrorConnectionRefused},
		{syscall.ECONNRESET, ErrorConnectionClosed},
		{syscall.EPIPE, ErrorBrokenPipe},
		{syscall.EHOSTUNREACH, ErrorHostUnreachable},
		{syscall.ENETUNREACH, ErrorNetworkUnreachable},
		{syscall.ETIMEDOUT, ErrorTimedOut},
		{syscall.EAGAIN, ErrorWouldBlock},
		{syscall.EAFNOSUPPORT, ErrorNotSupported},
		{syscall.EACCES, ErrorPermissionDenied},
		{syscall.EINVAL, ErrorInvalidArgument},
		{syscall.EMFILE, ErrorTooManyOpenFiles},
		{syscall.ENOTCONN, ErrorNotConnected},
		{syscall.EMSGSIZE, ErrorMessageTooLarge},
		{syscall.ENOTSOCK, ErrorInvalidArgument},
		{syscall.ECANCELED, ErrorCancelled},
		{syscall.EBUSY, ErrorBusy},
		{syscall.EDOM, ErrorFailed},
	} {
		if got := ErrorFromErrno(tc.errno); got != tc.want {
			t.Errorf("ErrorFromErrno(%v) = %v, want %v", tc.errno, got, tc.want)
		}
	}
}

func TestErrorsIs(t *testing.T) {
	err := errnoError(syscall.ECONNREFUSED, "")
	if !errors.Is(err, ErrConnectionRefused) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("%v: not CONNECTION_REFUSED / ECONNREFUSED", err)
	}
	if errors.Is(err, ErrTimedOut) {
		t.Errorf("%v is TIMED_OUT", err)
	}
	if err.Error() != "Connection refused" {
		t.Errorf("message %q", err.Error())
	}
	c := NewCancelledError()
	if !errors.Is(c, ErrCancelled) || !errors.Is(c, context.Canceled) || c.Error() != "Operation was cancelled" {
		t.Errorf("cancelled error %v", c)
	}
	// GLib's socket_set_error_lazy: WOULD_BLOCK has no prefix, others do.
	if e := errnoError(syscall.EAGAIN, "Error receiving data: "); e.Error() != "Resource temporarily unavailable" || e.Code != ErrorWouldBlock {
		t.Errorf("EAGAIN: %v (%v)", e, e.Code)
	}
	if e := errnoError(syscall.ENOTCONN, "Error receiving data: "); e.Error() != "Error receiving data: Transport endpoint is not connected" {
		t.Errorf("ENOTCONN: %q", e.Error())
	}
	var ge *Error
	if !errors.As(error(NewError(ErrorPending, "x")), &ge) || ge.Code != ErrorPending {
		t.Errorf("errors.As failed")
	}
}
