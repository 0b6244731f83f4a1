//go:build !race

package signal_test

import (
	"testing"

	"github.com/sigloop/sigloop/signal"
)

// TestConfigureWithoutHandlersAllocs: configuring a signal nobody is
// connected to (what object.Init does to Notify for every object) and
// disconnecting all of it allocate nothing; the owner's destroy notify
// waits for the first handler. (Not built with -race, which allocates.)
func TestConfigureWithoutHandlersAllocs(t *testing.T) {
	r := newRecv(nil)
	var o signal.Owner = struct {
		*owner
		*recv
	}{&owner{}, r}
	var s signal.Signal1[string]
	got := testing.AllocsPerRun(100, func() {
		s.SetOwner(o)
		s.SetNoRecurse(true)
		s.EmitDetailed("x", "x")
		s.DisconnectAll()
		s.SetOwner(nil)
		s.SetNoRecurse(false)
	})
	if got != 0 {
		t.Fatalf("%v allocations, want 0", got)
	}
	if n := r.notifies(); n != 0 {
		t.Fatalf("owner has %d destroy notifies, want 0", n)
	}
}
