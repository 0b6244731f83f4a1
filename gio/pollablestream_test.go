package gio

import (
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

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
