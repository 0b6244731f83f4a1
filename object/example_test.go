package object_test

import (
	"errors"
	"fmt"

	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// Counter is a base type with a signal, Changed, whose class handler is the
// virtual method DoChanged (RUN_LAST), like gio's SocketListener "event"
// and do_event.
type Counter struct {
	object.Object
	Changed signal.Signal1[int]
	n       int
}

// CounterClass lists Counter's virtual methods.
type CounterClass interface {
	DoChanged(n int)
}

// Init sets the class handler to call DoChanged on the outermost value.
func (c *Counter) Init(self any) {
	c.Object.Init(self)
	c.Changed.SetOwner(&c.Object)
	c.Changed.SetClassHandler(func(n int) {
		object.Virtual[CounterClass](&c.Object, c).DoChanged(n)
	}, signal.RunLast)
}

func NewCounter() *Counter { c := &Counter{}; c.Init(c); return c }

// DoChanged is the default implementation.
func (c *Counter) DoChanged(n int) { fmt.Println("Counter.DoChanged", n) }

func (c *Counter) Increment() { c.n++; c.Changed.Emit(c.n) }

// LoudCounter overrides DoChanged and chains up.
type LoudCounter struct{ Counter }

func (l *LoudCounter) DoChanged(n int) {
	fmt.Println("LoudCounter.DoChanged", n)
	l.Counter.DoChanged(n) // chain up
}

func Example_virtualMethod() {
	l := &LoudCounter{}
	l.Init(l)
	l.Changed.Connect(func(n int) { fmt.Println("handler", n) })
	l.Changed.ConnectAfter(func(n int) { fmt.Println("after-handler", n) })
	l.Increment()

	plain := NewCounter() // no override: the base method runs
	plain.Increment()
	// Output:
	// handler 1
	// LoudCounter.DoChanged 1
	// Counter.DoChanged 1
	// after-handler 1
	// Counter.DoChanged 1
}

func ExampleProperty() {
	o := object.New()
	backlog, _ := object.NewProperty(o, "listen-backlog", 10, object.ExplicitNotify)
	o.Notify.ConnectDetailed("listen-backlog", func(name string) {
		fmt.Println("notify::"+name, "=", backlog.Get())
	})
	backlog.Set(20)
	// Explicit-notify: setting the same value again does not notify.
	backlog.Set(20)
	// By name; '_' and '-' are the same.
	if err := o.SetProperty("listen_backlog", 30); err != nil {
		fmt.Println(err)
	}
	err := o.SetProperty("listen-backlog", "many")
	fmt.Println(errors.Is(err, object.ErrPropertyType), err)
	_, err = o.Property("nope")
	fmt.Println(errors.Is(err, object.ErrUnknownProperty))
	// Output:
	// notify::listen-backlog = 20
	// notify::listen-backlog = 30
	// true object: set property "listen-backlog": value of type 'string' is invalid for property of type 'int'
	// true
}

func ExampleObject_Destroy() {
	parent := object.New()
	parent.SetObjectName("parent")
	for _, n := range []string{"c1", "c2"} {
		c := object.New()
		c.SetObjectName(n)
		c.SetParent(parent)
	}
	for _, o := range append([]*object.Object{parent}, parent.Children()...) {
		o.Destroyed.Connect(func(o *object.Object) { fmt.Println("destroyed", o.ObjectName()) })
	}
	parent.Destroy()
	// Output:
	// destroyed parent
	// destroyed c1
	// destroyed c2
}
