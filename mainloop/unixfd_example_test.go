package mainloop_test

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/mainloop"
)

// A descriptor read each time it becomes readable, with a new watch per
// wait as async reads make them: with a UnixFD the later watches reuse the
// first one's epoll registration.
func ExampleUnixFD() {
	sp, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	defer unix.Close(sp[1])
	h := mainloop.NewUnixFD(sp[0])
	c := mainloop.NewContext()
	buf := make([]byte, 16)
	for _, msg := range []string{"one", "two"} {
		done := false
		s := mainloop.NewSource(mainloop.SourceFuncs{Dispatch: func(*mainloop.Source, mainloop.SourceFunc) bool {
			n, _ := unix.Read(h.FD(), buf)
			fmt.Println(string(buf[:n]))
			done = true
			return mainloop.SourceRemove
		}})
		s.AddUnixFDHandle(h, mainloop.IOIn)
		s.Attach(c)
		unix.Write(sp[1], []byte(msg))
		for !done {
			c.Iteration(true)
		}
	}
	h.Close() // before the descriptor
	unix.Close(sp[0])
	// Output:
	// one
	// two
}
