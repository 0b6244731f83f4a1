package asyncresult

import "time"

// SetPoolTiming changes the pool's growth delay and idle timeout for a test
// and returns a function that restores them.
func SetPoolTiming(wait, idle time.Duration) (restore func()) {
	p := taskPool
	p.mu.Lock()
	oldWait, oldIdle := waitTimeBase, idleTimeout
	waitTimeBase, idleTimeout = wait, idle
	close(p.retime)
	p.retime = make(chan struct{})
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		waitTimeBase, idleTimeout = oldWait, oldIdle
		close(p.retime)
		p.retime = make(chan struct{})
		p.mu.Unlock()
	}
}

// PoolStats reports the pool's counters.
func PoolStats() (running, maxSlots, workers, queued int, started uint64) {
	return taskPool.stats()
}
