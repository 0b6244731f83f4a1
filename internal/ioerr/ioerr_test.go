package ioerr

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
)

// The errno table of g_io_error_from_errno (gio/gioerror.c).
func TestFromErrno(t *testing.T) {
	cases := []struct {
		errno syscall.Errno
		want  Code
	}{
		{syscall.EADDRINUSE, AddressInUse},
		{syscall.ECONNREFUSED, ConnectionRefused},
		{syscall.EADDRNOTAVAIL, ConnectionRefused}, // sic, as GLib
		{syscall.ECONNRESET, ConnectionClosed},
		{syscall.EPIPE, BrokenPipe},
		{syscall.EHOSTUNREACH, HostUnreachable},
		{syscall.ENETUNREACH, NetworkUnreachable},
		{syscall.ENETDOWN, NetworkUnreachable},
		{syscall.ETIMEDOUT, TimedOut},
		{syscall.EAGAIN, WouldBlock},
		{syscall.EAFNOSUPPORT, NotSupported},
		{syscall.EPROTONOSUPPORT, NotSupported},
		{syscall.ESOCKTNOSUPPORT, NotSupported},
		{syscall.EPFNOSUPPORT, NotSupported},
		{syscall.EOPNOTSUPP, NotSupported},
		{syscall.EACCES, PermissionDenied},
		{syscall.EPERM, PermissionDenied},
		{syscall.EINVAL, InvalidArgument},
		{syscall.EMFILE, TooManyOpenFiles},
		{syscall.ENFILE, TooManyOpenFiles},
		{syscall.ENOTCONN, NotConnected},
		{syscall.EMSGSIZE, MessageTooLarge},
		{syscall.ENOTSOCK, InvalidArgument},
		{syscall.ECANCELED, Cancelled},
		{syscall.EBUSY, Busy},
		{syscall.ENOENT, NotFound},
		{syscall.EEXIST, Exists},
		{syscall.EDOM, Failed},
	}
	for _, c := range cases {
		if got := FromErrno(c.errno); got != c.want {
			t.Errorf("FromErrno(%v) = %v, want %v", c.errno, got, c.want)
		}
	}
	if got := FromErrno(syscall.EPIPE); int(got) != 44 || got.String() != "BROKEN_PIPE" {
		t.Errorf("EPIPE maps to %d %v, want 44 BROKEN_PIPE (CONNECTION_CLOSED is the same value)", got, got)
	}
}

func TestErrorsIs(t *testing.T) {
	wrapped := fmt.Errorf("outer: %w", FromError("Error binding to address 127.0.0.1:80: ", syscall.EADDRINUSE))
	if !errors.Is(wrapped, Sentinel(AddressInUse)) {
		t.Errorf("code sentinel does not match")
	}
	if errors.Is(wrapped, Sentinel(Failed)) {
		t.Errorf("other code matched")
	}
	if !errors.Is(wrapped, syscall.EADDRINUSE) {
		t.Errorf("wrapped errno does not match")
	}
	var e *Error
	if !errors.As(wrapped, &e) || e.Message != "Error binding to address 127.0.0.1:80: Address already in use" {
		t.Errorf("message = %q", e.Message)
	}
	c := NewCancelled()
	if !errors.Is(c, context.Canceled) || !errors.Is(c, Sentinel(Cancelled)) || c.Error() != "Operation was cancelled" {
		t.Errorf("cancelled error: %v", c)
	}
	if errors.Is(New(Failed, "x"), context.Canceled) {
		t.Errorf("FAILED matched context.Canceled")
	}
	if got := FromError("", context.Canceled); got.Code != Cancelled {
		t.Errorf("context.Canceled mapped to %v", got.Code)
	}
	if got := FromError("", context.DeadlineExceeded); got.Code != TimedOut || !got.Timeout() {
		t.Errorf("context.DeadlineExceeded mapped to %v", got.Code)
	}
	if FromError("", nil) != nil {
		t.Errorf("FromError(nil) != nil")
	}
	if s := Code(999).String(); s != "Code(999)" {
		t.Errorf("unknown code string %q", s)
	}
	if s := Sentinel(TimedOut).Error(); s != "g-io-error-quark: TIMED_OUT" {
		t.Errorf("sentinel text %q", s)
	}
}

// Sentinels are constants of a comparable value type: they match every
// *Error with their code, whatever the message, and nothing else; a caller
// cannot change what a sentinel matches.
func TestSentinel(t *testing.T) {
	const closed = Sentinel(Closed)
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"same code, GLib message", New(Closed, "Socket is already closed"), true},
		{"same code, wrapped errno", Wrap(Closed, "x", syscall.EBADF), true},
		{"same code, in a chain", fmt.Errorf("op: %w", New(Closed, "y")), true},
		{"other code", New(Cancelled, "Operation was cancelled"), false},
		{"the sentinel itself", closed, true},
		{"another sentinel", Sentinel(Cancelled), false},
		{"plain error", errors.New("Socket is already closed"), false},
	}
	for _, tc := range cases {
		if got := errors.Is(tc.err, closed); got != tc.want {
			t.Errorf("%s: errors.Is(%v, Sentinel(Closed)) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
	if closed.Error() != "g-io-error-quark: CLOSED" || closed.Code() != Closed {
		t.Errorf("Sentinel(Closed) = %q, code %v", closed.Error(), closed.Code())
	}
	if !errors.Is(NewCancelled(), Sentinel(Cancelled)) || !errors.Is(NewCancelled(), context.Canceled) {
		t.Error("CANCELLED does not match its sentinel and context.Canceled")
	}
}
