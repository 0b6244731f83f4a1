package mainloop

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
)

// TestNilSource: every method of a nil *Source logs GLib's
// "assertion 'source != NULL' failed" critical for its C function and
// returns what g_return_val_if_fail returns, instead of panicking. The
// table must list every exported method.
func TestNilSource(t *testing.T) {
	var s *Source
	other := NewIdleSource()
	defer other.Destroy()
	tag := FDTag{}
	cases := []struct {
		method string
		glib   string
		call   func() any
		want   any
	}{
		{"Attach", "g_source_attach", func() any { return s.Attach(nil) }, SourceID(0)},
		{"Destroy", "g_source_destroy", func() any { s.Destroy(); return nil }, nil},
		{"IsDestroyed", "g_source_is_destroyed", func() any { return s.IsDestroyed() }, true},
		{"ID", "g_source_get_id", func() any { return s.ID() }, SourceID(0)},
		{"MainContext", "g_source_get_context", func() any { return s.MainContext() }, (*Context)(nil)},
		{"SetCallback", "g_source_set_callback", func() any { s.SetCallback(func() bool { return SourceRemove }); return nil }, nil},
		{"SetPriority", "g_source_set_priority", func() any { s.SetPriority(PriorityHigh); return nil }, nil},
		{"Priority", "g_source_get_priority", func() any { return s.Priority() }, 0},
		{"SetName", "g_source_set_name", func() any { s.SetName("x"); return nil }, nil},
		{"Name", "g_source_get_name", func() any { return s.Name() }, ""},
		{"SetReadyTime", "g_source_set_ready_time", func() any { s.SetReadyTime(0); return nil }, nil},
		{"ReadyTime", "g_source_get_ready_time", func() any { return s.ReadyTime() }, int64(-1)},
		{"SetCanRecurse", "g_source_set_can_recurse", func() any { s.SetCanRecurse(true); return nil }, nil},
		{"CanRecurse", "g_source_get_can_recurse", func() any { return s.CanRecurse() }, false},
		{"Time", "g_source_get_time", func() any { return s.Time() }, int64(0)},
		{"AddChildSource", "g_source_add_child_source", func() any { s.AddChildSource(other); return nil }, nil},
		{"RemoveChildSource", "g_source_remove_child_source", func() any { s.RemoveChildSource(other); return nil }, nil},
		{"AddUnixFD", "g_source_add_unix_fd", func() any { return s.AddUnixFD(0, IOIn) }, FDTag{}},
		{"ModifyUnixFD", "g_source_modify_unix_fd", func() any { s.ModifyUnixFD(tag, IOOut); return nil }, nil},
		{"QueryUnixFD", "g_source_query_unix_fd", func() any { return s.QueryUnixFD(tag) }, IOCondition(0)},
		{"RemoveUnixFD", "g_source_remove_unix_fd", func() any { s.RemoveUnixFD(tag); return nil }, nil},
		{"AddUnixFDHandle", "AddUnixFDHandle", func() any { return s.AddUnixFDHandle(NewUnixFD(0), IOIn) }, FDTag{}},
	}
	listed := map[string]bool{}
	for _, tc := range cases {
		listed[tc.method] = true
		t.Run(tc.method, func(t *testing.T) {
			c := logging.StartCapture()
			defer c.Stop()
			var got any
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panicked: %v", r)
					}
				}()
				got = tc.call()
			}()
			if !cmp.Equal(got, tc.want, cmp.Comparer(func(a, b FDTag) bool { return a == b })) {
				t.Errorf("returned %#v, want %#v", got, tc.want)
			}
			want := fmt.Sprintf("%s: assertion 'source != NULL' failed", tc.glib)
			if n := c.Count("critical", want); n != 1 || len(c.Records()) != 1 {
				t.Errorf("records %v, want one critical %q", c.Records(), want)
			}
		})
	}
	if other.IsDestroyed() {
		t.Fatal("a call on a nil source destroyed another source")
	}
	typ := reflect.TypeFor[*Source]()
	for i := range typ.NumMethod() {
		if m := typ.Method(i).Name; !listed[m] {
			t.Errorf("method %s is missing from the table", m)
		}
	}
}
