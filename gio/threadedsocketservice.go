package gio

import (
	"fmt"
	"math"
	"sync"

	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// ThreadedSocketServiceClass lists ThreadedSocketService's own virtual
// method (GThreadedSocketServiceClass.run). Override it by embedding
// ThreadedSocketService and defining DoRun; chain up with
// t.ThreadedSocketService.DoRun(conn, src).
type ThreadedSocketServiceClass interface {
	// DoRun is the class handler of Run (RUN_LAST), on a worker goroutine.
	DoRun(conn *SocketConnection, sourceObject any) bool
}

// ThreadedSocketService is GThreadedSocketService: a SocketService that
// hands each connection to a worker goroutine and emits Run there, where
// blocking I/O (the streams' Read, Write, ReadAll, …) is fine
// (TSS-1..TSS-6).
//
// At most MaxThreads connections run at once (-1: no limit). When a new
// job reaches the limit the service stops accepting (Stop; clients wait in
// the backlog) and when a job at the limit ends it starts again (Start),
// as GLib does (TSS-4). After Run the connection is closed unless a Run
// handler called Keep for it.
//
// Each job is a plain goroutine: the limit is already max-threads and the
// service stops accepting at it, so a pool would only add a queue; and
// asyncresult's RunInThread pool grows by about 10 goroutines a second,
// which would serialise a burst of long connections that GLib's pool (max
// = max-threads, started at once) runs in parallel.
//
// Differs from GLib: the restart after a job always watches the sockets on
// the service's own context (TSS-5: GLib re-issues the accept from the
// worker thread, on the global default context). The zero value is not
// usable: make one with NewThreadedSocketService (or Init). Its methods may
// be called from any goroutine; Run handlers run concurrently, one
// goroutine per connection.
type ThreadedSocketService struct {
	SocketService

	// Run is GThreadedSocketService::run (TSS-3): emitted on the job's
	// worker goroutine with the connection and the source object; it may
	// block until the connection is done. The accumulator is
	// g_signal_accumulator_true_handled; the class handler is DoRun.
	Run signal.Signal2R[*SocketConnection, any, bool]

	maxThreads object.Property[int]

	tssOnce sync.Once
	runs    holdSet

	jmu       sync.Mutex
	jobs      int
	presetMax int
	hasPreset bool
	wg        sync.WaitGroup
}

// The "max-threads" param spec: -1..G_MAXINT, default 10, CONSTRUCT_ONLY.
const (
	defaultMaxThreads = 10
	minMaxThreads     = -1
	maxMaxThreads     = math.MaxInt32
)

// NewThreadedSocketService is g_threaded_socket_service_new (TSS-1): a
// service running at most maxThreads connections at once; -1 means no
// limit. The value is the construct-only "max-threads" property: SetProperty
// by name refuses it afterwards with object.ErrConstructOnlyProperty and
// changes nothing, as GLib refuses it ("construct property \"max-threads\"
// … can't be set after construction"). A value outside -1..2147483647 logs
// a critical and gives the default, 10, as GLib's out-of-range construct
// value does.
//
// Differs from GLib: 0 logs a critical and gives 1 (GLib accepts 0, and its
// pool then never runs a job, while the service keeps accepting).
func NewThreadedSocketService(maxThreads int) *ThreadedSocketService {
	t := &ThreadedSocketService{}
	t.setMax(maxThreads)
	t.Init(t)
	return t
}

func (t *ThreadedSocketService) setMax(n int) {
	t.jmu.Lock()
	t.presetMax, t.hasPreset = n, true // installed as the property by Init
	t.jmu.Unlock()
}

// Init initialises a ThreadedSocketService embedded in another type; self
// is the outermost value, whose DoRun (and DoIncoming, DoChanged, DoEvent)
// override the service's; "max-threads" is the default 10 (use
// InitWithMaxThreads for another). A second call does nothing.
func (t *ThreadedSocketService) Init(self any) {
	t.tssOnce.Do(func() {
		t.jmu.Lock()
		max := defaultMaxThreads
		if t.hasPreset {
			max = t.presetMax
		}
		t.jmu.Unlock()
		t.SocketService.Init(self)
		initConnSignal(&t.Run, &t.Object, func(c *SocketConnection, src any) bool {
			return object.Virtual[ThreadedSocketServiceClass](&t.Object, t).DoRun(c, src)
		})
		if max == 0 {
			// GLib's pool would never run a job; treat it as 1.
			criticalf("g_threaded_socket_service_new: max_threads 0 would never run a job; using 1")
			max = 1
		}
		if object.InstallRange(&t.maxThreads, &t.Object, "max-threads", minMaxThreads, maxMaxThreads, max, object.ConstructOnly) != nil {
			// Out of range (OBJ-5): GLib keeps the default. The name is
			// fixed and the default in range, so that installs.
			// A g_critical since GLib 2.76 (a g_warning in 2.74).
			criticalf(fmt.Sprintf("g_object_new: value %d is out of range %d..%d for property 'max-threads'; using the default %d",
				max, minMaxThreads, maxMaxThreads, defaultMaxThreads))
			_ = object.InstallRange(&t.maxThreads, &t.Object, "max-threads", minMaxThreads, maxMaxThreads, defaultMaxThreads, object.ConstructOnly)
		}
	})
}

// InitWithMaxThreads is Init for an embedding type that wants a
// "max-threads" other than the default 10 (GLib's construct property,
// g_object_new(…, "max-threads", n, NULL)); n is checked as
// NewThreadedSocketService checks it.
func (t *ThreadedSocketService) InitWithMaxThreads(self any, maxThreads int) {
	t.setMax(maxThreads)
	t.Init(self)
}

// MaxThreads is the construct-only "max-threads" property (GLib has no
// getter; this reads the property): the most connections run at once, -1
// for no limit.
func (t *ThreadedSocketService) MaxThreads() int {
	if !t.usableService("g_threaded_socket_service_get_max_threads") {
		return defaultMaxThreads
	}
	return t.maxThreads.Get()
}

// DoRun is GThreadedSocketServiceClass.run, the default class handler of
// Run: it returns false (and the connection is then closed, unless a
// handler kept it).
func (t *ThreadedSocketService) DoRun(*SocketConnection, any) bool { return false }

// Keep keeps conn open after the Run (or Incoming) emission it is being
// handled in; the caller then owns it and must Close it. For a connection
// handled by neither it logs a critical.
func (t *ThreadedSocketService) Keep(conn *SocketConnection) {
	if t.runs.keep(conn) {
		return
	}
	t.SocketService.Keep(conn)
}

// DoIncoming is ThreadedSocketService's incoming class handler (TSS-2): it
// counts the job, stops the service if the job reaches MaxThreads, starts
// Run on a new goroutine and returns false. The job holds the connection,
// so the service does not close it after Incoming.
func (t *ThreadedSocketService) DoIncoming(conn *SocketConnection, source any) bool {
	keptByHandler := t.holds.isKept(conn)
	t.SocketService.Keep(conn) // the job's reference
	max := t.maxThreads.Get()
	t.jmu.Lock()
	t.jobs++
	atLimit := t.jobs == max
	t.jmu.Unlock()
	if atLimit {
		t.Stop()
	}
	t.wg.Add(1)
	go t.job(conn, source, keptByHandler)
	return false
}

// job is one connection's worker (TSS-3).
func (t *ThreadedSocketService) job(conn *SocketConnection, source any, kept bool) {
	defer t.wg.Done()
	t.runs.begin(conn, kept)
	t.Run.Emit(conn, source)
	kept = t.runs.end(conn)
	max := t.maxThreads.Get()
	t.jmu.Lock()
	restart := t.jobs == max
	t.jobs--
	t.jmu.Unlock()
	if restart {
		t.Start() // on the service's own context (TSS-5 fix)
	}
	if !kept {
		conn.Close()
	}
}

// wait waits for the running jobs to end (tests).
func (t *ThreadedSocketService) wait() { t.wg.Wait() }
