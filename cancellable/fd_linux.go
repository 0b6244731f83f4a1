package cancellable

import (
	"encoding/binary"
	"errors"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
)

// The wakeup is GLib's GWakeup on Linux: one non-blocking eventfd whose
// counter is non-zero (readable) while the cancellable is cancelled.

var errNilPollFD = ioerr.New(ioerr.InvalidArgument, "nil Cancellable has no file descriptor")

func wakeupNew() (int, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		var errno syscall.Errno
		errors.As(err, &errno)
		return -1, ioerr.Wrap(ioerr.FromErrno(errno), "eventfd: "+ioerr.Strerror(errno), err)
	}
	return fd, nil
}

// wakeupSignal makes fd readable. Writing to an eventfd only fails if the
// counter would overflow, which one write per cancellation cannot reach.
func wakeupSignal(fd int) {
	var v [8]byte
	binary.NativeEndian.PutUint64(v[:], 1)
	for {
		if _, err := unix.Write(fd, v[:]); err != unix.EINTR {
			return
		}
	}
}

// wakeupAcknowledge makes fd unreadable: reading an eventfd resets its counter.
func wakeupAcknowledge(fd int) {
	var buf [8]byte
	for {
		if _, err := unix.Read(fd, buf[:]); err != unix.EINTR {
			return
		}
	}
}

func wakeupClose(fd int) { _ = unix.Close(fd) }
