package qtnet

import "strings"

// SocketOptions is QLocalServer::SocketOptions (and QLocalSocket's): how the
// server's socket is created. The access options decide the socket file's
// mode; AbstractNamespaceOption puts the name in Linux's abstract namespace,
// with nothing on disk.
//
// Differs from Qt: LocalServer and LocalSocket share this one type. Qt's
// QLocalSocket::AbstractNamespaceOption is 0x1 where QLocalServer's is 0x8;
// here both are AbstractNamespaceOption (the numbers never reach a peer).
type SocketOptions uint

// QLocalServer::SocketOption values.
// Kept as one documented line per Qt value (like mainloop's IOCondition
// list for GLib), not generated: each mirrors one enumerator.
const (
	// NoOptions is QLocalServer::NoOptions: the socket file gets the
	// default mode, 0777 masked by the umask.
	NoOptions SocketOptions = 0
	// UserAccessOption is QLocalServer::UserAccessOption: mode 0700.
	UserAccessOption SocketOptions = 0x01
	// GroupAccessOption is QLocalServer::GroupAccessOption: mode 0070
	// (the owner itself cannot connect, unless it is root).
	GroupAccessOption SocketOptions = 0x02
	// OtherAccessOption is QLocalServer::OtherAccessOption: mode 0007.
	OtherAccessOption SocketOptions = 0x04
	// WorldAccessOption is QLocalServer::WorldAccessOption: mode 0777.
	WorldAccessOption SocketOptions = 0x07
	// AbstractNamespaceOption is QLocalServer::AbstractNamespaceOption
	// (Qt 6.2): the name is an abstract address, NUL plus the name's bytes;
	// the access options are then ignored.
	AbstractNamespaceOption SocketOptions = 0x08
)

// String lists the set options as Qt's QDebug does, e.g.
// "UserAccessOption|GroupAccessOption".
func (o SocketOptions) String() string {
	if o == NoOptions {
		return "NoOptions"
	}
	var parts []string
	if o&WorldAccessOption == WorldAccessOption {
		parts = append(parts, "WorldAccessOption")
	} else {
		for _, f := range []struct {
			o SocketOptions
			n string
		}{{UserAccessOption, "UserAccessOption"}, {GroupAccessOption, "GroupAccessOption"}, {OtherAccessOption, "OtherAccessOption"}} {
			if o&f.o != 0 {
				parts = append(parts, f.n)
			}
		}
	}
	if o&AbstractNamespaceOption != 0 {
		parts = append(parts, "AbstractNamespaceOption")
	}
	if rest := o &^ (WorldAccessOption | AbstractNamespaceOption); rest != 0 {
		parts = append(parts, "0x"+strings.ToLower(strings.TrimLeft(hex(uint(rest)), "0")))
	}
	return strings.Join(parts, "|")
}

func hex(v uint) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}

// effective is optionsForPlatform on Linux: AbstractNamespaceOption
// overrides the access options (LS-22).
func (o SocketOptions) effective() SocketOptions {
	if o&AbstractNamespaceOption != 0 {
		return AbstractNamespaceOption
	}
	return o
}

// fileMode is the mode LS-08 chmods the socket file to.
func (o SocketOptions) fileMode() uint32 {
	var m uint32
	if o&UserAccessOption != 0 {
		m |= 0o700
	}
	if o&GroupAccessOption != 0 {
		m |= 0o070
	}
	if o&OtherAccessOption != 0 {
		m |= 0o007
	}
	return m
}

// OpenMode is QIODevice::OpenMode: how a LocalSocket's device is open.
type OpenMode uint

// QIODevice::OpenModeFlag values.
const (
	NotOpen    OpenMode = 0x00
	ReadOnly   OpenMode = 0x01
	WriteOnly  OpenMode = 0x02
	ReadWrite  OpenMode = ReadOnly | WriteOnly
	Append     OpenMode = 0x04
	Truncate   OpenMode = 0x08
	Text       OpenMode = 0x10
	Unbuffered OpenMode = 0x20
)

// LocalSocketState is QLocalSocket::LocalSocketState (LK-01).
type LocalSocketState int

// QLocalSocket::LocalSocketState values (QAbstractSocket's numbers).
const (
	UnconnectedState LocalSocketState = 0
	ConnectingState  LocalSocketState = 2
	ConnectedState   LocalSocketState = 3
	ClosingState     LocalSocketState = 6
)

// String returns Qt's QDebug text, e.g. "QLocalSocket::ConnectedState".
func (s LocalSocketState) String() string {
	switch s {
	case UnconnectedState:
		return "QLocalSocket::UnconnectedState"
	case ConnectingState:
		return "QLocalSocket::ConnectingState"
	case ConnectedState:
		return "QLocalSocket::ConnectedState"
	case ClosingState:
		return "QLocalSocket::ClosingState"
	}
	return "QLocalSocket::LocalSocketState(" + hex(uint(s)) + ")"
}
