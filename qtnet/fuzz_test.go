package qtnet

import (
	"strings"
	"testing"
)

// FuzzNames feeds arbitrary names to Listen, ConnectToServer and
// RemoveServer: abstract names with any bytes, and path names (kept inside
// a temporary directory) with any bytes but '/'. Nothing may panic, a
// failure must carry Qt's code and text, and a listening server must be
// reachable under the name it reports.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"", "a", "a\x00b", "\x00", "x\x00\x00", strings.Repeat("n", 120), "..", ".", "@", "ü"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, name string, abstract bool) {
		dir := t.TempDir()
		opts := NoOptions
		if abstract {
			opts = AbstractNamespaceOption
			name = "qtnet-fuzz-" + name
		} else {
			name = dir + "/" + strings.ReplaceAll(name, "/", "_")
		}
		s := NewLocalServer(nil)
		s.SetSocketOptions(opts)
		err := s.Listen(name)
		defer s.Close()
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Message == "" || e.Message != s.ErrorString() || s.IsListening() {
				t.Fatalf("Listen(%q) = %#v, errorString %q", name, err, s.ErrorString())
			}
			return
		}
		c := NewLocalSocket(nil)
		defer c.Abort()
		c.SetSocketOptions(opts)
		c.ConnectToServer(s.FullServerName())
		if !c.WaitForConnected(1000) {
			t.Fatalf("listening on %q, connect: %s", s.FullServerName(), c.ErrorString())
		}
		if !abstract {
			_ = RemoveServer(name)
		}
	})
}
