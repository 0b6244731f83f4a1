package asyncresult

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop/internal/logging"
)

// lifeNote is what a task's cleanup needs to know once the task itself is
// unreachable (TASK-14). It must not point back to the task.
type lifeNote struct {
	mu          sync.Mutex
	name        string // guarded by mu
	returned    atomic.Bool
	threaded    atomic.Bool
	hasCallback bool
	source      reflect.Type // the source object's type; nil for none
}

// setName records the task's name for the report.
func (n *lifeNote) setName(name string) {
	n.mu.Lock()
	n.name = name
	n.mu.Unlock()
}

// The never-returned report, as GLib's g_task_finalize makes it: a task
// that is garbage collected without ever having returned is reported with a
// critical when it has a callback (someone is waiting for it forever) and is
// not run in a thread, with a debug message otherwise.
//
// Most tasks return within microseconds of being made, and a cleanup
// (runtime.AddCleanup) per task costs more than the rest of the task. So a
// new task is only listed as young; Return takes it off the list again. At
// each garbage collection (and whenever the list grows long) the tasks still
// on it are armed: each gets its lifeNote and cleanup then, and leaves the
// list. The list holds its tasks, so a task dropped without returning is
// collected, and reported, at a collection after the one that armed it: one
// cycle later than with a cleanup from the start, but reported all the same.
// A task that returns before then never costs a cleanup.

// youngTask is the list's view of a Task[T].
type youngTask interface {
	arm()
	setYoungIndex(i int)
}

// young is the list of tasks not yet armed nor returned.
var young struct {
	sync.Mutex
	list   []youngTask
	spare  []youngTask // a cleared list for the next swap
	hooked bool        // a GC sentinel is out
}

// maxYoung is the list length that arms the list at once rather than at
// the next collection.
const maxYoung = 4096

// watchLife puts a new task on the young list (the task's youngIndex is
// guarded by young's lock).
func watchLife[T any](t *Task[T]) {
	young.Lock()
	t.youngIndex = int32(len(young.list))
	young.list = append(young.list, t)
	full := len(young.list) >= maxYoung
	if !young.hooked && !full {
		young.hooked = true
		hookGC()
	}
	young.Unlock()
	if full {
		armYoung()
	}
}

// leaveYoung takes a task that has returned off the young list, if it is
// still there.
func leaveYoung[T any](t *Task[T]) {
	young.Lock()
	if i := int(t.youngIndex); i >= 0 {
		last := len(young.list) - 1
		if i != last {
			moved := young.list[last]
			young.list[i] = moved
			moved.setYoungIndex(i)
		}
		young.list[last] = nil
		young.list = young.list[:last]
		t.youngIndex = -1
	}
	young.Unlock()
}

// armYoung arms every task on the young list and empties it.
func armYoung() {
	young.Lock()
	batch := young.list
	young.list = young.spare
	young.spare = nil
	for _, t := range batch {
		t.setYoungIndex(-1)
	}
	young.Unlock()
	for _, t := range batch {
		t.arm()
	}
	clear(batch)
	young.Lock()
	if young.spare == nil {
		young.spare = batch[:0]
	}
	young.Unlock()
}

// gcSentinel is allocated unreachable so that its cleanup runs after the
// next garbage collection (it has a pointer field, so it is never a tiny
// allocation shared with live objects).
type gcSentinel struct {
	_ *byte
	_ [2]uintptr
}

// hookGC arranges for onGC to run after the next collection.
func hookGC() {
	runtime.AddCleanup(&gcSentinel{}, onGC, 0)
}

// onGC arms the young tasks, and hooks the next collection while there are
// any; with none it stops until the next task is made.
func onGC(int) {
	young.Lock()
	empty := len(young.list) == 0
	if empty {
		young.hooked = false
	}
	young.Unlock()
	if empty {
		return
	}
	armYoung()
	hookGC()
}

// arm gives a task that has not returned its lifeNote and cleanup.
func (t *Task[T]) arm() {
	t.mu.Lock()
	if t.everReturned || t.life != nil {
		t.mu.Unlock()
		return
	}
	note := &lifeNote{hasCallback: t.callback != nil, source: reflect.TypeOf(t.source), name: t.name}
	note.threaded.Store(t.threadedLocked())
	t.life = note
	t.mu.Unlock()
	runtime.AddCleanup(t, taskCollected, note)
}

func (t *Task[T]) setYoungIndex(i int) { t.youngIndex = int32(i) }

func taskCollected(note *lifeNote) {
	if note.returned.Load() {
		return
	}
	note.mu.Lock()
	name := note.name
	note.mu.Unlock()
	if name == "" {
		name = "(unnamed)"
	}
	source := "<nil>" // what %T gives for no source
	if note.source != nil {
		source = note.source.String()
	}
	msg := fmt.Sprintf("GTask %s (source object: %s) finalized without ever returning (using g_task_return_*()). This potentially indicates a bug in the program.", name, source)
	if note.hasCallback && !note.threaded.Load() {
		logging.Critical(pkg, msg)
		return
	}
	logging.Debug(pkg, func(e *zerolog.Event) { e.Msg(msg) })
}
