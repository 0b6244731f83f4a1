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

// watchLife arranges for a task that is garbage collected without ever
// having returned to be reported, as GLib's g_task_finalize does: a critical
// when it has a callback (someone is waiting for it forever) and is not run
// in a thread, a debug message otherwise.
func watchLife[T any](t *Task[T]) {
	note := &lifeNote{hasCallback: t.callback != nil, source: reflect.TypeOf(t.source)}
	t.life = note
	runtime.AddCleanup(t, taskCollected, note)
}

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
