package signal_test

import (
	"testing"
	"unsafe"

	"github.com/sigloop/sigloop/signal"
)

// maxSignalBytes is what a signal may take on a 64-bit platform: every
// Object holds two, and most are never connected. It was 168 bytes with
// the StopEmission state inline; that state is made by the first
// StopEmission.
const maxSignalBytes = 128

func TestSignalSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the budget is for 64-bit platforms")
	}
	for name, size := range map[string]uintptr{
		"Signal0":  unsafe.Sizeof(signal.Signal0{}),
		"Signal1":  unsafe.Sizeof(signal.Signal1[string]{}),
		"Signal3r": unsafe.Sizeof(signal.Signal3R[int, int, int, bool]{}),
	} {
		if size > maxSignalBytes {
			t.Errorf("%s is %d bytes, want at most %d", name, size, maxSignalBytes)
		}
	}
}
