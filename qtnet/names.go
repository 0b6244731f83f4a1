package qtnet

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxPathBytes is the longest name Qt 6 accepts: sun_path is 108 bytes and
// Qt 6 reserves a leading and a trailing NUL even for paths (LS-06). Qt 5
// accepts one byte more; 106 is reachable by both.
const maxPathBytes = 108 - 2

// tempPath is QDir::tempPath on Unix: $TMPDIR, else /tmp, cleaned, with
// symbolic links resolved as Qt 6 does.
//
// Differs from Qt 6: when that directory does not exist Qt 6 returns ""
// (so "name" resolves to "/name"); here it stays the cleaned path, as in Qt 5.
func tempPath() string {
	t := os.Getenv("TMPDIR")
	if t == "" {
		t = "/tmp"
	}
	t = path.Clean(t)
	if r, err := filepath.EvalSymlinks(t); err == nil {
		t = r
	}
	return t
}

// resolveName is LS-05: an abstract name or one starting with '/' is used
// verbatim, anything else is put in the temp directory, kept verbatim.
func resolveName(name string, abstract bool) string {
	if abstract || strings.HasPrefix(name, "/") {
		return name
	}
	return strings.TrimSuffix(tempPath(), "/") + "/" + name
}

// sockaddr is the address for a resolved name: Go's "@" form for an
// abstract one (NUL, then the name's bytes, no trailing NUL: LS-23).
func sockaddr(full string, abstract bool) *unix.SockaddrUnix {
	if abstract {
		return &unix.SockaddrUnix{Name: "@" + full}
	}
	return &unix.SockaddrUnix{Name: full}
}

// rawName reads the address of fd (getpeername when peer, else getsockname)
// without Go's truncation at the first NUL, which would lose the
// significant trailing NULs of an abstract name (LS-23). ok is false for an
// unnamed socket or an error.
func rawName(fd int, peer bool) (name string, abstract, ok bool) {
	var sa unix.RawSockaddrUnix
	l := uint32(unsafe.Sizeof(sa))
	trap := uintptr(unix.SYS_GETSOCKNAME)
	if peer {
		trap = unix.SYS_GETPEERNAME
	}
	// RawSyscall: getsockname and getpeername never block (see internal/nbio).
	_, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)))
	if e != 0 || sa.Family != unix.AF_UNIX || l <= 2 {
		return "", false, false
	}
	n := int(l) - 2
	b := unsafe.Slice((*byte)(unsafe.Pointer(&sa.Path[0])), n)
	if b[0] == 0 {
		return string(b[1:]), true, true
	}
	// A path: drop the trailing NULs, as QLocalSocketPrivate::parseSockaddr does.
	s := string(b)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s, false, s != ""
}

// describe is parseSockaddr's naming: the full name and the short one
// (text after the last '/' for a path, the whole name if that is empty).
func describe(full string, abstract bool) (serverName string) {
	if abstract {
		return full
	}
	s := full[strings.LastIndexByte(full, '/')+1:]
	if s == "" {
		return full
	}
	return s
}

// RemoveServer is QLocalServer::removeServer: it deletes the socket file a
// crashed server left behind, so that Listen can use the name again. The
// name resolves as in Listen (LS-05, without abstract names, which have no
// file); a missing file is success; a directory is not removed (LS-21).
//
// It deletes whatever file is there, even the socket of a running server,
// which then keeps listening but can no longer be reached: check first
// that nothing answers on the name.
//
// Qt's bool becomes an error: nil on success, else an *Error with
// UnknownSocketError and the errno.
func RemoveServer(name string) error {
	full := resolveName(name, false)
	if strings.IndexByte(full, 0) >= 0 {
		// Qt truncates at the NUL; no file can have such a name.
		return nil
	}
	if _, err := os.Stat(full); err != nil { // QFile::exists follows links
		return nil
	}
	if err := unix.Unlink(full); err != nil {
		errno, _ := err.(syscall.Errno)
		if errno == syscall.EISDIR || errno == 0 {
			errno = syscall.EISDIR
		}
		return &Error{Code: UnknownSocketError, Message: "QLocalServer::removeServer: " + full + ": " + errno.Error(), Errno: errno}
	}
	return nil
}
