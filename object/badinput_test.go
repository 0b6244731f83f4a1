package object_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
)

// TestBadInputNoPanic: nil objects, nil notifies and calls on destroyed or
// zero objects log a critical or return an error; none panics (each of the
// first rows used to panic with a nil dereference, the nil destroy notify
// inside a later Destroy, leaving the object half destroyed).
func TestBadInputNoPanic(t *testing.T) {
	var nilObj *object.Object
	cases := []struct {
		name      string
		f         func() error
		critical  bool
		wantError error
	}{
		{"NewProperty(nil)", func() error { _, err := object.NewProperty(nil, "x", 1, 0); return err }, true, object.ErrNilObject},
		{"Virtual(nil)", func() error {
			if object.Virtual[any](nil, 1) != 1 {
				return errors.New("Virtual(nil) did not return base")
			}
			return nil
		}, false, nil},
		{"nil Destroy", func() error { nilObj.Destroy(); return nil }, true, nil},
		{"nil DeleteLater", func() error { nilObj.DeleteLater(); return nil }, true, nil},
		{"nil IsDestroyed", func() error {
			if !nilObj.IsDestroyed() {
				return errors.New("a nil object is alive")
			}
			return nil
		}, false, nil},
		{"nil SetParent", func() error { nilObj.SetParent(object.New()); return nil }, true, nil},
		{"nil MoveToContext", func() error { return nilObj.MoveToContext(nil) }, true, object.ErrNilObject},
		{"nil SetProperty", func() error { return nilObj.SetProperty("x", 1) }, true, object.ErrNilObject},
		{"nil Property", func() error { _, err := nilObj.Property("x"); return err }, true, object.ErrNilObject},
		{"nil Children/FindChildren/Data", func() error {
			if nilObj.Children() != nil || nilObj.FindChildren("") != nil || nilObj.Data("k") != nil || nilObj.Parent() != nil {
				return errors.New("non-nil result")
			}
			return nil
		}, true, nil},
		{"nil AddDestroyNotify", func() error { nilObj.AddDestroyNotify(func() {})(); return nil }, true, nil},
		{"nil notify fn, then Destroy", func() error {
			o := object.New()
			o.AddDestroyNotify(nil)()
			child := object.New()
			child.SetParent(o)
			o.Destroy()
			if !child.IsDestroyed() {
				return errors.New("Destroy did not finish")
			}
			return nil
		}, true, nil},
		{"nil WeakRef", func() error {
			var w *object.WeakRef
			if w.Get() != nil || object.NewWeakRef(nil).Get() != nil {
				return errors.New("non-nil")
			}
			return nil
		}, false, nil},
		{"destroyed object", func() error {
			o := object.New()
			p, _ := object.NewProperty(o, "n", 1, 0)
			o.Destroy()
			o.DeleteLater()
			if err := o.SetProperty("n", 2); err != nil {
				return err
			}
			p.Set(3)
			if err := o.MoveToContext(o.MainContext()); !errors.Is(err, object.ErrDestroyed) {
				return errors.New("MoveToContext of a destroyed object: " + err.Error())
			}
			return nil
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := logging.StartCapture()
			defer c.Stop()
			err := noPanic(tc.f)
			if tc.wantError != nil {
				if !errors.Is(err, tc.wantError) {
					t.Errorf("error %v, want %v", err, tc.wantError)
				}
			} else if err != nil {
				t.Error(err)
			}
			if got := c.Count("critical", "") > 0; got != tc.critical {
				t.Errorf("critical logged: %v, want %v (%v)", got, tc.critical, c.Records())
			}
		})
	}
}

// noPanic runs f and returns its error, or a "panic: …" error when f
// panics: bad input must never panic, and a panic fails only its own case.
func noPanic(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
