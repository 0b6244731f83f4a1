package gio

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The raw socket calls below take and return struct sockaddr bytes, so that
// every field (sin6_flowinfo, padded abstract names) survives the round trip;
// x/sys/unix's Sockaddr types drop some of them.

// rawSockaddrCall runs bind(2) or connect(2) (trap) with a native address.
func rawSockaddrCall(trap uintptr, fd int, native []byte) error {
	var p unsafe.Pointer
	if len(native) > 0 {
		p = unsafe.Pointer(&native[0])
	}
	for {
		_, _, e := unix.Syscall(trap, uintptr(fd), uintptr(p), uintptr(len(native)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// sockaddrBuf is large enough for any struct sockaddr.
type sockaddrBuf [unix.SizeofSockaddrAny]byte

func nameCall(trap uintptr, fd int) ([]byte, error) {
	var buf sockaddrBuf
	n := uint32(len(buf))
	_, _, e := unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return nil, e
	}
	if int(n) > len(buf) {
		n = uint32(len(buf))
	}
	return append([]byte(nil), buf[:n]...), nil
}

func getsockname(fd int) ([]byte, error) { return nameCall(unix.SYS_GETSOCKNAME, fd) }
func getpeername(fd int) ([]byte, error) { return nameCall(unix.SYS_GETPEERNAME, fd) }

// sendto sends p to the native address (nil: the connected peer) with flags.
// With raw it is made with RawSyscall, for the reason internal/nbio gives:
// gio's descriptors are all O_NONBLOCK, so the call never blocks, and on a
// main loop the runtime's syscall bookkeeping would wake its monitor thread
// once per message. An operation that waits (blocking mode, on a worker
// goroutine) passes raw=false and is made as net.Conn makes it. Clearing
// O_NONBLOCK on a descriptor through FD is not supported.
func sendto(fd int, p []byte, flags int, native []byte, raw bool) (int, error) {
	var bp, ap unsafe.Pointer
	if len(p) > 0 {
		bp = unsafe.Pointer(&p[0])
	}
	if len(native) > 0 {
		ap = unsafe.Pointer(&native[0])
	}
	call := unix.Syscall6
	if raw {
		call = unix.RawSyscall6
	}
	for {
		n, _, e := call(unix.SYS_SENDTO, uintptr(fd), uintptr(bp), uintptr(len(p)), uintptr(flags), uintptr(ap), uintptr(len(native)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}

// recvfrom receives into p and returns the sender's native address (nil
// when the kernel gives none, as for a connected stream socket).
func recvfrom(fd int, p []byte, flags int) (int, []byte, error) {
	var buf sockaddrBuf
	alen := uint32(len(buf))
	var bp unsafe.Pointer
	if len(p) > 0 {
		bp = unsafe.Pointer(&p[0])
	}
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(bp), uintptr(len(p)), uintptr(flags), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&alen)))
		if e == unix.EINTR {
			alen = uint32(len(buf))
			continue
		}
		if e != 0 {
			return 0, nil, e
		}
		if alen == 0 {
			return int(n), nil, nil
		}
		if int(alen) > len(buf) {
			alen = uint32(len(buf))
		}
		return int(n), append([]byte(nil), buf[:alen]...), nil
	}
}
