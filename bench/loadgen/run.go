package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Messages up to this size are written and then read back by the same
// goroutine; larger ones are written from a helper goroutine so that full
// socket buffers cannot deadlock a round trip.
const seqWriteMax = 64 * 1024

// Phases of a run, shared by all workers.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// runner is the state the workers of one run share. It is made by execute
// and safe for concurrent use by its workers.
type runner struct {
	cfg          config
	phase        atomic.Int32
	issued       atomic.Int64 // operations started in the measure phase (--count)
	completed    atomic.Int64 // operations completed in the measure phase
	countDone    chan struct{}
	countOnce    sync.Once
	errCount     atomic.Int64
	firstErr     atomic.Pointer[string]
	hardDeadline time.Time // no socket operation may outlive this
}

// result is what one run measured, printed by report.
type result struct {
	elapsed   time.Duration
	hist      *histogram
	errors    int64
	firstErr  string
	setupRate float64 // hold: connections opened per second
	rss       *rssPair
	cpu       *cpuPair
}

// rssPair is the server's resident memory before and with the held
// connections open (hold mode with --server-pid).
type rssPair struct{ before, held int64 } // KiB

// execute runs one load test as cfg says and prints its result line to
// stdout (diagnostics to stderr). It returns the exit status: 0 if no
// operation failed, 1 otherwise (the line is still printed, unless the
// server never came up or a connection could not be opened).
func execute(cfg config, stdout, stderr io.Writer) int {
	if cfg.waitReady > 0 {
		if err := waitReady(cfg); err != nil {
			fmt.Fprintf(stderr, "loadgen: server not ready: %v\n", err)
			return 1
		}
	}
	r := &runner{cfg: cfg, countDone: make(chan struct{})}
	var res result
	var err error
	if cfg.mode == "hold" {
		res, err = r.hold()
	} else {
		res, err = r.load()
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, formatResult(cfg, res))
	if res.errors > 0 {
		return 1
	}
	return 0
}

// setupDialers is how many goroutines open the persistent connections of
// echo and hold mode together: servers whose loop costs grow with the
// connections they hold accept many per iteration then, instead of one.
const setupDialers = 32

// openAll opens the persistent connections of echo and hold mode within
// the setup budget, setupDialers at a time (a connect and its check may
// take up to the whole budget); each is passed to check (if
// not nil) before its dialer opens the next. On an error every connection
// opened so far is closed.
func (r *runner) openAll(check func(i int, c net.Conn) error) ([]net.Conn, error) {
	setupEnd := time.Now().Add(r.cfg.setupBudget())
	conns := make([]net.Conn, r.cfg.conns)
	var next atomic.Int64
	var failed atomic.Bool
	errs := make(chan error, setupDialers)
	var wg sync.WaitGroup
	for range min(setupDialers, r.cfg.conns) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(conns) {
					return
				}
				// A connect (and the first round trip) may wait long for a
				// server that accepts slowly (TCP retransmits its SYN after
				// 1, 2, 4... s while the backlog is full): only the setup
				// budget bounds them.
				c, err := dialRetry(r.cfg, setupEnd)
				if err == nil && check != nil {
					c.SetDeadline(setupEnd)
					if err = check(i, c); err != nil {
						c.Close()
					}
				}
				if err != nil {
					failed.Store(true)
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, err
	default:
		return conns, nil
	}
}

// load runs echo or accept mode: warm-up, then measurement until
// --duration has passed or --count operations have completed.
func (r *runner) load() (result, error) {
	cfg := r.cfg
	hists := make([]*histogram, cfg.conns)
	for i := range hists {
		hists[i] = new(histogram)
	}
	var conns []net.Conn
	if cfg.mode == "echo" {
		// Open every connection before the clock starts, each with one
		// verified round trip: a dialer then waits until the server has
		// accepted its connection, so no more than setupDialers wait in
		// the listen backlog and none has its SYN dropped.
		var err error
		if conns, err = r.openAll(setupRoundTrip); err != nil {
			return result{}, err
		}
	}
	r.hardDeadline = time.Now().Add(cfg.warmup + cfg.duration + cfg.ioTimeout)
	for _, c := range conns {
		c.SetDeadline(r.hardDeadline)
	}

	var wg sync.WaitGroup
	for i := range cfg.conns {
		wg.Go(func() {
			if cfg.mode == "echo" {
				r.echoWorker(i, conns[i], hists[i])
			} else {
				r.acceptWorker(hists[i])
			}
		})
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()

	warm := time.NewTimer(cfg.warmup)
	select {
	case <-warm.C:
	case <-workersDone:
	}
	warm.Stop()
	// The server's CPU time is read around the measurement; a failed
	// read counts as an error, and the line then has no server_ keys.
	var cpu cpuPair
	cpuOK := cfg.serverPID != 0
	if cpuOK {
		var err error
		if cpu.before, err = readCPU(cfg.serverPID); err != nil {
			r.fail(err)
			cpuOK = false
		}
	}
	measureStart := time.Now()
	r.phase.Store(phaseMeasure)
	timer := time.NewTimer(cfg.duration)
	select {
	case <-timer.C:
	case <-r.countDone:
	case <-workersDone:
	}
	timer.Stop()
	measureEnd := time.Now()
	r.phase.Store(phaseStop)
	if cpuOK {
		var err error
		if cpu.after, err = readCPU(cfg.serverPID); err != nil {
			r.fail(err)
			cpuOK = false
		}
	}

	// Let the workers finish their current operation; if some are stuck,
	// closing the connections unblocks them.
	grace := time.NewTimer(cfg.ioTimeout + time.Second)
	select {
	case <-workersDone:
	case <-grace.C:
		r.fail(errors.New("workers did not stop in time"))
		closeAll(conns)
		<-workersDone // every socket operation ends by hardDeadline
	}
	grace.Stop()
	closeAll(conns)

	total := new(histogram)
	for _, h := range hists {
		total.merge(h)
	}
	res := r.result(measureEnd.Sub(measureStart), total)
	if cpuOK {
		res.cpu = &cpu
	}
	return res, nil
}

// hold runs hold mode: it opens the connections as echo mode does
// (setupDialers at a time, one verified round trip on each, so that the
// server has accepted each and armed its read), lets the server settle
// for --warmup, holds them all idle for --duration and then reads the
// server's VmRSS.
func (r *runner) hold() (result, error) {
	cfg := r.cfg
	var rss rssPair
	if cfg.serverPID != 0 {
		var err error
		if rss.before, err = readRSS(cfg.serverPID); err != nil {
			return result{}, err
		}
	}
	h := new(histogram)
	var mu sync.Mutex // guards h
	setupStart := time.Now()
	conns, err := r.openAll(func(i int, c net.Conn) error {
		t0 := time.Now()
		if err := setupRoundTrip(i, c); err != nil {
			return err
		}
		d := time.Since(t0)
		mu.Lock()
		h.add(uint64(d.Nanoseconds()))
		mu.Unlock()
		return nil
	})
	if err != nil {
		return result{}, err
	}
	setup := time.Since(setupStart)
	defer closeAll(conns)
	start := time.Now()
	time.Sleep(cfg.warmup + cfg.duration)
	elapsed := time.Since(start)
	res := r.result(elapsed, h)
	res.setupRate = float64(len(conns)) / setup.Seconds()
	if cfg.serverPID != 0 {
		if rss.held, err = readRSS(cfg.serverPID); err != nil {
			return result{}, err
		}
		res.rss = &rss
	}
	return res, nil
}

func (r *runner) result(elapsed time.Duration, h *histogram) result {
	res := result{elapsed: elapsed, hist: h, errors: r.errCount.Load()}
	if e := r.firstErr.Load(); e != nil {
		res.firstErr = *e
	}
	return res
}

// setupRoundTrip is the one verified 8-byte round trip that opening a
// persistent connection includes.
func setupRoundTrip(i int, c net.Conn) error {
	var send, recv [8]byte
	return roundTrip(c, i, 1, send[:], recv[:])
}

// echoWorker does request/response round trips on one connection until
// the run stops or an operation fails.
func (r *runner) echoWorker(id int, c net.Conn, h *histogram) {
	send, recv := make([]byte, r.cfg.msg), make([]byte, r.cfg.msg)
	var seq uint64
	for {
		startPhase := r.phase.Load()
		if startPhase == phaseStop || !r.admit(startPhase) {
			return
		}
		seq++
		t0 := time.Now()
		if err := roundTrip(c, id, seq, send, recv); err != nil {
			r.fail(fmt.Errorf("echo conn %d: %w", id, err))
			return
		}
		r.record(startPhase, h, time.Since(t0))
	}
}

// roundTrip writes send (stamped with seq and id, so that stale or
// mixed-up replies are caught) and reads the same bytes back into recv.
func roundTrip(c net.Conn, id int, seq uint64, send, recv []byte) error {
	fill(send, id, seq)
	var err error
	if len(send) <= seqWriteMax {
		if _, err = c.Write(send); err == nil {
			_, err = io.ReadFull(c, recv)
		}
	} else {
		werr := make(chan error, 1)
		go func() { _, e := c.Write(send); werr <- e }()
		_, err = io.ReadFull(c, recv)
		if e := <-werr; err == nil {
			err = e
		}
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(send, recv) {
		return errors.New("reply differs from request")
	}
	return nil
}

// fill makes the payload of request seq on connection id: letters, with
// the first 8 bytes (if there are 8) holding seq and id.
func fill(b []byte, id int, seq uint64) {
	if seq <= 1 { // the letters never change; write them once
		for i := range b {
			b[i] = byte('a' + (i+id)%26)
		}
	}
	if len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, seq^uint64(id)<<48)
	}
}

// acceptWorker loops connect / wait for the server's close / close.
func (r *runner) acceptWorker(h *histogram) {
	var buf [1]byte
	for {
		startPhase := r.phase.Load()
		if startPhase == phaseStop || !r.admit(startPhase) {
			return
		}
		t0 := time.Now()
		deadline := earliest(t0.Add(r.cfg.ioTimeout), r.hardDeadline)
		c, err := dial(r.cfg, deadline)
		if err != nil {
			r.fail(fmt.Errorf("accept: dial: %w", err))
			time.Sleep(time.Millisecond) // do not spin on a dead server
			continue
		}
		c.SetDeadline(deadline)
		n, err := c.Read(buf[:])
		c.Close()
		elapsed := time.Since(t0)
		switch {
		case n > 0:
			r.fail(errors.New("accept: server sent data (is it in accept mode?)"))
			continue
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
			// The server accepted and closed the connection: success.
		default:
			r.fail(fmt.Errorf("accept: waiting for close: %w", err))
			continue
		}
		r.record(startPhase, h, elapsed)
	}
}

// admit reports whether one more operation may start; it enforces --count.
func (r *runner) admit(phase int32) bool {
	if phase != phaseMeasure || r.cfg.count == 0 {
		return true
	}
	return r.issued.Add(1) <= r.cfg.count
}

// record counts an operation that both started and ended in the measure
// phase, and ends the run when --count operations have completed.
func (r *runner) record(startPhase int32, h *histogram, d time.Duration) {
	if startPhase != phaseMeasure || r.phase.Load() != phaseMeasure {
		return
	}
	h.add(uint64(d.Nanoseconds()))
	if r.cfg.count > 0 && r.completed.Add(1) >= r.cfg.count {
		r.countOnce.Do(func() { close(r.countDone) })
	}
}

func (r *runner) fail(err error) {
	if r.errCount.Add(1) == 1 {
		s := err.Error()
		r.firstErr.Store(&s)
	}
}

// ---- connections ------------------------------------------------------------

func dial(cfg config, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	return d.Dial(cfg.network, cfg.addr) // Go sets TCP_NODELAY by default
}

// dialRetry is dial that tries again, until deadline, while a unix
// socket's listen backlog is full (connect fails with EAGAIN there; TCP
// retransmits the SYN by itself).
func dialRetry(cfg config, deadline time.Time) (net.Conn, error) {
	for {
		c, err := dial(cfg, deadline)
		if err == nil || !errors.Is(err, syscall.EAGAIN) || !time.Now().Before(deadline) {
			return c, err
		}
		time.Sleep(time.Millisecond)
	}
}

// waitReady polls until the server accepts a connection.
func waitReady(cfg config) error {
	end := time.Now().Add(cfg.waitReady)
	for {
		c, err := dial(cfg, earliest(time.Now().Add(250*time.Millisecond), end))
		if err == nil {
			c.Close()
			return nil
		}
		if !time.Now().Before(end) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// earliest is the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}
