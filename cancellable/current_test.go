package cancellable_test

import (
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/logging"
)

func TestPushPopCurrent_CAN9(t *testing.T) {
	if cancellable.Current() != nil {
		t.Fatal("Current before any push")
	}
	a, b := cancellable.New(), cancellable.New()
	a.PushCurrent()
	b.PushCurrent()
	if cancellable.Current() != b {
		t.Fatal("Current is not the last pushed")
	}
	other := make(chan *cancellable.Cancellable)
	go func() { other <- cancellable.Current() }()
	if recv(t, other, "the other goroutine") != nil {
		t.Fatal("another goroutine sees this goroutine's current cancellable")
	}

	capt := logging.StartCapture()
	a.PopCurrent() // not on top
	if capt.Count("critical", "l->data == cancellable") != 1 {
		t.Fatalf("popping the wrong cancellable: %v", capt.Records())
	}
	b.PopCurrent()
	if cancellable.Current() != a {
		t.Fatal("Current after pop")
	}
	a.PopCurrent()
	if cancellable.Current() != nil {
		t.Fatal("Current after popping all")
	}
	a.PopCurrent()
	var nilC *cancellable.Cancellable
	nilC.PushCurrent()
	capt.Stop()
	if capt.Count("critical", "l != NULL") != 1 || capt.Count("critical", "cancellable != NULL") != 1 {
		t.Fatalf("pop of an empty stack / push of nil: %v", capt.Records())
	}
}
