package object_test

import (
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
)

// TestZeroValues: the zero value and the nil pointer of each exported type
// never panic and behave as their docs say.
func TestZeroValues(t *testing.T) {
	var nilObj *object.Object
	var nilWeak *object.WeakRef
	cases := []struct {
		name string
		call func() any
		want any
	}{
		{"zero WeakRef", func() any { var w object.WeakRef; return w.Get() }, (*object.Object)(nil)},
		{"nil WeakRef", func() any { return nilWeak.Get() }, (*object.Object)(nil)},
		{"WeakRef of nil", func() any { return object.NewWeakRef(nil).Get() }, (*object.Object)(nil)},
		{"zero Object name", func() any { var o object.Object; return o.ObjectName() }, ""},
		{"zero Object destroyed", func() any { var o object.Object; return o.IsDestroyed() }, false},
		{"zero Object DeleteLater", func() any { var o object.Object; o.DeleteLater(); return o.IsDestroyed() }, false},
		{"zero Object properties", func() any { var o object.Object; return len(o.Properties()) }, 0},
		{"nil Object IsDestroyed", func() any { return nilObj.IsDestroyed() }, true},
		{"nil Object DeleteLater", func() any { nilObj.DeleteLater(); return nil }, nil},
		{"nil Object MainContext", func() any { return nilObj.MainContext() == nil }, true},
		{"zero PropertyFlags", func() any { return object.PropertyFlags(0) }, object.PropertyFlags(0)},
		{"nil Timer IsActive", func() any { var tm *object.Timer; return tm.IsActive() }, false},
		{"nil Timer String", func() any { var tm *object.Timer; return tm.String() }, "object.Timer(nil)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := logging.StartCapture()
			defer c.Stop()
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panicked: %v", r)
				}
			}()
			if got := tc.call(); got != tc.want {
				t.Fatalf("= %#v, want %#v", got, tc.want)
			}
		})
	}
}
