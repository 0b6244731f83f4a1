package gio

import (
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// The socket streams are pollable (GPollableInputStream /
// GPollableOutputStream): readiness, non-blocking calls that give
// WOULD_BLOCK, and sources that fire on readiness.
func TestPollableSocketStreams_SOCK7(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "tcp4")
	in, out := client.InputStream(), server.OutputStream()
	if !in.CanPoll() || !out.CanPoll() {
		t.Fatal("socket streams cannot poll")
	}
	if in.IsReadable() {
		t.Fatal("readable with nothing sent")
	}
	_, err := in.ReadNonblocking(make([]byte, 4), nil)
	wantIOErr(t, err, ioerr.WouldBlock, "")
	if !out.IsWritable() {
		t.Fatal("a fresh connection is not writable")
	}

	fired := 0
	src := in.CreateSource(nil)
	src.SetCallback(func() bool {
		fired++
		return mainloop.SourceRemove
	})
	src.Attach(l.ctx)
	defer src.Destroy()
	if n, err := out.WriteNonblocking([]byte("ping"), nil); err != nil || n != 4 {
		t.Fatalf("WriteNonblocking = %d, %v", n, err)
	}
	l.until(func() bool { return fired > 0 })
	if !in.IsReadable() {
		t.Fatal("not readable after the source fired")
	}
	buf := make([]byte, 8)
	n, err := in.ReadNonblocking(buf, nil)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("ReadNonblocking = %q, %v", buf[:n], err)
	}

	// A cancel wakes the source too.
	c := cancellable.New()
	woke := false
	src2 := in.CreateSource(c)
	src2.SetCallback(func() bool { woke = true; return mainloop.SourceRemove })
	src2.Attach(l.ctx)
	defer src2.Destroy()
	c.Cancel()
	l.until(func() bool { return woke })
	_, err = in.ReadNonblocking(buf, c)
	wantIOErr(t, err, ioerr.Cancelled, "")
}

type plainInput struct{}

func (plainInput) Read([]byte, *cancellable.Cancellable) (int, error) { return 0, nil }
func (plainInput) Close(*cancellable.Cancellable) error               { return nil }

func TestNotPollable(t *testing.T) {
	s := NewInputStream(plainInput{})
	if s.CanPoll() || s.IsReadable() || s.CreateSource(nil) != nil {
		t.Fatal("a stream without PollableInputImpl claims to poll")
	}
	_, err := s.ReadNonblocking(make([]byte, 1), nil)
	wantIOErr(t, err, ioerr.NotSupported, "")
	// The plain stream still reads (end of stream here).
	if n, err := s.Read(make([]byte, 1), nil); n != 0 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
}
