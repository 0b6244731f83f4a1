package gio

import (
	"errors"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// SocketServiceClass lists SocketService's own virtual method (the
// GSocketServiceClass vtable slot incoming). Override it by embedding
// SocketService and defining DoIncoming; chain up with
// s.SocketService.DoIncoming(conn, src).
type SocketServiceClass interface {
	// DoIncoming is the class handler of Incoming (RUN_LAST). Returning
	// true stops the emission.
	DoIncoming(conn *SocketConnection, sourceObject any) bool
}

// holdSet tracks the connections being handed to handlers (Incoming, or
// ThreadedSocketService's Run) and whether a handler kept one: Go has no
// reference count, so Keep stands for the g_object_ref that keeps a GLib
// connection alive after the emission.
type holdSet struct {
	mu   sync.Mutex
	kept map[*SocketConnection]bool
}

func (h *holdSet) begin(c *SocketConnection, kept bool) {
	h.mu.Lock()
	if h.kept == nil {
		h.kept = make(map[*SocketConnection]bool)
	}
	h.kept[c] = kept
	h.mu.Unlock()
}

// keep marks c kept; false if c is not being handled.
func (h *holdSet) keep(c *SocketConnection) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.kept[c]; !ok {
		return false
	}
	h.kept[c] = true
	return true
}

func (h *holdSet) isKept(c *SocketConnection) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.kept[c]
}

// end forgets c and reports whether it was kept.
func (h *holdSet) end(c *SocketConnection) bool {
	h.mu.Lock()
	kept := h.kept[c]
	delete(h.kept, c)
	h.mu.Unlock()
	return kept
}

// acceptBatch bounds the connections one readiness of a listening socket
// accepts before the service's context runs its other sources.
const acceptBatch = 16

// acceptRetryDelay is how long the service waits after an accept error such
// as EMFILE before it watches the socket again.
const acceptRetryDelay = 100 * time.Millisecond

// SocketService is GSocketService: a SocketListener that accepts by itself
// on its context and emits Incoming for each connection (SS-1..SS-9).
//
// A new service is active, and starts accepting when its first socket is
// added (DoChanged). Stop stops accepting but keeps the sockets open, so
// clients wait in the kernel backlog and are accepted after Start (SS-5).
// After Incoming has run, the connection is closed unless a handler called
// Keep for it (SS-4): that is the Go form of the handler taking a
// reference.
//
// Its context is the caller's context when it was made (object affinity,
// MainContext): Incoming is always emitted there, whichever goroutine
// calls Start (TSS-5 fix). It is an object.Object with the "active"
// property, which notifies only when it changes. The zero value is not
// usable: make one with NewSocketService (or Init). Start, Stop, IsActive
// and Keep may be called from any goroutine; Incoming handlers run on the
// service's context, one at a time, and must not block.
//
// Differs from GLib: the service watches each listening socket with one
// source while active and accepts what is queued when it is readable (up
// to 16 connections per wake-up), rather than issuing one
// g_socket_listener_accept_async at a time; Incoming, its order and its
// accumulator are the same. Closing the listener while the service is
// active ends its watches quietly (CLOSED is terminal; GLib warns in a
// loop, SS-7), and an accept error such as EMFILE is logged as GLib's
// warning "fail: …" and retried after 100 ms instead of being re-issued at
// once. A service nobody references is collected like any Go value, even
// while active: its watches are dropped and its sockets closed by the
// garbage collector (GLib's pending accept keeps an active service alive,
// SS-8); Stop and Close release them at once.
type SocketService struct {
	SocketListener

	// Incoming is GSocketService::incoming (SS-4): emitted on the service's
	// context for each accepted connection, with the source object of the
	// listening socket. The accumulator is g_signal_accumulator_true_handled:
	// the first handler returning true stops the emission, the class handler
	// (DoIncoming) included. Call Keep inside a handler to keep the
	// connection open after the emission.
	Incoming signal.Signal2R[*SocketConnection, any, bool]

	active object.Property[bool]

	svcOnce sync.Once
	holds   holdSet

	w *serviceWatches // set by Init
}

// serviceWatches is what the service's sources hang from, kept apart from
// the service and pointing back to it only weakly, so that a service nobody
// references any more is collected and a cleanup drops its watches
// (SS-8; its sockets then close as unreachable Sockets do).
type serviceWatches struct {
	self weak.Pointer[SocketService]

	mu    sync.Mutex
	m     map[*Socket]*mainloop.Source
	retry *mainloop.Source
	// owned are the watched sockets the listener made itself; the cleanup
	// closes them (a socket that ever had a source is not closed by the
	// collector on its own).
	owned map[*Socket]struct{}
}

// destroyLocked drops every watch and a pending retry; w.mu held.
func (w *serviceWatches) destroyLocked() {
	for sock, src := range w.m {
		src.Destroy()
		delete(w.m, sock)
	}
	if w.retry != nil {
		w.retry.Destroy()
		w.retry = nil
	}
}

// collected is the cleanup of a service nobody references: it drops the
// watches and closes the sockets the listener made (AddSocket ones are the
// caller's).
func (w *serviceWatches) collected() {
	w.mu.Lock()
	w.destroyLocked()
	owned := w.owned
	w.owned = nil
	w.mu.Unlock()
	for sock := range owned {
		sock.Close()
	}
}

// NewSocketService is g_socket_service_new (SS-1): an active service with
// no sockets; add some with the SocketListener methods. Its context is the
// caller's. To start inactive, call Stop before adding sockets (GLib's
// g_object_new(…, "active", FALSE)).
func NewSocketService() *SocketService {
	s := &SocketService{}
	s.Init(s)
	return s
}

// initConnSignal sets up a "connection handled" signal (Incoming, Run) of
// o: RUN_LAST with class handler h, and a TRUE return stops the emission.
func initConnSignal(sig *signal.Signal2R[*SocketConnection, any, bool], o *object.Object, h func(*SocketConnection, any) bool) {
	sig.SetOwner(o)
	sig.SetAccumulator(signal.TrueHandled)
	sig.SetClassHandler(h, signal.RunLast)
}

// Init initialises a SocketService embedded in another type; self is the
// outermost value, whose DoIncoming, DoChanged and DoEvent override the
// service's. NewSocketService calls it. A second call does nothing.
func (s *SocketService) Init(self any) {
	s.svcOnce.Do(func() {
		s.SocketListener.Init(self)
		initConnSignal(&s.Incoming, &s.Object, func(c *SocketConnection, src any) bool {
			return object.Virtual[SocketServiceClass](&s.Object, s).DoIncoming(c, src)
		})
		_ = s.active.Install(&s.Object, "active", true, object.ExplicitNotify)
		// The property is the one truth: Start, Stop and SetProperty by
		// name all store it, and this first handler of its notification
		// makes the watches follow (concurrent stores converge on the
		// last one, as the notification reruns with it, SIG-9).
		s.Notify.ConnectDetailed("active", func(string) { s.sync() })
		w := &serviceWatches{self: weak.Make(s)}
		runtime.AddCleanup(s, (*serviceWatches).collected, w)
		s.w = w
	})
}

// usableService is usable for the service's own methods.
func (s *SocketService) usableService(fn string) bool {
	if s != nil && s.w != nil {
		return true
	}
	criticalf(fn + ": assertion 'G_IS_SOCKET_SERVICE (service)' failed")
	return false
}

// DoIncoming is GSocketServiceClass.incoming, the default class handler of
// Incoming: it returns false.
func (s *SocketService) DoIncoming(*SocketConnection, any) bool { return false }

// DoChanged is SocketService's changed vfunc (SS-2): while active, it
// starts watching the sockets just added.
func (s *SocketService) DoChanged() { s.sync() }

// sync makes the watches follow "active": armed while active, none while
// not.
func (s *SocketService) sync() {
	s.w.mu.Lock()
	if s.active.Get() {
		s.armLocked()
	} else {
		s.w.destroyLocked()
	}
	s.w.mu.Unlock()
}

// Start is g_socket_service_start (SS-5): the service accepts again; queued
// clients are accepted on its context. "active" notifies if it was
// inactive.
func (s *SocketService) Start() {
	if !s.usableService("g_socket_service_start") {
		return
	}
	s.active.Set(true)
	s.sync()
}

// Stop is g_socket_service_stop (SS-5): the service stops accepting; its
// sockets stay open and listening, so new clients wait in the backlog until
// Start. "active" notifies if it was active. Stop from inside an Incoming
// handler takes effect before the next connection.
func (s *SocketService) Stop() {
	if !s.usableService("g_socket_service_stop") {
		return
	}
	s.active.Set(false)
	s.sync()
}

// IsActive is g_socket_service_is_active (SS-6): whether the service is
// started, not whether it has sockets.
func (s *SocketService) IsActive() bool {
	if !s.usableService("g_socket_service_is_active") {
		return false
	}
	return s.active.Get()
}

// Keep keeps conn open after the Incoming emission it is being handled in
// (the g_object_ref a GLib handler takes); the handler then owns it and
// must Close it. Called for a connection that is not being handled, it logs
// a critical and does nothing.
func (s *SocketService) Keep(conn *SocketConnection) {
	if !s.usableService("g_socket_service_keep") {
		return
	}
	if !s.holds.keep(conn) {
		criticalf("SocketService.Keep: the connection is not inside an incoming handler of this service")
	}
}

// armLocked watches every open socket that is not watched yet; s.w.mu
// held. The callbacks reach the service through the weak pointer only.
func (s *SocketService) armLocked() {
	socks, err := s.snapshot()
	if err != nil {
		return
	}
	w := s.w
	if w.m == nil {
		w.m = make(map[*Socket]*mainloop.Source)
	}
	ctx := s.MainContext()
	self := w.self
	for _, ls := range socks {
		if _, ok := w.m[ls.sock]; ok || ls.sock.IsClosed() {
			continue
		}
		src := ls.sock.CreateSource(mainloop.IOIn, nil, func(*Socket, mainloop.IOCondition) bool {
			svc := self.Value()
			if svc == nil {
				return mainloop.SourceRemove
			}
			return svc.ready(ls)
		})
		w.m[ls.sock] = src
		if ls.owned {
			if w.owned == nil {
				w.owned = make(map[*Socket]struct{})
			}
			w.owned[ls.sock] = struct{}{}
		}
		src.Attach(ctx)
	}
}

// drop forgets the watch of sock if it is still src.
func (s *SocketService) drop(sock *Socket, src *mainloop.Source) {
	s.w.mu.Lock()
	if s.w.m[sock] == src {
		delete(s.w.m, sock)
	}
	s.w.mu.Unlock()
}

func (s *SocketService) isRunning() bool { return s.active.Get() }

// ready runs on the service's context when ls is readable: it accepts what
// is queued and emits Incoming for each connection (SS-3).
func (s *SocketService) ready(ls listenerSocket) bool {
	self := mainloop.CurrentSource()
	for range acceptBatch {
		if !s.isRunning() {
			return mainloop.SourceRemove // Stop destroyed this watch
		}
		sock, again, err := acceptNow(ls.sock, nil)
		switch {
		case again:
			return mainloop.SourceContinue
		case err == nil:
			s.incoming(NewSocketConnection(sock), ls.source)
		case errors.Is(err, ErrClosed):
			// Terminal (SS-7 fix): the listener was closed.
			s.drop(ls.sock, self)
			return mainloop.SourceRemove
		default:
			logging.Warning("gio", "fail: "+errorMessage(err))
			s.drop(ls.sock, self)
			s.scheduleRetry()
			return mainloop.SourceRemove
		}
	}
	return mainloop.SourceContinue
}

func errorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// scheduleRetry re-arms the watches after acceptRetryDelay.
func (s *SocketService) scheduleRetry() {
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.retry != nil || !s.active.Get() {
		return
	}
	src := mainloop.NewTimeoutSource(acceptRetryDelay)
	self := w.self
	src.SetCallback(func() bool {
		svc := self.Value()
		if svc == nil {
			return mainloop.SourceRemove
		}
		svc.w.mu.Lock()
		if svc.w.retry == mainloop.CurrentSource() {
			svc.w.retry = nil
			if svc.active.Get() {
				svc.armLocked()
			}
		}
		svc.w.mu.Unlock()
		return mainloop.SourceRemove
	})
	w.retry = src
	src.Attach(s.MainContext())
}

// incoming emits Incoming for conn and closes it unless a handler kept it.
func (s *SocketService) incoming(conn *SocketConnection, source any) {
	s.holds.begin(conn, false)
	s.Incoming.Emit(conn, source)
	if !s.holds.end(conn) {
		conn.Close()
	}
}
