package cancellable_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/internal/logging"
)

// GLib code reuses a cancellable: cancel a blocking call, Reset, call
// again. Socket calls watch a Cancellable without taking its Done channel,
// so that reuse stays quiet (Reset's critical is for context users), also
// when a second caller waits for the busy socket.
func TestGLibStyleReuseWithSocketIsQuiet_CAN6(t *testing.T) {
	s, err := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeDatagram, gio.SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr, err := gio.NewInetSocketAddressFromString("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(addr, false); err != nil {
		t.Fatal(err)
	}
	c := cancellable.New()
	capt := logging.StartCapture()
	defer capt.Stop()
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Receive(make([]byte, 16), c)
			}()
		}
		time.Sleep(20 * time.Millisecond) // both receives block, one on the socket, one for it
		c.Cancel()
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, gio.ErrCancelled) {
				t.Fatalf("round %d, receive %d: %v, want CANCELLED", round, i, err)
			}
		}
		c.Reset()
	}
	if recs := capt.Records(); len(recs) != 0 {
		t.Fatalf("GLib-style reuse logged %+v", recs)
	}
}
