// Package mainloop is GLib's main event loop in Go: Context (GMainContext),
// Loop (GMainLoop) and Source (GSource), with idle, timeout, fd-watch and
// Unix-signal sources, plus Qt's QTimer::singleShot.
//
// Everything else in sigloop stands on it: objects have a Context affinity,
// queued signal connections and async completions are Invoke calls onto a
// Context.
package mainloop
