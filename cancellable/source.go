package cancellable

import (
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

// NewSource is g_cancellable_source_new (CAN-8): a main-loop source that
// dispatches once per cancellation of c. Set its callback with SetCallback
// and attach it to a context; the callback's return value decides whether
// the source stays (mainloop.SourceContinue) or is removed.
//
//   - The source becomes ready when c is cancelled and is dispatched in a
//     later iteration of its context, never from inside Cancel.
//   - If c is already cancelled when the source is made, it is ready at once.
//   - A second Cancel without Reset does not fire it again; Reset and Cancel
//     do.
//   - For a nil c the source never fires.
//
// The source holds its handler on c until it is destroyed.
func (c *Cancellable) NewSource() *mainloop.Source {
	var id signal.HandlerID
	s := mainloop.NewSource(mainloop.SourceFuncs{
		Dispatch: func(s *mainloop.Source, callback mainloop.SourceFunc) bool {
			s.SetReadyTime(-1)
			if callback == nil {
				logging.Warning(pkg, "Cancellable source dispatched without callback. You must call SetCallback().")
				return mainloop.SourceRemove
			}
			return callback()
		},
		Finalize: func(*mainloop.Source) {
			if c != nil {
				// Not c.Disconnect: the source may be destroyed from inside a
				// Cancelled handler, and the handler below is harmless after
				// the source is gone (#1841).
				c.Cancelled.Disconnect(id)
			}
		},
	})
	s.SetName("GCancellable")
	if c == nil {
		return s
	}
	c.mu.Lock()
	if c.cancelled.Load() {
		s.SetReadyTime(0)
	}
	id = c.Cancelled.Connect(func() {
		if !s.IsDestroyed() {
			s.SetReadyTime(0)
		}
	})
	c.mu.Unlock()
	return s
}
