package gio

import (
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// UnixConnection is GUnixConnection: the SocketConnection the factory makes
// for Unix-domain sockets (SOCK-10). Besides bytes it can pass file
// descriptors (SCM_RIGHTS) and the sender's credentials (SCM_CREDENTIALS),
// each with one data byte, as GLib does, so it interoperates with a GLib
// peer's g_unix_connection_send_fd / receive_fd and send_credentials /
// receive_credentials.
//
// These calls block like the stream calls (waiting in Go's netpoller) and
// honour the Cancellable; they must not run while a stream operation is in
// progress on the same direction, or the two would share the data byte.
//
// Apart from that, its methods may be called from any goroutine. As for
// SocketConnection, the zero value (and a nil pointer) is not usable: its
// calls fail with NOT_INITIALIZED.
type UnixConnection struct {
	SocketConnection
}

func newUnixConnection(s *Socket) *UnixConnection {
	u := &UnixConnection{}
	u.SocketConnection.init(s, u)
	return u
}

// SendFD is g_unix_connection_send_fd: it sends a copy of fd (the caller
// keeps fd) and one data byte.
func (u *UnixConnection) SendFD(fd int, c *cancellable.Cancellable) error {
	if fd < 0 {
		return ioerr.New(ioerr.InvalidArgument, "fd "+strconv.Itoa(fd)+" is negative (g_unix_connection_send_fd: assertion 'fd >= 0' failed)")
	}
	if err := u.sendmsg(unix.UnixRights(fd), c); err != nil {
		return prefixError("Error sending file descriptor: ", err)
	}
	return nil
}

// ReceiveFD is g_unix_connection_receive_fd: it receives one data byte and
// the one descriptor sent with it, which is close-on-exec and belongs to the
// caller. Anything but exactly one descriptor is an error (and any
// descriptors that did arrive are closed).
func (u *UnixConnection) ReceiveFD(c *cancellable.Cancellable) (int, error) {
	oob, err := u.recvmsg(unix.CmsgSpace(4*8), c)
	if err != nil {
		return -1, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1, ioerr.Wrap(ioerr.Failed, "Error receiving file descriptor: "+err.Error(), err)
	}
	var fds []int
	for _, m := range msgs {
		if got, err := unix.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	switch {
	case len(msgs) != 1:
		closeAll(fds)
		return -1, ioerr.New(ioerr.Failed, "Expecting 1 control message, got "+strconv.Itoa(len(msgs)))
	case len(fds) == 0:
		return -1, ioerr.New(ioerr.Failed, "Unexpected type of ancillary data")
	case len(fds) != 1:
		closeAll(fds)
		return -1, ioerr.New(ioerr.Failed, "Expecting one fd, but got "+strconv.Itoa(len(fds)))
	}
	return fds[0], nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}

// SendCredentials is g_unix_connection_send_credentials: it sends this
// process's credentials (the kernel checks them) with one data byte. The
// peer reads them with ReceiveCredentials.
func (u *UnixConnection) SendCredentials(c *cancellable.Cancellable) error {
	cred := NewCredentials()
	oob := unix.UnixCredentials(&unix.Ucred{Pid: cred.pid, Uid: cred.uid, Gid: cred.gid})
	if err := u.sendmsg(oob, c); err != nil {
		return prefixError("Error sending credentials: ", err)
	}
	return nil
}

// ReceiveCredentials is g_unix_connection_receive_credentials: it reads the
// data byte a peer's SendCredentials sent and returns the credentials the
// kernel attached. Like GLib it turns SO_PASSCRED on for the call and
// restores it afterwards.
func (u *UnixConnection) ReceiveCredentials(c *cancellable.Cancellable) (*Credentials, error) {
	s := u.sock()
	was, err := s.Option(unix.SOL_SOCKET, unix.SO_PASSCRED)
	if err != nil {
		return nil, prefixError("Error checking if SO_PASSCRED is enabled for socket: ", err)
	}
	if was == 0 {
		if err := s.SetOption(unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
			return nil, prefixError("Error enabling SO_PASSCRED: ", err)
		}
		defer func() { _ = s.SetOption(unix.SOL_SOCKET, unix.SO_PASSCRED, 0) }()
	}
	oob, err := u.recvmsg(unix.CmsgSpace(unix.SizeofUcred), c)
	if err != nil {
		return nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, ioerr.Wrap(ioerr.Failed, "Error receiving credentials: "+err.Error(), err)
	}
	if len(msgs) != 1 {
		return nil, ioerr.New(ioerr.Failed, "Expecting 1 control message, got "+strconv.Itoa(len(msgs)))
	}
	uc, err := unix.ParseUnixCredentials(&msgs[0])
	if err != nil {
		return nil, ioerr.New(ioerr.Failed, "Unexpected type of ancillary data")
	}
	return newCredentials(uc.Pid, uc.Uid, uc.Gid), nil
}

// sendmsg sends one zero byte with oob, as a blocking send (waiting in the
// netpoller, honouring the socket timeout, c and Close; see Socket.run).
func (u *UnixConnection) sendmsg(oob []byte, c *cancellable.Cancellable) error {
	s := u.sock()
	ctx := ctxOf(c)
	if err := s.checkOp(ctx); err != nil {
		return err
	}
	_, deadline := s.state()
	var n int
	var serr error
	err := s.run(ctx, true, true, deadline, func(fd int) bool {
		n, serr = retryEINTR(func() (int, error) { return unix.SendmsgN(fd, []byte{0}, oob, nil, unix.MSG_NOSIGNAL) })
		return serr == unix.EAGAIN
	})
	switch {
	case err != nil:
		return err
	case serr != nil:
		return errnoOf(serr, "")
	case n != 1:
		return ioerr.New(ioerr.Failed, "Failed to send the data byte")
	}
	return nil
}

// recvmsg receives the one data byte and returns the control data that came
// with it (oobLen bytes of room), as a blocking receive.
func (u *UnixConnection) recvmsg(oobLen int, c *cancellable.Cancellable) ([]byte, error) {
	s := u.sock()
	ctx := ctxOf(c)
	if err := s.checkOp(ctx); err != nil {
		return nil, err
	}
	_, deadline := s.state()
	oob := make([]byte, oobLen)
	var n, oobn int
	var rerr error
	err := s.run(ctx, false, true, deadline, func(fd int) bool {
		var b [1]byte
		for {
			n, oobn, _, _, rerr = unix.Recvmsg(fd, b[:], oob, unix.MSG_CMSG_CLOEXEC)
			if rerr != unix.EINTR {
				return rerr == unix.EAGAIN
			}
		}
	})
	switch {
	case err != nil:
		return nil, err
	case rerr != nil:
		return nil, errnoOf(rerr, "Error receiving message: ")
	case n != 1:
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if fds, err := unix.ParseUnixRights(&m); err == nil {
					closeAll(fds)
				}
			}
		}
		return nil, ioerr.New(ioerr.Failed, "Expecting to read a single byte but read zero bytes")
	}
	return oob[:oobn], nil
}

// prefixError adds prefix to a GIO error's message, keeping its code.
func prefixError(prefix string, err error) error {
	if e, ok := err.(*ioerr.Error); ok {
		return &ioerr.Error{Code: e.Code, Message: prefix + e.Message, Err: e}
	}
	return ioerr.FromError(prefix, err)
}

// sock is the connection's socket, nil for a nil UnixConnection (whose
// calls then fail with the Socket's NOT_INITIALIZED).
func (u *UnixConnection) sock() *Socket {
	if u == nil {
		return nil
	}
	return u.socket
}
