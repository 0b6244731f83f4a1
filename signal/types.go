package signal

import (
	"errors"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"

	"github.com/sigloop/sigloop/mainloop"
)

// HandlerID identifies one connection. It is g_signal_connect's gulong
// handler id: every connection of every signal in the process takes the
// next value of one counter, so ids start at 1, only increase, and are never
// reused; 0 is never a valid id (SIG-2), so the zero value means "no
// handler" (ClearHandler leaves it there). It is a plain value, safe to
// copy and share between goroutines.
type HandlerID uint64

var lastID atomic.Uint64

func nextID() HandlerID { return HandlerID(lastID.Add(1)) }

// ConnectionType is Qt::ConnectionType: how a receiver-bound handler is
// called. The low bits hold one of the four types; UniqueConnection and
// SingleShotConnection are flags that may be or-ed in. The values are Qt's.
// The zero value is AutoConnection. It is a plain value, safe to share.
type ConnectionType uint32

const (
	// AutoConnection is Qt::AutoConnection: decided at every emission,
	// DirectConnection when the emitting goroutine owns the receiver's
	// context (mainloop.Context.IsOwner), QueuedConnection otherwise. A
	// receiver whose Context is nil counts as living on mainloop.Default(),
	// where its queued calls go.
	AutoConnection ConnectionType = 0
	// DirectConnection is Qt::DirectConnection: the handler runs at once, on
	// the emitting goroutine.
	DirectConnection ConnectionType = 1
	// QueuedConnection is Qt::QueuedConnection: the arguments are copied at
	// emission and the handler runs later on the receiver's context, once
	// per emission.
	QueuedConnection ConnectionType = 2
	// BlockingQueuedConnection is Qt::BlockingQueuedConnection: queued, and
	// the emitter waits until the handler has returned. Emitting from a
	// goroutine that owns the receiver's context (or the default context,
	// for a receiver without one) would wait for itself forever. Emit has
	// no error result, so sigloop logs Qt's "Qt: Dead lock detected while
	// activating a BlockingQueuedConnection" critical and skips that
	// handler (its value is not accumulated); the rest of the emission
	// goes on. CheckDeadlock returns ErrDeadlock, before emitting, in
	// exactly that case. The connect itself is not refused: connecting on
	// the receiver's goroutine and emitting from another one is the
	// normal use.
	BlockingQueuedConnection ConnectionType = 3
	// UniqueConnection is Qt::UniqueConnection: the connect fails with
	// ErrDuplicate when an identical connection exists. Go funcs cannot be
	// compared, so identity is the Options.Key given by the caller plus the
	// receiver, the detail and the After flag; a unique connect without a
	// Key fails with ErrUniqueNeedsKey, as Qt refuses unique functor
	// connections.
	UniqueConnection ConnectionType = 0x80
	// SingleShotConnection is Qt::SingleShotConnection: the connection is
	// removed when it is first reached by an emission, before the handler
	// runs (and, for queued ones, at emission time, so several emissions
	// before the receiver's loop runs give one call).
	SingleShotConnection ConnectionType = 0x100

	typeMask = 0x7f
)

// String returns Qt's name of the type and its flags.
func (t ConnectionType) String() string {
	var s string
	switch t & typeMask {
	case AutoConnection:
		s = "AutoConnection"
	case DirectConnection:
		s = "DirectConnection"
	case QueuedConnection:
		s = "QueuedConnection"
	case BlockingQueuedConnection:
		s = "BlockingQueuedConnection"
	default:
		s = "InvalidConnection"
	}
	if t&UniqueConnection != 0 {
		s += "|UniqueConnection"
	}
	if t&SingleShotConnection != 0 {
		s += "|SingleShotConnection"
	}
	return s
}

// RunStage is the set of GSignalFlags run stages at which a signal's class
// handler runs (SIG-1): RunFirst before the normal handlers, RunLast after
// them and before the connect-after ones, RunCleanup at the very end, even
// after StopEmission. The stages may be or-ed together. The values are
// GLib's. Its zero value is no stage (a class handler set with it never
// runs). It is a plain value, safe to share.
type RunStage uint32

const (
	// RunFirst is G_SIGNAL_RUN_FIRST.
	RunFirst RunStage = 1 << iota
	// RunLast is G_SIGNAL_RUN_LAST.
	RunLast
	// RunCleanup is G_SIGNAL_RUN_CLEANUP.
	RunCleanup
	// AccumulatorFirstRun is G_SIGNAL_ACCUMULATOR_FIRST_RUN: only found
	// in InvocationHint.RunType, on an accumulator's first call.
	AccumulatorFirstRun RunStage = 1 << 17
)

// Receiver is what a receiver-bound (Qt-style) connection needs: the
// receiver's context, for queued and auto connections, and a destroy notify
// that disconnects the handler when the receiver goes away. *object.Object
// implements it. Its methods are called from any goroutine that emits
// or connects, so an implementation must be safe for concurrent use.
type Receiver interface {
	// MainContext is the receiver's affinity (QObject::thread). nil means
	// mainloop.Default(): queued calls go there, and an auto connection is
	// direct iff the emitter owns it.
	MainContext() *mainloop.Context
	// IsDestroyed reports whether destruction has started.
	IsDestroyed() bool
	// AddDestroyNotify arranges for fn to run once when the receiver is
	// destroyed (at once if it already is) and returns a function that
	// cancels it.
	AddDestroyNotify(fn func()) (remove func())
}

// Owner is the object that emits a signal. While SignalsBlocked reports
// true, emitting does nothing at all (QObject::blockSignals, SIG-12). If the
// owner also has an AddDestroyNotify method like Receiver's, every handler
// of the signal is disconnected when the owner is destroyed (SIG-14),
// except handlers connected once the owner's destruction has started (when
// it also has IsDestroyed); see SetOwner.
// *object.Object implements it. SignalsBlocked is called by every emission,
// on the emitting goroutine, so it must be safe for concurrent use.
type Owner interface {
	SignalsBlocked() bool
}

type destroyNotifier interface {
	AddDestroyNotify(fn func()) (remove func())
}

// Options describes a connection for ConnectWith. The zero value is a plain
// GLib g_signal_connect: direct, no detail, not after, no receiver. It is
// read once, by the connect it is given to.
type Options struct {
	// Detail restricts the handler to emissions with this detail
	// ("notify::name" connects with Detail "name"); "" means no detail.
	Detail string
	// After makes it a g_signal_connect_after handler.
	After bool
	// Receiver binds the connection to an object: the handler is
	// disconnected when the receiver is destroyed, not called once its
	// destruction started, and queued calls run on its context.
	Receiver Receiver
	// Type is the connection type and flags. Queued and BlockingQueued
	// need a Receiver. AutoConnection (the zero value) without a Receiver
	// is DirectConnection, as Qt treats a functor without a context
	// object, so a plain connect never asks which goroutine emits.
	Type ConnectionType
	// Key identifies the handler for UniqueConnection and DisconnectKey;
	// a Key (or Receiver) that == cannot compare is refused with
	// ErrKeyNotComparable.
	Key any
}

// Errors returned by ConnectTo and ConnectWith; test them with errors.Is.
//
// duplicates: one errors.New line per condition, the shape every package's
// sentinel list has (object's property errors); nothing to share but the form.
var (
	// ErrNoReceiver: the connection type needs a receiver (Qt's "invalid
	// nullptr parameter").
	ErrNoReceiver = errors.New("signal: connection type needs a receiver")
	// ErrReceiverDestroyed: the receiver's destruction has started.
	ErrReceiverDestroyed = errors.New("signal: receiver is destroyed")
	// ErrInvalidType: the connection type is not one of the four types.
	ErrInvalidType = errors.New("signal: invalid connection type")
	// ErrUniqueNeedsKey: UniqueConnection without Options.Key (Qt refuses
	// unique functor connections the same way).
	ErrUniqueNeedsKey = errors.New("signal: unique connections require a comparable Options.Key")
	// ErrDuplicate: UniqueConnection found an identical connection (Qt's
	// invalid QMetaObject::Connection).
	ErrDuplicate = errors.New("signal: identical unique connection already exists")
	// ErrKeyNotComparable: Options.Key or the Receiver holds a value that
	// == cannot compare (a slice, map or func, or a struct of them).
	ErrKeyNotComparable = errors.New("signal: connection key or receiver is not comparable")
	// ErrNilHandler: the handler func is nil.
	ErrNilHandler = errors.New("signal: nil handler")
	// ErrDeadlock: a BlockingQueuedConnection would be emitted from the
	// goroutine that owns its receiver's context, which would wait for
	// itself forever (Qt's "Dead lock detected"). CheckDeadlock returns it.
	ErrDeadlock = errors.New("signal: blocking-queued emission from the goroutine that owns the receiver's context would deadlock")
	// ErrNilSignal: a method was called on a nil signal pointer.
	ErrNilSignal = errors.New("signal: nil signal")
)

// nilSignal logs the critical of method (of signal type typ) called on a
// nil signal pointer; an empty method logs nothing (the queries). Not
// inlined: it is cold, and the generated c, which calls it, must stay
// small enough to be inlined in Emit.
//
//go:noinline
func nilSignal(typ, method string) {
	if method != "" {
		logging.Critical(pkg, typ+"."+method+": called on a nil signal")
	}
}

// refused is nilSignal for a method with a result: it returns the zero R.
func refused[R any](typ, method string) (zero R) {
	nilSignal(typ, method)
	return zero
}

func invalidDetail() {
	logging.Critical(pkg, "g_signal_connect_data: signal detail must not be empty")
}
