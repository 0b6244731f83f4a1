package mainloop

import (
	"time"

	"golang.org/x/sys/unix"
)

var (
	monoBase  int64 // CLOCK_MONOTONIC at start, µs
	monoStart = time.Now()
)

func init() {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) == nil {
		monoBase = ts.Nano() / 1000
	}
}

// MonotonicTime is g_get_monotonic_time: the CLOCK_MONOTONIC time in
// microseconds. It reads Go's monotonic clock (no system call) and is offset
// to agree with CLOCK_MONOTONIC as read at package start.
func MonotonicTime() int64 {
	return monoBase + time.Since(monoStart).Microseconds()
}
