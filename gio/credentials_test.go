package gio

import (
	"errors"
	"os"
	"testing"
)

func TestCredentialsAccessors(t *testing.T) {
	c := NewCredentials()
	if pid, err := c.UnixPID(); pid != os.Getpid() || err != nil {
		t.Errorf("pid %d %v", pid, err)
	}
	if gid, err := c.UnixGroup(); gid != uint32(os.Getegid()) || err != nil {
		t.Errorf("gid %d %v", gid, err)
	}
	other := NewCredentials()
	other.SetUnixUser(12345)
	if same, err := c.IsSameUser(other); same || err != nil {
		t.Errorf("same user %v %v", same, err)
	}
	if _, err := c.IsSameUser(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil: %v", err)
	}
	// What the kernel reports for an unknown peer (pid 0, uid/gid -1).
	unknown := newCredentials(0, noID, noID)
	if unknown.String() != "GCredentials:linux-ucred:" {
		t.Errorf("%q", unknown.String())
	}
	if _, err := unknown.UnixPID(); !errors.Is(err, ErrInvalidData) {
		t.Errorf("pid: %v", err)
	}
	if _, err := unknown.UnixUser(); !errors.Is(err, ErrInvalidData) {
		t.Errorf("uid: %v", err)
	}
	if _, err := unknown.UnixGroup(); !errors.Is(err, ErrInvalidData) {
		t.Errorf("gid: %v", err)
	}
	if _, err := unknown.IsSameUser(c); !errors.Is(err, ErrInvalidData) {
		t.Errorf("same: %v", err)
	}
}
