// Package nbio makes the system calls that cannot block (read, write and
// accept4 on non-blocking descriptors, close of a socket without
// SO_LINGER) without the runtime's system-call bookkeeping.
//
// The runtime's syscall.Syscall enters and leaves a "syscall" state around
// every call; entering it wakes the runtime's monitor thread (sysmon)
// whenever that thread sleeps, which is each time the process goes idle.
// On a main loop that serves one message per wake-up this costs a futex
// wake and, afterwards, the monitor's polling, on the loop's CPU, once per
// message: measured on the single-connection echo, about 1.8 nanosleeps
// and 0.3 futex calls per round trip; without them the server's CPU per
// round trip fell by about a third.
// RawSyscall skips that; it is only correct for calls that cannot block,
// which read(2) and write(2) on an O_NONBLOCK socket are. Every descriptor
// gio and qtnet read or write is O_NONBLOCK (made with SOCK_NONBLOCK, or
// switched when adopted).
//
// The functions retry on EINTR and return the errno as a syscall.Errno.
package nbio

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Read is read(2) on a non-blocking descriptor.
func Read(fd int, p []byte) (int, error) { return rw(unix.SYS_READ, fd, p) }

// Write is write(2) on a non-blocking descriptor.
func Write(fd int, p []byte) (int, error) { return rw(unix.SYS_WRITE, fd, p) }

func rw(trap uintptr, fd int, p []byte) (int, error) {
	var bp unsafe.Pointer
	if len(p) > 0 {
		bp = unsafe.Pointer(&p[0])
	}
	return retry(trap, uintptr(fd), uintptr(bp), uintptr(len(p)), 0)
}

// retry makes the raw call until it is not interrupted; -1 and the errno
// on failure.
func retry(trap, a1, a2, a3, a4 uintptr) (int, error) {
	for {
		n, _, e := unix.RawSyscall6(trap, a1, a2, a3, a4, 0, 0)
		switch e {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		default:
			return -1, e
		}
	}
}

// Accept is accept4(2) on a non-blocking listening descriptor, without the
// peer's address; the new descriptor is O_NONBLOCK and close-on-exec.
func Accept(fd int) (int, error) {
	return retry(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
}

// Close is close(2) of a socket that has no SO_LINGER timeout: that never
// blocks (a Unix socket has no send queue to linger on; a TCP socket hands
// what is queued, and its FIN, to the kernel and returns), so it is made
// without the runtime's syscall bookkeeping, whose monitor thread would
// otherwise take the caller's P away during a TCP close on loopback (about
// 25 µs). A socket whose owner may have set SO_LINGER must be closed with
// unix.Close instead. It is not retried on EINTR: on Linux the descriptor
// is gone either way.
func Close(fd int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); e != 0 {
		return e
	}
	return nil
}
