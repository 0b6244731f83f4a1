package object_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// sockLike is what gio.Socket does with its Object: embed it, install two
// properties.
type sockLike struct {
	object.Object
	backlog object.Property[int]
	timeout object.Property[uint]
}

func newSockLike() *sockLike {
	s := &sockLike{}
	s.Init(s)
	s.backlog.Install(&s.Object, "listen-backlog", 10, 0)
	s.timeout.Install(&s.Object, "timeout", 0, 0)
	return s
}

// BenchmarkObjectInit is Init of an embedded Object, with its allocation.
func BenchmarkObjectInit(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := &sockLike{}
		s.Init(s)
	}
}

// BenchmarkSocketLike is the Object's share of gio.NewSocket and of every
// accepted connection: Init, two properties, Destroy.
func BenchmarkSocketLike(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newSockLike().Destroy()
	}
}

// TestSelf: Self is the value given to the last Init; o itself without
// one, or after Init(nil).
func TestSelf(t *testing.T) {
	a, b := &sockLike{}, &sockLike{}
	cases := []struct {
		name string
		init func(o *object.Object)
		want func(o *object.Object) any
	}{
		{"zero value", func(*object.Object) {}, func(o *object.Object) any { return o }},
		{"Init(nil)", func(o *object.Object) { o.Init(nil) }, func(o *object.Object) any { return o }},
		{"Init(outer)", func(o *object.Object) { o.Init(a) }, func(*object.Object) any { return a }},
		{"Init twice", func(o *object.Object) { o.Init(a); o.Init(b) }, func(*object.Object) any { return b }},
		{"Init three times", func(o *object.Object) { o.Init(a); o.Init(b); o.Init(a) }, func(*object.Object) any { return a }},
		{"Init(outer) then Init(nil)", func(o *object.Object) { o.Init(a); o.Init(nil) }, func(o *object.Object) any { return o }},
		{"Init(nil) then Init(outer)", func(o *object.Object) { o.Init(nil); o.Init(b) }, func(*object.Object) any { return b }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := &object.Object{}
			tc.init(o)
			if got, want := o.Self(), tc.want(o); got != want {
				t.Fatalf("Self() = %p, want %p", got, want)
			}
		})
	}
}

// TestManyProperties: beyond the size where the name lookup switches to a
// map, every property is still found by name, in order, and duplicates
// are still refused.
func TestManyProperties(t *testing.T) {
	o := object.New()
	var want []string
	for i := range 20 {
		name := fmt.Sprintf("p%d", i)
		if _, err := object.NewProperty(o, name, i, 0); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	for i, name := range want {
		if v, err := o.Property(name); err != nil || v != i {
			t.Fatalf("Property(%q) = %v, %v", name, v, err)
		}
	}
	if got := o.Properties(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Properties() = %v", got)
	}
	logs := logging.StartCapture()
	defer logs.Stop()
	if _, err := object.NewProperty(o, "p3", 0, 0); !errors.Is(err, object.ErrPropertyExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if n := logs.Count("critical", "already contains a property named 'p3'"); n != 1 || len(logs.Stop()) != 1 {
		t.Errorf("duplicate: %d criticals naming p3, want 1 and nothing else", n)
	}
	if _, err := object.NewProperty(o, "p20", 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := o.SetProperty("p20", 5); err != nil || o.Properties()[20] != "p20" {
		t.Fatalf("SetProperty after the index was built: %v", err)
	}
}

// TestLazyOwnerNotify_OBJ03: Notify's owner destroy notify is added at the
// first connect (not by Init), and still disconnects Notify's handlers and
// those of an embedding type's signal owned by the object on Destroy.
func TestLazyOwnerNotify_OBJ03(t *testing.T) {
	s := newSockLike()
	var changed signal.Signal1[int]
	changed.SetOwner(&s.Object)
	n := 0
	id := s.Notify.Connect(func(string) { n++ })
	cid := changed.Connect(func(int) { n++ })
	s.backlog.Set(5)
	changed.Emit(1)
	s.Destroy()
	s.backlog.Set(6)
	changed.Emit(2)
	if n != 2 || s.Notify.IsConnected(id) || changed.IsConnected(cid) {
		t.Fatalf("calls %d, Notify connected %v, changed connected %v; want 2 false false",
			n, s.Notify.IsConnected(id), changed.IsConnected(cid))
	}
}

// TestConnectDuringDestroy_OBJ03: a Notify handler connected by a
// Destroyed handler (Notify's first connect, while the destruction runs)
// is disconnected by that Destroy, as one connected before it is.
func TestConnectDuringDestroy_OBJ03(t *testing.T) {
	s := newSockLike()
	var id signal.HandlerID
	s.Destroyed.Connect(func(*object.Object) { id = s.Notify.Connect(func(string) {}) })
	s.Destroy()
	if id == 0 || s.Notify.IsConnected(id) {
		t.Fatalf("handler %d connected during Destroy is still connected", id)
	}
}
