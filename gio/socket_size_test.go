package gio

import (
	"testing"
	"unsafe"
)

// TestSocketWaitStateLazy pins what a Socket used only from a main loop
// costs: the state of waiting operations (two semaphores, the close
// channel, two 224-byte direction states) is made by the first operation
// that waits, and the property slots by the first use of a property, not
// by every accepted socket (1680 bytes before, 776 with both lazy).
func TestSocketWaitStateLazy(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are pinned for 64-bit platforms")
	}
	if got, limit := unsafe.Sizeof(Socket{}), uintptr(480); got > limit {
		t.Errorf("Socket is %d bytes, want at most %d", got, limit)
	}
	ca, cb := socketPair(t)
	a, b := ca.Socket(), cb.Socket()
	a.SetBlocking(false)
	if _, err := b.Send([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Receive(make([]byte, 4), nil); err != nil {
		t.Fatal(err)
	}
	if a.ws.Load() != nil || a.sfd.file.Load() != nil {
		t.Error("a non-blocking Receive made the wait state or an *os.File")
	}
	a.SetBlocking(true)
	if _, err := b.Send([]byte("y"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Receive(make([]byte, 4), nil); err != nil {
		t.Fatal(err)
	}
	if a.ws.Load() == nil || a.sfd.file.Load() == nil {
		t.Error("a blocking Receive did not make the wait state and the *os.File")
	}
	a.Close()
	if _, err := a.Receive(make([]byte, 4), nil); err == nil {
		t.Error("Receive after Close succeeded")
	}
}
