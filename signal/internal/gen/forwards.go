package gen

// forward is an exported method of a signal type that passes its
// arguments on to a core method: `s.c("Name").call(args)`, which turns a
// nil receiver into a nil core after logging its critical. "$F" in Params
// stands for the handler func type.
type forward struct {
	Name, Params, Args, Result string
	Call                       string // the core method
	Log                        bool   // whether a nil receiver logs a critical
	ROnly                      bool   // only the value-returning types have it
	Doc                        string
}

// forwards are the methods generated for every signal type.
var forwards = []forward{
	{
		Name: "Connect", Params: "fn $F", Args: "fn, Options{}", Result: "HandlerID", Call: "connectID", Log: true,
		Doc: `// Connect is g_signal_connect: fn runs, on the emitting goroutine, at every
// emission, after the handlers connected before it. The id is never 0.`,
	},
	{
		Name: "ConnectAfter", Params: "fn $F", Args: "fn, Options{After: true}", Result: "HandlerID", Call: "connectID", Log: true,
		Doc: `// ConnectAfter is g_signal_connect_after: fn runs after the normal handlers
// and the RUN_LAST class handler (SIG-1).`,
	},
	{
		Name: "ConnectDetailed", Params: "detail string, fn $F", Args: "detail, fn", Result: "HandlerID", Call: "connectDetailed", Log: true,
		Doc: `// ConnectDetailed is g_signal_connect with "signal::detail": fn runs only for
// emissions with this detail (SIG-6). An empty detail is invalid in GLib; it
// logs a critical and returns 0.`,
	},
	{
		Name: "ConnectTo", Params: "r Receiver, fn $F, t ConnectionType", Args: "r, fn, t", Result: "(HandlerID, error)", Call: "connectTo", Log: true,
		Doc: `// ConnectTo is Qt's QObject::connect(sender, signal, receiver, functor, type):
// fn is bound to r (disconnected when r is destroyed, run on r's context for
// queued and auto connections). See ConnectionType.`,
	},
	{
		Name: "ConnectWith", Params: "fn $F, o Options", Args: "fn, o", Result: "(HandlerID, error)", Call: "connect", Log: true,
		Doc: `// ConnectWith connects fn with every option spelled out; the other Connect
// methods are shorthands for it.`,
	},
	{
		Name: "SetClassHandler", Params: "fn $F, stage RunStage", Args: "fn, stage", Call: "setClass", Log: true,
		Doc: `// SetClassHandler sets the class closure of the signal, the slot a GObject
// class fills to implement a virtual method: it runs at the given stages
// (RunFirst, RunLast, RunCleanup, or-ed) of every emission (SIG-1). A nil fn
// removes it.`,
	},
	{
		Name: "SetAccumulator", Params: "acc Accumulator[R]", Args: "acc", Call: "setAccumulator", Log: true, ROnly: true,
		Doc: `// SetAccumulator is the accumulator argument of g_signal_new (SIG-8); nil
// removes it.`,
	},
	{
		Name: "Disconnect", Params: "id HandlerID", Args: "id", Result: "bool", Call: "disconnect", Log: true,
		Doc: `// Disconnect is g_signal_handler_disconnect: the handler is not called
// again, not even by an emission that is running now and has not reached it
// (SIG-4). Queued calls already posted still run (Qt). An id that is 0, not
// of this signal, or already disconnected logs GLib's critical and returns
// false. It costs O(log n) for n handlers.`,
	},
	{
		Name: "ClearHandler", Params: "id *HandlerID", Args: "id", Call: "clearHandler", Log: true,
		Doc: `// ClearHandler is g_clear_signal_handler: if *id is not 0 it disconnects
// it (logging GLib's critical if this signal has no such handler) and sets
// *id to 0.`,
	},
	{
		Name: "IsConnected", Params: "id HandlerID", Args: "id", Result: "bool", Call: "isConnected", Log: false,
		Doc: `// IsConnected is g_signal_handler_is_connected: whether id is a live
// connection of this signal. It is false for 0 and for unknown ids.`,
	},
	{
		Name: "Block", Params: "id HandlerID", Args: "id", Call: "block", Log: true,
		Doc: `// Block is g_signal_handler_block: the handler is skipped until Unblock is
// called as many times as Block (SIG-5).`,
	},
	{
		Name: "Unblock", Params: "id HandlerID", Args: "id", Call: "unblock", Log: true,
		Doc: `// Unblock is g_signal_handler_unblock. Unblocking a handler that is not
// blocked logs GLib's critical. A handler unblocked during an emission that
// has not reached it yet is called by that emission (SIG-5).`,
	},
	{
		Name: "HasHandlers", Params: "", Args: "", Result: "bool", Call: "hasHandlers", Log: false,
		Doc: `// HasHandlers is QObject::isSignalConnected: whether at least one handler
// is connected, blocked or not.`,
	},
	{
		Name: "HandlerCount", Params: "", Args: "", Result: "int", Call: "handlerCount", Log: false,
		Doc: `// HandlerCount is QObject::receivers: the number of connected handlers,
// duplicates included.`,
	},
	{
		Name: "DisconnectAll", Params: "", Args: "", Result: "int", Call: "disconnectAll", Log: true,
		Doc: `// DisconnectAll disconnects every handler (g_signal_handlers_destroy, Qt's
// disconnect(sender, signal, nullptr, nullptr)) and returns how many there
// were.`,
	},
	{
		Name: "DisconnectReceiver", Params: "r Receiver", Args: "r", Result: "int", Call: "disconnectReceiver", Log: true,
		Doc: `// DisconnectReceiver is Qt's disconnect(sender, signal, receiver, nullptr):
// it removes every connection bound to r and returns how many there were
// (SIG-04).`,
	},
	{
		Name: "DisconnectKey", Params: "r Receiver, key any", Args: "r, key", Result: "int", Call: "disconnectKey", Log: true,
		Doc: `// DisconnectKey is Qt's disconnect(sender, signal, receiver, slot): it
// removes every connection made with this receiver (nil for none) and
// Options.Key, and returns how many there were (SIG-04).`,
	},
	{
		Name: "BlockKey", Params: "r Receiver, key any", Args: "r, key", Result: "int", Call: "blockKey", Log: true,
		Doc: `// BlockKey is g_signal_handlers_block_matched with G_SIGNAL_MATCH_FUNC and
// G_SIGNAL_MATCH_DATA, Options.Key standing for the func and data: it
// blocks every live connection made with this receiver (nil for none) and
// key, and returns how many it blocked (SIG-5).`,
	},
	{
		Name: "UnblockKey", Params: "r Receiver, key any", Args: "r, key", Result: "int", Call: "unblockKey", Log: true,
		Doc: `// UnblockKey is g_signal_handlers_unblock_matched with the same match as
// BlockKey: it unblocks once each blocked connection made with this
// receiver and key, and returns how many it unblocked (SIG-5). Differs
// from GLib: a matched handler that is not blocked is skipped, without
// GLib's "is not blocked" critical.`,
	},
	{
		Name: "SetOwner", Params: "o Owner", Args: "o", Call: "setOwner", Log: true,
		Doc: `// SetOwner names the object that emits the signal: while o.SignalsBlocked()
// the signal does nothing (QObject::blockSignals, SIG-12), and if o has
// AddDestroyNotify, all handlers are disconnected when o is destroyed
// (SIG-14). SetOwner(nil) removes the owner. It allocates nothing on a
// signal without handlers: the owner's destroy notify is only added when
// the signal has a handler, by SetOwner or by the first Connect, and not
// once the owner's destruction has started (if it has IsDestroyed). So a
// signal whose owner is already destroyed when its first handler is
// connected keeps that handler, as GLib keeps handlers connected after
// g_object_run_dispose; object.Object disconnects its own Notify at the
// end of Destroy for a handler connected during it.`,
	},
	{
		Name: "SetNoRecurse", Params: "on bool", Args: "on", Call: "setNoRecurse", Log: true,
		Doc: `// SetNoRecurse sets GLib's G_SIGNAL_NO_RECURSE flag on the signal (SIG-9),
// as object.Object does for Notify. While an emission of the signal with a
// given detail is running, on any goroutine, a new emission with the same
// detail does not run: it returns at once (with the zero result) and the
// running emission restarts from its first stage once the handler it is in
// has returned, with its own arguments and the handler list as it is then.
// So a notify handler that sets the property it watches gets one more
// call, after it returned, instead of a nested one. As in GLib the restart
// also happens for an emission made from another goroutine; unlike GLib
// none is lost: one arriving after the last handler, or during the
// RunCleanup class handler, still makes the emission run again before it
// returns. A StopEmission drops a restart requested before it (the stop is
// newer).`,
	},
	{
		Name: "StopEmission", Params: "", Args: "", Call: "stopEmission", Log: true,
		Doc: `// StopEmission is g_signal_stop_emission: called from a handler (or class
// handler) of this signal, it makes the innermost emission of the signal on
// the calling goroutine skip its remaining normal handlers, the RUN_LAST
// class handler and the after-handlers; a RUN_CLEANUP class handler still
// runs (SIG-7). Called while no emission of the signal is running it logs
// GLib's critical and does nothing; see the package doc's "Stopping an
// emission" for how emissions are tracked.`,
	},
	{
		Name: "CheckDeadlock", Params: "", Args: "", Result: "error", Call: "checkDeadlock", Log: false,
		Doc: `// CheckDeadlock reports ErrDeadlock if an emission made now from the
// calling goroutine would reach a BlockingQueuedConnection whose receiver's
// context the calling goroutine owns: the case where Emit logs Qt's "Dead
// lock detected" critical and skips the handler instead of waiting for
// itself forever. Emit has no error result; call CheckDeadlock first where
// that case can arise. It returns nil otherwise, and ErrNilSignal for a nil
// signal.`,
	},
}
