package object_test

import (
	"sync"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// TestStress_Concurrency re-parents, sets properties, connects to and
// destroys objects from many goroutines at once (run with -race).
// Invariants: each object is destroyed once; every object reachable from
// the root ends up destroyed; no connection to a destroyed receiver is left;
// the only criticals are SetParent's refusals of a destroyed object or a loop.
func TestStress_Concurrency(t *testing.T) {
	const workers, objs = 6, 60
	logs := logging.StartCapture()
	defer logs.Stop()
	root := object.New()
	all := make([]*object.Object, objs)
	props := make([]*object.Property[int], objs)
	var destroyed [objs]int
	var mu sync.Mutex
	var s signal.Signal1[int]
	for i := range all {
		all[i] = object.New()
		props[i], _ = object.NewProperty(all[i], "n", 0, 0)
		all[i].Destroyed.Connect(func(*object.Object) { mu.Lock(); destroyed[i]++; mu.Unlock() })
		all[i].SetParent(root)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 400 {
				k := (i*7 + w*13) % objs
				o := all[k]
				switch i % 5 {
				case 0:
					o.SetParent(all[(k+1)%objs]) // may be refused as a loop
				case 1:
					props[k].Set(i)
					o.SetProperty("n", i)
				case 2:
					s.ConnectTo(o, func(int) {}, signal.DirectConnection)
					s.Emit(i)
				case 3:
					o.SetParent(root)
				case 4:
					if i%40 == 4 {
						o.Destroy()
					}
					o.FindChildren("")
				}
			}
		})
	}
	wg.Wait()
	for _, o := range all {
		if !o.IsDestroyed() {
			o.SetParent(root)
		}
	}
	root.Destroy()
	for i, n := range destroyed {
		if n != 1 {
			t.Errorf("object %d destroyed %d times", i, n)
		}
	}
	if s.HasHandlers() {
		t.Errorf("%d connections to destroyed receivers left", s.HandlerCount())
	}
	for _, r := range logs.Stop() {
		if r.Level != "critical" || (r.Message != "QObject::setParent: Cannot set parent: object is destroyed" &&
			r.Message != "QObject::setParent: Cannot set parent: it would create a loop") {
			t.Errorf("unexpected %s: %s", r.Level, r.Message)
		}
	}
}
