package object_test

import (
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// runLoop runs a Loop on ctx on the calling goroutine until nothing of
// default priority is left to do (an idle at PriorityLow quits it).
func runLoop(ctx *mainloop.Context) {
	l := mainloop.New(ctx)
	s := mainloop.NewIdleSource()
	s.SetPriority(mainloop.PriorityLow)
	s.SetCallback(func() bool { l.Quit(); return mainloop.SourceRemove })
	s.Attach(ctx)
	l.Run()
}

// onLoop makes a context and an object living on it, and an outer loop
// whose Exec the test runs; safety ends that loop after d.
func onLoop(t *testing.T, d time.Duration) (*mainloop.Context, *mainloop.Loop, *object.Object, *object.WeakRef) {
	t.Helper()
	ctx := mainloop.NewContext()
	o := object.New()
	if err := o.MoveToContext(ctx); err != nil {
		t.Fatal(err)
	}
	loop := mainloop.New(ctx)
	safety := mainloop.NewTimeoutSource(d)
	safety.SetCallback(func() bool { loop.Quit(); return mainloop.SourceRemove })
	safety.Attach(ctx)
	t.Cleanup(safety.Destroy)
	return ctx, loop, o, object.NewWeakRef(o)
}

// postedOutside makes an object on a new context and calls its DeleteLater
// outside any loop.
func postedOutside() (*mainloop.Context, *object.Object, *object.WeakRef) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	o.DeleteLater()
	return ctx, o, object.NewWeakRef(o)
}

// TestDeleteLaterProcessEvents1_OBJ06 is tst_qapplication
// testDeleteLaterProcessEvents1: processing events outside any loop does
// not run a DeleteLater posted outside any loop.
func TestDeleteLaterProcessEvents1_OBJ06(t *testing.T) {
	ctx, o, p := postedOutside()
	for ctx.Iteration(false) {
	}
	if p.Get() == nil {
		t.Fatal("deleted by bare iterations")
	}
	o.Destroy()
}

// TestDeleteLaterProcessEvents2_OBJ06 is testDeleteLaterProcessEvents2:
// outside any loop, processing events does not delete, sending the posted
// deferred deletes does; posted outside any loop, entering a loop deletes.
func TestDeleteLaterProcessEvents2_OBJ06(t *testing.T) {
	ctx, _, p := postedOutside()
	ctx.Iteration(false)
	if p.Get() == nil {
		t.Fatal("deleted by processEvents outside any loop")
	}
	object.SendPostedDeletes(ctx)
	if p.Get() != nil {
		t.Fatal("SendPostedDeletes did not delete")
	}

	_, loop, o, p2 := onLoop(t, time.Second)
	o.Destroyed.Connect(func(*object.Object) { loop.Quit() })
	o.DeleteLater()
	loop.Exec()
	if p2.Get() != nil {
		t.Fatal("entering a loop did not delete")
	}
}

// nester runs Qt's EventLoopNester pattern: a callback of the outer loop
// runs inner (which runs a nested loop), and the outer loop ends when o is
// destroyed. It reports whether o was alive when inner returned and
// whether the outer loop deleted it.
func nester(t *testing.T, inner func(ctx *mainloop.Context, nested *mainloop.Loop, o *object.Object)) (aliveAfterNested, deleted bool) {
	ctx, loop, o, p := onLoop(t, 3*time.Second)
	ctx.Post(mainloop.PriorityDefault, func() {
		inner(ctx, mainloop.New(ctx), o)
		aliveAfterNested = p.Get() != nil
	})
	o.Destroyed.Connect(func(*object.Object) { loop.Quit() })
	loop.Exec()
	return aliveAfterNested, p.Get() == nil
}

// TestDeleteLaterProcessEvents3_OBJ06 is testDeleteLaterProcessEvents3
// (EventLoopNester::deleteLaterAndEnterLoop): DeleteLater inside a callback,
// then a nested loop (in which a second, queued DeleteLater is compressed
// into the first): alive after the nested loop, deleted by the outer one.
func TestDeleteLaterProcessEvents3_OBJ06(t *testing.T) {
	alive, deleted := nester(t, func(ctx *mainloop.Context, nested *mainloop.Loop, o *object.Object) {
		o.DeleteLater()
		ctx.Post(mainloop.PriorityDefault, o.DeleteLater)
		q := mainloop.NewTimeoutSource(50 * time.Millisecond)
		q.SetCallback(func() bool { nested.Quit(); return mainloop.SourceRemove })
		q.Attach(ctx)
		nested.Exec()
	})
	if !alive || !deleted {
		t.Fatalf("alive after the nested loop %v, deleted by the outer loop %v", alive, deleted)
	}
}

// TestDeleteLaterProcessEvents4_OBJ06 is testDeleteLaterProcessEvents4
// (deleteLaterAndExitLoop): the DeleteLater is a queued call that a nested
// loop runs just before a queued quit of that loop: alive when the nested
// Exec returns, deleted once back in the outer loop.
func TestDeleteLaterProcessEvents4_OBJ06(t *testing.T) {
	alive, deleted := nester(t, func(ctx *mainloop.Context, nested *mainloop.Loop, o *object.Object) {
		ctx.Post(mainloop.PriorityDefault, o.DeleteLater)
		ctx.Post(mainloop.PriorityDefault, nested.Quit)
		nested.Exec()
	})
	if !alive || !deleted {
		t.Fatalf("alive after the nested loop %v, deleted by the outer loop %v", alive, deleted)
	}
}

// TestDeleteLaterProcessEvents5_OBJ06 is testDeleteLaterProcessEvents5
// (deleteLaterAndProcessEvents): neither processing events nor sending
// posted deletes in a deeper loop deletes, nor does processing events at
// the posting level; sending the posted deletes at that level does.
func TestDeleteLaterProcessEvents5_OBJ06(t *testing.T) {
	ctx, loop, o, p := onLoop(t, 3*time.Second)
	var steps []bool
	ctx.Post(mainloop.PriorityDefault, func() {
		nested := mainloop.New(ctx)
		o.DeleteLater()
		ctx.Post(mainloop.PriorityDefault, func() {
			for ctx.Iteration(false) {
			}
		})
		ctx.Post(mainloop.PriorityDefault, nested.Quit)
		nested.Exec()
		steps = append(steps, p.Get() != nil)
		ctx.Post(mainloop.PriorityDefault, func() { object.SendPostedDeletes(ctx) })
		ctx.Post(mainloop.PriorityDefault, nested.Quit)
		nested.Exec()
		steps = append(steps, p.Get() != nil)
		for ctx.Iteration(false) {
		}
		steps = append(steps, p.Get() != nil)
		object.SendPostedDeletes(ctx)
		steps = append(steps, p.Get() != nil)
		loop.Quit()
	})
	loop.Exec()
	want := []bool{true, true, true, false}
	if len(steps) != 4 || steps[0] != want[0] || steps[1] != want[1] || steps[2] != want[2] || steps[3] != want[3] {
		t.Fatalf("alive after: nested processEvents, nested sendPostedEvents, processEvents, sendPostedEvents = %v, want %v", steps, want)
	}
}

// TestDeleteLaterOutsideLoops_OBJ06: called before any loop ran, or after
// the last loop ended (outside any loop either way), bare iterations never
// delete; the next loop does.
func TestDeleteLaterOutsideLoops_OBJ06(t *testing.T) {
	for _, loopFirst := range []bool{false, true} {
		ctx := mainloop.NewContext()
		if loopFirst {
			runLoop(ctx)
		}
		o := object.New()
		o.MoveToContext(ctx)
		o.DeleteLater()
		for range 3 {
			ctx.Iteration(false)
		}
		if o.IsDestroyed() {
			t.Fatalf("after a loop ended %v: deleted with no loop running", loopFirst)
		}
		runLoop(ctx)
		if !o.IsDestroyed() {
			t.Fatalf("after a loop ended %v: not deleted by the next loop", loopFirst)
		}
	}
}

// TestSendPostedDeletesRefused: from a goroutine that cannot own the
// context, SendPostedDeletes logs a critical and deletes nothing.
func TestSendPostedDeletesRefused(t *testing.T) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	o.DeleteLater()
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx.Acquire()
		close(held)
		<-release
		ctx.Release()
	}()
	<-held
	c := logging.StartCapture()
	object.SendPostedDeletes(ctx)
	c.Stop()
	close(release)
	<-done
	if o.IsDestroyed() || c.Count("critical", "sendPostedEvents") != 1 {
		t.Fatalf("destroyed %v, records %v", o.IsDestroyed(), c.Records())
	}
	object.SendPostedDeletes(ctx)
	if !o.IsDestroyed() {
		t.Fatal("SendPostedDeletes on a free context did not delete")
	}
}
