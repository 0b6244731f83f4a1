package gio

// NewSimpleIOStream is g_simple_io_stream_new: an IOStream made of any two
// streams. Closing it closes out, then in, and reports the first error.
func NewSimpleIOStream(in *InputStream, out *OutputStream) *IOStream {
	return NewIOStream(simpleIO{in, out})
}

// simpleIO is GSimpleIOStream's impl. It has no Close: closing it is
// GLib's default close_fn (see IOStreamCloser), as GSimpleIOStream has
// none of its own.
type simpleIO struct {
	in  *InputStream
	out *OutputStream
}

func (p simpleIO) InputStream() *InputStream   { return p.in }
func (p simpleIO) OutputStream() *OutputStream { return p.out }
