package object_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// Service mimics GSocketService: "incoming" is RUN_LAST with the
// true-handled accumulator, and its class handler is the virtual method
// DoIncoming.
type Service struct {
	object.Object
	Incoming signal.Signal1R[string, bool]
	log      *[]string
}

type ServiceClass interface{ DoIncoming(c string) bool }

func (s *Service) Init(self any, log *[]string) {
	s.Object.Init(self)
	s.log = log
	s.Incoming.SetOwner(&s.Object)
	s.Incoming.SetAccumulator(signal.TrueHandled)
	s.Incoming.SetClassHandler(func(c string) bool {
		return object.Virtual[ServiceClass](&s.Object, s).DoIncoming(c)
	}, signal.RunLast)
}

func (s *Service) DoIncoming(c string) bool {
	*s.log = append(*s.log, "Service.DoIncoming "+c)
	return false
}

type MyService struct{ Service }

func (m *MyService) DoIncoming(c string) bool {
	*m.log = append(*m.log, "MyService.DoIncoming "+c)
	m.Service.DoIncoming(c) // chain up
	return c == "take"
}

// TestVirtualRunLast_SIG1_SIG8: the override runs after the normal
// handlers and before the after-handlers, chains up, and its result is
// accumulated; a handler returning true stops the emission before the
// virtual method (as SocketService's "incoming" does).
func TestVirtualRunLast_SIG1_SIG8(t *testing.T) {
	var log []string
	m := &MyService{}
	m.Init(m, &log)
	m.Incoming.Connect(func(c string) bool { log = append(log, "handler "+c); return c == "handler-takes" })
	m.Incoming.ConnectAfter(func(c string) bool { log = append(log, "after "+c); return false })
	cases := []struct {
		conn    string
		handled bool
		log     []string
	}{
		{"x", false, []string{"handler x", "MyService.DoIncoming x", "Service.DoIncoming x", "after x"}},
		{"take", true, []string{"handler take", "MyService.DoIncoming take", "Service.DoIncoming take"}},
		{"handler-takes", true, []string{"handler handler-takes"}},
	}
	for _, tc := range cases {
		log = nil
		if got := m.Incoming.Emit(tc.conn); got != tc.handled || !cmp.Equal(log, tc.log) {
			t.Errorf("%s: handled %v, log %v; want %v, %v", tc.conn, got, log, tc.handled, tc.log)
		}
	}
	var base []string
	s := &Service{}
	s.Init(s, &base)
	s.Incoming.Emit("y")
	if !cmp.Equal(base, []string{"Service.DoIncoming y"}) {
		t.Errorf("base without override: %v", base)
	}
}
