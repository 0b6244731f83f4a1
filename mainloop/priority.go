package mainloop

// Priorities of sources, as in GLib: a lower number is a higher priority.
const (
	// PriorityHigh is G_PRIORITY_HIGH.
	PriorityHigh = -100
	// PriorityDefault is G_PRIORITY_DEFAULT, the priority of new sources,
	// timeouts and queued Invoke calls.
	PriorityDefault = 0
	// PriorityHighIdle is G_PRIORITY_HIGH_IDLE.
	PriorityHighIdle = 100
	// PriorityDefaultIdle is G_PRIORITY_DEFAULT_IDLE, the priority of idle sources.
	PriorityDefaultIdle = 200
	// PriorityLow is G_PRIORITY_LOW.
	PriorityLow = 300
)

// SourceFunc is GSourceFunc: a source callback. It returns SourceContinue to
// keep the source or SourceRemove to destroy it.
type SourceFunc func() bool

const (
	// SourceContinue is G_SOURCE_CONTINUE.
	SourceContinue = true
	// SourceRemove is G_SOURCE_REMOVE.
	SourceRemove = false
)
