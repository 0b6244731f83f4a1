package asyncresult

import (
	"reflect"
	"unsafe"

	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
)

const pkg = "asyncresult"

// AsyncResult is GAsyncResult: what an asynchronous operation hands to its
// ReadyCallback, and what the matching XxxFinish function takes back.
// *Task[T] and *Result[T] implement it. A nil AsyncResult is refused by
// IsValid and Propagate (a critical and an INVALID_ARGUMENT error), never a
// panic; its methods may be called from any goroutine.
type AsyncResult interface {
	// SourceObject is g_async_result_get_source_object: the object the
	// operation was started on (nil for a plain function).
	SourceObject() any
	// UserData is g_async_result_get_user_data.
	UserData() any
	// IsTagged is g_async_result_is_tagged: whether the result was made by
	// the operation whose source tag is tag (see Task.SetSourceTag).
	IsTagged(tag any) bool
}

// ReadyCallback is GAsyncReadyCallback: it is called exactly once when an
// asynchronous operation completes, with the operation's source object and
// its result, on the context the operation was started from (TASK-16). A
// nil ReadyCallback (the zero value) means nobody is called back; the
// operation still completes.
type ReadyCallback func(source any, res AsyncResult)

// anyTask is what every Task[T] implements, whatever T.
type anyTask interface {
	AsyncResult
	propagateErrorOnly() error
	isNil() bool
	// validFor is IsValid's test on a task: made by its constructor,
	// with source as its source object.
	validFor(source any) bool
}

// IsValid is g_task_is_valid: whether res is a Task or a Result (of any
// result type) whose source object is source. A nil res, or a nil *Task or
// *Result, is not valid.
func IsValid(res AsyncResult, source any) bool {
	t, ok := res.(anyTask)
	return ok && t.validFor(source)
}

// Propagate is the usual body of an XxxFinish function: it returns the
// result of res, which must be a Task or a Result. For a *Task[T] or a
// *Result[T] it is its Propagate. For one of another result type, which is
// what ReportError makes, it returns that task's error; if that task has no
// error, it logs a critical and returns an INVALID_ARGUMENT error, as it
// does for a nil res.
func Propagate[T any](res AsyncResult) (T, error) {
	var zero T
	switch t := res.(type) {
	case *Task[T]:
		if t != nil {
			return t.Propagate()
		}
	case *Result[T]:
		if t != nil {
			return t.Propagate()
		}
	case anyTask:
		if t.isNil() {
			break
		}
		if err := t.propagateErrorOnly(); err != nil {
			return zero, err
		}
	}
	msg := "asyncresult.Propagate: the result is not a Task of this type"
	logging.Critical(pkg, msg)
	return zero, ioerr.New(ioerr.InvalidArgument, msg)
}

// ReportError is g_task_report_error: it reports err to cb as the result of
// the operation tagged tag, in a later iteration of the caller's context,
// never from inside the call. It is how an XxxAsync function fails before
// starting. The XxxFinish function gets err back through Propagate (or
// Task.Propagate on a Task[struct{}]).
func ReportError(source any, cb ReadyCallback, tag any, err error) {
	t := NewTask[struct{}](source, nil, cb)
	t.SetSourceTag(tag)
	t.SetName("asyncresult.ReportError")
	t.ReturnError(err)
}

// same reports whether a and b are the same source object or source tag. It
// never panics: functions (GLib's tags are function pointers) compare by code
// pointer, other values with == when their type allows it.
func same(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta := reflect.TypeOf(a)
	if ta != reflect.TypeOf(b) {
		return false
	}
	if k := ta.Kind(); k == reflect.Pointer || k == reflect.Chan {
		// The usual source and tag. The two have one type, and the
		// value of a pointer or a channel is the interface's data word:
		// a == b, without the runtime's generic comparison.
		return dataWord(&a) == dataWord(&b)
	}
	return sameValue(a, b)
}

// dataWord is the data word of the interface value *e: for a pointer or
// a channel, the value itself.
func dataWord(e *any) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(e))[1] }

// sameValue is same for two values of one type that is neither a pointer
// nor a channel. It is apart from same because its recover makes a
// function costlier to enter, and same runs on every Finish.
func sameValue(a, b any) (eq bool) {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() == reflect.Func {
		return va.Pointer() == vb.Pointer()
	}
	if !va.Type().Comparable() {
		return false
	}
	defer func() {
		if recover() != nil { // an interface field holding an incomparable value
			eq = false
		}
	}()
	return a == b
}
