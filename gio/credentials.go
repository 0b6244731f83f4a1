package gio

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
)

// Credentials is GCredentials on Linux (struct ucred): a process id, user id
// and group id, each possibly unknown (the kernel reports an unknown uid or
// gid as -1, an unknown pid as 0).
//
// The zero Credentials is usable and knows nothing: every getter gives
// INVALID_DATA and String names no field (it does not claim uid 0). A nil
// *Credentials behaves the same.
//
// A Credentials is not safe for concurrent mutation (SetUnixUser); reading it
// from several goroutines is fine.
type Credentials struct {
	pid int32
	uid uint32 // valid when hasUID
	gid uint32 // valid when hasGID

	hasUID, hasGID bool
}

// newCredentials records the kernel's values, with -1 meaning unknown.
func newCredentials(pid int32, uid, gid uint32) *Credentials {
	return &Credentials{pid: pid, uid: uid, gid: gid, hasUID: uid != noID, hasGID: gid != noID}
}

// noID is the "unknown" uid/gid, (uid_t)-1.
const noID = ^uint32(0)

// NewCredentials is g_credentials_new: the credentials of the current
// process (pid, effective uid, effective gid).
func NewCredentials() *Credentials {
	return newCredentials(int32(os.Getpid()), uint32(unix.Geteuid()), uint32(unix.Getegid()))
}

// UnixPID is g_credentials_get_unix_pid. An unknown pid (0) gives
// INVALID_DATA, as GLib does.
func (c *Credentials) UnixPID() (int, error) {
	if c == nil || c.pid <= 0 {
		return -1, ioerr.New(ioerr.InvalidData, "GCredentials does not contain a process ID on this OS")
	}
	return int(c.pid), nil
}

// UnixUser is g_credentials_get_unix_user. An unknown uid gives INVALID_DATA.
func (c *Credentials) UnixUser() (uint32, error) {
	if c == nil || !c.hasUID {
		return noID, ioerr.New(ioerr.InvalidData, "There is no GCredentials support for your platform")
	}
	return c.uid, nil
}

// UnixGroup returns the group id (struct ucred's gid). An unknown gid gives
// INVALID_DATA.
func (c *Credentials) UnixGroup() (uint32, error) {
	if c == nil || !c.hasGID {
		return noID, ioerr.New(ioerr.InvalidData, "There is no GCredentials support for your platform")
	}
	return c.gid, nil
}

// SetUnixUser is g_credentials_set_unix_user.
// A nil c gives INVALID_ARGUMENT.
func (c *Credentials) SetUnixUser(uid uint32) error {
	if c == nil {
		return ioerr.New(ioerr.InvalidArgument, "SetUnixUser on a nil *gio.Credentials")
	}
	c.uid, c.hasUID = uid, uid != noID
	return nil
}

// IsSameUser is g_credentials_is_same_user: whether both name the same,
// known, user.
func (c *Credentials) IsSameUser(other *Credentials) (bool, error) {
	if c == nil || other == nil {
		return false, ioerr.New(ioerr.InvalidArgument, "No credentials to compare (nil *gio.Credentials)")
	}
	if !c.hasUID || !other.hasUID {
		return false, ioerr.New(ioerr.InvalidData, "There is no GCredentials support for your platform")
	}
	return c.uid == other.uid, nil
}

// String is g_credentials_to_string: "GCredentials:linux-ucred:pid=1,uid=2,gid=3",
// leaving out unknown fields as GLib does.
func (c *Credentials) String() string {
	s := "GCredentials:linux-ucred:"
	if c == nil {
		return s
	}
	sep := ""
	if c.pid != 0 {
		s += fmt.Sprintf("pid=%d", c.pid)
		sep = ","
	}
	if c.hasUID {
		s += fmt.Sprintf("%suid=%d", sep, c.uid)
		sep = ","
	}
	if c.hasGID {
		s += fmt.Sprintf("%sgid=%d", sep, c.gid)
	}
	return s
}

// Credentials is g_socket_get_credentials: the peer's credentials
// (SO_PEERCRED) on a connected Unix socket. For a socketpair, they are this
// process's.
//
// Differs from GLib 2.74 on Linux, which asks the kernel for any family and
// returns meaningless "pid=0" credentials over TCP: this port gives
// NOT_SUPPORTED for every family but SocketFamilyUnix, the answer GLib's
// /socket/credentials/tcp_* tests accept on other systems.
func (s *Socket) Credentials() (*Credentials, error) {
	if err := s.checkSocket(); err != nil {
		return nil, err
	}
	if s.Family() != SocketFamilyUnix {
		return nil, ioerr.Wrap(ioerr.NotSupported, "Unable to read socket credentials: "+ioerr.Strerror(unix.EOPNOTSUPP), unix.EOPNOTSUPP)
	}
	var uc *unix.Ucred
	var gerr error
	if err := s.control(func(fd int) { uc, gerr = unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil {
		return nil, err
	}
	if gerr != nil {
		return nil, errnoOf(gerr, "Unable to read socket credentials: ")
	}
	return newCredentials(uc.Pid, uc.Uid, uc.Gid), nil
}
