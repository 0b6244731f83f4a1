package asyncresult

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// Task is GTask: the result of one asynchronous operation, with the result
// value of type T. An XxxAsync function makes one with NewTask, starts the
// work, and eventually calls Return or ReturnError (or runs the work with
// RunInThread); the Task then calls the ReadyCallback on the context that was
// the caller's context when NewTask ran (TASK-1, TASK-2, TASK-3). The
// XxxFinish function gets the result with Propagate.
//
// A Task embeds object.Object, as GTask is a GObject: its read-only
// "completed" property (Property("completed")) becomes true, and is notified
// on Notify with detail "completed", right after the callback (TASK-2).
// The property is installed on first use, not by NewTask (see
// InstallProperties): a task that nobody inspects by name and whose Notify
// has no handler when it completes never pays for it.
//
// Multiple goroutines may call a Task's methods simultaneously; the callback
// always runs on the task's context.
//
// The zero Task is not usable, nor is a nil *Task: make one with NewTask.
// Every method of an unusable Task logs the critical "assertion 'G_IS_TASK
// (task)' failed", as GLib does for a non-task, and returns the zero result
// (Propagate an INVALID_ARGUMENT error); none panics.
type Task[T any] struct {
	object.Object

	source       any
	c            *cancellable.Cancellable
	callback     ReadyCallback
	ctx          *mainloop.Context
	creationTime int64

	mu               sync.Mutex
	youngIndex       int32 // the task's place on the young list, -1 if off it (young's lock)
	priority         int32 // a gint, as GLib's
	checkCancellable bool
	returnOnCancel   bool
	everReturned     bool
	resultSet        bool
	hadError         bool
	done             bool // Completed; the "completed" property follows it once installed
	propsInstalled   bool // "completed" is installed (InstallProperties)
	name             string
	tag              any
	value            T
	err              error

	more *taskMore[T] // made on first use (moreLocked); guarded by mu
	life *lifeNote    // for the never-returned report (finalize.go); nil until armed
}

// taskMore is the part of a Task that most tasks never use: the user data,
// the "completed" property (installed when someone looks at properties by
// name or listens to Notify, see InstallProperties), and the RunInThread
// state (GLib's task->lock section).
type taskMore[T any] struct {
	userData  any
	completed object.Property[bool]

	threaded        bool
	synchronous     bool
	threadCancelled bool
	threadComplete  bool
	threadDone      chan struct{} // closed when threadComplete is set
	cancelID        signal.HandlerID
	job             *job
}

// moreLocked returns t's taskMore, made now if t has none; t.mu must be
// held.
func (t *Task[T]) moreLocked() *taskMore[T] {
	if t.more == nil {
		t.more = &taskMore[T]{}
	}
	return t.more
}

// threadedLocked reports whether t was run with RunInThread or
// RunInThreadSync; t.mu must be held.
func (t *Task[T]) threadedLocked() bool { return t.more != nil && t.more.threaded }

var _ AsyncResult = (*Task[int])(nil)

// NewTask is g_task_new (TASK-1): a Task for an operation on source (nil for
// none) that may be cancelled with c (nil for none) and reports to cb (nil
// for none). It captures the caller's context (mainloop.ThreadDefault): cb
// will run there. Defaults: priority mainloop.PriorityDefault,
// check-cancellable true, return-on-cancel false.
func NewTask[T any](source any, c *cancellable.Cancellable, cb ReadyCallback) *Task[T] {
	t := &Task[T]{
		source:           source,
		c:                c,
		callback:         cb,
		checkCancellable: true,
	}
	t.ctx, _, t.creationTime = mainloop.CurrentDispatch()
	if t.ctx == nil {
		t.ctx = mainloop.Default()
	}
	t.Init(t)
	watchLife(t)
	return t
}

// usable reports whether t was made by NewTask; if not, it logs GLib's
// critical for the call fn, as g_return_val_if_fail (G_IS_TASK (task)) does.
func (t *Task[T]) usable(fn string) bool {
	if t == nil || t.ctx == nil {
		return notTask(fn)
	}
	return true
}

// notTask logs GLib's critical for the call fn on something that is not a
// task, and returns false. It is its own function, never inlined, so that
// the check in usable, which every method of a Task and a Result makes,
// is inlined into them.
//
//go:noinline
func notTask(fn string) bool {
	logging.Critical(pkg, fn+": assertion 'G_IS_TASK (task)' failed")
	return false
}

// SourceObject is g_async_result_get_source_object: the task's source.
func (t *Task[T]) SourceObject() any {
	if !t.usable("g_async_result_get_source_object") {
		return nil
	}
	return t.source
}

// Cancellable is g_task_get_cancellable.
func (t *Task[T]) Cancellable() *cancellable.Cancellable {
	if !t.usable("g_task_get_cancellable") {
		return nil
	}
	return t.c
}

// MainContext is g_task_get_context: the context the callback runs on, the
// caller's context when the task was made. Never nil for a task made by
// NewTask.
func (t *Task[T]) MainContext() *mainloop.Context {
	if !t.usable("g_task_get_context") {
		return nil
	}
	return t.ctx
}

// SetUserData sets what UserData returns (the user_data of g_task_new).
func (t *Task[T]) SetUserData(v any) {
	taskSet(t, "g_task_set_task_data", func(t *Task[T]) { t.moreLocked().userData = v })
}

// UserData is g_async_result_get_user_data.
func (t *Task[T]) UserData() any {
	return taskGet(t, "g_async_result_get_user_data", func(t *Task[T]) any {
		if t.more == nil {
			return nil
		}
		return t.more.userData
	})
}

// SetPriority is g_task_set_priority: the priority of the idle that delivers
// the callback (TASK-10) and of the task in the RunInThread queue. As in
// GLib it is a gint: p outside the int32 range is clamped to it.
func (t *Task[T]) SetPriority(p int) {
	taskSet(t, "g_task_set_priority", func(t *Task[T]) { t.priority = int32(min(max(p, math.MinInt32), math.MaxInt32)) })
}

// Priority is g_task_get_priority.
func (t *Task[T]) Priority() int {
	return taskGet(t, "g_task_get_priority", func(t *Task[T]) int { return int(t.priority) })
}

// SetName is g_task_set_name (TASK-13): a name for debugging, also given to
// the sources the task attaches.
func (t *Task[T]) SetName(name string) {
	taskSet(t, "g_task_set_name", func(t *Task[T]) {
		t.name = name
		if t.life != nil {
			t.life.setName(name)
		}
	})
}

// Name is g_task_get_name: "" when unset.
func (t *Task[T]) Name() string {
	return taskGet(t, "g_task_get_name", func(t *Task[T]) string { return t.name })
}

// SetSourceTag is g_task_set_source_tag (TASK-13): usually the XxxAsync
// function itself, so that XxxFinish can check IsTagged. Tags are compared
// by identity: functions by code pointer, other values with ==.
func (t *Task[T]) SetSourceTag(tag any) {
	taskSet(t, "g_task_set_source_tag", func(t *Task[T]) { t.tag = tag })
}

// SourceTag is g_task_get_source_tag.
func (t *Task[T]) SourceTag() any {
	return taskGet(t, "g_task_get_source_tag", func(t *Task[T]) any { return t.tag })
}

// IsTagged is g_async_result_is_tagged.
func (t *Task[T]) IsTagged(tag any) bool {
	if !t.usable("g_async_result_is_tagged") {
		return false
	}
	return same(t.SourceTag(), tag)
}

// SetCheckCancellable is g_task_set_check_cancellable (TASK-6): with true
// (the default), Propagate and HadError report CANCELLED whenever the
// cancellable is cancelled, whatever was returned. It cannot be turned off
// while return-on-cancel is set (a critical).
func (t *Task[T]) SetCheckCancellable(check bool) {
	if !t.usable("g_task_set_check_cancellable") {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !check && t.returnOnCancel {
		logging.Critical(pkg, "g_task_set_check_cancellable: assertion 'check_cancellable || !task->return_on_cancel' failed")
		return
	}
	t.checkCancellable = check
}

// CheckCancellable is g_task_get_check_cancellable.
func (t *Task[T]) CheckCancellable() bool {
	return taskGet(t, "g_task_get_check_cancellable", func(t *Task[T]) bool { return t.checkCancellable })
}

// ReturnOnCancel is g_task_get_return_on_cancel.
func (t *Task[T]) ReturnOnCancel() bool {
	return taskGet(t, "g_task_get_return_on_cancel", func(t *Task[T]) bool { return t.returnOnCancel })
}

// Completed is g_task_get_completed: true once the callback has returned (or
// RunInThreadSync is about to return). It is false inside the callback.
func (t *Task[T]) Completed() bool {
	return taskGet(t, "g_task_get_completed", func(t *Task[T]) bool { return t.done })
}

// taskGet is a getter's body: GLib's critical and the zero value for an
// unusable task (fn names the GLib call), else read under the task's lock.
func taskGet[T, V any](t *Task[T], fn string, read func(t *Task[T]) V) V {
	if !t.usable(fn) {
		var zero V
		return zero
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return read(t)
}

// taskSet is a setter's body: GLib's critical for an unusable task, else
// write under the task's lock.
func taskSet[T any](t *Task[T], fn string, write func(t *Task[T])) {
	if !t.usable(fn) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	write(t)
}

// Return is g_task_return_pointer / _int / _boolean / _value: it sets the
// result to v and completes the task (see the package doc for when the
// callback runs). For a task run with RunInThread, the result is kept and the
// task completes when the thread function returns.
//
// A task returns at most once: a second Return or ReturnError logs the
// critical "assertion '!task->ever_returned' failed" and changes nothing
// (TASK-5).
func (t *Task[T]) Return(v T) { t.finish("g_task_return_pointer", v, nil, false) }

// ReturnError is g_task_return_error: like Return, with an error as the
// result. A nil err logs a critical and changes nothing.
func (t *Task[T]) ReturnError(err error) {
	if err == nil {
		logging.Critical(pkg, "g_task_return_error: assertion 'error != NULL' failed")
		return
	}
	var zero T
	t.finish("g_task_return_error", zero, err, false)
}

// ReturnPrefixedError is g_task_return_prefixed_error (TASK-8): ReturnError
// with the message of err prefixed by fmt.Sprintf(format, args...). An
// *ioerr.Error keeps its code (a copy is made); any other error is wrapped,
// so errors.Is and errors.As still see it.
func (t *Task[T]) ReturnPrefixedError(err error, format string, args ...any) {
	if err == nil {
		logging.Critical(pkg, "g_task_return_prefixed_error: assertion 'error != NULL' failed")
		return
	}
	prefix := fmt.Sprintf(format, args...)
	var ie *ioerr.Error
	if errors.As(err, &ie) && ie == err {
		cp := *ie
		cp.Message = prefix + ie.Error()
		err = &cp
	} else {
		err = fmt.Errorf("%s%w", prefix, err)
	}
	t.ReturnError(err)
}

// ReturnErrorIfCancelled is g_task_return_error_if_cancelled (TASK-7): if
// the cancellable is cancelled, it returns CANCELLED (even with
// check-cancellable off) and reports true; otherwise it does nothing and
// reports false.
func (t *Task[T]) ReturnErrorIfCancelled() bool {
	var zero T
	return t.finish("g_task_return_error_if_cancelled", zero, nil, true)
}

// finish is g_task_return, the one completion path of Return, ReturnError
// and ReturnErrorIfCancelled (fn names the call for its criticals): it
// stores err, or v when err is nil, marks the task returned and delivers it,
// unless the task already returned. With ifCancelled, it stores CANCELLED
// and goes on only if the cancellable is cancelled. It reports whether it
// returned the task.
func (t *Task[T]) finish(fn string, v T, err error, ifCancelled bool) bool {
	if !t.usable(fn) {
		return false
	}
	t.mu.Lock()
	if t.everReturned {
		t.mu.Unlock()
		logging.Critical(pkg, fn+": assertion '!task->ever_returned' failed")
		return false
	}
	if ifCancelled {
		if !t.c.IsCancelled() {
			t.mu.Unlock()
			return false
		}
		err = ioerr.NewCancelled()
	}
	t.everReturned = true
	if t.life != nil {
		t.life.returned.Store(true)
	}
	if err != nil {
		t.err = err
	} else {
		t.value = v
		t.resultSet = true
	}
	deliver := !t.threadedLocked()
	t.mu.Unlock()
	leaveYoung(t)
	if deliver {
		t.complete()
	}
	return true
}

// Propagate is g_task_propagate_pointer / _int / _boolean / _value (TASK-6,
// TASK-8): the task's value, or its error. With check-cancellable (the
// default), a cancelled cancellable gives CANCELLED whatever was returned.
// The value and the error are handed over once: a second Propagate logs the
// critical "assertion 'task->result_set' failed".
//
// Differs from GLib: where GLib returns NULL with no error after that
// critical (also when nothing was returned yet), Propagate returns a FAILED
// error, so that the caller cannot take the zero value for a success.
func (t *Task[T]) Propagate() (T, error) {
	var zero T
	if !t.usable("g_task_propagate_pointer") {
		return zero, errNotTask
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return takeResult(t.propagateErrorLocked(), &t.resultSet, &t.value)
}

// takeResult is the end of a Task's and a Result's Propagate, under its
// lock: err if not nil, else the value, handed over once (set says there is
// one to hand over).
func takeResult[T any](err error, set *bool, value *T) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if !*set {
		logging.Critical(pkg, "g_task_propagate_pointer: assertion 'task->result_set' failed")
		return zero, errNoResult
	}
	v := *value
	*value, *set = zero, false
	return v, nil
}

var (
	errNoResult = ioerr.New(ioerr.Failed, "the task has no result: it was not returned, or its result was already propagated")
	errNotTask  = ioerr.New(ioerr.InvalidArgument, "not a task made by NewTask (a zero or nil *Task)")
)

// propagateErrorLocked is g_task_propagate_error.
func (t *Task[T]) propagateErrorLocked() error {
	if t.checkCancellable && t.c.IsCancelled() {
		return ioerr.NewCancelled()
	}
	if t.err != nil {
		err := t.err
		t.err = nil
		t.hadError = true
		return err
	}
	return nil
}

// isNil reports whether t is unusable: nil, or a zero Task.
func (t *Task[T]) isNil() bool { return t == nil || t.ctx == nil }

func (t *Task[T]) validFor(source any) bool { return !t.isNil() && same(t.source, source) }

func (t *Task[T]) propagateErrorOnly() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.propagateErrorLocked()
}

// HadError is g_task_had_error: whether the result is an error (including
// one already propagated), or, with check-cancellable, the cancellable is
// cancelled.
func (t *Task[T]) HadError() bool {
	if !t.usable("g_task_had_error") {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err != nil || t.hadError || (t.checkCancellable && t.c.IsCancelled())
}

// AttachSource is g_task_attach_source: it attaches s to the task's context
// with the task's priority and fn as its callback, and names it after the
// task unless it already has a name (TASK-13). A nil s logs a critical and
// returns 0.
func (t *Task[T]) AttachSource(s *mainloop.Source, fn mainloop.SourceFunc) mainloop.SourceID {
	if !t.usable("g_task_attach_source") {
		return 0
	}
	t.mu.Lock()
	prio, name := int(t.priority), t.name
	t.mu.Unlock()
	return attach(s, fn, prio, name, t.ctx)
}

// attach is AttachSource's body for a Task and a Result: a nil s is
// GLib's critical and 0.
func attach(s *mainloop.Source, fn mainloop.SourceFunc, prio int, name string, ctx *mainloop.Context) mainloop.SourceID {
	if s == nil {
		logging.Critical(pkg, "g_task_attach_source: assertion 'source != NULL' failed")
		return 0
	}
	s.SetCallback(fn)
	s.SetPriority(prio)
	if name != "" && s.Name() == "" {
		s.SetName(name)
	}
	return s.Attach(ctx)
}

// complete is g_task_return's delivery decision (TASK-3): the callback runs
// now only when the caller is dispatching a source of the task's context, in
// an iteration later than the one the task was made in, and the cancellable
// is not cancelled; otherwise it is delivered in a later iteration, at the
// task's priority, as GLib's idle does.
//
// The delivery is the context's Post rather than an idle source per task:
// a queued call behaves as its own idle would (it runs in an iteration after
// the one that queued it, in order with the others at its priority, also
// from a nested loop, and Destroy on CurrentSource() inside the callback is
// harmless), and costs no Source. The callback sees CurrentSource() named
// as GLib names the idle (TASK-13).
func (t *Task[T]) complete() {
	t.mu.Lock()
	prio, name := int(t.priority), t.name
	t.mu.Unlock()
	deliver(t, t.ctx, t.creationTime, t.c, prio, name)
}

// deliver is the delivery decision of a Task or a Result r, named name,
// made on ctx during the iteration at creationTime (see complete). The
// posted delivery runs with its source named as GLib names the idle.
func deliver(r returner, ctx *mainloop.Context, creationTime int64, c *cancellable.Cancellable, prio int, name string) {
	if _, src, now := mainloop.CurrentDispatch(); src == ctx && now > creationTime && !c.IsCancelled() {
		r.returnNow()
		return
	}
	ctx.PostDataNamed(prio, idleName(name), runReturn, r)
}

// returner is a Task or a Result of any type, for deliver and runReturn.
type returner interface{ returnNow() }

// runReturn is the posted delivery of a task (complete_in_idle_cb): a
// plain func and the task as its data, so that posting it allocates
// nothing (a method value t.returnNow would).
func runReturn(t any) { t.(returner).returnNow() }

// idleNames caches the names of the delivery idles, "[gio] NAME
// complete_in_idle_cb", so that a task's completion does not build the same
// string every time. The table is replaced, never changed, so that the
// lookup of every delivery takes no lock. It holds at most maxIdleNames
// names; the first maxIdleByAddr of them are also found by the address of
// their bytes, without hashing: a task's name is nearly always a constant,
// the same string every time.
var idleNames struct {
	mu sync.Mutex // serializes the replacements
	t  atomic.Pointer[idleNameTable]
}

type idleNameTable struct {
	byAddr []idleNameEntry
	m      map[string]string
}

type idleNameEntry struct {
	p    *byte
	n    int
	idle string
}

const (
	maxIdleNames  = 256
	maxIdleByAddr = 32
)

// idleName is the name GLib gives the idle that delivers a task named name.
func idleName(name string) string {
	if name == "" {
		return "[gio] (unnamed) complete_in_idle_cb"
	}
	p := unsafe.StringData(name)
	t := idleNames.t.Load()
	if t != nil {
		for i := range t.byAddr {
			if e := &t.byAddr[i]; e.p == p && e.n == len(name) {
				return e.idle
			}
		}
		if s, ok := t.m[name]; ok {
			return s
		}
	}
	s := "[gio] " + name + " complete_in_idle_cb"
	idleNames.mu.Lock()
	defer idleNames.mu.Unlock()
	prev := idleNames.t.Load()
	if prev == nil {
		prev = &idleNameTable{}
	}
	if _, ok := prev.m[name]; ok || len(prev.m) >= maxIdleNames {
		return s
	}
	next := &idleNameTable{byAddr: prev.byAddr, m: make(map[string]string, len(prev.m)+1)}
	maps.Copy(next.m, prev.m)
	next.m[name] = s
	if len(prev.byAddr) < maxIdleByAddr {
		next.byAddr = append(slices.Clip(prev.byAddr), idleNameEntry{p, len(name), s})
	}
	idleNames.t.Store(next)
	return s
}

// returnNow is g_task_return_now: the callback, then completed and its
// notification, on the task's context.
func (t *Task[T]) returnNow() {
	if t.callback != nil {
		t.callback(t.source, t)
	}
	t.setCompleted()
}

// setCompleted makes Completed true and notifies "completed". The property
// is installed only if someone may look: a Notify handler is connected, or
// it was installed already (by a lookup by name, InstallProperties); a task
// nobody watches completes without one.
func (t *Task[T]) setCompleted() {
	t.mu.Lock()
	t.done = true
	// Frozen: the thaw notifies whoever is connected then (GLib queues the
	// notification), so the property must exist to be queued.
	notify := t.propsInstalled || t.Notify.HasHandlers() || t.NotifyFrozen()
	if notify {
		t.installLocked(false)
	}
	t.mu.Unlock()
	if notify {
		t.more.completed.Set(true)
	}
}

// InstallProperties installs the task's read-only "completed" property,
// with the current value, if it is not installed yet. Tasks install it on
// first use (object.LazyProperties): the Object calls this before any
// lookup by name (Property("completed"), Properties…), and completion calls
// it when Notify has a handler; there is no need to call it directly.
func (t *Task[T]) InstallProperties() {
	if !t.usable("g_object_class_install_property") {
		return
	}
	t.mu.Lock()
	t.installLocked(t.done)
	t.mu.Unlock()
}

// installLocked installs "completed" holding v, once; t.mu must be held
// (Install takes only the property's and the Object's locks).
func (t *Task[T]) installLocked(v bool) {
	if t.propsInstalled {
		return
	}
	t.propsInstalled = true
	_ = t.moreLocked().completed.Install(&t.Object, "completed", v, object.ReadOnly)
}
