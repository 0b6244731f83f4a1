package asyncresult

import (
	"container/heap"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// The pool runs RunInThread and RunInThreadSync functions, as GLib's GTask
// thread pool does (TASK-11):
//
//   - it runs up to poolSize functions at once;
//   - when all slots are busy and no function has started for a while
//     (100 ms, then 3% longer for each extra slot), it allows one more slot,
//     so a saturated pool grows by about ten slots a second; a slot above
//     poolSize is given back when its function ends;
//   - queued functions start in this order: those that another pool function
//     is blocked on (a RunInThreadSync from inside the pool), then those whose
//     cancellable was cancelled while queued (most recent first), then those
//     already cancelled when queued, then by priority, then first come first
//     served;
//   - idle worker goroutines exit after idleTimeout.
const (
	poolSize         = 10  // G_TASK_POOL_SIZE
	waitTimeMaxSlots = 330 // G_TASK_WAIT_TIME_MAX_POOL_SIZE
	waitTimeFactor   = 1.03
)

var (
	waitTimeBase = 100 * time.Millisecond // G_TASK_WAIT_TIME_BASE
	idleTimeout  = 15 * time.Second       // GLib's thread pools keep idle threads 15 s
)

// job is one queued function.
type job struct {
	run       func()
	priority  int
	cancelled bool   // already cancelled (with check-cancellable) when queued
	front     uint64 // non-zero: moved to the front by a cancel; larger is newer
	blocking  bool   // a pool function waits for it
	seq       uint64
	index     int // in the heap, -1 when not queued
}

type jobHeap []*job

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.blocking != b.blocking {
		return a.blocking
	}
	if a.front != b.front {
		return a.front > b.front
	}
	if a.cancelled != b.cancelled {
		return a.cancelled
	}
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	return a.seq < b.seq
}
func (h jobHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *jobHeap) Push(x any) {
	j := x.(*job)
	j.index = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}

// pool is the process-wide task pool. Its goroutines run pool.worker, which
// internal/leakcheck knows about.
type pool struct {
	mu       sync.Mutex
	queue    jobHeap
	seq      uint64
	frontSeq uint64
	running  int // workers running a job (tasks_running)
	maxSlots int // how many may run at once
	workers  int // live worker goroutines
	idle     int // workers waiting for a job
	kick     chan struct{}
	retime   chan struct{} // closed when the timing knobs change (tests)
	waitTime time.Duration
	grower   *time.Timer // the pool manager: allows one more slot when it fires
	// growDue is set when grower fired with nothing queued: the slot it
	// allows is granted to the next job queued while the pool is full.
	growDue bool
	inPool  sync.Map // goroutine id of a worker running a job → true
	// started counts jobs started, for tests.
	started uint64
}

var taskPool = newPool()

func newPool() *pool {
	p := &pool{maxSlots: poolSize, kick: make(chan struct{}, 1), retime: make(chan struct{})}
	p.grower = time.AfterFunc(time.Hour, p.grow)
	p.grower.Stop()
	return p
}

// push queues j and makes sure a worker will pick it up.
func (p *pool) push(j *job) {
	p.mu.Lock()
	p.seq++
	j.seq = p.seq
	heap.Push(&p.queue, j)
	if p.growDue && p.running >= p.maxSlots {
		p.growDue = false
		p.maxSlots = max(p.running+1, poolSize)
	}
	p.wakeLocked()
	p.mu.Unlock()
}

// moveToFront is g_thread_pool_move_to_front: a job whose cancellable fired
// while it was queued runs next.
func (p *pool) moveToFront(j *job) {
	p.mu.Lock()
	if j.index >= 0 {
		p.frontSeq++
		j.front = p.frontSeq
		heap.Fix(&p.queue, j.index)
	}
	p.mu.Unlock()
}

// wakeLocked gets a worker to look at the queue if one may start a job.
func (p *pool) wakeLocked() {
	if len(p.queue) == 0 || p.running >= p.maxSlots {
		return
	}
	if p.idle > 0 {
		select {
		case p.kick <- struct{}{}:
		default: // a wake-up is already pending; the woken worker passes it on
		}
		return
	}
	if p.workers < p.maxSlots {
		p.workers++
		go p.worker()
	}
}

// takeLocked pops the next job if a slot is free, doing GLib's
// g_task_thread_setup bookkeeping.
func (p *pool) takeLocked() *job {
	if len(p.queue) == 0 || p.running >= p.maxSlots {
		return nil
	}
	j := heap.Pop(&p.queue).(*job)
	p.running++
	p.started++
	p.growDue = false // the grower is re-armed below, or not needed
	switch {
	case p.running == poolSize:
		p.waitTime = waitTimeBase
	case p.running > poolSize && p.running < waitTimeMaxSlots:
		p.waitTime = time.Duration(float64(p.waitTime) * waitTimeFactor)
	}
	if p.running >= poolSize {
		p.grower.Reset(p.waitTime)
	}
	return j
}

// doneLocked is g_task_thread_cleanup.
func (p *pool) doneLocked() {
	p.growDue = false // a slot frees up
	pending := len(p.queue)
	if p.running > poolSize {
		p.maxSlots = p.running - 1
	} else if p.running+pending < poolSize {
		p.grower.Stop()
	}
	if p.running > poolSize && p.running < waitTimeMaxSlots {
		p.waitTime = time.Duration(float64(p.waitTime) / waitTimeFactor)
	}
	p.running--
}

// grow is task_pool_manager_timeout: the pool has been saturated for
// waitTime, so one more slot is allowed.
//
// Differs from GLib, invisibly: with nothing queued the slot is not added
// now, so that the limit does not creep up while the pool is merely full;
// it is granted to the next job queued while the pool is still full (push),
// as GLib's added slot would take that job at once. The timer is not re-armed
// until a job starts, in GLib too, so without that a job queued later would
// wait for a running one to end: forever, if they all wait for it
// (TestPoolGrowsAfterSaturatedWhileIdleQueue_TASK11).
func (p *pool) grow() {
	p.mu.Lock()
	if len(p.queue) > 0 {
		p.maxSlots = max(p.running+1, poolSize)
		p.wakeLocked()
	} else if p.running >= p.maxSlots {
		p.growDue = true
	}
	p.mu.Unlock()
}

// worker runs queued jobs until it has been idle for idleTimeout.
func (p *pool) worker() {
	id := goid()
	timer := time.NewTimer(math.MaxInt64)
	defer timer.Stop()
	p.mu.Lock()
	for {
		if j := p.takeLocked(); j != nil {
			p.wakeLocked() // pass a pending wake-up on to another idle worker
			p.mu.Unlock()
			p.inPool.Store(id, true)
			j.run()
			p.inPool.Delete(id)
			p.mu.Lock()
			p.doneLocked()
			continue
		}
		p.idle++
		wait, retime := idleTimeout, p.retime
		p.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-p.kick:
			timer.Stop()
			p.mu.Lock()
			p.idle--
		case <-retime:
			timer.Stop()
			p.mu.Lock()
			p.idle--
		case <-timer.C:
			p.mu.Lock()
			p.idle--
			if len(p.queue) == 0 || p.running >= p.maxSlots {
				p.workers--
				p.mu.Unlock()
				return
			}
		}
	}
}

// inWorker reports whether the caller is a pool worker running a job.
func (p *pool) inWorker() bool {
	_, ok := p.inPool.Load(goid())
	return ok
}

// stats returns counters for tests.
func (p *pool) stats() (running, maxSlots, workers, queued int, started uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running, p.maxSlots, p.workers, len(p.queue), p.started
}

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
	return id
}
