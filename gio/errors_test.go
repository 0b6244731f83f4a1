package gio

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
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

// errors.Is against the code sentinels, the wrapped errno and
// context.Canceled, on errors from real operations through the public API
// (SOCK-4, SOCK-2, SOCK-5, SOCK-8, SOCK-12).
func TestErrorsIsFromOperations_SOCK4(t *testing.T) {
	// A port nothing listens on.
	probe, addr := listenLoopback(t, SocketFamilyIPv4)
	probe.Close()

	refused := func() error {
		s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		return s.Connect(addr, nil)
	}
	clientRefused := func() error {
		_, err := NewSocketClient().Connect(addr, nil)
		return err
	}
	inUse := func() error {
		l, laddr := listenLoopback(t, SocketFamilyIPv4)
		_ = l
		s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		return s.Bind(laddr, true)
	}
	cancelledRecv := func() error {
		c, _ := connPair(t, "unix")
		cn := cancellable.New()
		time.AfterFunc(10*time.Millisecond, cn.Cancel)
		_, err := c.Socket().Receive(make([]byte, 1), cn)
		return err
	}
	cancelledCtx := func() error {
		c, _ := connPair(t, "unix")
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		_, err := c.Socket().Receive(make([]byte, 1), cancellable.FromContext(ctx))
		return err
	}
	deadlineCtx := func() error {
		c, _ := connPair(t, "unix")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := c.Socket().Receive(make([]byte, 1), cancellable.FromContext(ctx))
		return err
	}
	socketTimeout := func() error {
		c, _ := connPair(t, "unix")
		c.Socket().SetTimeout(10 * time.Millisecond)
		_, err := c.Socket().Receive(make([]byte, 1), nil)
		return err
	}
	netConnTimeout := func() error {
		c, _ := connPair(t, "unix")
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		return err
	}
	netConnClosed := func() error {
		c, _ := connPair(t, "unix")
		_ = c.Close()
		_, err := c.Read(make([]byte, 1))
		return err
	}
	peerGone := func() error {
		c, s := connPair(t, "unix")
		_ = s.Close()
		var err error
		for i := 0; i < 100 && err == nil; i++ {
			_, err = c.Socket().Send([]byte("x"), nil)
		}
		return err
	}
	clientCancelled := func() error {
		cn := cancellable.New()
		cn.Cancel()
		_, err := NewSocketClient().Connect(addr, cn)
		return err
	}

	for _, tc := range []struct {
		name   string
		op     func() error
		is     []error
		isNot  []error
		prefix string
	}{
		{"connect refused", refused, []error{ErrConnectionRefused, syscall.ECONNREFUSED}, []error{context.Canceled, ErrTimedOut}, "Connection refused"},
		{"client refused", clientRefused, []error{ErrConnectionRefused, syscall.ECONNREFUSED}, []error{context.Canceled}, "Could not connect to 127.0.0.1: "},
		{"bind in use", inUse, []error{ErrAddressInUse, syscall.EADDRINUSE}, []error{ErrFailed}, "Error binding to address 127.0.0.1:"},
		{"cancelled receive", cancelledRecv, []error{ErrCancelled, context.Canceled}, []error{ErrTimedOut, context.DeadlineExceeded}, "Operation was cancelled"},
		{"cancelled context", cancelledCtx, []error{ErrCancelled, context.Canceled}, []error{ErrTimedOut}, "Operation was cancelled"},
		// A context's deadline, through FromContext, cancels: CANCELLED.
		{"context deadline", deadlineCtx, []error{ErrCancelled, context.Canceled}, []error{ErrTimedOut}, "Operation was cancelled"},
		{"socket timeout", socketTimeout, []error{ErrTimedOut}, []error{ErrCancelled, context.Canceled}, "Socket I/O timed out"},
		{"net.Conn deadline", netConnTimeout, []error{ErrTimedOut, os.ErrDeadlineExceeded}, []error{ErrCancelled, context.Canceled}, "Socket I/O timed out"},
		{"net.Conn closed", netConnClosed, []error{ErrClosed, net.ErrClosed}, []error{ErrCancelled}, ""},
		{"peer gone", peerGone, []error{ErrConnectionClosed, ErrBrokenPipe}, []error{ErrCancelled}, "Error sending data: "},
		{"client cancelled", clientCancelled, []error{ErrCancelled, context.Canceled}, []error{ErrConnectionRefused}, "Operation was cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			if err == nil {
				t.Fatal("no error")
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("%q: errors.Is(%v) false", err, target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(err, target) {
					t.Errorf("%q: errors.Is(%v) true", err, target)
				}
			}
			if !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Errorf("message %q, want prefix %q", err, tc.prefix)
			}
			var ge *Error
			if !errors.As(err, &ge) {
				t.Errorf("%v (%T) is not a *gio.Error", err, err)
			}
		})
	}
}
