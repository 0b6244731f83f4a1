package object_test

import (
	"testing"
	"unsafe"

	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// maxObjectOwnBytes is what an Object may take besides its two signals
// (Destroyed and Notify) on a 64-bit platform: the outermost value, the
// context, one word of flags, the lock, and the pointers to the property
// table, to the destroy notifies and to the rarely used part (a name, data,
// parent and children, posted calls, frozen notifications), each made when
// first needed. It was 256 bytes with all of them inline.
const maxObjectOwnBytes = 72

// maxSignalBytes is what each of those signals may take: most are never
// connected. A signal was 168 bytes with its StopEmission state inline;
// that state is made by the first StopEmission.
const maxSignalBytes = 128

// TestObjectSize fails when Object grows: every socket, connection and
// task embeds one.
func TestObjectSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the budget is for 64-bit platforms")
	}
	signals := unsafe.Sizeof(signal.Signal1[*object.Object]{}) + unsafe.Sizeof(signal.Signal1[string]{})
	if own := unsafe.Sizeof(object.Object{}) - signals; own > maxObjectOwnBytes {
		t.Errorf("Object is %d bytes besides its signals, want at most %d", own, maxObjectOwnBytes)
	}
	if signals > 2*maxSignalBytes {
		t.Errorf("its two signals are %d bytes, want at most %d each", signals, maxSignalBytes)
	}
}
