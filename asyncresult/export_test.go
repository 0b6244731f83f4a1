package asyncresult

import "time"

// SetPoolTiming changes the pool's growth delay and idle timeout for a test
// and returns a function that restores them. Both apply at once: a pending
// growth step is rescheduled with the new delay, so that a long delay set by
// one test cannot hold back the pool of the tests that follow.
func SetPoolTiming(wait, idle time.Duration) (restore func()) {
	p := taskPool
	p.mu.Lock()
	oldWait, oldIdle := waitTimeBase, idleTimeout
	p.setTimingLocked(wait, idle)
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.setTimingLocked(oldWait, oldIdle)
		p.mu.Unlock()
	}
}

func (p *pool) setTimingLocked(wait, idle time.Duration) {
	waitTimeBase, idleTimeout = wait, idle
	p.waitTime = wait
	p.growDue = false
	if p.running >= poolSize {
		p.grower.Reset(p.waitTime)
	}
	close(p.retime)
	p.retime = make(chan struct{})
}

// PoolStats reports the pool's counters.
func PoolStats() (running, maxSlots, workers, queued int, started uint64) {
	return taskPool.stats()
}

// ArmYoung arms the tasks on the young list now, as the next garbage
// collection would (finalize.go).
func ArmYoung() { armYoung() }

// YoungLen is the length of the young list.
func YoungLen() int {
	young.Lock()
	defer young.Unlock()
	return len(young.list)
}
