package qtnet

import (
	"testing"
	"time"
)

// A socket whose read buffer is full stops watching its descriptor for
// input; when the peer then closes, the hang-up (which epoll reports even
// for a watch of no events) must not make the loop spin: nothing is
// dispatched until the buffer is read.
func TestFullBufferPeerClosedNoSpin_LK14(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	c.SetReadBufferSize(10)
	s.Write(make([]byte, 100))
	s.Flush()
	s.Close()
	l.Until(func() bool { return c.BytesAvailable() == 10 })
	time.Sleep(20 * time.Millisecond) // the hang-up is there now
	n := 0
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
		if l.Ctx.Iteration(false) {
			n++
		}
	}
	if n > 5 {
		t.Fatalf("%d dispatches in 50 ms with a full buffer: the loop spins", n)
	}
	got := len(c.ReadAll())
	l.Until(func() bool {
		got += len(c.ReadAll())
		return c.State() == UnconnectedState
	})
	got += len(c.ReadAll())
	if got != 100 {
		t.Fatalf("read %d of 100 bytes", got)
	}
}
